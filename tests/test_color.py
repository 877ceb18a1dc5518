"""Colour histograms: equal to skimage's rgb2hsv and np.histogram image by image."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.color import rgb2hsv
from skimage.util import img_as_float
from sklearn import config_context
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklinear.feature_extraction import _color
from sklinear.feature_extraction._color import (
    ColorHistogram,
    _bin_edges,
    _bin_index,
    _rgb2hsv,
    color_histogram,
)
from sklinear.utils.estimator_checks import make_images

CHANNEL_NAMES = {"rgb": "rgb", "hsv": "hsv"}


def awkward_pixels():
    """RGB triples of 0, 51, 128, 153 and 255: ties, greys, black, white, and
    values on bin edges (51 / 255 = 0.2, 153 / 255 = 0.6)."""
    levels = np.array([0, 51, 128, 153, 255], dtype=np.uint8)
    return np.stack(np.meshgrid(levels, levels, levels), axis=-1).reshape(-1, 3)


def make_batch(dtype, shape=(6, 5, 5, 3), seed=0):
    """Random images whose first holds the awkward pixels, in ``dtype``."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, shape, dtype=np.uint8)
    if len(shape) == 4 and shape[-1] == 3:
        first = images[0].reshape(-1, 3)  # a view of the first image
        n_awkward = min(len(first), len(awkward_pixels()))
        first[:n_awkward] = awkward_pixels()[:n_awkward]
    if np.dtype(dtype) == np.uint8:
        return images
    # Float images: multiples of 1/255, some on bin edges, and random values.
    floats = (images / 255).astype(dtype)
    floats[-1] = rng.random(shape[1:])
    return floats


def reference_counts(images, bins, color_space="hsv", channels=None):
    """What the batch replaces: skimage and np.histogram, image by image."""
    selected = [CHANNEL_NAMES[color_space].index(c) for c in channels or color_space]
    rows = []
    for image in images:
        if color_space == "hsv":
            values = rgb2hsv(image)
        else:
            values = img_as_float(image)
        if values.ndim == 2:
            values, selected = values[..., None], [0]
        rows.append(np.concatenate(
            [np.histogram(values[..., c], bins=bins, range=(0, 1))[0] for c in selected]
        ))
    return np.array(rows)


def assert_histograms_equal(histograms, counts, n_pixels):
    # Counts exactly equal, and the normalisation to the dtype's precision.
    assert_array_equal(np.rint(histograms * n_pixels), counts)
    assert_allclose(histograms, counts / n_pixels, rtol=1e-6)


# --- The colour conversion -----------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rgb2hsv_equals_skimage(dtype):
    images = make_batch(dtype, (4, 7, 9, 3))
    # White, black, grey, a hue that wraps, and a tiny value.
    images[1, 0, :5] = [[1, 1, 1], [0, 0, 0], [0.5] * 3, [1, 0, 0.2], [1e-3, 0, 0]]
    hsv = _rgb2hsv(images)
    expected = rgb2hsv(images)
    assert hsv.dtype == expected.dtype == dtype
    assert_allclose(hsv, expected, rtol=0, atol=1e-6)
    # The same operations in the same order: the same values, bit for bit.
    assert_array_equal(hsv, expected)


def test_rgb2hsv_awkward_pixels():
    rgb = awkward_pixels() * (1 / 255)
    hsv = _rgb2hsv(rgb)
    assert_array_equal(hsv, rgb2hsv(rgb))
    grey = (rgb == rgb[:, :1]).all(axis=1)
    assert_array_equal(hsv[grey, :2], 0)  # no hue, no saturation
    assert_array_equal(hsv[:, 2], rgb.max(axis=1))
    # Hue wraps: red with a little blue is just below 1, not negative.
    assert 0.9 < _rgb2hsv(np.array([1.0, 0.0, 0.2]))[0] < 1


def test_rgb2hsv_does_not_modify_input():
    images = make_batch(np.float64)
    before = images.copy()
    images.setflags(write=False)
    _rgb2hsv(images)
    assert_array_equal(images, before)


# --- Binning: np.histogram's bins, edges included --------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bins", [1, 2, 3, 7, 10, 64, 255, 1000, 2**16 + 1])
def test_bin_index_equals_np_histogram_at_edges(bins, dtype):
    edges = np.linspace(0, 1, bins + 1, dtype=dtype)
    # Each edge and its floating-point neighbours: where rounding could go wrong.
    values = np.concatenate([
        edges, np.nextafter(edges, dtype(-1)), np.nextafter(edges, dtype(2)),
    ]).astype(dtype)
    values = values[(values >= 0) & (values <= 1)]
    bin_index = _bin_index(values, _bin_edges(bins, dtype))
    counts = np.bincount(bin_index, minlength=bins)
    assert_array_equal(counts, np.histogram(values, bins=bins, range=(0, 1))[0])


