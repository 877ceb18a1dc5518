"""A bag of visual words over batches of images.

The work is split into plain functions, one per stage, so that each can be
reused or replaced on its own:

1. :func:`extract_patches` (dense, on a grid with a step) and
   :func:`sample_patches` (random) cut patches out of a batch of images
   through one strided view, without a Python loop over the images;
2. :func:`describe_patches` turns each patch into a descriptor (its normalised
   pixels, or its HoG), which :func:`whiten` may decorrelate with the ZCA
   transform :func:`zca_whitening` learns from training descriptors;
3. :func:`encode` assigns each descriptor to the words of a codebook (hard,
   soft or "triangle"), from the :func:`squared_distances` to the words;
4. :func:`pool_histograms` sums the codes of each image's patches into a
   histogram that sums to 1, and :func:`pool_regions` sums them over each
   region of a grid over the image.

:func:`bag_of_visual_words` chains them for a batch, and
:class:`BagOfVisualWords` learns the codebook with scikit-learn's
:class:`~sklearn.cluster.MiniBatchKMeans` and wraps the rest as a transformer:
the classic bag of words, a normalised histogram of nearest words.

The single-layer network of Coates, Lee and Ng (2011) is this pipeline with
more at each stage: whitened descriptors, the "triangle" code and pooling over
the image's quadrants. :class:`~sklinear.feature_extraction.KMeansFeatures`
(in ``_kmeans_features.py``) chains the same functions with the paper's
choices.
"""

import threading
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.cluster import MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, gen_batches, gen_even_slices
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import row_norms
from threadpoolctl import threadpool_limits

from ._image import (
    BaseImageTransformer,
    _check_pair,
    float_dtype,
    working_memory_bytes,
)

__all__ = [
    "BagOfVisualWords",
    "bag_of_visual_words",
    "describe_patches",
    "encode",
    "extract_patches",
    "pool_histograms",
    "pool_regions",
    "sample_patches",
    "squared_distances",
    "whiten",
    "zca_whitening",
]

# The HoG parameters a patch descriptor may set (those of ``_hog.hog``).
_HOG_KEYS = {
    "orientations",
    "pixels_per_cell",
    "cells_per_block",
    "block_norm",
    "transform_sqrt",
}


# The distances of a tile of patches to the words are the largest array of the
# transform. Tiles whose distances fit in a few MB keep it in the processor's
# cache through the element-wise passes that follow the matrix product: on
# CIFAR-10 with 1,600 words (4.7 MB per image), one image at a time is about 30%
# faster than 100.
_BLOCK_BYTES = 8 * 2**20

# The number of training descriptors, spread over the training images, that
# measure how far they are from the words.
_N_SAMPLES = 10_000


# One threaded transform at a time: its one-BLAS-thread limit is process-wide,
# and transforms overlapping in several threads would each restore the limit
# they found, one of them the limit another had set: BLAS would be left at one
# thread. (threadpoolctl also lets one thread at a time set OpenBLAS's limit.)
_BLAS_LIMIT_LOCK = threading.Lock()


def _threads_over_parts(function, images, parts, n_jobs):
    """``function`` of each part of ``images``, concatenated, ``n_jobs`` threads.

    The matrix products and most of numpy's element-wise work release the GIL.
    One BLAS thread each, or the threads would compete with BLAS's own for the
    cores.
    """
    with _BLAS_LIMIT_LOCK, threadpool_limits(limits=1, user_api="blas"):
        results = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(function)(images[rows]) for rows in parts
        )
    return np.concatenate(results)


def extract_patches(images, patch_size, *, step=1):
    """Dense patches of a batch of images, on a regular grid.

    The patches' top-left corners are at rows ``0, step[0], 2 * step[0], ...``
    and columns ``0, step[1], ...``, as long as the patch fits in the image; a
    border narrower than the step is left out.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width[, channels])
        The images, of any dtype.
    patch_size : int or tuple of (int, int)
        ``(patch_height, patch_width)``; an int for a square patch.
    step : int or tuple of (int, int), default=1
        The distance between neighbouring patches, in pixels (rows, columns).

    Returns
    -------
    patches : ndarray of shape (n_images, n_rows, n_cols, patch_height, \
patch_width[, channels])
        A read-only strided view of ``images`` (no copy): ``patches[i, r, c]`` is
        ``images[i, r * step[0]:r * step[0] + patch_height, c * step[1]:...]``,
        with ``n_rows = (height - patch_height) // step[0] + 1`` and likewise
        ``n_cols``.

    See Also
    --------
    sample_patches : Patches at random positions.
    sklearn.feature_extraction.image.extract_patches_2d : All patches of one
        image.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import extract_patches
    >>> images = np.arange(2 * 6 * 6).reshape(2, 6, 6)
    >>> patches = extract_patches(images, (2, 2), step=4)
    >>> patches.shape
    (2, 2, 2, 2, 2)
    >>> patches[0, 1, 1]
    array([[28, 29],
           [34, 35]])
    """
    images = np.asarray(images)
    patch_size = _check_pair("patch_size", patch_size)
    step = _check_pair("step", step)
    windows = sliding_window_view(images, patch_size, axis=(1, 2))
    windows = windows[:, :: step[0], :: step[1]]
    if images.ndim == 4:
        # sliding_window_view puts the window's axes last, after the channels;
        # channels last again keeps a patch laid out as an image.
        windows = np.moveaxis(windows, 3, -1)
    return windows


