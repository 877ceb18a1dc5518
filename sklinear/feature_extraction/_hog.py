"""Histograms of oriented gradients (Dalal and Triggs), for batches of images.

:func:`hog` computes the descriptor of every image of a batch at once and equals
:func:`skimage.feature.hog` image by image; :class:`HoG` wraps :func:`hog` as a
scikit-learn transformer. (:func:`hog_image`, in :mod:`._hog_image`, draws the
picture of one image's cell histograms from the same stages.)

The stages are those of the paper and of scikit-image, numbered as there:

1. optional power-law compression (``transform_sqrt``);
2. centred gradients along rows and columns, zero on the border, keeping per
   pixel the channel whose gradient is the largest;
3. per cell, the gradient magnitudes summed into unsigned orientation bins and
   divided by the cell's area;
4. per block of cells, normalisation of the cell histograms;
5. the blocks, in row-major order, flattened into one feature row per image.

Every stage works on many images at once, with no loop over images or pixels:
the histograms of stage 3 are one ``np.bincount`` over all pixels of a block of
images, the blocks of stage 4 one strided view of the histograms. A large image
is worked on by bands of rows of cells, each with its neighbour rows for the
gradients, the blocks being normalised as soon as their cells are there, so that
memory follows scikit-learn's ``working_memory`` whatever the image size. The
details that decide scikit-image's exact output (the binning of orientations on
the edges of bins, computed in double precision as there, which channel wins a
tie, the cell area) are reproduced, and the comments say where.
"""

import functools
from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils import gen_batches

from ..utils._fixes import Interval, StrOptions, validate_params
from ._image import (
    BaseImageTransformer,
    _check_pair,
    check_images,
    float_dtype,
    working_memory_bytes,
)

__all__ = ["HoG", "hog"]

# scikit-image's constant in the block norms: it keeps a block without gradients
# at zero rather than dividing by zero.
_EPS = 1e-5
# Dalal and Triggs's clipping of L2-normalised blocks (the "Hys" of L2-Hys).
_HYS_CLIP = 0.2

_HOG_CONSTRAINTS = {
    "orientations": [Interval(Integral, 1, None, closed="left")],
    "pixels_per_cell": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "cells_per_block": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "block_norm": [StrOptions({"L1", "L1-sqrt", "L2", "L2-Hys"})],
    "transform_sqrt": ["boolean"],
}


def _n_features(image_shape, orientations, cell, block):
    n_blocks_row = image_shape[0] // cell[0] - block[0] + 1
    n_blocks_col = image_shape[1] // cell[1] - block[1] + 1
    return n_blocks_row * n_blocks_col * block[0] * block[1] * orientations


# Images are processed in batches of about this many pixels, so that the dozen
# arrays of a batch's intermediate results stay in the processor's cache: on
# 32x32 colour images, batches of 64 are 2.5x faster than batches of 1000 and
# 1.5x faster than batches of 16. A larger image is processed by bands of about
# this many pixels.
_PIXELS_PER_BATCH = 2**16


def _bytes_per_pixel(n_channels):
    """The memory that stages 1 to 4 take per pixel of a batch or band, at most
    (160 and 71 bytes measured by tracemalloc, for 3 channels and 1): five
    float64 arrays per channel, and a dozen float64 values per pixel."""
    return 8 * (5 * n_channels + 12)


def _safe_scales(images, dtype, transform_sqrt, block):
    """Per image, the power of two that its float planes are multiplied by, so
    that nothing overflows; None when no image needs one.

    With float planes within ``[-m, m]``, squared gradients reach ``8 m**2`` and
    the block norms ``block[0] * block[1]`` times that, which must stay finite
    in ``dtype``: above about ``1e18`` in float32 and ``1e153`` in float64, an
    image is scaled down, exactly, by a power of two. Its features are those of
    the image unscaled, up to ``eps``, which is then relative to the scaled
    gradients; integer images are far from needing it.
    """
    if images.dtype.kind != "f":
        return None
    axes = tuple(range(1, images.ndim))
    largest = np.maximum(images.max(axis=axes), -images.min(axis=axes))
    largest = largest.astype(np.float64)
    if transform_sqrt:
        largest = np.sqrt(largest)
    limit = np.sqrt(np.finfo(dtype).max / (16 * block[0] * block[1]))
    if not (largest > limit).any():
        return None
    # largest / limit = f * 2**e, with 0.5 <= f < 1: times 2**-e, below the limit.
    exponent = np.where(largest > limit, np.frexp(largest / limit)[1], 0)
    return np.ldexp(np.ones(len(images), dtype), -exponent)


