"""The last stages of a bag of visual words: encoding and pooling.

:func:`encode` assigns each descriptor to the words of a codebook (hard, soft
or "triangle") from its squared distances to them; :func:`pool_histograms`
sums the codes of each image's patches into a histogram that sums to 1, and
:func:`pool_regions` sums them over each region of a grid over the image.
:func:`_pool_tiles` runs the stages from patches to pooled codes tile by tile,
so that the memory of a transform does not grow with the images.
"""

import numpy as np
from sklearn.utils import gen_batches, gen_even_slices
from sklearn.utils.extmath import row_norms

from ._image import _check_pair, working_memory_bytes
from ._patches import _patch_grid, extract_patches

__all__ = ["encode", "pool_histograms", "pool_regions"]

# The distances of a tile of patches to the words are the largest array of the
# transform. Tiles whose distances fit in a few MB keep it in the processor's
# cache through the element-wise passes that follow the matrix product: on
# CIFAR-10 with 1,600 words (4.7 MB per image), one image at a time is about 30%
# faster than 100.
_BLOCK_BYTES = 8 * 2**20


def _squared_distances(X, codebook):
    """Squared Euclidean distances from each descriptor (row of ``X``, float32
    or float64) to each word, ``(n_descriptors, n_words)`` of the dtype of
    ``X``.

    Computed as :math:`\\|x\\|^2 - 2 x \\cdot c + \\|c\\|^2` with one matrix
    product, in the dtype of ``X`` (the codebook is cast to it; float32 stays
    float32, where :func:`sklearn.metrics.pairwise.euclidean_distances`
    computes in float64), and clipped at 0 against rounding.
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
    pool_histograms : Pool the codes of each image into a histogram.
    pool_regions : Sum the codes over the regions of a grid.

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
    >>> from sklinear.feature_extraction import encode
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
    distances = _squared_distances(X, codebook)
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
    >>> from sklinear.feature_extraction import pool_histograms
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
    >>> from sklinear.feature_extraction import pool_regions
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
    n_rows, n_cols = _patch_grid(images.shape[1:3], patch_size, step)
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

