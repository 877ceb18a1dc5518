"""The one validation path for image batches, and the transformer base class."""

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