def _float_planes(images, dtype, transform_sqrt, scales=None):
    """Stage 1: the images as contiguous float planes ``(n_images, channels,
    height, width)``, square-rooted for ``transform_sqrt`` and multiplied by
    ``scales`` (one per image, from :func:`_safe_scales`) if given."""
    channels_first = (
        images[:, np.newaxis] if images.ndim == 3 else images.transpose(0, 3, 1, 2)
    )
    # One pass converts and transposes; each channel is then a contiguous plane,
    # for the long differences and the loops over channels below.
    planes = np.empty(channels_first.shape, dtype=dtype)
    planes[...] = channels_first
    if transform_sqrt:
        np.sqrt(planes, out=planes)
    if scales is not None:
        planes *= scales[:, np.newaxis, np.newaxis, np.newaxis]
    return planes


def _dominant_gradients(planes):
    """Stage 2: per pixel, the gradient of the channel of largest magnitude.

    Returns ``g_row``, ``g_col`` and the magnitude, each of shape ``(n_images,
    height, width)``.
    """
    n_images, n_channels = planes.shape[:2]
    # Centred differences, zero on the first and last row (column) of the image,
    # each as one long difference of the flattened planes (2.5x faster than
    # slices of the planes): its values across the ends of rows (planes) fall on
    # the first and last columns (rows), set to zero after.
    width = planes.shape[3]
    flat = planes.reshape(-1)
    g_row = np.empty_like(planes)
    np.subtract(flat[2 * width :], flat[: -2 * width],
                out=g_row.reshape(-1)[width:-width])
    g_row[:, :, 0] = 0
    g_row[:, :, -1] = 0
    g_col = np.empty_like(planes)
    np.subtract(flat[2:], flat[:-2], out=g_col.reshape(-1)[1:-1])
    g_col[..., 0] = 0
    g_col[..., -1] = 0
    squared = g_row * g_row
    squared += g_col * g_col
    if n_channels == 1:
        return g_row[:, 0], g_col[:, 0], np.sqrt(squared[:, 0])

    # Per pixel, the first channel of largest magnitude (argmax in scikit-image),
    # gathered by flat index: masks, np.where or argmax over channels cost 3x
    # more.
    largest = squared.max(axis=1)
    channel = np.zeros(largest.shape, dtype=np.min_scalar_type(n_channels))
    below = np.ones(largest.shape, dtype=bool)
    for k in range(n_channels - 1):
        below &= squared[:, k] != largest
        channel += below
    n_pixels = planes.shape[2] * planes.shape[3]
    image_start = np.arange(0, n_images * n_channels * n_pixels, n_channels * n_pixels)
    index = channel.astype(np.intp)
    index *= n_pixels
    index += (image_start[:, np.newaxis] + np.arange(n_pixels)).reshape(largest.shape)
    row, col = g_row.take(index), g_col.take(index)
    magnitude = np.sqrt(largest)

    # scikit-image compares np.hypot magnitudes, which may order two channels
    # within a rounding error of each other otherwise than their squares do:
    # 106**2 + 71**2 == 119**2 + 46**2, yet hypot(106, 71) < hypot(119, 46). Where
    # another channel with another gradient comes that close, decide by np.hypot
    # too: 1.6% of the pixels of CIFAR-10, where np.hypot on every pixel would
    # cost more than all the rest. Elsewhere the magnitude, the square root of
    # the squares, is within a rounding error of np.hypot's.
    close = largest * (1 - 64 * np.finfo(planes.dtype).eps)
    ambiguous = np.zeros(largest.shape, dtype=bool)
    other = np.empty_like(ambiguous)
    scratch = np.empty_like(ambiguous)
    for k in range(n_channels):
        np.not_equal(g_row[:, k], row, out=other)
        other |= np.not_equal(g_col[:, k], col, out=scratch)
        other &= np.greater(squared[:, k], close, out=scratch)
        ambiguous |= other
    near = np.flatnonzero(ambiguous)
    if near.size:
        image, pixel = np.divmod(near, n_pixels)
        rows_k = g_row.reshape(n_images, n_channels, -1)[image, :, pixel]
        cols_k = g_col.reshape(n_images, n_channels, -1)[image, :, pixel]
        hypot = np.hypot(rows_k, cols_k)
        best = hypot.argmax(axis=1)
        ties = np.arange(len(best))
        row.reshape(-1)[near] = rows_k[ties, best]
        col.reshape(-1)[near] = cols_k[ties, best]
        magnitude.reshape(-1)[near] = hypot[ties, best]
    return row, col, magnitude


