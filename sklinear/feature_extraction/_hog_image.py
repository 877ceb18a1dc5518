"""The picture of an image's histograms of oriented gradients, as scikit-image
draws it: the cell histograms of :func:`hog`'s stages, one segment per
orientation bin."""

import numpy as np

from ..utils._fixes import validate_params
from ._hog import (
    _HOG_CONSTRAINTS,
    _cell_histograms,
    _check_sqrt,
    _float_planes,
    _safe_scales,
)
from ._image import _check_pair, check_images, float_dtype

__all__ = ["hog_image"]


@validate_params(
    {
        "image": ["array-like"],
        "orientations": _HOG_CONSTRAINTS["orientations"],
        "pixels_per_cell": _HOG_CONSTRAINTS["pixels_per_cell"],
        "transform_sqrt": _HOG_CONSTRAINTS["transform_sqrt"],
    },
    prefer_skip_nested_validation=True,
)
def hog_image(image, *, orientations=9, pixels_per_cell=(8, 8), transform_sqrt=False):
    """The picture of the histograms of oriented gradients of one image.

    For each cell and orientation bin, a line segment through the cell's centre,
    perpendicular to the middle of the bin's range of orientations (so along
    the edges that vote in it), as bright as the cell's histogram value. Equal
    to the ``hog_image`` of ``skimage.feature.hog(image, ..., visualize=True)``.

    Parameters
    ----------
    image : array-like of shape (height, width[, channels])
        One grayscale or colour image, uint8 with 0..255 intensities or float.
    orientations : int, default=9
        Number of orientation bins.
    pixels_per_cell : int or tuple of int, default=(8, 8)
        Size ``(rows, columns)`` of a cell.
    transform_sqrt : bool, default=False
        Take the square root of every pixel first, as in :func:`hog`.

    Returns
    -------
    picture : ndarray of shape (height, width)
        Of dtype float32 for a float32 image, float64 otherwise. The histograms
        drawn are those of the cells, before block normalisation, so
        ``cells_per_block`` and ``block_norm`` do not change it. Cells of fewer
        than 4 rows or columns are too small for a segment: each is a dot at
        the cell's centre, as bright as the sum of its histogram (for cells of
        one pixel, the picture is the gradient magnitude).

    See Also
    --------
    hog : The descriptors of a batch of images.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import hog_image
    >>> image = np.zeros((8, 8))
    >>> image[:, 4:] = 1.0  # a vertical edge: horizontal gradients
    >>> picture = hog_image(image, pixels_per_cell=8)
    >>> print((picture > 0).astype(int))  # a segment along the edge
    [[0 0 0 0 0 0 0 0]
     [0 0 0 0 1 0 0 0]
     [0 0 0 0 1 0 0 0]
     [0 0 0 0 1 0 0 0]
     [0 0 0 1 0 0 0 0]
     [0 0 0 1 0 0 0 0]
     [0 0 0 1 0 0 0 0]
     [0 0 0 0 0 0 0 0]]
    >>> float(picture.max())  # 16 pixels of gradient 1 in a cell of 64
    0.25
    """
    from skimage.draw import line

    cell = _check_pair("pixels_per_cell", pixels_per_cell)
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(
            "image must be one image of shape (height, width) or (height, width, "
            f"channels); got an array of shape {image.shape}. For a batch, draw "
            "each image in turn."
        )
    image = check_images(image[np.newaxis], min_size=cell, name="image")
    _check_sqrt(image, transform_sqrt)
    dtype = float_dtype(image.dtype)
    # Scaled down if needed so that the squared gradients do not overflow, and
    # the histograms, which do not, scaled back.
    scales = _safe_scales(image, dtype, transform_sqrt, (1, 1))
    histograms = _cell_histograms(
        _float_planes(image, dtype, transform_sqrt, scales), orientations, cell)[0]
    if scales is not None:
        histograms /= scales[0]
    n_cells_row, n_cells_col = histograms.shape[:2]

    # scikit-image's drawing, with its rounding: a segment of half-length
    # ``radius`` perpendicular to the middle of each bin. Cells of fewer than 4
    # pixels leave no room for a segment (scikit-image draws outside the image
    # for 1-pixel cells): each bin is a dot at the centre, so the dot is as
    # bright as the whole histogram; for 1-pixel cells, the gradient magnitude.
    radius = max(min(cell) // 2 - 1, 0)
    middles = np.pi * (np.arange(orientations) + 0.5) / orientations
    dr_arr = radius * np.sin(middles)
    dc_arr = radius * np.cos(middles)
    centre_rows = np.arange(n_cells_row) * cell[0] + cell[0] // 2
    centre_cols = np.arange(n_cells_col) * cell[1] + cell[1] // 2
    picture = np.zeros(image.shape[1:3], dtype=dtype)
    for o in range(orientations):
        # int() truncates toward zero, as astype does.
        row0 = (centre_rows - dc_arr[o]).astype(np.intp)
        row1 = (centre_rows + dc_arr[o]).astype(np.intp)
        col0 = (centre_cols + dr_arr[o]).astype(np.intp)
        col1 = (centre_cols - dr_arr[o]).astype(np.intp)
        # The segment has the same shape in every cell, up to the rare rounding
        # that makes one a pixel longer: draw each shape once, move it to the
        # cells.
        for d_row in np.unique(row1 - row0):
            r = np.flatnonzero(row1 - row0 == d_row)
            for d_col in np.unique(col1 - col0):
                c = np.flatnonzero(col1 - col0 == d_col)
                line_rows, line_cols = line(0, 0, int(d_row), int(d_col))
                rr = row0[r, np.newaxis, np.newaxis] + line_rows
                cc = col0[c, np.newaxis] + line_cols
                np.add.at(picture, (rr, cc), histograms[np.ix_(r, c)][..., o, None])
    return picture
