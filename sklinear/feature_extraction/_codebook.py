"""The base of the transformers that learn a codebook of visual words.

:class:`BagOfVisualWords` and :class:`KMeansFeatures` share a skeleton: ``fit``
draws random patches from the training images, describes them, clusters the
descriptors into visual words with scikit-learn's
:class:`~sklearn.cluster.MiniBatchKMeans` and resolves the "auto" parameters;
``transform`` computes the features of each chunk of images, in threads over
blocks of it. :class:`_BaseCodebookTransformer` holds that skeleton, the
parameters the two share and their validation; each subclass says how it
describes patches and computes features.
"""

import warnings
from abc import abstractmethod
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.cluster import MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, gen_batches, gen_even_slices
from sklearn.utils.extmath import row_norms

from ..utils._fixes import Interval, StrOptions
from ..utils._threads import threads_over_parts
from ._encoding import _BLOCK_BYTES, _squared_distances
from ._image import BaseImageTransformer, _check_pair, float_dtype
from ._patches import _mean_patch_variance, _patch_grid, sample_patches

# The number of training descriptors, spread over the training images, that
# measure how far they are from the words.
_N_SAMPLES = 10_000

# "auto" contrast_eps: the mean variance of the training patches over this.
# Coates et al. add 10 to the variance of patches of 0..255 pixels; the mean
# variance of 6x6 CIFAR-10 patches is about 1,500. (On CIFAR-10, the accuracy
# of BagOfVisualWords is the same within its noise for divisors from 50 to
# 300, and that of KMeansFeatures for 100 and 150.)
_CONTRAST_EPS_DIVISOR = 150


