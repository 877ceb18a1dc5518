"""KMeansFeatures and kmeans_features, against a direct loop."""

import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import clone

from sklinear import KMeansFeatures
from sklinear.feature_extraction import kmeans_features
from sklinear.feature_extraction._kmeans_features import _images_per_block


@pytest.fixture(scope="module")
def colour():
    return np.random.RandomState(0).randint(0, 256, (8, 14, 13, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def gray():
    return np.random.RandomState(1).randint(0, 256, (8, 12, 12), dtype=np.uint8)


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


def test_bytes_per_image_bounds_the_peak(colour):
    images = np.repeat(colour, 5, axis=0)
    kmeans = small(n_words=50, step=1).fit(colour)
    tracemalloc.start()
    kmeans._transform_chunk(images)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak <= len(images) * kmeans._bytes_per_image(kmeans.image_shape_)


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