def _float_keys(x):
    """int64 keys of float64 values, ordered as the values."""
    bits = np.asarray(x, dtype=np.float64).view(np.int64)
    # Negative floats order backwards as integers: flip all but the sign bit.
    return bits ^ ((bits >> 63) & np.iinfo(np.int64).max)


def _key_floats(keys):
    """The float64 values of keys from :func:`_float_keys`."""
    return (keys ^ ((keys >> 63) & np.iinfo(np.int64).max)).view(np.float64)


def _first_reaching(func, start, stop, levels):
    """For each level, the smallest float ``x`` in ``[start, stop)`` with
    ``func(x) >= level``, or ``stop`` if none: a bisection over the floats
    themselves, for a non-decreasing ``func``."""
    levels = np.asarray(levels, dtype=np.float64)
    low = np.full(levels.shape, _float_keys(start))
    high = np.full(levels.shape, _float_keys(stop))
    while np.any(low < high):
        middle = low + (high - low) // 2
        reached = func(_key_floats(middle)) >= levels
        high = np.where(reached, middle, high)
        low = np.where(reached, low, middle + 1)
    return _key_floats(low)


@functools.lru_cache
def _angle_thresholds(orientations):
    """The angles where scikit-image's orientation bin changes, in radians.

    scikit-image bins ``a = np.rad2deg(np.arctan2(g_row, g_col)) % 180`` in
    degrees: bin ``i`` holds ``edge[i] <= a < edge[i + 1]``, with ``edge[i] = 180
    / orientations * i``, and ``a >= edge[orientations]`` is in no bin. As
    functions of the radians ``x``, ``a`` is non-decreasing on ``[-pi, 0)``, and
    on ``[0, pi]`` until ``rad2deg(x)`` reaches 180, where it wraps to 0. Found
    by bisection over the floats, with the very numpy operations, the first
    ``x`` reaching each edge on each side give the exact bins by comparisons
    alone, without converting nor wrapping any angle.

    Returns ``2 * orientations + 2`` floats: the first angle reaching each edge on
    ``[-pi, 0)``, zero, the same on ``[0, pi]``, and the wrap. With ``count`` of
    them at most ``x``, the bin is ``count`` if ``count <= orientations``,
    ``count - orientations - 1`` up to ``2 * orientations + 1``, and 0 for
    ``2 * orientations + 2``; ``orientations`` stands for no bin.
    """
    edges = 180.0 / orientations * np.arange(1, orientations + 1)
    wrap = _first_reaching(np.rad2deg, 0.0, np.nextafter(np.pi, 4.0), [180.0])
    negative = _first_reaching(lambda x: np.rad2deg(x) % 180, -np.pi, -0.0, edges)
    positive = _first_reaching(np.rad2deg, 0.0, wrap[0], edges)
    # Python floats, compared with angles in float64 only: a float32 array
    # would round them to float32 (NEP 50), and bin otherwise.
    return tuple(float(x) for x in (*negative, 0.0, *positive, *wrap))


