"""BagOfVisualWords and its stage functions, against direct loops."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skimage.feature import hog as skimage_hog
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from sklinear import BagOfVisualWords, KMeansFeatures
from sklinear.feature_extraction import (
    describe_patches,
    encode,
    extract_patches,
    pool_histograms,
    pool_regions,
    sample_patches,
    whiten,
    zca_whitening,
)
from sklinear.feature_extraction._encoding import _squared_distances


def loop_histograms(images, codebook, patch, step, eps, encoding, bandwidth):
    """The features, one patch and one word at a time."""
    histograms = []
    for image in images:
        counts = np.zeros(len(codebook))
        for r in range(0, image.shape[0] - patch + 1, step):
            for c in range(0, image.shape[1] - patch + 1, step):
                x = image[r : r + patch, c : c + patch].astype(np.float64).ravel()
                x = x - x.mean()
                x = x / np.sqrt(np.mean(x**2) + eps)
                distances = np.array([np.sum((x - word) ** 2) for word in codebook])
                if encoding == "hard":
                    counts[np.argmin(distances)] += 1
                else:
                    weights = np.exp(-distances / (2 * bandwidth**2))
                    counts += weights / weights.sum()
        histograms.append(counts / counts.sum())
    return np.array(histograms)


@pytest.mark.parametrize("encoding", ["hard", "soft"])
@pytest.mark.parametrize("images", ["colour", "gray"])
def test_transform_equals_loop(images, encoding, request):
    images = request.getfixturevalue(images)
    bovw = BagOfVisualWords(
        n_words=6, patch_size=4, step=3, encoding=encoding, random_state=0
    ).fit(images)
    expected = loop_histograms(
        images, bovw.codebook_, 4, 3, bovw.contrast_eps_, encoding, bovw.bandwidth_
    )
    assert_allclose(bovw.transform(images), expected, rtol=1e-10, atol=1e-12)


def test_codebook_shape_and_determinism(colour):
    params = dict(n_words=5, patch_size=4, random_state=3)
    first = BagOfVisualWords(**params).fit(colour)
    second = BagOfVisualWords(**params).fit(colour)
    assert first.codebook_.shape == (5, 4 * 4 * 3)
    assert first.codebook_.dtype == np.float64
    assert_array_equal(first.codebook_, second.codebook_)
    assert_array_equal(first.transform(colour), second.transform(colour))
    other = BagOfVisualWords(**{**params, "random_state": 4}).fit(colour)
    assert not np.array_equal(first.codebook_, other.codebook_)
    names = first.get_feature_names_out()
    assert list(names) == [f"bagofvisualwords{i}" for i in range(5)]


@pytest.mark.parametrize("descriptor", ["pixels", "hog"])
@pytest.mark.parametrize("encoding", ["hard", "soft"])
def test_rows_sum_to_one(colour, descriptor, encoding):
    bovw = BagOfVisualWords(
        n_words=7, patch_size=4, descriptor=descriptor, encoding=encoding,
        random_state=0,
    )
    features = bovw.fit_transform(colour)
    assert features.shape == (len(colour), 7)
    assert (features >= 0).all()
    assert_allclose(features.sum(axis=1), 1)


def test_few_images_draw_a_patch_per_word(gray):
    # 8 images and 20 words: 3 patches from each image rather than 1.
    bovw = BagOfVisualWords(n_words=20, n_patches=1, patch_size=3,
                            random_state=0).fit(gray)
    assert bovw.codebook_.shape == (20, 9)


def test_extract_patches_equals_loop(colour):
    patches = extract_patches(colour, (4, 3), step=(3, 2))
    rows, cols = range(0, 14 - 4 + 1, 3), range(0, 13 - 3 + 1, 2)
    expected = [
        [[image[r : r + 4, c : c + 3] for c in cols] for r in rows] for image in colour
    ]
    assert_array_equal(patches, expected)
    assert np.shares_memory(patches, colour)
    assert not patches.flags.writeable


def test_sample_patches_are_patches_of_their_image(gray):
    patches = sample_patches(gray, (3, 4), 20, random_state=0)
    assert patches.shape == (len(gray), 20, 3, 4)
    assert patches.dtype == gray.dtype
    corners = set()
    for image, image_patches in zip(gray, patches, strict=True):
        for patch in image_patches:
            found = [
                (r, c)
                for r in range(12 - 3 + 1)
                for c in range(12 - 4 + 1)
                if np.array_equal(image[r : r + 3, c : c + 4], patch)
            ]
            assert found
            corners.update(found)
    # Positions spread over the image, up to the last row and column that fit.
    assert {r for r, _ in corners} == set(range(10))
    assert {c for _, c in corners} == set(range(9))
    assert_array_equal(patches, sample_patches(gray, (3, 4), 20, random_state=0))


def test_describe_pixels_by_hand():
    patches = np.array([[[1.0, 3.0], [5.0, 7.0]]])
    # Mean 4, values -3, -1, 1, 3, variance 5.
    assert_allclose(describe_patches(patches), [[-3, -1, 1, 3] / np.sqrt(5)])
    assert_allclose(
        describe_patches(patches, contrast_eps=4.0), [[-3, -1, 1, 3] / np.sqrt(9)]
    )
    flat = np.full((1, 2, 2), 9.0)
    assert_array_equal(describe_patches(flat), np.zeros((1, 4)))


@pytest.mark.parametrize("shape", [(10, 8, 8, 3), (10, 6, 6)])
def test_describe_hog_equals_skimage(shape):
    patches = np.random.RandomState(0).randint(0, 256, shape).astype(np.float64)
    descriptors = describe_patches(patches, "hog")
    channel_axis = -1 if len(shape) == 4 else None
    half = (shape[1] // 2, shape[2] // 2)
    expected = [
        skimage_hog(p, orientations=9, pixels_per_cell=half, cells_per_block=(2, 2),
                    block_norm="L2-Hys", channel_axis=channel_axis)
        for p in patches
    ]
    assert descriptors.shape == (10, 36)
    assert_allclose(descriptors, expected, atol=1e-6)
    descriptors = describe_patches(patches, "hog", hog_params={"orientations": 4})
    assert descriptors.shape == (10, 16)


def test_squared_distances_and_soft_limit():
    rng = np.random.RandomState(0)
    X, codebook = rng.normal(size=(30, 5)), rng.normal(size=(4, 5))
    expected = ((X[:, None, :] - codebook[None]) ** 2).sum(axis=-1)
    assert_allclose(_squared_distances(X, codebook), expected)
    hard = encode(X, codebook)
    assert_array_equal(hard.argmax(axis=1), expected.argmin(axis=1))
    assert_allclose(encode(X, codebook, "soft", bandwidth=1e-3), hard)
    # A bandwidth far above the distances spreads each code evenly.
    assert_allclose(encode(X, codebook, "soft", bandwidth=1e4), 0.25, rtol=1e-6)


def test_chunked_equals_unchunked(colour):
    bovw = BagOfVisualWords(n_words=5, patch_size=4, encoding="soft", random_state=0)
    expected = bovw.fit_transform(colour)
    # Less than one image's working memory: one image per chunk.
    with config_context(working_memory=1e-6):
        assert_allclose(bovw.transform(colour), expected, rtol=1e-12)


def test_n_jobs_gives_the_same_features(colour):
    bovw = BagOfVisualWords(n_words=5, patch_size=4, random_state=0).fit(colour)
    expected = bovw.transform(colour)
    assert_allclose(bovw.set_params(n_jobs=2).transform(colour), expected)


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["hard", "soft"])
@pytest.mark.parametrize("working_memory", [1.0, 4.0])
def test_transform_peak_follows_working_memory(colour, encoding, working_memory,
                                               traced_peak):
    # The patches of all 640 images would take 80 MB at once.
    images = np.repeat(colour, 80, axis=0).astype(np.float64)
    bovw = BagOfVisualWords(
        n_words=50,
        n_patches=40 * len(colour),
        patch_size=4,
        step=1,
        encoding=encoding,
        random_state=0,
    ).fit(colour)
    with config_context(working_memory=working_memory):
        features, peak = traced_peak(bovw.transform, images)
    # Beyond the features themselves, working_memory; and the tiles use it.
    # (Python keeps about 0.25 MB of objects of the tiles in its free lists.)
    budget = working_memory * 2**20
    assert 0.2 * budget < peak - features.nbytes <= budget


@pytest.mark.slow
def test_a_large_image_takes_working_memory(traced_peak):
    # The 88,804 patches of this image would take 170 MB at once.
    image = np.random.RandomState(0).randint(0, 256, (1, 600, 600, 3), np.uint8)
    bovw = BagOfVisualWords(n_words=8, n_patches=500, random_state=0)
    with config_context(working_memory=1):
        # Only the patches sampled to learn the words, 500 of 108 values.
        _, peak = traced_peak(bovw.fit, image)
        assert peak < 2 * 2**20
        _, peak = traced_peak(bovw.transform, image)
        assert peak < 2**20


@pytest.mark.parametrize("descriptor", ["pixels", "hog"])
@pytest.mark.parametrize("working_memory", [1e-6, 0.02, 0.2])
def test_tiles_give_the_untiled_features(descriptor, working_memory):
    # Tiles of one patch, of pieces of a row of patches, of a few rows.
    images = np.random.RandomState(0).randint(0, 256, (2, 40, 37, 3), np.uint8)
    bovw = BagOfVisualWords(
        n_words=6,
        patch_size=5,
        step=2,
        descriptor=descriptor,
        encoding="soft",
        random_state=0,
    ).fit(images)
    # Each stage once, on all the patches.
    grid = extract_patches(images.astype(np.float64), 5, step=2)
    X = describe_patches(
        grid.reshape(-1, *grid.shape[3:]),
        descriptor,
        contrast_eps=bovw.contrast_eps_,
        hog_params=bovw.hog_params_,
    )
    codes = encode(X, bovw.codebook_, "soft", bandwidth=bovw.bandwidth_)
    expected = pool_histograms(codes.reshape(*grid.shape[:3], -1))
    with config_context(working_memory=working_memory):
        # Sums of the same codes in another order: rounding of the sums.
        assert_allclose(bovw.transform(images), expected, rtol=1e-12)


def test_float32_stays_float32(colour):
    images = colour.astype(np.float32)
    bovw = BagOfVisualWords(n_words=5, patch_size=4, encoding="soft", random_state=0)
    features = bovw.fit_transform(images)
    assert bovw.codebook_.dtype == np.float32
    assert features.dtype == np.float32
    expected = clone(bovw).fit(colour).transform(colour)
    assert_allclose(features, expected, atol=1e-4)


def test_features_do_not_depend_on_the_pixel_scale(colour):
    bovw = BagOfVisualWords(n_words=5, patch_size=4, random_state=0)
    expected = bovw.fit_transform(colour)
    assert_allclose(clone(bovw).fit_transform(colour / 255.0), expected)


def test_grayscale_colour_and_flattened_rows(colour, gray):
    bovw = BagOfVisualWords(n_words=4, patch_size=3, random_state=0)
    assert bovw.fit(gray).codebook_.shape == (4, 9)
    assert bovw.transform(gray).shape == (len(gray), 4)
    assert bovw.fit(colour).codebook_.shape == (4, 27)
    expected = bovw.transform(colour)
    flat = bovw.set_params(image_shape=(14, 13, 3))
    assert_allclose(flat.fit(colour.reshape(8, -1)).transform(colour.reshape(8, -1)),
                    expected)
    with pytest.raises(ValueError, match="fitted on images of shape"):
        BagOfVisualWords(n_words=4, patch_size=3).fit(colour).transform(gray)


def test_clear_errors(colour):
    with pytest.raises(ValueError, match="are 14x13 pixels; expected at least 16x16"):
        BagOfVisualWords(patch_size=16).fit(colour)
    bovw = BagOfVisualWords(n_words=4, patch_size=4, random_state=0).fit(colour)
    with pytest.raises(ValueError, match="are 3x3 pixels; expected at least 4x4"):
        bovw.transform(colour[:, :3, :3])
    with pytest.raises(ValueError, match="fitted on images of shape"):
        bovw.transform(colour[:, :10, :10])
    with pytest.raises(ValueError, match="does not fit in a 4x4 patch"):
        BagOfVisualWords(
            patch_size=4, descriptor="hog", hog_params={"pixels_per_cell": 3}
        ).fit(colour)
    with pytest.raises(ValueError, match="unknown keys"):
        BagOfVisualWords(descriptor="hog", hog_params={"cells": 2}).fit(colour)
    with pytest.raises(ValueError, match="encoding"):
        BagOfVisualWords(encoding="triangle").fit(colour)


def test_in_a_pipeline_with_a_classifier():
    # Horizontal against vertical stripes, in noise, as a 4-D colour batch.
    rng = np.random.RandomState(0)
    stripes = (np.arange(12) // 2 % 2 * 200.0)[:, None]
    images = rng.normal(scale=20.0, size=(40, 12, 12, 3))
    images[:20] += np.broadcast_to(stripes, (12, 12))[..., None]
    images[20:] += np.broadcast_to(stripes.T, (12, 12))[..., None]
    y = np.repeat([0, 1], 20)
    order = rng.permutation(40)
    model = make_pipeline(
        BagOfVisualWords(n_words=6, patch_size=4, random_state=0),
        LogisticRegression(),
    )
    assert cross_val_score(model, images[order], y[order], cv=2).min() == 1.0


@pytest.mark.parametrize("encoding", ["hard", "soft"])
def test_input_is_never_modified(colour, encoding):
    for images in [colour, colour.astype(np.float64), colour.astype(np.float32)]:
        images = images.copy()
        images.setflags(write=False)
        original = images.copy()
        bovw = BagOfVisualWords(n_words=4, patch_size=4, encoding=encoding,
                                random_state=0)
        bovw.fit(images).transform(images)
        assert_array_equal(images, original)


def test_zca_whitening_gives_identity_covariance():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 5)) @ rng.normal(size=(5, 5)) + 3.0
    mean, whitening = zca_whitening(X, eps=0.0)
    white = whiten(X, mean, whitening)
    assert_allclose(white.mean(axis=0), 0, atol=1e-10)
    assert_allclose(np.cov(white, rowvar=False), np.eye(5), atol=1e-10)
    # ZCA's matrix is the symmetric one: whitening without rotating.
    assert_allclose(whitening, whitening.T)
    # Accumulated in float64 by blocks: the same for float32 descriptors.
    mean32, whitening32 = zca_whitening(X.astype(np.float32), eps=0.0)
    assert whitening32.dtype == np.float32
    assert_allclose(whitening32, whitening, rtol=1e-3)


def test_zca_whitening_of_normalised_patches(colour):
    # The values of a contrast-normalised patch sum to 0: a singular
    # covariance, which eps keeps finite and shrinks to 0 along (1, ..., 1).
    patches = sample_patches(colour, 4, 100, random_state=0)
    X = describe_patches(patches.reshape(-1, 4, 4, 3), contrast_eps=10.0)
    with pytest.raises(ValueError, match="singular"):
        zca_whitening(X, eps=0.0)
    mean, whitening = zca_whitening(X, eps=0.1)
    eigenvalues = np.linalg.eigvalsh(np.cov(whiten(X, mean, whitening), rowvar=False))
    # Each direction of variance v ends with v / (v + eps): below 1, 0 for 0.
    assert eigenvalues.max() < 1
    assert eigenvalues.min() == pytest.approx(0, abs=1e-8)
    assert (eigenvalues > 0.5).sum() == X.shape[1] - 1


@pytest.mark.parametrize("relative", [0.0, 1e-15, 3e-15])
def test_zca_whitening_rank_test_is_relative(relative):
    # Descriptors whose values sum to zero, as those of contrast-normalised
    # patches, plus a variance along (1, ..., 1) of `relative` times the
    # largest: what rounding leaves of a zero eigenvalue (+1.1e-15 on a CPU
    # where eps=0 once whitened it by 3e7). Below n_features roundings of the
    # largest eigenvalue it is zero, whatever this machine's rounding.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 108))
    X -= X.mean(axis=1, keepdims=True)
    largest = np.linalg.eigvalsh(np.cov(X, rowvar=False)).max()
    along = rng.normal(size=len(X))
    along *= np.sqrt(relative * largest) / along.std(ddof=1)
    X += along[:, None] / np.sqrt(X.shape[1])
    with pytest.raises(ValueError, match="singular .rank 107 of 108"):
        zca_whitening(X, eps=0.0)
    # eps > 0 gives the null direction the same scale 1 / sqrt(eps) whatever
    # the rounding: its whitened variance is relative * largest / eps, ~0.
    mean, whitening = zca_whitening(X, eps=0.1)
    ones = np.ones(X.shape[1]) / np.sqrt(X.shape[1])
    assert np.var(whiten(X, mean, whitening) @ ones) < 1e-12


def test_zca_whitening_of_a_small_eigenvalue_above_rounding():
    # 1e-10 of the largest eigenvalue is 4,000 times the rounding of 108
    # dimensions: a direction of variance, whitened like the others.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 108))
    X -= X.mean(axis=1, keepdims=True)
    largest = np.linalg.eigvalsh(np.cov(X, rowvar=False)).max()
    along = rng.normal(size=len(X))
    along *= np.sqrt(1e-10 * largest) / along.std(ddof=1)
    X += along[:, None] / np.sqrt(X.shape[1])
    mean, whitening = zca_whitening(X, eps=0.0)
    assert_allclose(
        np.cov(whiten(X, mean, whitening), rowvar=False), np.eye(X.shape[1]), atol=1e-6
    )


def test_zca_whitening_refuses_a_covariance_that_overflows():
    X = np.random.RandomState(0).normal(size=(100, 4)) * 1e160
    with pytest.raises(ValueError, match="covariance of the descriptors is not finite"):
        zca_whitening(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_describe_patches_flat_up_to_rounding(dtype):
    # The mean of 36 values of 0.01 is not 0.01 in floating point: the
    # deviations left are its rounding, not a contrast to scale up to 1.
    flat = np.full((2, 6, 6), 0.01, dtype=dtype)
    flat[1] = 1e6
    assert_array_equal(describe_patches(flat), 0)
    # A contrast of a hundred times D roundings of the mean is normalised.
    patch = np.full((1, 6, 6), 1000.0, dtype=dtype)
    delta = 100 * 36 * np.finfo(dtype).eps * 1000
    patch[0, :3] += dtype(delta)
    assert_allclose(
        describe_patches(patch), np.repeat([[1.0, -1.0]], 18, axis=1), rtol=1e-3
    )


@pytest.mark.parametrize("factor", [1e20, 2.0**66])
def test_pixels_whose_squares_overflow(colour, factor):
    images = colour.astype(np.float32)
    scaled = images * np.float32(factor)
    with np.errstate(over="ignore"):
        assert np.isinf(np.square(scaled)).any()
    bovw = BagOfVisualWords(n_words=5, patch_size=4, encoding="soft", random_state=0)
    expected = clone(bovw).fit(images)
    # Contrast normalisation is scale-invariant, contrast_eps="auto" too.
    features = bovw.fit(scaled).transform(scaled)
    assert bovw.contrast_eps_ == pytest.approx(
        expected.contrast_eps_ * factor**2, rel=1e-5
    )
    assert_allclose(features, expected.transform(images), rtol=1e-4, atol=1e-6)


def test_auto_contrast_eps_beyond_float64_is_refused(colour):
    images = colour * 1e160
    bovw = BagOfVisualWords(n_words=4, patch_size=4, encoding="soft", random_state=0)
    with pytest.raises(ValueError, match="overflows float64.*contrast_eps"):
        bovw.fit(images)
    assert not hasattr(bovw, "contrast_eps_")
    # Without it, the features are those of the images unscaled.
    bovw.set_params(contrast_eps=0.0)
    expected = clone(bovw).fit(colour).transform(colour)
    assert_allclose(bovw.fit(images).transform(images), expected, rtol=1e-6)


def test_fewer_distinct_words_than_asked_for(colour):
    constant = np.full((4, 10, 10, 3), 7, dtype=np.uint8)
    with pytest.warns(
        ConvergenceWarning, match="Only 1 distinct visual words .*n_words=5 asked"
    ):
        BagOfVisualWords(n_words=5, patch_size=4, random_state=0).fit(constant)
    # Three patches, each repeated: the words are the patches, up to rounding,
    # and the auto bandwidth, which has no spread to measure, is 1.
    patches = np.random.RandomState(0).uniform(size=(3, 6, 6, 3))
    bovw = BagOfVisualWords(n_words=5, patch_size=6, encoding="soft", random_state=0)
    with pytest.warns(ConvergenceWarning, match="Only 3 distinct"):
        bovw.fit(np.repeat(patches, 4, axis=0))
    assert bovw.bandwidth_ == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        BagOfVisualWords(n_words=5, patch_size=4, random_state=0).fit(colour)


def test_triangle_encoding_equals_loop():
    rng = np.random.RandomState(0)
    X, codebook = rng.normal(size=(20, 6)), rng.normal(size=(7, 6))
    expected = np.zeros((20, 7))
    for i, x in enumerate(X):
        z = [np.sqrt(np.sum((x - c) ** 2)) for c in codebook]
        for k in range(7):
            expected[i, k] = max(0.0, np.mean(z) - z[k])
    codes = encode(X, codebook, "triangle")
    assert_allclose(codes, expected, rtol=1e-10, atol=1e-12)
    # Only the words nearer than average are on, and the nearest always is.
    assert_array_equal(codes.argmax(axis=1), expected.argmax(axis=1))
    codes32 = encode(X.astype(np.float32), codebook, "triangle")
    assert codes32.dtype == np.float32
    assert_allclose(codes32, expected, atol=1e-5)
    with pytest.raises(ValueError, match="'hard', 'soft' or 'triangle'"):
        encode(X, codebook, "nearest")


@pytest.mark.parametrize("grid", [(1, 1), (2, 2), (3, 2), (5, 4)])
def test_pool_regions_equals_loop(grid):
    codes = np.random.RandomState(0).random_sample((3, 5, 4, 6))
    pooled = pool_regions(codes, grid)
    assert pooled.shape == (3, *grid, 6)
    # Bands as in Coates et al.'s code: the first ceil(n / 2) rows, then the
    # rest, for two bands.
    row_bands = np.array_split(np.arange(5), grid[0])
    col_bands = np.array_split(np.arange(4), grid[1])
    for i, rows in enumerate(row_bands):
        for j, cols in enumerate(col_bands):
            expected = codes[:, rows][:, :, cols].sum(axis=(1, 2))
            assert_allclose(pooled[:, i, j], expected)
    assert_allclose(pooled.sum(axis=(1, 2)), codes.sum(axis=(1, 2)))


def test_pool_regions_quadrants_of_cifar_grid():
    # 27x27 patches of a 32x32 image: quadrants of 14 and 13 rows and columns.
    codes = np.ones((1, 27, 27, 1))
    assert_array_equal(pool_regions(codes)[0, :, :, 0],
                       [[14 * 14, 14 * 13], [13 * 14, 13 * 13]])
    with pytest.raises(ValueError, match="3x3 regions needs"):
        pool_regions(np.ones((1, 2, 5, 1)), 3)


def test_n_patches_per_image_is_deprecated_for_n_patches(colour):
    # The old name keeps its meaning, per image, for a deprecation cycle.
    old = BagOfVisualWords(n_words=5, patch_size=4, n_patches_per_image=3,
                           n_patches=7, random_state=0)
    with pytest.warns(FutureWarning, match=r"n_patches_per_image was deprecated.*"
                      r"n_patches=3 \* n_images draws the same patches"):
        old.fit(colour)
    new = BagOfVisualWords(n_words=5, patch_size=4, n_patches=3 * len(colour),
                           random_state=0).fit(colour)
    assert_array_equal(old.codebook_, new.codebook_)
    assert_array_equal(old.transform(colour), new.transform(colour))
    # Still raised to one patch per word: 20 words from 8 images, 3 from each.
    few = BagOfVisualWords(n_words=20, patch_size=3, n_patches_per_image=1,
                           random_state=0)
    with pytest.warns(FutureWarning):
        few.fit(colour)
    assert_array_equal(
        few.codebook_,
        BagOfVisualWords(n_words=20, patch_size=3, n_patches=24,
                         random_state=0).fit(colour).codebook_,
    )


def test_max_iter_bounds_the_clustering(gray):
    bovw = BagOfVisualWords(n_words=5, patch_size=3, random_state=0)
    assert bovw.fit(gray).n_iter_ > 1  # by default, here
    assert bovw.set_params(max_iter=1).fit(gray).n_iter_ == 1


def test_both_codebook_transformers_learn_the_same_words(colour):
    # One fit skeleton: the same training patches, contrast_eps="auto", k-means
    # and bandwidth="auto" for the same parameters. KMeansFeatures computes in
    # float32, as BagOfVisualWords does on float32 images.
    images = colour.astype(np.float32)
    params = dict(n_words=6, patch_size=4, n_patches=100, encoding="soft",
                  random_state=0)
    bovw = BagOfVisualWords(**params).fit(images)
    kmeans = KMeansFeatures(whiten=False, **params).fit(images)
    assert bovw.contrast_eps_ == kmeans.contrast_eps_
    assert_array_equal(bovw.codebook_, kmeans.codebook_)
    assert bovw.n_iter_ == kmeans.n_iter_
    assert bovw.bandwidth_ == kmeans.bandwidth_
    # "auto": the mean variance of the training patches over 150 (10 for
    # 6x6 CIFAR-10 patches in 0..255, Coates et al.'s value).
    patches = sample_patches(images, 4, -(-100 // len(images)), random_state=0)
    variance = patches.reshape(-1, 4 * 4 * 3).astype(np.float64).var(axis=1).mean()
    assert bovw.contrast_eps_ == pytest.approx(variance / 150, rel=1e-12)
