"""Settings and fixtures for the whole test session: the image batches and
helpers that several test files share."""

import tracemalloc

import numpy as np
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="session", autouse=True)
def one_openmp_thread():
    # scikit-learn's k-means (inside BagOfVisualWords.fit) runs OpenMP threads,
    # which gain nothing on the few dozen patches of a test and, on a busy
    # machine, make each fit up to a hundred times slower at their barriers.
    # Not a `with` block: threadpoolctl would keep this thread in control of
    # OpenBLAS's limit meanwhile, and ignore the limits other threads set.
    limiter = threadpool_limits(limits=1, user_api="openmp")
    yield
    limiter.restore_original_limits()


@pytest.fixture(scope="session")
def colour():
    """Eight random colour images of an odd size, 14x13, uint8."""
    return np.random.RandomState(0).randint(0, 256, (8, 14, 13, 3), dtype=np.uint8)


@pytest.fixture(scope="session")
def gray():
    """Eight random grayscale images, 12x12, uint8."""
    return np.random.RandomState(1).randint(0, 256, (8, 12, 12), dtype=np.uint8)


def make_striped_images(n_images, *, amplitude, size=16, random_state=0):
    """Colour images whose class (0, 1 or 2) is the direction of faint stripes
    (horizontal, vertical, diagonal) under uniform noise in [0, 1).

    ``amplitude`` is that of the stripes (sines) against the noise's range of
    1: at 0.1, HoG learns the classes, not perfectly; at 0.3, it does. Returns
    the uint8 images, stretched to 0..255, and their classes.
    """
    rng = np.random.default_rng(random_state)
    y = rng.integers(0, 3, n_images)
    rows, cols = np.mgrid[:size, :size]
    stripes = np.stack([np.sin(rows), np.sin(cols), np.sin((rows + cols) / 1.4)])
    pixels = (amplitude * stripes[y, :, :, np.newaxis]
              + rng.random((n_images, size, size, 3)))
    pixels = (pixels - pixels.min()) / (pixels.max() - pixels.min())
    return np.round(255 * pixels).astype(np.uint8), y


@pytest.fixture(scope="session")
def striped_images():
    """:func:`make_striped_images`, for module-scoped fixtures to call."""
    return make_striped_images


def _traced_peak(function, *args):
    tracemalloc.start()
    try:
        result = function(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="session")
def traced_peak():
    """``traced_peak(function, *args)``: the result of ``function(*args)`` and
    the peak of the memory it allocated, by tracemalloc."""
    return _traced_peak
