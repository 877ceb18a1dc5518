"""Large images: HoG and ColorHistogram work by bands within working_memory."""

import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context

from sklinear.feature_extraction import ColorHistogram, HoG, _color, _hog

# A working memory far below what one large image takes at once (MiB).
BUDGET = 2


def make_image(shape, dtype=np.uint8, seed=0):
    """One image, as a batch of one: uint8 in 0..255, or float in [0, 1]."""
    image = np.random.default_rng(seed).integers(0, 256, (1, *shape), dtype=np.uint8)
    return image if dtype == np.uint8 else (image / 255).astype(dtype)


def count_calls(monkeypatch, module, name):
    """Count the calls of ``module.name`` from now on."""
    calls = []
    function = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(None)
        return function(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize(
    "params",
    [
        {},
        # Blocks taller than a band, pixels past the last whole cell.
        {"pixels_per_cell": (5, 3), "cells_per_block": (4, 2), "block_norm": "L1"},
        {"pixels_per_cell": (1, 2), "cells_per_block": (2, 1), "transform_sqrt": True},
        {"orientations": 6, "pixels_per_cell": 4, "cells_per_block": 1},
    ],
)
@pytest.mark.parametrize(
    "shape, dtype",
    [((203, 157, 3), np.uint8), ((203, 157, 3), np.float32), ((131, 90), np.float64)],
)
def test_hog_by_bands_equals_hog_of_the_whole_image(params, shape, dtype, monkeypatch):
    images = np.concatenate([make_image(shape, dtype), make_image(shape, dtype, 1)])
    est = HoG(**params).fit(images)
    whole = est.transform(images)
    planes = count_calls(monkeypatch, _hog, "_float_planes")
    # About 2,500 pixels per band: one to fifteen rows of cells.
    with config_context(working_memory=0.5):
        by_bands = est.transform(images)
    assert len(planes) >= 2 * 4  # four bands or more per image
    # Features are at most 1: rounding errors of the precision at most.
    atol = 1e-6 if dtype == np.float32 else 1e-12
    assert by_bands.dtype == whole.dtype
    assert_allclose(by_bands, whole, rtol=0, atol=atol)


@pytest.mark.parametrize("params", [{}, {"color_space": "rgb", "bins": 7}])
@pytest.mark.parametrize(
    "shape, dtype", [((203, 157, 3), np.uint8), ((203, 157, 3), np.float32)]
)
def test_color_histogram_by_bands_equals_that_of_the_whole_image(
    params, shape, dtype, monkeypatch
):
    images = np.concatenate([make_image(shape, dtype), make_image(shape, dtype, 1)])
    est = ColorHistogram(**params).fit(images)
    whole = est.transform(images)
    planes = count_calls(monkeypatch, _color, "_float_planes")
    with config_context(working_memory=0.5):
        by_bands = est.transform(images)
    assert len(planes) >= 2 * 4  # four bands or more per image
    # Counts of pixels: the same whatever the bands.
    assert_array_equal(by_bands, whole)


@pytest.mark.slow
@pytest.mark.parametrize("est", [HoG(), ColorHistogram()], ids=["hog", "color"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float64])
def test_peak_memory_of_a_large_image_follows_working_memory(est, dtype):
    # 1500x1500 RGB, 18 MiB in float64; its work at once took 15 times that.
    image = make_image((1500, 1500, 3), dtype)
    budget = BUDGET * 2**20
    with config_context(working_memory=BUDGET):
        tracemalloc.start()
        try:
            features = est.fit(image).transform(image)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # The features themselves (2.8 MiB for HoG), and the work within the budget.
    assert peak <= features.nbytes + 2 * budget, (
        f"peak {peak / 2**20:.1f} MiB for {features.nbytes / 2**20:.1f} MiB of "
        f"features and a working memory of {BUDGET} MiB"
    )
    assert_allclose(features, est.transform(image), rtol=0, atol=1e-12)