def _cell_histograms(planes, orientations, cell, rows=slice(None)):
    """Stages 2 and 3: the orientation histogram of every cell of every image.

    Returns an array of shape ``(n_images, n_cells_row, n_cells_col,
    orientations)`` of the dtype of ``planes``, from :func:`_float_planes`, for
    the cells of ``rows`` of the planes (a band of an image, the rows around it
    giving the gradients on its edges).
    """
    g_row, g_col, magnitude = (
        gradient[:, rows] for gradient in _dominant_gradients(planes))
    n_images, height, width = magnitude.shape
    n_cells_row, n_cells_col = height // cell[0], width // cell[1]
    n_cells = n_cells_row * n_cells_col
    # In double precision whatever the planes, as scikit-image bins them: in
    # float32, an angle of exactly 45 degrees may round into the bin below.
    angle = np.arctan2(g_row, g_col, dtype=np.float64)
    # Each pixel's position among the thresholds, which _angle_thresholds maps
    # to its bin.
    thresholds = _angle_thresholds(orientations)
    position = np.zeros(angle.shape, dtype=np.min_scalar_type(len(thresholds)))
    reached = np.empty(angle.shape, dtype=bool)
    for threshold in thresholds:
        position += np.greater_equal(angle, threshold, out=reached)
    # One bincount over all pixels: a slot per (image, cell, position), the
    # pixels past the last whole cell in an extra cell, dropped.
    n_slots = len(thresholds) + 1
    row_cell = np.arange(height) // cell[0]
    col_cell = np.arange(width) // cell[1]
    pixel_cell = row_cell[:, np.newaxis] * n_cells_col + col_cell
    pixel_cell[(row_cell >= n_cells_row)[:, np.newaxis] | (col_cell >= n_cells_col)] = (
        n_cells)
    slot = np.arange(0, n_images * (n_cells + 1) * n_slots, (n_cells + 1) * n_slots)
    slot = slot[:, np.newaxis, np.newaxis] + n_slots * pixel_cell
    slot += position
    slots = np.bincount(
        slot.ravel(),
        weights=magnitude.ravel(),
        minlength=n_images * (n_cells + 1) * n_slots,
    ).reshape(n_images, n_cells + 1, n_slots)[:, :n_cells]
    slots = slots.reshape(n_images, n_cells_row, n_cells_col, n_slots)
    # Positions to bins: [-pi, 0), then [0, wrap), then the wrap to bin 0.
    histograms = slots[..., :orientations] + slots[
        ..., orientations + 1 : 2 * orientations + 1]
    histograms[..., 0] += slots[..., -1]
    # The mean over the cell, not the sum, as scikit-image.
    histograms /= cell[0] * cell[1]
    return histograms.astype(planes.dtype, copy=False)


def _normalize_blocks(histograms, block, block_norm):
    """Stages 4 and 5: every block of cells normalised, flattened per image."""
    n_images = len(histograms)
    # (n_images, n_blocks_row, n_blocks_col, orientations, block_row, block_col)
    windows = sliding_window_view(histograms, block, axis=(1, 2))
    # scikit-image's layout: blocks row-major, then cells, then orientations.
    blocks = windows.transpose(0, 1, 2, 4, 5, 3).reshape(
        n_images, -1, block[0] * block[1] * histograms.shape[-1])
    if block_norm in ("L1", "L1-sqrt"):
        blocks = blocks / (np.abs(blocks).sum(axis=2, keepdims=True) + _EPS)
        if block_norm == "L1-sqrt":
            np.sqrt(blocks, out=blocks)
    else:
        blocks = blocks / np.sqrt(
            np.einsum("ijk,ijk->ij", blocks, blocks)[..., np.newaxis] + _EPS**2
        )
        if block_norm == "L2-Hys":
            np.minimum(blocks, _HYS_CLIP, out=blocks)
            blocks /= np.sqrt(
                np.einsum("ijk,ijk->ij", blocks, blocks)[..., np.newaxis] + _EPS**2
            )
    return blocks.reshape(n_images, -1)


def _check_sqrt(images, transform_sqrt):
    # scikit-image would return NaN features, and a classifier fail far from here.
    if transform_sqrt and images.dtype.kind != "u" and images.min() < 0:
        raise ValueError(
            "transform_sqrt=True takes the square root of the pixels, which must "
            "then be non-negative; got images with negative values."
        )