# --- color_histogram: equal to np.histogram image by image ----------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("color_space", ["rgb", "hsv"])
@pytest.mark.parametrize("bins", [1, 3, 5, 6, 10, 255])
def test_equals_per_image_np_histogram(bins, color_space, dtype):
    images = make_batch(dtype)
    histograms = color_histogram(images, bins=bins, color_space=color_space)
    assert histograms.shape == (len(images), 3 * bins)
    assert histograms.dtype == (np.float32 if dtype == np.float32 else np.float64)
    assert_histograms_equal(
        histograms, reference_counts(images, bins, color_space), n_pixels=25
    )


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(4, 6, 5), (4, 6, 5, 1)])
def test_grayscale_intensity_histogram(shape, dtype):
    images = make_batch(dtype, shape)
    histograms = color_histogram(images, bins=5, color_space="rgb")
    assert histograms.shape == (4, 5)
    assert_histograms_equal(
        histograms, reference_counts(images.reshape(4, 6, 5), 5, "rgb"), n_pixels=30
    )


@pytest.mark.parametrize(
    "color_space, channels", [("hsv", "h"), ("hsv", "vh"), ("rgb", "b"), ("rgb", "gr")]
)
def test_channels_select_and_order(color_space, channels):
    images = make_batch(np.uint8)
    histograms = color_histogram(images, bins=4, color_space=color_space,
                                 channels=channels)
    assert histograms.shape == (len(images), 4 * len(channels))
    assert_histograms_equal(
        histograms, reference_counts(images, 4, color_space, channels), n_pixels=25
    )
    every = color_histogram(images, bins=4, color_space=color_space)
    for k, letter in enumerate(channels):
        c = CHANNEL_NAMES[color_space].index(letter)
        assert_array_equal(histograms[:, 4 * k:4 * k + 4], every[:, 4 * c:4 * c + 4])


def test_hue_alone_is_the_cs231n_feature():
    # CS231n's color_histogram_hsv (with skimage's rgb2hsv for matplotlib's):
    # hue scaled to 0..255, 10 bins, density times bin width.
    images = np.random.default_rng(0).random((5, 8, 8, 3)) * 255
    expected = []
    for image in images:
        hue = rgb2hsv(image / 255)[..., 0] * 255
        density, edges = np.histogram(hue, bins=np.linspace(0, 255, 11), density=True)
        expected.append(density * np.diff(edges))
    histograms = color_histogram(images / 255, channels="h")
    assert_allclose(histograms, expected, atol=1e-12)


@pytest.mark.parametrize("color_space", ["rgb", "hsv"])
def test_each_channel_histogram_sums_to_one(color_space):
    images = make_batch(np.float32, (3, 9, 7, 3))
    histograms = color_histogram(images, bins=6, color_space=color_space)
    assert_allclose(histograms.reshape(3, 3, 6).sum(axis=-1), 1, rtol=1e-6)
    assert (histograms >= 0).all()


def test_integer_dtypes_and_lists_agree_with_uint8():
    images = make_batch(np.uint8)
    expected = color_histogram(images)
    assert_array_equal(color_histogram(images.astype(np.int64)), expected)
    assert_array_equal(color_histogram(list(images)), expected)


def test_blocks_of_any_size_give_the_same(monkeypatch):
    # 70 images of 32x32 pixels: blocks of 32, 32 and 6 images.
    images = make_batch(np.uint8, (70, 32, 32, 3))
    assert_histograms_equal(
        color_histogram(images, bins=7), reference_counts(images, 7), n_pixels=1024
    )
    # One image per block, then two with a last block of one.
    images = images[:5, :13, :11]
    expected = reference_counts(images, 7)
    for block_pixels in (150, 2 * 143 + 1):
        monkeypatch.setattr(_color, "_BLOCK_PIXELS", block_pixels)
        assert_histograms_equal(color_histogram(images, bins=7), expected, 143)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_input_not_modified(dtype):
    images = make_batch(dtype)
    before = images.copy()
    images.setflags(write=False)
    color_histogram(images, color_space="hsv")
    color_histogram(images, color_space="rgb", bins=3)
    ColorHistogram().fit(images).transform(images)
    assert_array_equal(images, before)