def sample_patches(images, patch_size, n_patches, *, random_state=None):
    """Patches at random positions, the same number from every image.

    Each image's patch positions are drawn uniformly among all positions where
    the patch fits, independently and with replacement.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width[, channels])
        The images, of any dtype.
    patch_size : int or tuple of (int, int)
        ``(patch_height, patch_width)``; an int for a square patch.
    n_patches : int
        The number of patches drawn from each image.
    random_state : int, RandomState instance or None, default=None
        Seeds the positions.

    Returns
    -------
    patches : ndarray of shape (n_images, n_patches, patch_height, \
patch_width[, channels])
        The patches, a new array of the dtype of ``images``.

    See Also
    --------
    extract_patches : Patches on a regular grid.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import sample_patches
    >>> images = np.zeros((3, 32, 32, 3), dtype=np.uint8)
    >>> sample_patches(images, (8, 8), 5, random_state=0).shape
    (3, 5, 8, 8, 3)
    """
    images = np.asarray(images)
    patch_size = _check_pair("patch_size", patch_size)
    rng = check_random_state(random_state)
    windows = sliding_window_view(images, patch_size, axis=(1, 2))
    n_images, n_rows, n_cols = windows.shape[:3]
    rows = rng.randint(n_rows, size=(n_images, n_patches))
    cols = rng.randint(n_cols, size=(n_images, n_patches))
    # One fancy index gathers every image's patches at once.
    patches = windows[np.arange(n_images)[:, None], rows, cols]
    if images.ndim == 4:
        patches = np.moveaxis(patches, 2, -1)
    return np.ascontiguousarray(patches)


