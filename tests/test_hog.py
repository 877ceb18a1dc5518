"""Histograms of oriented gradients: equal to scikit-image's, image by image."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.feature import hog as skimage_hog
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier
from sklinear.feature_extraction import HoG, _hog, hog, hog_image

BLOCK_NORMS = ["L1", "L1-sqrt", "L2", "L2-Hys"]


def make_batch(shape, kind, n_images=3, seed=0):
    """Seeded images: uint8, float in [0, 1), or float with 4 levels (many ties)."""
    rng = np.random.default_rng(seed)
    if kind == "uint8":
        return rng.integers(0, 256, (n_images, *shape), dtype=np.uint8)
    if kind == "levels":
        # Gradients of a few small integers: equal magnitudes across channels and
        # orientations exactly on bin edges (0, 45, 90, 135 and 180 degrees, and
        # 60 and 120 with transform_sqrt: sqrt(3) - 0 against 1 - 0).
        return rng.integers(0, 4, (n_images, *shape)).astype(np.float64)
    return rng.random((n_images, *shape))


def skimage_features(images, **params):
    params = dict(params)
    for name in ("pixels_per_cell", "cells_per_block"):
        value = params.get(name)
        if isinstance(value, int):
            params[name] = (value, value)
    channel_axis = -1 if images.ndim == 4 else None
    return np.stack([
        skimage_hog(image, channel_axis=channel_axis, feature_vector=True, **params)
        for image in images
    ])


# (orientations, pixels_per_cell, cells_per_block, (height, width)): the default
# on CIFAR-sized images; sizes that are no multiple of the cell; non-square cells
# and blocks; orientations whose bin edges are not exact in floating point; ints.
GEOMETRIES = [
    (9, (8, 8), (3, 3), (32, 32)),
    (4, (4, 4), (2, 2), (17, 23)),
    (6, (3, 5), (2, 1), (20, 26)),
    (7, 4, 1, (13, 9)),
    (12, (5, 3), (1, 3), (16, 15)),
]


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=lambda g: f"{g[0]}-{g[1]}-{g[3]}")
@pytest.mark.parametrize("block_norm", BLOCK_NORMS)
@pytest.mark.parametrize("transform_sqrt", [False, True])
@pytest.mark.parametrize("channels", [None, 3])
@pytest.mark.parametrize("kind", ["uint8", "float", "levels"])
@pytest.mark.parametrize("dtype", [None, np.float32], ids=["own-dtype", "float32"])
def test_hog_equals_skimage(
    geometry, block_norm, transform_sqrt, channels, kind, dtype
):
    orientations, cell, block, size = geometry
    images = make_batch(size + ((channels,) if channels else ()), kind)
    if dtype is not None:
        images = images.astype(dtype)
    params = dict(
        orientations=orientations,
        pixels_per_cell=cell,
        cells_per_block=block,
        block_norm=block_norm,
        transform_sqrt=transform_sqrt,
    )
    features = hog(images, **params)
    expected = skimage_features(images, **params)
    # float32 in, float32 out, as scikit-image; float64 otherwise.
    assert features.dtype == expected.dtype == (dtype or np.float64)
    assert features.shape == expected.shape
    # Features are at most 1; the magnitudes are not computed the same way
    # (nor, for float32, with the same precision): about 1e-7 apart. Float32
    # orientations binned otherwise made them 0.1 to 0.9 apart.
    assert_allclose(features, expected, rtol=0, atol=1e-6)


def test_colour_ties_are_broken_as_skimage_does():
    # 106**2 + 71**2 == 119**2 + 46**2, but np.hypot(106, 71) < np.hypot(119, 46):
    # scikit-image keeps the second channel, whose orientation is in another bin.
    assert 106**2 + 71**2 == 119**2 + 46**2
    assert np.hypot(106.0, 71.0) != np.hypot(119.0, 46.0)
    images = np.zeros((2, 8, 8, 3))
    for channel, (g_row, g_col) in enumerate([(106, 71), (119, 46)]):
        images[0, 4, 3, channel] = g_row  # below pixel (3, 3)
        images[0, 3, 4, channel] = g_col  # right of pixel (3, 3)
    # Equal gradients in every channel, and exact ties of different gradients.
    images[1] = make_batch((8, 8, 1), "levels", n_images=1)[0]
    images[1, ..., 2] = images[1, ..., 0].T
    params = dict(pixels_per_cell=4, cells_per_block=1, block_norm="L1")
    assert_allclose(hog(images, **params), skimage_features(images, **params),
                    rtol=0, atol=1e-6)


@pytest.mark.parametrize("orientations", [1, 3, 4, 7, 9, 10, 36])
def test_angle_thresholds_bin_as_skimage(orientations):
    # The angles where arctan2 can land next to each bin edge, and a few random.
    thresholds = np.array(_hog._angle_thresholds(orientations))
    angles = np.concatenate([
        thresholds, np.nextafter(thresholds, -np.inf), np.nextafter(thresholds, np.inf),
        [-np.pi, np.pi, -0.0, 0.0, -1e-300, 1e-300, -2e-16, -5e-324],
        np.random.default_rng(0).uniform(-np.pi, np.pi, 1000),
    ])
    angles = angles[np.abs(angles) <= np.pi]
    # scikit-image's rule, on the angle in degrees.
    degrees = np.rad2deg(angles) % 180
    edges = 180.0 / orientations * np.arange(orientations + 1)
    expected = np.full(len(angles), orientations)  # no bin
    for i in range(orientations):
        expected[(degrees >= edges[i]) & (degrees < edges[i + 1])] = i
    count = (angles[:, np.newaxis] >= thresholds).sum(axis=1)
    bins = np.where(count <= orientations, count, count - orientations - 1)
    bins[count == 2 * orientations + 2] = 0
    assert_array_equal(bins, expected)


@pytest.mark.parametrize("orientations", [3, 4, 6, 8, 9, 12])
def test_float32_orientations_on_bin_edges_bin_as_skimage(orientations):
    # Exactly 45 degrees (equal gradients) and, with transform_sqrt, 60 degrees
    # (sqrt(3) - 0 against 1 - 0): in float32, arctan2 put such a pixel in the
    # bin below scikit-image's, which computes orientations in float64.
    images = np.zeros((2, 8, 8), dtype=np.float32)
    images[0, 4, 3] = images[0, 3, 4] = 1.0  # pixel (3, 3) at 45 degrees
    images[1, 4, 3], images[1, 3, 4] = 3.0, 1.0  # at 60 degrees after sqrt
    for transform_sqrt in (False, True):
        params = dict(
            orientations=orientations,
            pixels_per_cell=4,
            cells_per_block=1,
            block_norm="L1",
            transform_sqrt=transform_sqrt,
        )
        assert_allclose(
            hog(images, **params), skimage_features(images, **params), rtol=0, atol=1e-6
        )
    est = HoG(pixels_per_cell=4, cells_per_block=2).fit(images)
    assert est.transform(images).dtype == np.float32


@pytest.mark.parametrize(
    "orientations, pixels_per_cell, shape",
    [(9, (8, 8), (32, 32)), (4, (6, 4), (21, 17)), (7, (5, 9), (20, 30, 3)),
     (12, (16, 16), (40, 33, 3))],
)
@pytest.mark.parametrize("transform_sqrt", [False, True])
@pytest.mark.parametrize("kind", ["uint8", "float"])
def test_hog_image_equals_skimage(orientations, pixels_per_cell, shape,
                                  transform_sqrt, kind):
    image = make_batch(shape, kind, n_images=1)[0]
    picture = hog_image(image, orientations=orientations,
                        pixels_per_cell=pixels_per_cell, transform_sqrt=transform_sqrt)
    _, expected = skimage_hog(
        image, orientations=orientations, pixels_per_cell=pixels_per_cell,
        cells_per_block=(1, 1), transform_sqrt=transform_sqrt, visualize=True,
        channel_axis=-1 if len(shape) == 3 else None,
    )
    assert picture.shape == shape[:2]
    assert picture.dtype == expected.dtype == np.float64
    assert_allclose(picture, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("pixels_per_cell", [2, 3, (2, 5)])
def test_hog_image_of_cells_too_small_for_a_segment_equals_skimage(pixels_per_cell):
    # Cells of 2 or 3 pixels: segments of no length, a dot at each centre.
    image = make_batch((12, 15), "float", n_images=1)[0]
    cell = _hog._check_pair("pixels_per_cell", pixels_per_cell)
    _, expected = skimage_hog(
        image, pixels_per_cell=cell, cells_per_block=(1, 1), visualize=True
    )
    assert_allclose(
        hog_image(image, pixels_per_cell=pixels_per_cell),
        expected,
        rtol=1e-6,
        atol=1e-9,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hog_image_of_one_pixel_cells_is_the_gradient_magnitude(dtype):
    # scikit-image draws segments of half-length -1 here, out of the image.
    image = make_batch((6, 7), "float", n_images=1)[0].astype(dtype)
    picture = hog_image(image, pixels_per_cell=1)
    g_row, g_col = np.zeros((2, 6, 7))
    g_row[1:-1] = image[2:] - image[:-2]
    g_col[:, 1:-1] = image[:, 2:] - image[:, :-2]
    assert picture.dtype == dtype
    assert_allclose(picture, np.hypot(g_row, g_col), rtol=1e-6)


def test_hog_image_of_float32_is_float32():
    image = make_batch((16, 16), "float", n_images=1)[0].astype(np.float32)
    assert hog_image(image).dtype == np.float32


@pytest.mark.parametrize("block_norm", BLOCK_NORMS)
@pytest.mark.parametrize("transform_sqrt", [False, True])
def test_pixels_whose_squares_overflow_give_the_features_of_smaller_ones(
    block_norm, transform_sqrt
):
    # The squared gradients of float32 pixels of 1e20 overflow float32, and
    # those of pixels of 0 next to 3 * 2**126 (float32) or 3 * 2**1022 (float64)
    # too, even after their square root: the features were NaN, with
    # RuntimeWarnings. HoG is nearly invariant to scale: they are the features
    # of the pixels made smaller.
    params = dict(
        pixels_per_cell=4,
        cells_per_block=2,
        block_norm=block_norm,
        transform_sqrt=transform_sqrt,
    )
    large32 = (make_batch((16, 16, 3), "float") * 1e20).astype(np.float32)
    levels = make_batch((16, 16, 3), "levels")  # 0 to 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features = {
            name: hog(batch, **params)
            for name, batch in [
                ("large32", large32),
                ("largest32", (levels * 2.0**126).astype(np.float32)),
                ("largest64", levels * 2.0**1022),
            ]
        }
        picture = hog_image(
            large32[0], pixels_per_cell=4, transform_sqrt=transform_sqrt
        )
    # scikit-image takes the magnitudes of float32 images with np.hypot, which
    # does not overflow, and sums them in float64.
    assert_allclose(
        features["large32"], skimage_features(large32, **params), rtol=0, atol=1e-6
    )
    # Scaled by even powers of two, exactly (also after a square root): the
    # same features but for eps = 1e-5, negligible next to these gradients.
    smaller32 = hog((levels * 2.0**26).astype(np.float32), **params)
    assert_allclose(features["largest32"], smaller32, rtol=0, atol=1e-6)
    smaller64 = hog(levels * 2.0**400, **params)
    assert_allclose(features["largest64"], smaller64, rtol=0, atol=1e-12)
    _, expected = skimage_hog(
        large32[0],
        pixels_per_cell=(4, 4),
        cells_per_block=(1, 1),
        transform_sqrt=transform_sqrt,
        visualize=True,
        channel_axis=-1,
    )
    assert_allclose(picture, expected, rtol=1e-6, atol=0)


def test_transformer_equals_function_and_counts_features():
    images = make_batch((32, 24, 3), "uint8", n_images=5)
    est = HoG(orientations=6, pixels_per_cell=(4, 6), cells_per_block=2)
    features = est.fit_transform(images)
    assert_array_equal(features, hog(images, orientations=6, pixels_per_cell=(4, 6),
                                     cells_per_block=2))
    # 8x4 cells, 7x3 blocks of 2x2 cells of 6 orientations.
    assert features.shape == (5, 7 * 3 * 2 * 2 * 6)
    assert est.image_shape_ == (32, 24, 3)
    assert len(est.get_feature_names_out()) == features.shape[1]


def test_flattened_rows_and_lists():
    images = make_batch((16, 16), "uint8", n_images=4)
    expected = HoG(cells_per_block=2).fit_transform(images)
    rows = images.reshape(4, -1)
    flat = HoG(cells_per_block=2, image_shape=(16, 16)).fit(rows)
    assert_array_equal(flat.transform(rows), expected)
    assert_array_equal(hog(list(images), cells_per_block=2), expected)


def test_in_pipeline():
    images = make_batch((16, 16, 3), "uint8", n_images=12)
    # The plumbing is under test here, not the accuracy.
    y = np.arange(12) % 2
    pipe = Pipeline([
        ("hog", HoG(pixels_per_cell=4, cells_per_block=2)),
        ("scale", StandardScaler()),
        ("clf", SoftmaxClassifier(random_state=0, max_iter=20, tol=None)),
    ])
    pipe.fit(images, y)
    assert pipe.predict(images).shape == y.shape
    assert pipe.named_steps["hog"].image_shape_ == (16, 16, 3)
