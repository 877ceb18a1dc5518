"""The one validation path for image batches, and the transformer base class."""

import itertools
import sys

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklinear.feature_extraction import BaseImageTransformer, check_images


class MeanPixel(BaseImageTransformer):
    """A minimal image transformer: the mean of each image."""

    _parameter_constraints: dict = {"image_shape": [tuple, None]}

    def __init__(self, image_shape=None):
        self.image_shape = image_shape

    def _min_size(self):
        return (2, 3)

    def _n_features(self, image_shape):
        return 1

    def _transform_chunk(self, images):
        return images.reshape(len(images), -1).mean(axis=1, keepdims=True)


def test_batches_lists_and_flat_rows():
    images = np.arange(2 * 4 * 5 * 3, dtype=np.uint8).reshape(2, 4, 5, 3)
    assert check_images(images) is images  # no copy
    assert_array_equal(check_images(list(images)), images)
    flat = images.reshape(2, -1)
    assert_array_equal(check_images(flat, image_shape=(4, 5, 3)), images)
    gray = images[..., 0]
    assert_array_equal(check_images(gray.reshape(2, -1), image_shape=(4, 5)), gray)
    assert check_images(np.zeros((1, 3, 3), dtype=bool)).dtype == np.uint8


@pytest.mark.parametrize(
    "X, kwargs, message",
    [
        (np.zeros(5), {}, r"\(n_images, height, width\)"),
        (np.zeros((2, 3, 3, 3, 3)), {}, "batch of images"),
        (np.zeros((2, 12)), {}, "need image_shape"),
        (np.zeros((2, 12)), {"image_shape": (3, 5)}, "does not match rows of 12"),
        (np.zeros((0, 4, 4)), {}, "no images"),
        (np.zeros((2, 4, 4)), {"min_size": (8, 8)}, "4x4 pixels; expected at least"),
        (np.full((2, 4, 4), np.inf), {}, "NaN or infinite"),
        (np.array([[["a"]]]), {}, "must hold numbers"),
        ([np.zeros((4, 4)), np.zeros((4, 5))], {}, "different shapes"),
    ],
)
def test_bad_batches_are_refused_clearly(X, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_images(X, **kwargs)


def test_pixels_beyond_float64_are_refused():
    # Wider floats than float64 (np.longdouble, where it is wider) hold pixels
    # that the features, computed in float64, cannot: they gave NaN features.
    huge = np.longdouble(np.finfo(np.float64).max) * 4
    if not np.isfinite(huge):
        pytest.skip("np.longdouble is float64 on this platform")
    X = np.ones((2, 4, 4), dtype=np.longdouble)
    X[1, 2, 2] = -huge
    with pytest.raises(
        ValueError,
        match=r"pixels up to 7.19e\+308, beyond the "
        r"range of float64",
    ):
        check_images(X)
    check_images(np.full((2, 4, 4), 1e308, dtype=np.longdouble))  # within it


def test_nan_is_found_even_when_the_sum_overflows_elsewhere():
    X = np.full((2, 4, 4), 1e308)
    X[1, 2, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        check_images(X)
    check_images(np.full((2, 4, 4), 1e308))  # huge but finite is fine


def test_base_class_shapes_chunks_and_errors():
    from sklearn import config_context

    images = np.random.default_rng(0).random((10, 4, 5, 3))
    est = MeanPixel().fit(images)
    assert est.image_shape_ == (4, 5, 3)
    expected = images.reshape(10, -1).mean(axis=1, keepdims=True)
    with config_context(working_memory=1e-4):  # one image per chunk
        assert_array_equal(est.transform(images), expected)
    with pytest.raises(ValueError, match=r"fitted on images of shape \(4, 5, 3\)"):
        est.transform(images[..., :2])
    with pytest.raises(ValueError, match="at least 2x3"):
        MeanPixel().fit(images[:, :1])
    assert est.transform(images.astype(np.float32)).dtype == np.float32
    assert est.get_feature_names_out().tolist() == ["meanpixel0"]


def test_one_colour_image_is_refused_with_what_to_pass():
    images = np.random.default_rng(0).random((3, 8, 8, 3))
    est = MeanPixel().fit(images)
    # One image without its batch axis reads as 8 grayscale images of 8x3 pixels.
    message = (
        r"reads as 8 grayscale images of 8x3 pixels; if it is one colour "
        r"image, pass X\[np.newaxis\]"
    )
    with pytest.raises(ValueError, match=r"fitted on images of shape \(8, 8, 3\)"):
        est.transform(images[0])
    with pytest.raises(ValueError, match=message):
        est.transform(images[0])
    assert_array_equal(est.transform(images[0][np.newaxis]), est.transform(images[:1]))
    # Before its size is checked: these would be too narrow for the transformer.
    with pytest.raises(
        ValueError,
        match=message.replace("8 grayscale", "2 grayscale").replace("8x3", "4x3"),
    ):
        est.transform(images[0, :2, :4])
    # Without a fit to compare with, the size check says the same.
    with pytest.raises(
        ValueError,
        match=r"8x3 pixels; expected at least 9x9.*"
        r"pass images\[np.newaxis\]",
    ):
        check_images(images[0], min_size=(9, 9), name="images")
    # Grayscale images of another width get no such hint.
    with pytest.raises(ValueError) as error:
        MeanPixel().fit(images[..., 0]).transform(images[:, :, :5, 0])
    assert "np.newaxis" not in str(error.value)


class Learner(MeanPixel):
    """A transformer whose fit learns two attributes, one after the other."""

    fault = None

    def _fit_images(self, images):
        self.mean_ = float(images.mean())
        if self.fault is not None:
            raise self.fault("interrupted in _fit_images")
        self.spread_ = float(images.std())


def _trace_lines(call, code, interrupt_at=None):
    """Run ``call()``, counting the lines of ``code`` that run, and raise
    KeyboardInterrupt (Ctrl-C) in place of the one numbered ``interrupt_at``."""
    count = itertools.count()

    def local(frame, event, arg):
        if event == "line" and next(count) == interrupt_at:
            raise KeyboardInterrupt("interrupted by the test")
        return local

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: local if frame.f_code is code else None)
    try:
        call()
    finally:
        sys.settrace(previous)
    return next(count)


def test_an_interrupt_anywhere_in_fit_leaves_the_previous_fit_or_the_new_one():
    # Ctrl-C at every line of fit in turn, alone or on top of an exception from
    # the subclass's _fit_images (Ctrl-C pressed twice): the estimator is then
    # exactly as it was, or exactly as a new fit, never a mix of the two.
    rng = np.random.default_rng(0)
    old, new = rng.random((4, 4, 5, 3)), 2 * rng.random((5, 6, 7))
    code = BaseImageTransformer.fit.__code__
    n_lines = _trace_lines(lambda: Learner().fit(new), code)
    outcomes = set()
    for fault in (None, KeyboardInterrupt, ValueError):
        expected = {**vars(Learner().fit(new)), "fault": fault}
        for line in range(n_lines + 1):
            est = Learner().fit(old)
            est.fault = fault
            before = dict(vars(est))
            try:
                _trace_lines(lambda est=est: est.fit(new), code, interrupt_at=line)
                outcome = "done"
            except (KeyboardInterrupt, ValueError) as error:
                outcome = type(error).__name__
            if vars(est).keys() == before.keys() and all(
                vars(est)[name] is value for name, value in before.items()
            ):
                outcomes.add((fault, outcome, "as it was"))
            else:
                assert vars(est) == expected, (fault, line)
                outcomes.add((fault, outcome, "new fit"))
    # Each case was met: fits interrupted before and after their end, failed
    # fits, interrupted or not, and complete ones.
    assert {
        (None, "KeyboardInterrupt", "as it was"),
        (None, "KeyboardInterrupt", "new fit"),
        (None, "done", "new fit"),
        (KeyboardInterrupt, "KeyboardInterrupt", "as it was"),
        (ValueError, "ValueError", "as it was"),
    } <= outcomes
    assert all(outcome[0] is None for outcome in outcomes if outcome[2] == "new fit")


def test_a_refit_forgets_the_previous_fit():
    pd = pytest.importorskip("pandas")
    images = np.random.default_rng(0).random((3, 4, 5, 3))
    rows = images.reshape(3, -1)
    frame = pd.DataFrame(rows, columns=[f"p{i}" for i in range(rows.shape[1])])
    est = MeanPixel(image_shape=(4, 5, 3)).set_output(transform="pandas")
    est.fit(frame)
    assert est.feature_names_in_.tolist() == frame.columns.tolist()
    est.fit(rows)
    # The column names of the previous fit are not those of this one.
    assert not hasattr(est, "feature_names_in_")
    assert not hasattr(est, "n_features_in_")
    # The parameters and settings stay: set_output's among them.
    assert est.image_shape == (4, 5, 3)
    assert isinstance(est.transform(rows), pd.DataFrame)