def _hog_by_bands(images, out, orientations, cell, block, block_norm,
                  transform_sqrt, band):
    """The descriptors of a batch of images, into ``out``, by bands of ``band``
    rows of cells: the blocks of each band's cells and of the ``block[0] - 1``
    rows of cells before them."""
    dtype = out.dtype
    height = images.shape[1]
    n_cells_row = height // cell[0]
    scales = _safe_scales(images, dtype, transform_sqrt, block)
    # The features of a row of blocks, which follow each other in a row.
    per_block_row = out.shape[1] // (n_cells_row - block[0] + 1)
    n_done = 0
    previous = None
    for first in range(0, n_cells_row, band):
        top, bottom = first * cell[0], min(first + band, n_cells_row) * cell[0]
        # The rows just outside the band, if any, give the gradients on its edge.
        start, stop = max(top - 1, 0), min(bottom + 1, height)
        planes = _float_planes(images[:, start:stop], dtype, transform_sqrt, scales)
        histograms = _cell_histograms(planes, orientations, cell,
                                      rows=slice(top - start, bottom - start))
        del planes
        if previous is not None:
            histograms = np.concatenate([previous, histograms], axis=1)
        n_new = histograms.shape[1] - block[0] + 1
        if n_new > 0:
            out[:, n_done * per_block_row:(n_done + n_new) * per_block_row] = (
                _normalize_blocks(histograms, block, block_norm))
            n_done += n_new
        previous = histograms[:, max(n_new, 0):]


