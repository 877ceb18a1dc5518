"""The first stages of a bag of visual words: patches, and their descriptors.

:func:`extract_patches` (dense, on a grid with a step) and
:func:`sample_patches` (random) cut patches out of a batch of images through
one strided view, without a Python loop over the images;
:func:`describe_patches` turns each patch into a descriptor, its
contrast-normalised pixels or its HoG.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.extmath import row_norms

from ._hog import hog
from ._image import _check_pair, float_dtype

__all__ = ["describe_patches", "extract_patches", "sample_patches"]

# The HoG parameters a patch descriptor may set (those of ``hog``).
_HOG_KEYS = {
    "orientations",
    "pixels_per_cell",
    "cells_per_block",
    "block_norm",
    "transform_sqrt",
}




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
    >>> from sklinear.feature_extraction import extract_patches
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


def _patch_grid(image_size, patch_size, step):
    """``(n_rows, n_cols)``, the grid of patches :func:`extract_patches` lays
    out on images of ``image_size`` (height, width[, channels])."""
    return tuple(
        (size - patch) // stride + 1
        for size, patch, stride in zip(image_size[:2], patch_size, step, strict=True)
    )


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
    >>> from sklinear.feature_extraction import sample_patches
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
    patch, computed by :func:`~sklinear.feature_extraction.hog` (for colour
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
        Of dtype float32 for float32 patches, else float64.

    Raises
    ------
    ValueError
        If a HoG block does not fit in the patch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import describe_patches
    >>> patches = np.array([[[0, 0], [2, 2]], [[5, 5], [5, 5]]])
    >>> describe_patches(patches)
    array([[-1., -1.,  1.,  1.],
           [ 0.,  0.,  0.,  0.]])
    """
    patches = np.asarray(patches)
    dtype = float_dtype(patches.dtype)
    n_patches = patches.shape[0]
    if descriptor == "hog":
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