def _default_hog_params(patch_size):
    # Two by two cells and a single block over the patch: a 36-value
    # SIFT-like descriptor whatever the patch size.
    return {
        "orientations": 9,
        "pixels_per_cell": (patch_size[0] // 2, patch_size[1] // 2),
        "cells_per_block": (2, 2),
        "block_norm": "L2-Hys",
        "transform_sqrt": False,
    }


def _resolve_hog_params(patch_size, hog_params):
    """The HoG parameters for patches of a size, checked to fit one block."""
    params = _default_hog_params(patch_size)
    if hog_params:
        unknown = set(hog_params) - _HOG_KEYS
        if unknown:
            raise ValueError(
                f"hog_params has unknown keys {sorted(unknown)}; expected some of "
                f"{sorted(_HOG_KEYS)}."
            )
        params.update(hog_params)
    for name in ("pixels_per_cell", "cells_per_block"):
        params[name] = _check_pair(name, params[name])
    block = np.multiply(params["pixels_per_cell"], params["cells_per_block"])
    if block[0] > patch_size[0] or block[1] > patch_size[1]:
        raise ValueError(
            f"A HoG block of {params['cells_per_block']} cells of "
            f"{params['pixels_per_cell']} pixels is {block[0]}x{block[1]} pixels "
            f"and does not fit in a {patch_size[0]}x{patch_size[1]} patch; use "
            "smaller pixels_per_cell or cells_per_block in hog_params, or a larger "
            "patch_size."
        )
    return params


def describe_patches(patches, descriptor="pixels", *, contrast_eps=0.0,
                     hog_params=None):
    """One descriptor per patch: its normalised pixels, or its HoG.

    ``descriptor="pixels"`` flattens each patch (row-major, channels last) into
    a vector :math:`x` of :math:`D` values and normalises its contrast:

    .. math:: d = \\frac{x - \\bar{x}}{\\sqrt{\\frac{1}{D}\\|x - \\bar{x}\\|^2
              + \\epsilon}}

    where :math:`\\bar{x}` is the mean of all values of the patch (all channels
    together) and :math:`\\epsilon` is ``contrast_eps``. The descriptor has mean
    0 and a norm of at most :math:`\\sqrt{D}`, reached for patches of high
    contrast; :math:`\\epsilon` keeps nearly flat patches, whose variation is
    mostly noise, from being scaled up (Coates et al. use 10 for pixels in
    0..255). A flat patch with ``contrast_eps=0`` gives zeros, and so does one
    whose :math:`\\sqrt{\\|x - \\bar{x}\\|^2 / D + \\epsilon}` is within
    :math:`D` times the machine epsilon of :math:`|\\bar{x}|`: what is left of
    it is the rounding of its mean, not contrast. Pixel values large enough for
    their squares to overflow (beyond about 1e18 in float32) are first divided
    by a power of two per patch, exactly, and :math:`\\epsilon` by its square,
    which leaves the descriptors as they are.

    ``descriptor="hog"`` gives the histogram of oriented gradients of each
    patch, computed by :func:`sklinear.feature_extraction._hog.hog` (for colour
    patches, the gradient of the channel where it is largest).

    Parameters
    ----------
    patches : ndarray of shape (n_patches, patch_height, patch_width[, channels])
        The patches, of any numeric dtype.
    descriptor : {"pixels", "hog"}, default="pixels"
        The descriptor.
    contrast_eps : float, default=0.0
        The :math:`\\epsilon` of ``"pixels"``, in the squared units of the pixel
        values.
    hog_params : dict, default=None
        The parameters of ``hog`` for ``"hog"``: ``orientations``,
        ``pixels_per_cell``, ``cells_per_block``, ``block_norm`` and
        ``transform_sqrt``. Those not given default to 9 orientations, cells of
        half the patch (``(patch_height // 2, patch_width // 2)``) and one block
        of 2x2 cells normalised by ``"L2-Hys"``: 36 values per patch.

    Returns
    -------
    descriptors : ndarray of shape (n_patches, n_descriptor_features)
        float32 for float32 patches, else float64.

    Raises
    ------
    ValueError
        If a HoG block does not fit in the patch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import describe_patches
    >>> patches = np.array([[[0, 0], [2, 2]], [[5, 5], [5, 5]]])
    >>> describe_patches(patches)
    array([[-1., -1.,  1.,  1.],
           [ 0.,  0.,  0.,  0.]])
    """
    patches = np.asarray(patches)
    dtype = float_dtype(patches.dtype)
    n_patches = patches.shape[0]
    if descriptor == "hog":
        # Imported here, so that this module does not depend on _hog at import.
        from ._hog import hog

        params = _resolve_hog_params(patches.shape[1:3], hog_params)
        return np.asarray(hog(patches, **params), dtype=dtype).reshape(n_patches, -1)
    if descriptor != "pixels":
        raise ValueError(
            f"descriptor must be 'pixels' or 'hog'; got {descriptor!r}."
        )
    # One copy, straight from a possibly strided view into contiguous rows.
    X = np.empty((n_patches, int(np.prod(patches.shape[1:]))), dtype=dtype)
    X.reshape(patches.shape)[...] = patches
    n_features = X.shape[1]
    largest = max(float(X.max(initial=0)), -float(X.min(initial=0)))
    if largest > np.sqrt(np.finfo(dtype).max / n_features) / 2:
        # The squares would overflow (float32 pixels of 1e19 do): the
        # normalisation is the same for x / f and contrast_eps / f**2, and
        # with each patch within (-1, 1) they do not.
        factors = _scale_rows(X)
        contrast_eps = ((np.sqrt(contrast_eps) / factors) ** 2).astype(dtype)
    mean = X.mean(axis=1, keepdims=True)
    X -= mean
    scale = row_norms(X, squared=True)
    scale /= n_features
    scale += contrast_eps
    np.sqrt(scale, out=scale)
    # The mean of a flat patch may be off its values by up to D roundings of
    # it: below that, there is no contrast to normalise, and the patch gives
    # zeros.
    flat = scale <= n_features * np.finfo(dtype).eps * np.abs(mean[:, 0])
    scale[flat] = np.inf
    X /= scale[:, None]
    return X


def _scale_rows(X):
    """Divide each row of a float ``X`` in place by the power of two that brings
    its values within (-1, 1), exactly (rows of zeros by 1); return the
    divisors, float64."""
    largest = np.maximum(X.max(axis=1), -X.min(axis=1))
    exponents = np.frexp(largest)[1]
    X *= np.ldexp(X.dtype.type(1), -exponents)[:, None]
    return np.ldexp(1.0, exponents)


def _mean_patch_variance(patches):
    """The mean over patches of the variance of each one's values, the scale
    of ``contrast_eps="auto"``: in float64, by blocks of patches, each scaled
    by :func:`_scale_rows` so that no square overflows.

    Raises ValueError when the mean variance itself overflows float64.
    """
    rows = patches.reshape(len(patches), -1)
    total = 0.0
    with np.errstate(over="ignore"):
        for block in gen_batches(len(rows), 2**14):
            X = rows[block].astype(np.float64)
            factors = _scale_rows(X)
            # (v f) f: it overflows only if the variance v f**2 does.
            total += float(np.sum(X.var(axis=1) * factors * factors))
    variance = total / len(rows)
    if not np.isfinite(variance):
        raise ValueError(
            "The variance of the training patches overflows float64 (pixel "
            "values beyond about 1e154): contrast_eps='auto', in squared pixel "
            "units, cannot be represented. Rescale the images, or pass "
            "contrast_eps as a number."
        )
    return variance


def zca_whitening(X, *, eps=0.1):
    """Learn the ZCA whitening of descriptors: their mean and whitening matrix.

    With :math:`\\Sigma = V \\Lambda V^T` the covariance of the rows of ``X``
    (normalised by :math:`n - 1`) and :math:`\\mu` their mean, the whitening
    matrix is

    .. math:: P = V (\\Lambda + \\epsilon I)^{-1/2} V^T

    and :func:`whiten` maps a descriptor :math:`x` to :math:`(x - \\mu) P`.
    With :math:`\\epsilon = 0` the whitened training descriptors have the
    identity covariance; :math:`\\epsilon > 0` shrinks the directions of
    variance below :math:`\\epsilon` instead of blowing them up, which matters
    for contrast-normalised patches: their values sum to zero, so their
    covariance is singular, and the directions of least variance hold mostly
    noise. Of all the whitening matrices, ZCA's is the symmetric one, the one
    that changes the descriptors least (Bell and Sejnowski), so that whitened
    patches still look like patches: it keeps their edges and sharpens them.

    Parameters
    ----------
    X : ndarray of shape (n_descriptors, n_features)
        The training descriptors, float32 or float64. The covariance is
        accumulated in float64 whatever their dtype.
    eps : float, default=0.1
        The regulariser :math:`\\epsilon` added to the eigenvalues, in the units
        of the variance of the descriptors. 0.1 is the value of Coates et al.
        for contrast-normalised patches, whose values have variance at most 1.

    Returns
    -------
    mean : ndarray of shape (n_features,)
        The mean descriptor :math:`\\mu`, of the dtype of ``X``.
    whitening : ndarray of shape (n_features, n_features)
        The symmetric whitening matrix :math:`P`, of the dtype of ``X``.

    Raises
    ------
    ValueError
        If ``eps`` is 0 and the covariance is singular: as
        :func:`numpy.linalg.matrix_rank` does, eigenvalues below the largest
        times ``n_features`` times float64's machine epsilon count as zero,
        whatever rounding leaves of them. Also if the covariance is not finite.

    See Also
    --------
    whiten : Apply the whitening.
    sklearn.decomposition.PCA : ``whiten=True`` whitens in the axes of the
        principal components instead (:math:`\\Lambda^{-1/2} V^T`, not rotated
        back).

    References
    ----------
    .. [1] A. J. Bell and T. J. Sejnowski, "The 'independent components' of
       natural scenes are edge filters", Vision Research 37(23), 1997.
       :doi:`10.1016/S0042-6989(97)00121-1`
    .. [2] A. Coates, H. Lee and A. Y. Ng, "An analysis of single-layer
       networks in unsupervised feature learning", AISTATS 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import whiten, zca_whitening
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(1000, 2)) @ np.array([[3.0, 0.0], [1.0, 0.5]])
    >>> mean, whitening = zca_whitening(X, eps=0.0)
    >>> np.allclose(np.cov(whiten(X, mean, whitening), rowvar=False), np.eye(2))
    True
    """
    X = np.asarray(X)
    n_descriptors = X.shape[0]
    mean = X.mean(axis=0, dtype=np.float64)
    # X^T X in float64, by blocks of rows, so that neither a float64 copy of
    # hundreds of thousands of descriptors nor float32 sums over them are needed.
    covariance = np.zeros((X.shape[1], X.shape[1]))
    with np.errstate(over="ignore", invalid="ignore"):  # refused below
        for rows in gen_batches(n_descriptors, 2**16):
            block = X[rows].astype(np.float64) - mean
            covariance += block.T @ block
    covariance /= max(n_descriptors - 1, 1)
    if not np.isfinite(covariance).all():
        raise ValueError(
            "The covariance of the descriptors is not finite; expected finite "
            "descriptors of a magnitude whose squares fit in float64."
        )
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    # Rounding leaves the zero eigenvalues of a singular covariance anywhere
    # within about this of zero, of either sign, depending on the CPU and BLAS.
    rounding = eigenvalues.max() * len(eigenvalues) * np.finfo(np.float64).eps
    nonzero = eigenvalues > rounding
    eigenvalues = np.where(nonzero, eigenvalues, 0) + eps
    if not eigenvalues.min() > 0:
        raise ValueError(
            f"The covariance of the descriptors is singular (rank "
            f"{np.count_nonzero(nonzero)} of {len(eigenvalues)}, eigenvalues "
            f"below {rounding:.3g} counting as zero) and eps=0: whitening would "
            "divide by zero. Use eps > 0 (contrast-normalised patches, whose "
            "values sum to zero, always need it)."
        )
    whitening = (eigenvectors / np.sqrt(eigenvalues)) @ eigenvectors.T
    return mean.astype(X.dtype), whitening.astype(X.dtype)


def whiten(X, mean, whitening):
    """Whiten descriptors: :math:`(x - \\mu) P` for each row :math:`x`.

    Parameters
    ----------
    X : ndarray of shape (n_descriptors, n_features)
        The descriptors, float32 or float64.
    mean : ndarray of shape (n_features,)
        The mean :math:`\\mu` from :func:`zca_whitening`.
    whitening : ndarray of shape (n_features, n_features)
        The whitening matrix :math:`P` from :func:`zca_whitening`.

    Returns
    -------
    X_white : ndarray of shape (n_descriptors, n_features)
        A new array, of the dtype of ``X``.

    See Also
    --------
    zca_whitening : Learn ``mean`` and ``whitening``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import whiten
    >>> whiten(np.array([[3.0, 4.0]]), np.array([1.0, 1.0]),
    ...        np.array([[0.5, 0.0], [0.0, 2.0]]))
    array([[1., 6.]])
    """
    X_white = X - np.asarray(mean, dtype=X.dtype)
    return X_white @ np.asarray(whitening, dtype=X.dtype)


def squared_distances(X, codebook):
    """Squared Euclidean distances from each descriptor to each word.

    Computed as :math:`\\|x\\|^2 - 2 x \\cdot c + \\|c\\|^2` with one matrix
    product, in the float dtype of ``X`` (the codebook is cast to it), and
    clipped at 0 against rounding.

    Parameters
    ----------
    X : ndarray of shape (n_descriptors, n_features)
        The descriptors, float32 or float64.
    codebook : ndarray of shape (n_words, n_features)
        The words.

    Returns
    -------
    distances : ndarray of shape (n_descriptors, n_words)
        The squared distances, of the dtype of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import squared_distances
    >>> squared_distances(np.array([[0.0, 0.0], [1.0, 1.0]]),
    ...                   np.array([[0.0, 0.0], [3.0, 1.0]]))
    array([[ 0., 10.],
           [ 2.,  4.]])
    """
    codebook = np.asarray(codebook, dtype=X.dtype)
    distances = X @ codebook.T
    distances *= -2
    distances += row_norms(X, squared=True)[:, None]
    distances += row_norms(codebook, squared=True)[None, :]
    return np.maximum(distances, 0, out=distances)


def encode(X, codebook, encoding="hard", *, bandwidth=None):
    """Assign descriptors to the words of a codebook.

    ``encoding="hard"`` gives each descriptor a one-hot code of its nearest
    word (the first, in a tie). ``encoding="soft"`` spreads it over all words
    with a Gaussian kernel on the squared distances :math:`d_k^2` (the kernel
    codebook of van Gemert et al.):

    .. math:: w_k = \\frac{\\exp(-d_k^2 / 2\\sigma^2)}
              {\\sum_j \\exp(-d_j^2 / 2\\sigma^2)}

    with :math:`\\sigma` the ``bandwidth``. Both codes sum to 1 over the words,
    so pooled over an image they make a distribution over words, and as
    :math:`\\sigma \\to 0` the soft code tends to the hard one.

    ``encoding="triangle"`` is the activation of Coates et al., from the
    distances :math:`d_k` themselves:

    .. math:: f_k = \\max\\left(0, \\bar{d} - d_k\\right), \\quad
              \\bar{d} = \\frac{1}{K} \\sum_{j=1}^{K} d_j

    A word is active, in proportion, when the descriptor is nearer to it than
    to the average word: about half the words are off, so the code is sparse
    as a hard one is, but it still tells how near the descriptor is to each of
    the words it is near. It does not sum to 1.

    Parameters
    ----------
    X : ndarray of shape (n_descriptors, n_features)
        The descriptors, float32 or float64.
    codebook : ndarray of shape (n_words, n_features)
        The words.
    encoding : {"hard", "soft", "triangle"}, default="hard"
        The assignment.
    bandwidth : float, default=None
        The :math:`\\sigma` of ``"soft"``, in the units of the descriptors;
        required for ``"soft"``.

    Returns
    -------
    codes : ndarray of shape (n_descriptors, n_words)
        Non-negative, of the dtype of ``X``; each row sums to 1 for ``"hard"``
        and ``"soft"``.

    See Also
    --------
    squared_distances : The distances the codes are computed from.

    References
    ----------
    .. [1] J. C. van Gemert, C. J. Veenman, A. W. M. Smeulders and
       J.-M. Geusebroek, "Visual word ambiguity", IEEE TPAMI 32(7), 2010.
       :doi:`10.1109/TPAMI.2009.132`
    .. [2] A. Coates, H. Lee and A. Y. Ng, "An analysis of single-layer
       networks in unsupervised feature learning", AISTATS 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import encode
    >>> codebook = np.array([[0.0, 0.0], [2.0, 0.0]])
    >>> X = np.array([[0.5, 0.0], [1.0, 0.0]])
    >>> encode(X, codebook)
    array([[1., 0.],
           [1., 0.]])
    >>> encode(X, codebook, "soft", bandwidth=1.0).round(3)
    array([[0.731, 0.269],
           [0.5  , 0.5  ]])

    The first descriptor is at 0.5 from one word and 1.5 from the other (1 on
    average); the second is as far from both as from the average word:

    >>> encode(X, codebook, "triangle")
    array([[0.5, 0. ],
           [0. , 0. ]])
    """
    if encoding not in ("hard", "soft", "triangle"):
        raise ValueError(
            f"encoding must be 'hard', 'soft' or 'triangle'; got {encoding!r}."
        )
    if encoding == "soft" and (bandwidth is None or not bandwidth > 0):
        raise ValueError(
            f"encoding='soft' needs a positive bandwidth; got {bandwidth!r}."
        )
    distances = squared_distances(X, codebook)
    if encoding == "hard":
        codes = np.zeros_like(distances)
        codes[np.arange(len(codes)), distances.argmin(axis=1)] = 1
        return codes
    if encoding == "triangle":
        # In place: the distances of a block of patches to 1,600 words are the
        # largest array of the transform, and each pass over it costs about a
        # fifth of the matrix product that computed them.
        distances = np.sqrt(distances, out=distances)
        mean = distances.mean(axis=1, keepdims=True)
        codes = np.subtract(mean, distances, out=distances)
        return np.maximum(codes, 0, out=codes)
    # Shifting by the nearest distance leaves the weights unchanged and keeps
    # the largest exp at exactly 1, so neither overflows nor all underflow.
    distances -= distances.min(axis=1, keepdims=True)
    distances *= -1 / (2 * bandwidth**2)
    codes = np.exp(distances, out=distances)
    codes /= codes.sum(axis=1, keepdims=True)
    return codes


def pool_histograms(codes):
    """Pool the codes of each image's patches into a normalised histogram.

    The histogram is the sum of the codes over the patches divided by its
    total, so that it sums to 1; for codes that each sum to 1 (hard or soft)
    that is their mean. An image whose codes are all zero keeps zeros.

    Parameters
    ----------
    codes : ndarray of shape (n_images, n_patches, n_words) or \
(n_images, n_rows, n_cols, n_words)
        The codes of the patches of each image, in a list or on their grid.

    Returns
    -------
    histograms : ndarray of shape (n_images, n_words)
        Each row sums to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import pool_histograms
    >>> codes = np.array([[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0],
    ...                    [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]])
    >>> pool_histograms(codes)
    array([[0.5, 0. , 0.5]])
    """
    histograms = codes.sum(axis=tuple(range(1, codes.ndim - 1)))
    totals = histograms.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1
    histograms /= totals
    return histograms


def pool_regions(codes, grid=(2, 2)):
    """Sum the codes of each image's patches over the regions of a grid.

    The grid of patches (``n_rows`` by ``n_cols``, as :func:`extract_patches`
    lays them out) is cut into ``grid[0]`` bands of rows and ``grid[1]`` bands
    of columns, as even as can be: band ``i`` of the rows starts at row
    ``ceil(i * n_rows / grid[0])``, so that the first bands take the extra
    rows. For the 27x27 patches of a 32x32 image and ``grid=(2, 2)``, the
    quadrants are rows and columns 0-13 and 14-26, as in the code of Coates et
    al. The codes of the patches of each region are summed; ``grid=(1, 1)``
    sums over the whole image.

    Parameters
    ----------
    codes : ndarray of shape (n_images, n_rows, n_cols, n_words)
        The codes of each image's patches, on their grid.
    grid : int or tuple of (int, int), default=(2, 2)
        The number of regions down and across; an int for a square grid. At
        most ``(n_rows, n_cols)``.

    Returns
    -------
    pooled : ndarray of shape (n_images, grid[0], grid[1], n_words)
        The sum of the codes over each region, of the dtype of ``codes``.

    Raises
    ------
    ValueError
        If the grid has more regions down or across than the patches.

    See Also
    --------
    pool_histograms : One normalised histogram per image.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import pool_regions
    >>> codes = np.arange(9.0).reshape(1, 3, 3, 1)  # one word on 3x3 patches
    >>> codes[0, :, :, 0]
    array([[0., 1., 2.],
           [3., 4., 5.],
           [6., 7., 8.]])
    >>> pool_regions(codes, 2)[0, :, :, 0]
    array([[ 8.,  7.],
           [13.,  8.]])
    """
    n_rows, n_cols = codes.shape[1:3]
    starts = _region_starts(n_rows, n_cols, _check_pair("grid", grid))
    return _pool_piece(codes, starts, slice(0, n_rows), slice(0, n_cols))[1]


def _region_starts(n_rows, n_cols, grid):
    """The first row of each band of regions down a grid of patches, and the
    first column of each across."""
    if grid[0] > n_rows or grid[1] > n_cols:
        raise ValueError(
            f"A grid of {grid[0]}x{grid[1]} regions needs at least as many "
            f"patches down and across; the images have {n_rows}x{n_cols}. Use a "
            "smaller grid, a smaller step or patch size, or larger images."
        )
    return [
        (np.arange(g) * n + g - 1) // g
        for n, g in zip((n_rows, n_cols), grid, strict=True)
    ]


def _pool_piece(codes, starts, rows, cols):
    """Sum the codes of a piece of the grid of patches, its ``rows`` and
    ``cols`` (slices), over the regions the piece overlaps.

    Returns the slices of those regions (down, across) and the sums, of shape
    ``(n_images, n_regions_down, n_regions_across, n_words)``.
    """
    regions = []
    pieces = zip(starts, (rows, cols), strict=True)
    for axis, (axis_starts, piece) in enumerate(pieces, start=1):
        first = np.searchsorted(axis_starts, piece.start, side="right") - 1
        stop = np.searchsorted(axis_starts, piece.stop - 1, side="right")
        # reduceat sums each band between consecutive starts, for all images and
        # words at once: one pass over the codes, no loop over images or regions.
        offsets = np.maximum(axis_starts[first:stop] - piece.start, 0)
        codes = np.add.reduceat(codes, offsets, axis=axis)
        regions.append(slice(first, stop))
    return regions, codes


def _patches_per_tile(n_words, itemsize, bytes_per_patch):
    """How many patches a tile holds: as many as have their distances to the
    words within ``_BLOCK_BYTES`` and all their work within half of
    scikit-learn's ``working_memory`` (the other half is for the sums of a
    chunk of images)."""
    budget = working_memory_bytes() / 2
    n_patches = min(_BLOCK_BYTES // (n_words * itemsize), budget // bytes_per_patch)
    return max(1, int(n_patches))


def _tiles(n_images, n_rows, n_cols, n_patches):
    """Tiles of at most ``n_patches`` patches (but one) of a batch's grids of
    ``n_rows`` by ``n_cols`` patches: blocks of whole images, else even bands
    of rows of one image, else even pieces of one row. Yields slices (images,
    rows, columns)."""
    images_per_tile = max(1, n_patches // (n_rows * n_cols))
    n_bands = -(-n_rows // max(1, n_patches // n_cols))
    n_pieces = -(-n_cols // min(n_cols, n_patches))
    for images in gen_batches(n_images, images_per_tile):
        for rows in gen_even_slices(n_rows, n_bands):
            for cols in gen_even_slices(n_cols, n_pieces):
                yield images, rows, cols


def _pool_tiles(images, code, *, patch_size, step, grid, n_words, dtype,
                code_bytes):
    """Sum the codes of the patches of each image over the regions of a grid,
    tile by tile, so that the memory is that of a tile whatever the images.

    ``code`` maps patches of shape ``(n_patches, patch_height,
    patch_width[, channels])``, of ``dtype``, to their codes, ``(n_patches,
    n_words)``, with ``code_bytes`` of memory per patch. The pixels of a tile
    are converted to ``dtype`` as it is taken; it has as many patches as
    :func:`_patches_per_tile` allows for all the work.

    Returns the sums, of shape ``(n_images, grid[0], grid[1], n_words)``,
    float64: accumulated over the tiles of a large image, float32 sums would
    lose the small ones.
    """
    n_rows = (images.shape[1] - patch_size[0]) // step[0] + 1
    n_cols = (images.shape[2] - patch_size[1]) // step[1] + 1
    starts = _region_starts(n_rows, n_cols, grid)
    # Per patch, besides code's work: its share of the tile's float pixels (a
    # band of one row of patches holds patch_height rows of pixels), its copy
    # as one row of values, and its code's sums over rows.
    n_channels = images.shape[3] if images.ndim == 4 else 1
    n_pixels = n_channels * max(patch_size[0], step[0]) * max(patch_size[1], step[1])
    n_values = n_pixels + n_channels * patch_size[0] * patch_size[1] + n_words
    itemsize = np.dtype(dtype).itemsize
    n_patches = _patches_per_tile(n_words, itemsize, itemsize * n_values + code_bytes)
    pooled = np.zeros((len(images), *grid, n_words))
    for batch, rows, cols in _tiles(len(images), n_rows, n_cols, n_patches):
        pixels = images[
            batch,
            rows.start * step[0] : (rows.stop - 1) * step[0] + patch_size[0],
            cols.start * step[1] : (cols.stop - 1) * step[1] + patch_size[1],
        ]
        grid_of_patches = extract_patches(pixels.astype(dtype, copy=False),
                                          patch_size, step=step)
        codes = code(grid_of_patches.reshape(-1, *grid_of_patches.shape[3:]))
        codes = codes.reshape(*grid_of_patches.shape[:3], n_words)
        (down, across), sums = _pool_piece(codes, starts, rows, cols)
        pooled[batch, down, across] += sums
    return pooled


def bag_of_visual_words(images, codebook, *, patch_size, step=1,
                        descriptor="pixels", encoding="hard", bandwidth=None,
                        contrast_eps=0.0, hog_params=None):
    """The bag-of-visual-words histogram of each image of a batch.

    Describes the patches on a grid (:func:`extract_patches`,
    :func:`describe_patches`), assigns them to the words of ``codebook``
    (:func:`encode`) and pools them per image (:func:`pool_histograms`). The
    patches are worked on in tiles (blocks of images, or bands of patch rows of
    a large image) whose distances to the words fit in 8 MB and whose work fits
    in half of scikit-learn's ``working_memory``, which bounds the memory
    whatever the batch and the size of its images; within a tile, each stage
    is one vectorised step over all its patches.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width[, channels])
        The images. Computed in float32 for float32 images, else in float64.
    codebook : ndarray of shape (n_words, n_descriptor_features)
        The visual words, descriptors of the kind ``descriptor`` gives.
    patch_size : int or tuple of (int, int)
        ``(patch_height, patch_width)``.
    step : int or tuple of (int, int), default=1
        The distance between neighbouring patches.
    descriptor : {"pixels", "hog"}, default="pixels"
        See :func:`describe_patches`.
    encoding : {"hard", "soft"}, default="hard"
        See :func:`encode`.
    bandwidth : float, default=None
        The bandwidth of ``"soft"``.
    contrast_eps : float, default=0.0
        The contrast regulariser of ``"pixels"``.
    hog_params : dict, default=None
        The HoG parameters of ``"hog"``.

    Returns
    -------
    histograms : ndarray of shape (n_images, n_words)
        Each row sums to 1.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import bag_of_visual_words
    >>> images = np.zeros((2, 4, 4))
    >>> images[1, :, 2:] = 1  # a vertical edge
    >>> codebook = np.array([[0.0, 0.0, 0.0, 0.0], [-1.0, 1.0, -1.0, 1.0]])
    >>> bag_of_visual_words(images, codebook, patch_size=2)
    array([[1.        , 0.        ],
           [0.66666667, 0.33333333]])
    """
    images = np.asarray(images)
    dtype = float_dtype(images.dtype)
    patch_size = _check_pair("patch_size", patch_size)
    step = _check_pair("step", step)
    n_words, n_features = np.shape(codebook)

    def code(patches):
        X = describe_patches(
            patches, descriptor, contrast_eps=contrast_eps, hog_params=hog_params
        )
        return encode(X, codebook, encoding, bandwidth=bandwidth)

    # Per patch, in code: its descriptor, its distances and its code; HoG's
    # work adds about 6 arrays per channel and 8 of one value per pixel of the
    # patch, in float64, as _hog counts.
    code_bytes = np.dtype(dtype).itemsize * (n_features + 2 * n_words)
    if descriptor == "hog":
        n_channels = images.shape[3] if images.ndim == 4 else 1
        code_bytes += 8 * patch_size[0] * patch_size[1] * (6 * n_channels + 8)
    pooled = _pool_tiles(images, code, patch_size=patch_size, step=step,
                         grid=(1, 1), n_words=n_words, dtype=dtype,
                         code_bytes=code_bytes)
    histograms = pool_histograms(pooled.reshape(len(images), 1, n_words))
    return histograms.astype(dtype, copy=False)


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

    Centres of the same descriptors differ by a few roundings of their norm,
    far below ``n_features`` of them; the differences are taken directly, not
    by :func:`squared_distances`, whose own rounding is much larger.
    """
    norms = row_norms(codebook)
    tolerance = codebook.shape[1] * np.finfo(codebook.dtype).eps * norms
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
    distances = squared_distances(X, codebook)
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


class BagOfVisualWords(BaseImageTransformer):
    """Bag of visual words: each image as a histogram of its patches' words.

    ``fit`` draws ``n_patches_per_image`` patches at random positions from every
    training image, describes them (:func:`describe_patches`) and clusters the
    descriptors with :class:`~sklearn.cluster.MiniBatchKMeans` into ``n_words``
    visual words, the ``codebook_``. ``transform`` describes the patches of each
    image on a grid with a ``step``, assigns each to the words (:func:`encode`:
    its nearest word, or a Gaussian kernel over all of them) and returns the
    image's histogram of words, normalised to sum to 1
    (:func:`pool_histograms`). The patches are transformed in tiles (blocks of
    images, or bands of a large image) whose memory follows scikit-learn's
    ``working_memory``, whatever the number and the size of the images.

    The defaults suit 32x32 colour images such as CIFAR-10: 6x6 patches (the
    size Coates et al. found best there) every 2 pixels give 196 patches per
    image, and 10 random patches from each of 10,000 training images learn 100
    words in about a second.

    Parameters
    ----------
    n_words : int, default=100
        The number of visual words (clusters), and of output features.
    patch_size : int or tuple of (int, int), default=(6, 6)
        ``(patch_height, patch_width)`` of the patches; an int for a square.
    n_patches_per_image : int, default=10
        The number of random patches drawn from each training image to learn
        the codebook; raised to ``ceil(n_words / n_images)`` when lower, since
        k-means needs at least one training patch per word.
    step : int or tuple of (int, int), default=2
        The distance in pixels between the patches of ``transform``. 1 is
        densest and slowest (the number of patches grows as ``1 / step**2``).
    descriptor : {"pixels", "hog"}, default="pixels"
        How a patch is described (see :func:`describe_patches`): its pixels
        minus their mean, divided by the square root of their variance plus
        ``contrast_eps``; or its histogram of oriented gradients.
    encoding : {"hard", "soft"}, default="hard"
        How a descriptor is assigned to words (see :func:`encode`): one-hot on
        its nearest word, or weights ``exp(-d_k^2 / 2 bandwidth^2)`` over all
        words normalised to sum to 1. ``"soft"`` keeps how close a patch is to
        the other words too, and usually classifies better.
    bandwidth : float or "auto", default="auto"
        The kernel width of ``encoding="soft"``, in the units of the
        descriptors. ``"auto"`` uses the root mean squared distance of the
        training descriptors to their nearest word: a word whose squared
        distance exceeds the nearest word's by that mean gets ``exp(-1/2) =
        0.61`` times the nearest word's weight.
    contrast_eps : float or "auto", default="auto"
        The regulariser of the contrast normalisation of ``descriptor="pixels"``,
        added to each patch's variance, in squared pixel units. ``"auto"`` uses
        1% of the mean variance of the training patches (about 15 for 6x6
        CIFAR-10 patches in 0..255, near the 10 of Coates et al.), which makes
        the features the same whatever the scale of the pixels (0..255 or 0..1).
    hog_params : dict, default=None
        Parameters of the HoG of ``descriptor="hog"``: ``orientations``,
        ``pixels_per_cell``, ``cells_per_block``, ``block_norm`` and
        ``transform_sqrt``. Those not given default to 9 orientations, 2x2 cells
        of half the patch and one block: 36 values per patch.
    batch_size : int, default=1024
        The minibatch size of :class:`~sklearn.cluster.MiniBatchKMeans`.
    random_state : int, RandomState instance or None, default=None
        Seeds the training patches' positions and the clustering: the same seed
        gives the same codebook and features.
    n_jobs : int, default=None
        The number of threads over which each chunk of images is split in
        ``transform``, each with one BLAS thread; ``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context, -1 all processors. On two cores
        ``n_jobs=2`` transforms about a quarter faster than BLAS's own threads
        alone. The clustering uses scikit-learn's own threads.
    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(height, width, channels)``, to take 2-D input
        as rows of flattened images.

    Attributes
    ----------
    codebook_ : ndarray of shape (n_words, n_descriptor_features)
        The visual words, the cluster centres of the training descriptors;
        float32 when fitted on float32 images, else float64.
    bandwidth_ : float
        The bandwidth of ``encoding="soft"``, ``bandwidth`` resolved (also set
        for ``"hard"``).
    contrast_eps_ : float
        ``contrast_eps`` resolved (also set for ``descriptor="hog"``).
    hog_params_ : dict or None
        The HoG parameters used, defaults filled in; None for ``"pixels"``.
    n_iter_ : int
        The number of passes over the training descriptors that the clustering
        made.
    image_shape_ : tuple of int
        ``(height, width)`` or ``(height, width, channels)`` of the training
        images; ``transform`` expects the same.

    See Also
    --------
    sklearn.cluster.MiniBatchKMeans : The clustering that learns the words.
    sklearn.feature_extraction.image.PatchExtractor : Patches of images.
    sklinear.feature_extraction._bovw.bag_of_visual_words : The transform as a
        function of a codebook.

    References
    ----------
    .. [1] G. Csurka, C. R. Dance, L. Fan, J. Willamowski and C. Bray, "Visual
       categorization with bags of keypoints", ECCV Workshop on Statistical
       Learning in Computer Vision, 2004.
    .. [2] A. Coates, H. Lee and A. Y. Ng, "An analysis of single-layer networks
       in unsupervised feature learning", AISTATS 2011.
    .. [3] J. C. van Gemert, C. J. Veenman, A. W. M. Smeulders and
       J.-M. Geusebroek, "Visual word ambiguity", IEEE TPAMI 32(7), 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._bovw import BagOfVisualWords
    >>> rng = np.random.RandomState(0)
    >>> images = rng.randint(0, 256, size=(6, 16, 16, 3), dtype=np.uint8)
    >>> bovw = BagOfVisualWords(n_words=5, random_state=0).fit(images)
    >>> bovw.codebook_.shape
    (5, 108)
    >>> features = bovw.transform(images)
    >>> features.shape
    (6, 5)
    >>> np.allclose(features.sum(axis=1), 1)
    True
    """

    _parameter_constraints: dict = {
        "n_words": [Interval(Integral, 1, None, closed="left")],
        "patch_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "n_patches_per_image": [Interval(Integral, 1, None, closed="left")],
        "step": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "descriptor": [StrOptions({"pixels", "hog"})],
        "encoding": [StrOptions({"hard", "soft"})],
        "bandwidth": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "contrast_eps": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "hog_params": [dict, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "image_shape": [tuple, list, None],
    }

    def __init__(
        self,
        n_words=100,
        *,
        patch_size=(6, 6),
        n_patches_per_image=10,
        step=2,
        descriptor="pixels",
        encoding="hard",
        bandwidth="auto",
        contrast_eps="auto",
        hog_params=None,
        batch_size=1024,
        random_state=None,
        n_jobs=None,
        image_shape=None,
    ):
        self.n_words = n_words
        self.patch_size = patch_size
        self.n_patches_per_image = n_patches_per_image
        self.step = step
        self.descriptor = descriptor
        self.encoding = encoding
        self.bandwidth = bandwidth
        self.contrast_eps = contrast_eps
        self.hog_params = hog_params
        self.batch_size = batch_size
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.image_shape = image_shape

    def _min_size(self):
        return _check_pair("patch_size", self.patch_size)

    def _n_features(self, image_shape):
        return self.n_words

    def _bytes_per_image(self, image_shape):
        return _bytes_per_pooled_image(self.n_words)

    def _fit_images(self, images):
        patch_size = _check_pair("patch_size", self.patch_size)
        _check_pair("step", self.step)
        self.hog_params_ = (
            _resolve_hog_params(patch_size, self.hog_params)
            if self.descriptor == "hog"
            else None
        )
        # k-means needs at least as many descriptors as words, which a small
        # training set (a fold of a cross-validation) may not give otherwise.
        n_per_image = max(self.n_patches_per_image, -(-self.n_words // len(images)))
        n_descriptors = len(images) * n_per_image
        rng = check_random_state(self.random_state)
        patches = sample_patches(images, patch_size, n_per_image, random_state=rng)
        patches = patches.reshape(n_descriptors, *patches.shape[2:])
        if self.contrast_eps == "auto":
            self.contrast_eps_ = 0.01 * _mean_patch_variance(patches)
        else:
            self.contrast_eps_ = float(self.contrast_eps)
        X = describe_patches(
            patches,
            self.descriptor,
            contrast_eps=self.contrast_eps_,
            hog_params=self.hog_params_,
        )
        kmeans = _learn_codebook(
            X, self.n_words, batch_size=self.batch_size, random_state=rng
        )
        self.codebook_ = kmeans.cluster_centers_
        self.n_iter_ = kmeans.n_iter_
        if self.bandwidth == "auto":
            self.bandwidth_ = _auto_bandwidth(X, self.codebook_)
        else:
            self.bandwidth_ = float(self.bandwidth)

    def _histograms(self, images):
        return bag_of_visual_words(
            images,
            self.codebook_,
            patch_size=self.patch_size,
            step=self.step,
            descriptor=self.descriptor,
            encoding=self.encoding,
            bandwidth=self.bandwidth_,
            contrast_eps=self.contrast_eps_,
            hog_params=self.hog_params_,
        )

    def _transform_chunk(self, images):
        n_jobs = min(effective_n_jobs(self.n_jobs), len(images))
        if n_jobs == 1:
            return self._histograms(images)
        # Parts of the chunk, which together need no more memory than it.
        return _threads_over_parts(self._histograms, images,
                                   gen_even_slices(len(images), n_jobs), n_jobs)