def _hog(images, orientations, cell, block, block_norm, transform_sqrt, out=None):
    """The descriptors of validated images, into ``out`` if given.

    Images are taken a cache-sized batch at a time, and an image larger than that
    by bands of rows of cells, fewer pixels at a time if scikit-learn's
    ``working_memory`` is smaller: beyond the features, memory follows it
    whatever the size of the images (down to one row of cells).
    """
    _check_sqrt(images, transform_sqrt)
    n_images, height, width = images.shape[:3]
    if out is None:
        out = np.empty(
            (n_images, _n_features(images.shape[1:], orientations, cell, block)),
            dtype=float_dtype(images.dtype),
        )
    n_channels = images.shape[3] if images.ndim == 4 else 1
    n_pixels = min(_PIXELS_PER_BATCH,
                   working_memory_bytes() // _bytes_per_pixel(n_channels))
    per_batch = max(1, int(n_pixels // (height * width)))
    # Rows of cells per band: all of them unless one image is already too many.
    band = max(1, int(n_pixels // (per_batch * cell[0] * width)))
    for rows in gen_batches(n_images, per_batch):
        _hog_by_bands(images[rows], out[rows], orientations, cell, block,
                      block_norm, transform_sqrt, band)
    return out


@validate_params(
    # Not {..., **_HOG_CONSTRAINTS}: Sphinx cannot parse unpacking in a
    # decorator, and viewcode then gives hog no [source] link.
    {"images": ["array-like"]} | _HOG_CONSTRAINTS,
    prefer_skip_nested_validation=True,
)
def hog(
    images,
    *,
    orientations=9,
    pixels_per_cell=(8, 8),
    cells_per_block=(3, 3),
    block_norm="L2-Hys",
    transform_sqrt=False,
):
    """Histogram of oriented gradients of every image of a batch.

    The descriptor of Dalal and Triggs [1]_, computed for the whole batch at once
    and equal, image by image, to ``skimage.feature.hog(image, ...,
    feature_vector=True)`` with ``channel_axis=-1`` for colour images and
    ``channel_axis=None`` for grayscale ones.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width[, channels])
        Grayscale or colour images: uint8 (or another integer type) with 0..255
        intensities, used as they are, or float.
    orientations : int, default=9
        Number of orientation bins, evenly splitting 0 to 180 degrees.
    pixels_per_cell : int or tuple of int, default=(8, 8)
        Size ``(rows, columns)`` of a cell. Pixels past the last whole cell are
        ignored.
    cells_per_block : int or tuple of int, default=(3, 3)
        Size ``(rows, columns)``, in cells, of a block, the unit of normalisation.
        The blocks slide by one cell.
    block_norm : {"L1", "L1-sqrt", "L2", "L2-Hys"}, default="L2-Hys"
        Normalisation of each block ``v``, with ``eps = 1e-5``:

        ``L1``
            ``v / (sum(|v|) + eps)``.
        ``L1-sqrt``
            The square root of ``L1``.
        ``L2``
            ``v / sqrt(sum(v ** 2) + eps ** 2)``.
        ``L2-Hys``
            ``L2``, then values clipped at 0.2 and normalised by ``L2`` again
            (Lowe's clipping [2]_).

    transform_sqrt : bool, default=False
        Take the square root of every pixel first (power-law compression), which
        reduces the effect of shadows and illumination. The images must then be
        non-negative.

    Returns
    -------
    features : ndarray of shape (n_images, n_features)
        ``n_features = n_blocks_row * n_blocks_col * cells_per_block[0] *
        cells_per_block[1] * orientations``, with ``n_blocks_row = height //
        pixels_per_cell[0] - cells_per_block[0] + 1`` (likewise for columns).
        Each row lists the blocks row by row, each block its cells row by row,
        each cell its orientation bins. float32 for float32 images (computed in
        float32 as scikit-image computes their gradients, but for the
        orientations, in float64 as there), float64 otherwise.

    Raises
    ------
    ValueError
        If the images are smaller than one block, ``pixels_per_cell[0] *
        cells_per_block[0]`` rows by ``pixels_per_cell[1] * cells_per_block[1]``
        columns, or ``transform_sqrt`` meets a negative pixel.

    See Also
    --------
    HoG : The same features as a scikit-learn transformer.
    hog_image : The picture of an image's cell histograms.
    skimage.feature.hog : The same descriptor, one image at a time.

    Notes
    -----
    Per pixel, the gradient is that of the channel of largest gradient magnitude
    (the first such channel on ties). Its orientation falls in one bin, to which
    the pixel adds its magnitude; there is no interpolation between bins or
    cells. A cell's histogram is the mean of these votes over its pixels.

    The features differ from scikit-image's by about 1e-7, for every dtype of
    images. Where scikit-image returns NaN features for negative pixels with
    ``transform_sqrt=True``, this function raises an error. Float images with
    pixels so large that the squares of their gradients would overflow (beyond
    about 1e18 in float32, 1e153 in float64) are scaled down by a power of two
    first, which changes the features only through ``eps``. On 32x32 colour
    images it is about 10 times faster than a loop over
    :func:`skimage.feature.hog`. Beyond the features returned, its memory
    follows scikit-learn's ``working_memory`` whatever the size of the images:
    a large image is processed by bands of rows of cells.

    References
    ----------
    .. [1] Dalal, N. and Triggs, B., "Histograms of Oriented Gradients for Human
           Detection", IEEE Computer Society Conference on Computer Vision and
           Pattern Recognition (CVPR), 2005, pp. 886-893,
           :doi:`10.1109/CVPR.2005.177`.
    .. [2] Lowe, D. G., "Distinctive Image Features from Scale-Invariant
           Keypoints", International Journal of Computer Vision, 60, 91-110,
           2004, :doi:`10.1023/B:VISI.0000029664.99615.94`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import hog
    >>> images = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3))
    >>> features = hog(images, pixels_per_cell=8, cells_per_block=2)
    >>> features.shape  # 3x3 blocks of 2x2 cells of 9 orientations
    (5, 324)
    >>> from skimage.feature import hog as skimage_hog
    >>> expected = skimage_hog(images[0], pixels_per_cell=(8, 8),
    ...                        cells_per_block=(2, 2), channel_axis=-1)
    >>> bool(np.allclose(features[0], expected, atol=1e-6))
    True
    """
    cell = _check_pair("pixels_per_cell", pixels_per_cell)
    block = _check_pair("cells_per_block", cells_per_block)
    images = check_images(images, min_size=(cell[0] * block[0], cell[1] * block[1]),
                          name="images")
    return _hog(images, orientations, cell, block, block_norm, transform_sqrt)


class HoG(BaseImageTransformer):
    """Histograms of oriented gradients, one feature row per image.

    The descriptor of Dalal and Triggs [1]_ for every image of a batch, computed
    by :func:`hog`: equal, image by image, to :func:`skimage.feature.hog` with
    the same parameters (``channel_axis=-1`` for colour images).

    Read more in the :ref:`User Guide <features>`.

    Parameters
    ----------
    orientations : int, default=9
        Number of orientation bins, evenly splitting 0 to 180 degrees.
    pixels_per_cell : int or tuple of int, default=(8, 8)
        Size ``(rows, columns)`` of a cell.
    cells_per_block : int or tuple of int, default=(3, 3)
        Size ``(rows, columns)``, in cells, of a block, the unit of normalisation.
    block_norm : {"L1", "L1-sqrt", "L2", "L2-Hys"}, default="L2-Hys"
        Normalisation of each block; see :func:`hog`.
    transform_sqrt : bool, default=False
        Take the square root of every pixel first (power-law compression).
    image_shape : tuple or list of int, default=None
        ``(height, width)`` or ``(height, width, channels)`` of the images, when
        ``X`` holds them as flattened rows.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(height, width)`` or ``(height, width, channels)`` of the images seen in
        ``fit``; ``transform`` expects the same.
    n_features_in_ : int
        Number of columns of ``X`` in ``fit``; only defined when ``X`` is a
        DataFrame of flattened images.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X`` in ``fit``; only defined when ``X`` is a DataFrame
        of flattened images with string column names.

    See Also
    --------
    hog : The function this transformer wraps.
    hog_image : The picture of an image's cell histograms.
    skimage.feature.hog : The same descriptor, one image at a time.

    Notes
    -----
    ``fit`` learns nothing but the shape of the images. Images smaller than a
    block (``pixels_per_cell * cells_per_block`` pixels) are refused. The images
    are processed in batches, and a large image by bands of rows of cells, whose
    size follows scikit-learn's ``working_memory``.

    References
    ----------
    .. [1] Dalal, N. and Triggs, B., "Histograms of Oriented Gradients for Human
           Detection", IEEE Computer Society Conference on Computer Vision and
           Pattern Recognition (CVPR), 2005, pp. 886-893,
           :doi:`10.1109/CVPR.2005.177`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import HoG
    >>> images = np.random.default_rng(0).integers(0, 256, (10, 32, 32, 3),
    ...                                            dtype=np.uint8)
    >>> hog = HoG(cells_per_block=2).fit(images)
    >>> hog.transform(images).shape
    (10, 324)
    >>> hog.image_shape_
    (32, 32, 3)
    """

    _parameter_constraints: dict = {
        **BaseImageTransformer._parameter_constraints,
        **_HOG_CONSTRAINTS,
    }

    def __init__(
        self,
        orientations=9,
        pixels_per_cell=(8, 8),
        cells_per_block=(3, 3),
        block_norm="L2-Hys",
        transform_sqrt=False,
        image_shape=None,
    ):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block
        self.block_norm = block_norm
        self.transform_sqrt = transform_sqrt
        self.image_shape = image_shape

    def _cell_and_block(self):
        return (_check_pair("pixels_per_cell", self.pixels_per_cell),
                _check_pair("cells_per_block", self.cells_per_block))

    def _min_size(self):
        cell, block = self._cell_and_block()
        return (cell[0] * block[0], cell[1] * block[1])

    def _n_features(self, image_shape):
        return _n_features(image_shape, self.orientations, *self._cell_and_block())

    def _bytes_per_image(self, image_shape):
        # The work of one image taken whole. _hog itself takes a chunk by
        # batches (or bands) within working_memory, and writes into the output:
        # this only sets the chunk size.
        n_channels = image_shape[2] if len(image_shape) == 3 else 1
        return _bytes_per_pixel(n_channels) * image_shape[0] * image_shape[1]

    def _transform_chunk(self, images):
        return _hog(images, self.orientations, *self._cell_and_block(),
                    self.block_norm, self.transform_sqrt)

    def _transform_into(self, images, out):
        _hog(images, self.orientations, *self._cell_and_block(), self.block_norm,
             self.transform_sqrt, out=out)
