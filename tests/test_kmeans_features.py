"""KMeansFeatures and kmeans_features, against a direct loop."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklinear import KMeansFeatures
from sklinear.feature_extraction import (
    describe_patches,
    encode,
    extract_patches,
    kmeans_features,
    pool_regions,
    whiten,
)
from sklinear.feature_extraction._codebook import _images_per_block


def small(**params):
    """Few words, few patches and small patches: a fit in milliseconds."""
    return KMeansFeatures(
        **{"n_words": 6, "patch_size": 4, "n_patches": 200, "random_state": 0,
           **params}
    )


def loop_features(images, kmeans):
    """The features, one patch and one word at a time, in float64."""
    patch, step = kmeans.patch_size, kmeans.step
    regions = kmeans.pooling_regions
    regions = regions[0] if isinstance(regions, tuple) else regions
    codebook = kmeans.codebook_.astype(np.float64)
    n_rows = (images.shape[1] - patch) // step + 1
    n_cols = (images.shape[2] - patch) // step + 1
    features = []
    for image in images.astype(np.float64):
        pooled = np.zeros((regions, regions, len(codebook)))
        for i in range(n_rows):
            for j in range(n_cols):
                r, c = i * step, j * step
                x = image[r : r + patch, c : c + patch].ravel()
                x = (x - x.mean()) / np.sqrt(x.var() + kmeans.contrast_eps_)
                if kmeans.whitening_ is not None:
                    x = (x - kmeans.whitening_mean_) @ kmeans.whitening_
                z = np.array([np.sqrt(np.sum((x - word) ** 2)) for word in codebook])
                if kmeans.encoding == "triangle":
                    code = np.maximum(0, z.mean() - z)
                else:
                    code = np.eye(len(codebook))[np.argmin(z)]
                # The region of the patch: the first bands take the extra rows.
                band_r = int(i >= -(-n_rows // regions)) if regions == 2 else 0
                band_c = int(j >= -(-n_cols // regions)) if regions == 2 else 0
                pooled[band_r, band_c] += code
        features.append(pooled.ravel())
    return np.array(features)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"step": 3},
        {"encoding": "hard"},
        {"whiten": False},
        {"pooling_regions": 1},
    ],
)
def test_transform_equals_loop(colour, params):
    kmeans = small(**params).fit(colour)
    expected = loop_features(colour, kmeans)
    features = kmeans.transform(colour)
    # float32 distances through ||x||^2 - 2 x.c + ||c||^2: about 1e-6 of the
    # squared norms.
    assert_allclose(features, expected, rtol=1e-4, atol=1e-3)
    assert features.shape == (len(colour), kmeans._n_features_out)


def test_shapes_and_attributes(colour, gray):
    kmeans = small(pooling_regions=(3, 2)).fit(colour)
    assert kmeans.codebook_.shape == (6, 4 * 4 * 3)
    assert kmeans.codebook_.dtype == np.float32
    assert kmeans.whitening_.shape == (48, 48)
    assert kmeans.whitening_mean_.shape == (48,)
    assert kmeans.transform(colour).shape == (8, 3 * 2 * 6)
    names = kmeans.get_feature_names_out()
    assert len(names) == 36 and names[0] == "kmeansfeatures0"
    assert small().fit(gray).transform(gray).shape == (8, 4 * 6)
    unwhitened = small(whiten=False).fit(colour)
    assert unwhitened.whitening_ is None and unwhitened.whitening_mean_ is None


def test_defaults_are_the_papers():
    kmeans = KMeansFeatures()
    assert kmeans.n_words == 1600
    assert tuple(kmeans.patch_size) == (6, 6)
    assert kmeans.step == 1
    assert kmeans.whiten and kmeans.whiten_eps == 0.1
    assert kmeans.encoding == "triangle"
    assert tuple(kmeans.pooling_regions) == (2, 2)


def test_contrast_eps_auto_is_relative_to_the_patches(colour):
    kmeans = small().fit(colour)
    scaled = clone(kmeans).fit(colour / 255.0)
    assert scaled.contrast_eps_ == pytest.approx(kmeans.contrast_eps_ / 255**2,
                                                 rel=1e-5)
    # The same features whatever the scale of the pixels.
    assert_allclose(scaled.transform(colour / 255.0), kmeans.transform(colour),
                    rtol=1e-4, atol=1e-3)
    assert small(contrast_eps=10.0).fit(colour).contrast_eps_ == 10.0


def test_determinism_with_random_state(colour):
    first = small().fit(colour)
    second = small().fit(colour)
    assert_array_equal(first.codebook_, second.codebook_)
    assert_array_equal(first.transform(colour), second.transform(colour))
    other = small(random_state=1).fit(colour)
    assert not np.array_equal(first.codebook_, other.codebook_)


def test_chunked_equals_unchunked(colour):
    kmeans = small(step=1).fit(colour)
    expected = kmeans.transform(colour)
    # Less than one image's working memory: one image per chunk.
    # Equal to float32 rounding: BLAS may sum in another order for another
    # number of rows.
    with config_context(working_memory=1e-6):
        assert_allclose(kmeans.transform(colour), expected, rtol=1e-5, atol=1e-5)
    # The plain function on the whole batch, in one block or in blocks of one.
    whitening = (kmeans.whitening_mean_, kmeans.whitening_)
    args = dict(patch_size=4, step=1, contrast_eps=kmeans.contrast_eps_,
                whitening=whitening)
    images = colour.astype(np.float32)
    assert_allclose(kmeans_features(images, kmeans.codebook_, **args), expected,
                    rtol=1e-5, atol=1e-5)
    for image, row in zip(images, expected, strict=True):
        assert_allclose(kmeans_features(image[None], kmeans.codebook_, **args)[0],
                        row, rtol=1e-5, atol=1e-5)


def test_n_jobs_gives_the_same_features(colour):
    kmeans = small().fit(colour)
    expected = kmeans.transform(colour)
    assert_allclose(kmeans.set_params(n_jobs=2).transform(colour), expected,
                    rtol=1e-5, atol=1e-5)


def test_images_per_block():
    # 729 patches x 1,600 words of float32: 4.7 MB, one image per block.
    assert _images_per_block(729, 1600, 4) == 1
    assert _images_per_block(729, 100, 4) == 28
    assert _images_per_block(10**6, 10**4, 8) == 1


@pytest.mark.slow
@pytest.mark.parametrize("working_memory", [1.0, 4.0])
def test_transform_peak_follows_working_memory(colour, working_memory, traced_peak):
    # The patches of all 640 images would take 60 MB at once.
    images = np.repeat(colour, 80, axis=0)
    kmeans = small(n_words=50, n_patches=2000, step=1).fit(colour)
    with config_context(working_memory=working_memory):
        features, peak = traced_peak(kmeans.transform, images)
    # Beyond the features themselves, working_memory; and the tiles use it.
    budget = working_memory * 2**20
    assert 0.1 * budget < peak - features.nbytes <= budget


@pytest.mark.slow
def test_a_large_image_takes_working_memory(traced_peak):
    # The 354,025 patches of this image would take 640 MB at once.
    image = np.random.RandomState(0).randint(0, 256, (1, 600, 600, 3), np.uint8)
    kmeans = KMeansFeatures(n_words=8, n_patches=1000, random_state=0)
    with config_context(working_memory=1):
        # Only the patches sampled to learn the whitening and the words.
        _, peak = traced_peak(kmeans.fit, image)
        assert peak < 4 * 2**20
        _, peak = traced_peak(kmeans.transform, image)
        assert peak < 2**20


@pytest.mark.parametrize("pooling_regions", [(2, 2), (3, 2)])
@pytest.mark.parametrize("working_memory", [1e-6, 0.02, 0.2])
def test_tiles_give_the_untiled_features(pooling_regions, working_memory):
    # Tiles of one patch, of pieces of a row of patches, of a few rows, each
    # across the edges of regions or not.
    images = np.random.RandomState(0).randint(0, 256, (2, 40, 37, 3), np.uint8)
    kmeans = small(patch_size=5, step=2, pooling_regions=pooling_regions)
    kmeans.fit(images)
    # Each stage once, on all the patches.
    grid = extract_patches(images.astype(np.float32), 5, step=2)
    X = describe_patches(
        grid.reshape(-1, *grid.shape[3:]), contrast_eps=kmeans.contrast_eps_
    )
    X = whiten(X, kmeans.whitening_mean_, kmeans.whitening_)
    codes = encode(X, kmeans.codebook_, "triangle")
    codes = codes.reshape(*grid.shape[:3], -1).astype(np.float64)
    expected = pool_regions(codes, pooling_regions).reshape(len(images), -1)
    with config_context(working_memory=working_memory):
        features = kmeans.transform(images)
    # The same float32 codes, but from matrix products of other numbers of
    # rows, which BLAS may sum in another order.
    assert_allclose(features, expected, rtol=1e-5, atol=1e-6 * expected.max())


def test_kmeans_features_dtype(colour):
    kmeans = small().fit(colour)
    args = dict(
        patch_size=4,
        contrast_eps=kmeans.contrast_eps_,
        whitening=(kmeans.whitening_mean_, kmeans.whitening_),
    )
    features = kmeans_features(colour, kmeans.codebook_, dtype=np.float32, **args)
    # Computed in float32 from the uint8 pixels, returned in float64.
    assert features.dtype == np.float64
    expected = kmeans_features(colour.astype(np.float32), kmeans.codebook_, **args)
    assert expected.dtype == np.float32
    assert_allclose(features, expected, rtol=1e-6)
    assert_allclose(kmeans.transform(colour), features)
    with pytest.raises(ValueError, match="dtype must be numpy.float32 or"):
        kmeans_features(colour, kmeans.codebook_, dtype=np.int32, **args)


@pytest.mark.parametrize("factor", [1e20, 2.0**66])
def test_pixels_whose_squares_overflow(colour, factor):
    images = colour.astype(np.float32)
    scaled = images * np.float32(factor)
    with np.errstate(over="ignore"):
        assert np.isinf(np.square(scaled)).any()
    expected = small().fit(images)
    # Contrast normalisation is scale-invariant, contrast_eps="auto" too.
    kmeans = small().fit(scaled)
    assert kmeans.contrast_eps_ == pytest.approx(
        expected.contrast_eps_ * factor**2, rel=1e-5
    )
    features = expected.transform(images)
    assert_allclose(
        kmeans.transform(scaled), features, rtol=1e-4, atol=1e-5 * features.max()
    )


def test_pixels_beyond_float32_are_refused(colour):
    kmeans = small().fit(colour)
    with pytest.raises(ValueError, match="computes in float32 .* within 3.4e"):
        kmeans.transform(colour * 1e50)
    with pytest.raises(ValueError, match="computes in float32"):
        small().fit(colour * 1e50)


def test_fewer_distinct_words_than_asked_for(colour):
    constant = np.full((4, 10, 10, 3), 7, dtype=np.uint8)
    with pytest.warns(
        ConvergenceWarning, match="Only 1 distinct visual words .*n_words=6 asked"
    ):
        small().fit(constant)
    # Three patches, each repeated: the words are the patches, up to rounding,
    # and the auto bandwidth, which has no spread to measure, is 1.
    patches = np.random.RandomState(0).uniform(size=(3, 6, 6, 3))
    kmeans = small(patch_size=6, pooling_regions=1, encoding="soft")
    with pytest.warns(ConvergenceWarning, match="Only 3 distinct"):
        kmeans.fit(np.repeat(patches, 4, axis=0))
    assert kmeans.bandwidth_ == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        small().fit(colour)


def test_dtypes(colour):
    kmeans = small()
    assert kmeans.fit_transform(colour).dtype == np.float64
    features32 = kmeans.fit_transform(colour.astype(np.float32) / 255)
    assert features32.dtype == np.float32
    assert kmeans.codebook_.dtype == np.float32


def test_soft_encoding_sums_to_the_patches_per_region(colour):
    kmeans = small(encoding="soft", pooling_regions=1, step=1).fit(colour)
    assert kmeans.bandwidth_ > 0
    # Each patch's soft code sums to 1: each image's features to its patches.
    assert_allclose(kmeans.transform(colour).sum(axis=1), 11 * 10, rtol=1e-5)


def test_n_patches_raised_to_one_per_word(gray):
    kmeans = small(n_words=20, n_patches=1, patch_size=3).fit(gray)
    assert kmeans.codebook_.shape == (20, 9)


def test_clear_errors(colour):
    # Two regions down need two patch rows: 4 + 3 = 7 pixels at step 3.
    with pytest.raises(ValueError, match="expected at least 7x7"):
        small(step=3).fit(colour[:, :6, :6])
    with pytest.raises(ValueError, match="fitted on images of shape"):
        small().fit(colour).transform(colour[:, :10, :10])
    with pytest.raises(ValueError, match="encoding"):
        small(encoding="sparse").fit(colour)