def _images_per_block(n_patches, n_words, itemsize):
    """As many images as have distances to the words within _BLOCK_BYTES."""
    return max(1, _BLOCK_BYTES // (n_patches * n_words * itemsize))


def _bytes_per_pooled_image(n_features):
    """The ``_bytes_per_image`` of the transformers here: per image of a chunk,
    its float64 sums, its features and their copy when the parts of threads are
    joined, in float64 at most; twice that, as the tiles of patches take the
    other half of ``working_memory``."""
    return 2 * 3 * 8 * n_features


def _learn_codebook(X, n_words, **params):
    """Cluster descriptors into ``n_words`` words with MiniBatchKMeans (given
    ``params``), warning when they have fewer distinct values than that: the
    fitted model."""
    kmeans = MiniBatchKMeans(n_clusters=n_words, compute_labels=False, **params)
    kmeans.fit(X)
    words = kmeans.cluster_centers_
    n_distinct = _n_distinct_words(words)
    # MiniBatchKMeans may repeat a few words over many more distinct
    # descriptors (when it moves a word to a patch drawn twice), which matters
    # little; only when every descriptor is a word is the codebook short of
    # words (those of a sample, spread over the training images).
    if n_distinct < n_words:
        nearest, rounding = _nearest_words(X[:: max(1, len(X) // _N_SAMPLES)], words)
        if (nearest <= rounding).all():
            # A ConvergenceWarning, as scikit-learn's KMeans gives in this case.
            warnings.warn(
                f"Only {n_distinct} distinct visual words were found, of "
                f"n_words={n_words} asked for: the training patches have no "
                "more distinct descriptors than that, and the codebook repeats "
                "words, whose features are redundant. Use fewer words, or more "
                "varied training images.",
                ConvergenceWarning,
                stacklevel=2,
            )
    return kmeans


def _n_distinct_words(codebook):
    """The number of distinct words, those within rounding of an earlier one
    counting once.

    Centres of the same descriptors differ by the roundings of k-means'
    updates, which add up over its iterations: 2.9e-14 of their norm for 108
    features on one OpenBLAS kernel, above ``n_features * eps`` (2.4e-14).
    Within ``sqrt(eps)`` of their norm (1.5e-8), far above that and far below
    what separates different descriptors, two words are one. The differences
    are taken directly, not by :func:`_squared_distances`, whose own rounding
    is much larger.
    """
    norms = row_norms(codebook)
    tolerance = np.sqrt(np.finfo(codebook.dtype).eps) * norms
    n_distinct = len(codebook)
    for k in range(1, len(codebook)):
        gaps = row_norms(codebook[:k] - codebook[k])
        n_distinct -= bool((gaps <= np.maximum(tolerance[:k], tolerance[k])).any())
    return n_distinct


def _nearest_words(X, codebook):
    """The squared distance of each descriptor to its nearest word, and its
    rounding: :math:`\\|x\\|^2 - 2 x \\cdot c + \\|c\\|^2` is off by up
    to about ``n_features`` roundings of :math:`\\|x\\|^2 + \\|c\\|^2`, and
    a distance below that is zero."""
    distances = _squared_distances(X, codebook)
    nearest_word = distances.argmin(axis=1)
    nearest = distances[np.arange(len(X)), nearest_word]
    norms = row_norms(X, squared=True) + row_norms(codebook, squared=True)[nearest_word]
    return nearest, 2 * X.shape[1] * np.finfo(X.dtype).eps * norms


def _auto_bandwidth(X, codebook):
    """The "auto" bandwidth: the root mean squared distance of the descriptors
    ``X`` to their nearest word; 1 when they are the words (up to rounding),
    which leaves no spread to measure, and any positive width does."""
    nearest, rounding = _nearest_words(X, codebook)
    mean = np.where(nearest > rounding, nearest, 0).mean(dtype=np.float64)
    return float(np.sqrt(mean)) if mean > 0 else 1.0



class _BaseCodebookTransformer(BaseImageTransformer):
    """Base of the image transformers that learn a codebook of visual words.

    ``fit`` draws ``n_patches`` patches at random positions from the training
    images, evenly (``ceil(n_patches / n_images)`` from each, and at least one
    patch per word in all), resolves ``contrast_eps``, describes the patches
    (``_describe``), lets the subclass learn from the descriptors
    (``_fit_descriptors``: a whitening, say), clusters them into ``n_words``
    words with :class:`~sklearn.cluster.MiniBatchKMeans`, the ``codebook_``,
    and resolves ``bandwidth``. ``transform`` computes the features of blocks
    of images (``_features``), over ``n_jobs`` threads.

    A subclass implements ``_describe(patches)``, the descriptors of training
    patches, and ``_features(images)``, the features of a block of images;
    it may override ``_prepare_fit(images)`` to check or resolve parameters
    that depend on the training images, ``_fit_descriptors(X)``, and
    ``_dtype(dtype)``, the float type it computes in for images of a dtype.
    """

    _parameter_constraints: dict = {
        **BaseImageTransformer._parameter_constraints,
        "n_words": [Interval(Integral, 1, None, closed="left")],
        "patch_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "step": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "n_patches": [Interval(Integral, 1, None, closed="left")],
        "contrast_eps": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "bandwidth": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def _dtype(self, dtype):
        return float_dtype(dtype)

    def _min_size(self):
        return _check_pair("patch_size", self.patch_size)

    def _n_patches(self, image_shape):
        """The number of patches ``transform`` encodes in one image."""
        patch_size = _check_pair("patch_size", self.patch_size)
        n_rows, n_cols = _patch_grid(image_shape, patch_size,
                                     _check_pair("step", self.step))
        return n_rows * n_cols

    def _bytes_per_image(self, image_shape):
        return _bytes_per_pooled_image(self._n_features(image_shape))

    def _patches_per_image(self, n_images):
        # k-means needs at least one training patch per word, which a small
        # training set (a fold of a cross-validation) may not give otherwise.
        return -(-max(self.n_patches, self.n_words) // n_images)

    def _prepare_fit(self, images):
        pass

    @abstractmethod
    def _describe(self, patches):
        """The descriptors of training patches, ``contrast_eps_`` resolved."""

    def _fit_descriptors(self, X):
        return X

    @abstractmethod
    def _features(self, images):
        """The features of a block of images."""

    def _fit_images(self, images):
        patch_size = _check_pair("patch_size", self.patch_size)
        _check_pair("step", self.step)
        self._prepare_fit(images)
        rng = check_random_state(self.random_state)
        X = self._fit_descriptors(self._training_descriptors(images, patch_size, rng))
        kmeans = _learn_codebook(
            X,
            self.n_words,
            batch_size=self.batch_size,
            max_iter=self.max_iter,
            random_state=rng,
        )
        self.codebook_ = kmeans.cluster_centers_
        self.n_iter_ = kmeans.n_iter_
        if self.bandwidth == "auto":
            # A sample spread evenly over the training images: the distances
            # of all the patches would take gigabytes.
            sample = X[:: max(1, len(X) // _N_SAMPLES)]
            self.bandwidth_ = _auto_bandwidth(sample, self.codebook_)
        else:
            self.bandwidth_ = float(self.bandwidth)

    def _training_descriptors(self, images, patch_size, rng):
        """Describe random patches of the training images, resolving
        ``contrast_eps`` on the way; the patches are freed on return, before
        the descriptors are worked on further."""
        n_per_image = self._patches_per_image(len(images))
        patches = sample_patches(images, patch_size, n_per_image, random_state=rng)
        patches = patches.reshape(-1, *patches.shape[2:])
        dtype = self._dtype(patches.dtype)
        if float_dtype(patches.dtype) != dtype:
            # Into the type the descriptors are computed in (float32 for
            # KMeansFeatures), before contrast_eps="auto" measures them;
            # otherwise describe_patches converts them.
            patches = patches.astype(dtype)
        if self.contrast_eps == "auto":
            self.contrast_eps_ = _mean_patch_variance(patches) / _CONTRAST_EPS_DIVISOR
        else:
            self.contrast_eps_ = float(self.contrast_eps)
        return self._describe(patches)

    def _transform_chunk(self, images):
        n_jobs = min(effective_n_jobs(self.n_jobs), len(images))
        if n_jobs == 1:
            return self._features(images)
        # Blocks of images whose distances to the words stay in the cache, as
        # a tile's do, taken in turn as each thread is free; with fewer blocks
        # than threads (few words, small images), one part per thread.
        itemsize = np.dtype(self._dtype(images.dtype)).itemsize
        block = _images_per_block(self._n_patches(self.image_shape_), self.n_words,
                                  itemsize)
        parts = list(gen_batches(len(images), block))
        if len(parts) < n_jobs:
            parts = list(gen_even_slices(len(images), n_jobs))
        return threads_over_parts(self._features, images, parts, n_jobs)