# --- Clear errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    "images, match",
    [
        (np.full((2, 4, 4, 3), 1.5), "from 1.5 to 1.5.*float images in \\[0, 1\\]"),
        (np.full((2, 4, 4, 3), -0.1), "float images in \\[0, 1\\]"),
        (np.full((2, 4, 4, 3), 300, dtype=np.uint16), "integer images in 0..255"),
        (np.full((2, 4, 4, 3), -1, dtype=np.int16), "integer images in 0..255"),
        (np.zeros((2, 4, 4, 4)), "3 channels.*or grayscale"),
        (np.zeros((2, 4, 4, 2)), "3 channels.*or grayscale"),
        (np.zeros((2, 4, 4)), "color_space='hsv' needs RGB images with 3 channels"),
        (np.zeros((2, 4, 4, 1)), "color_space='hsv' needs RGB images with 3 channels"),
        (np.zeros((4, 16)), "2-D"),
        # One colour image, read as 8 grayscale images of 8x3 pixels.
        (np.zeros((8, 8, 3)), r"For one colour image .* pass image\[np.newaxis\]"),
    ],
)
def test_clear_errors_on_images(images, match):
    with pytest.raises(ValueError, match=match):
        color_histogram(images)
    est = ColorHistogram()
    with pytest.raises(ValueError, match=match):
        est.fit(images)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"channels": "x"}, "distinct letters of 'hsv'"),
        ({"channels": "r"}, "distinct letters of 'hsv'"),
        ({"channels": "hh"}, "distinct letters of 'hsv'"),
        ({"channels": ""}, "distinct letters of 'hsv'"),
        ({"color_space": "rgb", "channels": "h"}, "distinct letters of 'rgb'"),
        ({"bins": 0}, "bins"),
        ({"color_space": "lab"}, "color_space"),
        ({"channels": 0}, "channels"),
    ],
)
def test_clear_errors_on_parameters(params, match):
    images = make_batch(np.uint8)
    with pytest.raises(ValueError, match=match):
        color_histogram(images, **params)
    with pytest.raises(ValueError, match=match):
        ColorHistogram(**params).fit(images)


def test_channels_refused_for_grayscale():
    with pytest.raises(ValueError, match="Grayscale images have one channel"):
        color_histogram(np.zeros((2, 4, 4)), color_space="rgb", channels="r")


def test_transform_refuses_out_of_range_and_other_shapes():
    est = ColorHistogram().fit(make_batch(np.float64))
    with pytest.raises(ValueError, match="float images in \\[0, 1\\]"):
        est.transform(make_batch(np.uint8).astype(np.float64))
    with pytest.raises(ValueError, match="shape"):
        est.transform(make_batch(np.uint8, (2, 4, 4, 3)))


# --- ColorHistogram: the transformer -------------------------------------------


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_transformer_equals_function(dtype):
    images = make_batch(dtype)
    est = ColorHistogram(bins=5, color_space="rgb", channels="bg")
    features = est.fit_transform(images)
    assert features.dtype == (np.float32 if dtype == np.float32 else np.float64)
    assert_array_equal(
        features, color_histogram(images, bins=5, color_space="rgb", channels="bg")
    )
    assert est.image_shape_ == (5, 5, 3)
    assert len(est.get_feature_names_out()) == 10


def test_scale_follows_the_dtype_of_each_call():
    # uint8 pixels are 0..255, float ones 0..1, whatever fit saw.
    images = make_batch(np.uint8)
    est = ColorHistogram(color_space="rgb").fit(images)
    assert_array_equal(est.transform(images * (1 / 255)), est.transform(images))
    est = ColorHistogram().fit(images * (1 / 255))
    assert_array_equal(est.transform(images), color_histogram(images))


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_chunked_equals_unchunked(dtype):
    images = make_batch(dtype, (7, 6, 6, 3))
    est = ColorHistogram(bins=6).fit(images)
    expected = est.transform(images)
    # A working memory below one image's needs: one image per chunk.
    with config_context(working_memory=1e-6):
        assert_array_equal(est.transform(images), expected)


def test_flattened_rows_with_image_shape():
    images = make_batch(np.uint8)
    expected = ColorHistogram().fit_transform(images)
    rows = images.reshape(len(images), -1)
    est = ColorHistogram(image_shape=(5, 5, 3))
    assert_array_equal(est.fit_transform(rows), expected)
    gray = make_batch(np.uint8, (3, 4, 5))
    est = ColorHistogram(color_space="rgb", image_shape=(4, 5))
    assert_array_equal(
        est.fit_transform(gray.reshape(3, 20)), color_histogram(gray, color_space="rgb")
    )


def test_in_pipeline_on_4d_batch():
    images, y = make_images(24, (8, 8, 3))
    pipe = Pipeline([
        ("hist", ColorHistogram(bins=4)),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression()),
    ])
    pipe.fit(images, y)
    assert pipe.predict(images).shape == y.shape
    # The brighter half of make_images is told apart by its value histogram.
    assert pipe.score(images, y) > 0.9
