"""Colour histograms of a batch of images, vectorised over the batch.

:func:`color_histogram` does the work and :class:`ColorHistogram` wraps it as a
scikit-learn transformer. Both give, for each image, the histogram of each of its
channels in a chosen colour space, and equal :func:`numpy.histogram` run image by
image on :func:`skimage.color.rgb2hsv`'s output, at a small fraction of its cost:
the colour conversion and the binning are done for many images at once.
"""

from numbers import Integral

import numpy as np
from sklearn.utils import gen_batches

from ..utils._fixes import Interval, StrOptions, validate_params
from ._image import (
    BaseImageTransformer,
    check_images,
    float_dtype,
    working_memory_bytes,
)

__all__ = ["ColorHistogram", "color_histogram"]

# The letters that name the channels of each colour space, in their order.
_CHANNEL_NAMES = {"rgb": "rgb", "hsv": "hsv"}

# Pixels (or bins) of the images converted and binned at once: the float arrays of
# a block (256 KiB each in float64) stay in the processor's cache, which makes it
# twice as fast as converting a whole batch at once.
_BLOCK_PIXELS = 2**15

# The memory that converting and binning takes per pixel of a block, at most (147
# bytes measured by tracemalloc on RGB images): per channel, six float64 arrays
# (the planes, converted, their bin indices, the bins they start from, and
# temporaries), and a few more per pixel for the colour conversion.
_BYTES_PER_PIXEL = 8 * (6 * 3 + 4)

# Copies of the histograms that neighbouring pixels count into in turn.
_N_COPIES = 4


def _selected_channels(color_space, channels, image_shape):
    """Indices of the channels to histogram, or a ValueError that says why not."""
    names = _CHANNEL_NAMES[color_space]
    if channels is not None and (
        not channels
        or any(letter not in names for letter in channels)
        or len(set(channels)) != len(channels)
    ):
        raise ValueError(
            f"channels must be None or distinct letters of {names!r} (the "
            f"channels of color_space={color_space!r}), such as 'h' for the hue "
            f"alone; got {channels!r}."
        )
    n_channels = image_shape[2] if len(image_shape) == 3 else 1
    if n_channels == 1:
        if color_space != "rgb":
            # Images 3 or 4 pixels wide are more likely one colour image.
            hint = (" For one colour image of shape (height, width, 3), pass "
                    "image[np.newaxis]."
                    if len(image_shape) == 2 and image_shape[1] in (3, 4) else "")
            raise ValueError(
                f"color_space={color_space!r} needs RGB images with 3 channels; got "
                f"grayscale images of shape {tuple(image_shape)}. Use "
                f"color_space='rgb' for the histogram of their intensity.{hint}"
            )
        if channels is not None:
            raise ValueError(
                "Grayscale images have one channel, so channels must be None; got "
                f"channels={channels!r}."
            )
        return [0]
    if n_channels != 3:
        raise ValueError(
            "Colour histograms take RGB images (3 channels) or grayscale ones (no "
            f"channel axis, or 1 channel); got images of shape {tuple(image_shape)}."
        )
    if channels is None:
        return [0, 1, 2]
    return [names.index(letter) for letter in channels]


def _check_pixel_range(images, name="X"):
    """Refuse pixel values outside 0..255 (integer images) or [0, 1] (float)."""
    if images.dtype == np.uint8:
        return
    low, high = images.min(), images.max()
    top = 255 if images.dtype.kind in "ui" else 1
    if low < 0 or high > top:
        raise ValueError(
            f"{name} holds pixel values from {low} to {high}; expected float images "
            "in [0, 1] (scikit-image's convention; divide 0..255 values by 255) or "
            "integer images in 0..255."
        )


def _hsv_planes(rgb):
    """Hue, saturation and value planes from red, green and blue ones.

    The same floating-point operations as :func:`skimage.color.rgb2hsv`, so the
    same values bit for bit, without its boolean indexing, which costs most of its
    time.

    Parameters
    ----------
    rgb : ndarray of shape (3, ...)
        Float planes of red, green and blue, in [0, 1].

    Returns
    -------
    hsv : ndarray of shape (3, ...)
        Hue, saturation and value, in [0, 1], of the dtype of ``rgb``.
    """
    red, green, blue = rgb
    hsv = np.empty_like(rgb)
    hue, saturation, value = hsv
    np.maximum(np.maximum(red, green, out=value), blue, out=value)
    delta = value - np.minimum(np.minimum(red, green), blue)
    # Dividing by max(x, tiny) divides by x wherever x > 0, and gives 0 for grey
    # pixels (delta = 0), as skimage sets them, without 0 / 0 warnings.
    tiny = np.finfo(rgb.dtype).smallest_subnormal
    np.divide(delta, np.maximum(value, tiny), out=saturation)
    # The hue's sector follows the largest channel; skimage assigns red, then
    # green, then blue, so that the last of them wins a tie.
    blue_max = blue == value
    green_max = green == value
    np.subtract(green, blue, out=hue)
    np.subtract(blue, red, out=hue, where=green_max)
    np.subtract(red, green, out=hue, where=blue_max)
    hue /= np.maximum(delta, tiny)
    one = rgb.dtype.type(1)  # offsets of the planes' dtype: float32 stays float32
    hue += np.where(blue_max, 4 * one, green_max * (2 * one))
    hue /= 6.0
    # skimage's `% 1.0` on values in [-1/6, 5/6]: one added to the negative ones.
    hue += hue < 0
    # Grey pixels have no hue; skimage sets it to 0.
    hue *= delta > 0
    return hsv


def _rgb2hsv(rgb):
    """:func:`skimage.color.rgb2hsv` of float images in [0, 1], vectorised.

    Parameters
    ----------
    rgb : ndarray of shape (..., 3)
        Float32 or float64 RGB pixels in [0, 1], such as a batch of images or
        one pixel.

    Returns
    -------
    hsv : ndarray of shape (..., 3)
        Their hue, saturation and value, of the dtype of ``rgb``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction._color import _rgb2hsv
    >>> _rgb2hsv(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.5]]))
    array([[0.        , 1.        , 1.        ],
           [0.66666667, 1.        , 1.        ],
           [0.        , 0.        , 0.5       ]])
    """
    pixels = np.reshape(rgb, (-1, 3))
    return _hsv_planes(pixels.T).T.reshape(np.shape(rgb))


def _bin_edges(bins, dtype):
    """The edges that :func:`_bin_index` compares values with."""
    edges = np.linspace(0, 1, bins + 1, dtype=dtype)
    # No value is at or beyond the last edge: the last bin includes 1.
    edges[-1] = np.inf
    return edges


def _bin_index(values, edges):
    """The bin of :func:`numpy.histogram` that each value of [0, 1] falls into.

    ``np.histogram(values, bins, range=(0, 1))`` puts a value in bin ``k`` when
    it lies between ``np.linspace(0, 1, bins + 1)[k]`` (included) and ``[k + 1]``
    (excluded, but for the last bin), compared in the values' dtype. Rather than
    searching for it, take the edge ``g`` nearest each value: the value lies
    between edges ``g - 1`` and ``g + 1``, far beyond rounding errors, so its
    bin is ``g``, or ``g - 1`` if it lies below edge ``g``.

    Parameters
    ----------
    values : ndarray
        Float values in [0, 1].
    edges : ndarray of shape (bins + 1,)
        ``_bin_edges(bins, values.dtype)``.

    Returns
    -------
    bin_index : ndarray of int, of the shape of ``values``
    """
    bins = len(edges) - 1
    # Rounding moves value * bins by at most bins * 2**-23 in float32, a
    # hundredth of a bin for 2**16 bins: far less than the half bin allowed.
    dtype = values.dtype if bins <= 2**16 else np.float64
    nearest = np.multiply(values, bins, dtype=dtype)
    nearest += 0.5
    bin_index = nearest.astype(np.intp)
    bin_index -= values < edges.take(bin_index)
    return bin_index


def _float_planes(images, dtype):
    """Channel-first float planes ``(n_channels, n_images, n_pixels)`` in [0, 1]."""
    n_images = len(images)
    # A view for C-ordered images, or for a band of rows of one; else a copy of
    # the images given, which are a block or a band.
    pixels = images.reshape(n_images, images.shape[1] * images.shape[2], -1)
    pixels = pixels.transpose(2, 0, 1)
    planes = np.empty(pixels.shape, dtype=dtype)
    if images.dtype.kind in "ui":
        # As skimage.util.img_as_float scales uint8 images: times the float 1/255.
        np.multiply(pixels, 1 / 255, out=planes, dtype=dtype)
    else:
        planes[...] = pixels
    return planes


def _color_histogram(images, *, bins, color_space, channels):
    """The histograms of validated images, converted and binned by blocks.

    ``images`` keep their dtype: integer pixels are 0..255, float ones in [0, 1].
    A block is a few images, or a band of rows of a large image, whose counts
    add up: beyond the histograms, memory follows scikit-learn's
    ``working_memory`` whatever the size of the images (down to one row).
    """
    n_images, height, width = images.shape[:3]
    n_pixels = height * width
    selected = _selected_channels(color_space, channels, images.shape[1:])
    n_selected = len(selected)
    dtype = float_dtype(images.dtype)
    edges = _bin_edges(bins, dtype)
    histograms = np.empty((n_images, n_selected * bins), dtype=dtype)

    # One np.bincount per block: channel k of the block's image i counts into
    # bins (i * n_selected + k) * bins onwards. Neighbouring pixels often share a
    # bin, and np.bincount then waits on the count it has just incremented;
    # pixel p counts into copy p % _N_COPIES of the histograms instead, which
    # makes it a third faster.
    block_pixels = min(_BLOCK_PIXELS, working_memory_bytes() // _BYTES_PER_PIXEL)
    per_block = max(1, int(block_pixels // max(n_pixels, n_selected * bins)))
    # Rows per band: all of them unless one image is already too many pixels.
    band = max(1, int(block_pixels // (per_block * width)))
    n_block_bins = per_block * n_selected * bins
    first_bin = np.arange(per_block) * n_selected + np.arange(n_selected)[:, None]
    first_bin = (bins * first_bin)[..., None] + (
        np.arange(min(band, height) * width) % _N_COPIES * n_block_bins
    )
    for block in gen_batches(n_images, per_block):
        counts = np.zeros(_N_COPIES * n_block_bins, dtype=np.intp)
        # range, not gen_batches: its parameter validation costs 5% here.
        for top in range(0, height, band):
            planes = _float_planes(images[block, top:top + band], dtype)
            if color_space == "hsv":
                planes = _hsv_planes(planes)
            if n_selected < len(planes):
                planes = planes[selected]
            n_block, n_band_pixels = planes.shape[1:]
            bin_index = _bin_index(planes, edges)
            del planes
            bin_index += first_bin[:, :n_block, :n_band_pixels]
            counts += np.bincount(bin_index.ravel(), minlength=len(counts))
        counts = counts.reshape(_N_COPIES, n_block_bins).sum(axis=0)
        histograms[block] = counts[: n_block * n_selected * bins].reshape(n_block, -1)
    histograms /= n_pixels
    return histograms


@validate_params(
    {
        "images": ["array-like"],
        "bins": [Interval(Integral, 1, None, closed="left")],
        "color_space": [StrOptions({"rgb", "hsv"})],
        "channels": [str, None],
    },
    prefer_skip_nested_validation=True,
)
def color_histogram(images, *, bins=10, color_space="hsv", channels=None):
    """Histogram of each channel of each image, in a chosen colour space.

    Each channel's values are counted into ``bins`` equal bins over [0, 1], as
    ``np.histogram(channel, bins=bins, range=(0, 1))`` counts them (the last bin
    includes 1), and divided by the number of pixels: each channel's histogram
    is the fraction of the image's pixels in each bin, and sums to 1 (up to
    rounding). The colour conversion and the binning are vectorised over the
    images, taken a few dozen (of 32x32 pixels) at a time to stay in the cache.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width[, channels])
        RGB images (3 channels) or grayscale ones (no channel axis, or 1 channel):
        uint8 or another integer type with pixels in 0..255, or float with pixels
        in [0, 1] (scikit-image's convention). An integer image is scaled to
        [0, 1] as :func:`skimage.util.img_as_float` scales a uint8 one.
    bins : int, default=10
        Number of equal bins over [0, 1] for each channel.
    color_space : {"hsv", "rgb"}, default="hsv"
        The channels to histogram:

        - "hsv": hue, saturation and value, as :func:`skimage.color.rgb2hsv`
          computes them, each in [0, 1]. Needs RGB images.
        - "rgb": red, green and blue as given, or the one intensity of grayscale
          images.
    channels : str, default=None
        The channels of ``color_space`` to histogram, as distinct letters of
        "hsv" or "rgb" in the order their histograms are wanted; None for all
        three. ``channels="h"`` gives the hue histogram alone: with the default
        ``bins=10``, the colour feature of Stanford's CS231n course
        (``color_histogram_hsv``). Must be None for grayscale images.

    Returns
    -------
    histograms : ndarray of shape (n_images, n_channels * bins)
        For each image, the histogram of each selected channel, one after the
        other. float32 for float32 images, else float64.

    Raises
    ------
    ValueError
        For float pixels outside [0, 1] or integer ones outside 0..255,
        ``color_space="hsv"`` on grayscale images, images with neither 1 nor 3
        channels, or ``channels`` that are not distinct letters of
        ``color_space``; and for what :func:`check_images` refuses.

    See Also
    --------
    ColorHistogram : The same as a scikit-learn transformer.
    skimage.color.rgb2hsv : The colour conversion of ``color_space="hsv"``.
    numpy.histogram : The histogram of one channel of one image.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import color_histogram
    >>> images = np.zeros((2, 4, 4, 3), dtype=np.uint8)
    >>> images[0, :2] = [255, 0, 0]      # top half red, bottom half black
    >>> images[1] = [0, 0, 255]          # all blue
    >>> color_histogram(images, bins=3, color_space="rgb")
    array([[0.5, 0. , 0.5, 1. , 0. , 0. , 1. , 0. , 0. ],
           [1. , 0. , 0. , 1. , 0. , 0. , 0. , 0. , 1. ]])

    The hue alone (red is 0, blue 2/3; black has hue 0):

    >>> color_histogram(images, bins=3, channels="h")
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    images = check_images(images, name="images")
    _check_pixel_range(images, name="images")
    return _color_histogram(
        images, bins=bins, color_space=color_space, channels=channels
    )


class ColorHistogram(BaseImageTransformer):
    """Histogram of each channel of each image, in a chosen colour space.

    A transformer wrapping :func:`color_histogram`: each image gives one row, the
    histograms of its selected channels one after the other, each of ``bins``
    values that sum to 1 (the fraction of the image's pixels in each bin).
    ``np.histogram(channel, bins=bins, range=(0, 1))`` counts the same, image by
    image; here the colour conversion and the binning are vectorised over the
    images.

    Read more in the :ref:`User Guide <features>`.

    Parameters
    ----------
    bins : int, default=10
        Number of equal bins over [0, 1] for each channel; the last bin includes 1.
    color_space : {"hsv", "rgb"}, default="hsv"
        The channels to histogram:

        - "hsv": hue, saturation and value, as :func:`skimage.color.rgb2hsv`
          computes them, each in [0, 1]. Needs RGB images.
        - "rgb": red, green and blue as given, or the one intensity of grayscale
          images.
    channels : str, default=None
        The channels of ``color_space`` to histogram, as distinct letters of
        "hsv" or "rgb" in the order their histograms are wanted; None for all
        three. ``channels="h"`` gives the hue histogram alone: with the default
        ``bins=10``, the colour feature of Stanford's CS231n course
        (``color_histogram_hsv``). Must be None for grayscale images.
    image_shape : tuple or list of int, default=None
        ``(height, width)`` or ``(height, width, channels)`` of each image, to
        take 2-D input as rows of flattened images (row-major, channels last).

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(height, width)`` or ``(height, width, channels)`` of the images seen in
        ``fit``; ``transform`` takes images of this shape only.
    feature_names_in_ : ndarray of shape (n_pixel_values,)
        Names of the columns of ``X``. Defined only when ``X`` is a DataFrame of
        flattened images with string column names.

    See Also
    --------
    color_histogram : The function this transformer wraps.
    skimage.color.rgb2hsv : The colour conversion of ``color_space="hsv"``.

    Notes
    -----
    uint8 and other integer images hold pixels in 0..255, float images in
    [0, 1] (scikit-image's convention); other float values raise a ValueError,
    in ``fit`` and in ``transform``.

    Examples
    --------
    >>> from sklinear.feature_extraction import ColorHistogram
    >>> from sklinear.utils.estimator_checks import make_images
    >>> images, y = make_images(4, (32, 32, 3))
    >>> hue = ColorHistogram(channels="h")  # CS231n's color_histogram_hsv
    >>> hue.fit_transform(images).shape
    (4, 10)
    >>> features = ColorHistogram(bins=8).fit_transform(images)
    >>> features.shape
    (4, 24)
    >>> features[:, :8].sum(axis=1)  # each channel's histogram sums to 1
    array([1., 1., 1., 1.])
    """

    _parameter_constraints: dict = {
        **BaseImageTransformer._parameter_constraints,
        "bins": [Interval(Integral, 1, None, closed="left")],
        "color_space": [StrOptions({"rgb", "hsv"})],
        "channels": [str, None],
    }

    def __init__(self, bins=10, color_space="hsv", channels=None, image_shape=None):
        self.bins = bins
        self.color_space = color_space
        self.channels = channels
        self.image_shape = image_shape

    def _check_channels(self, image_shape):
        _selected_channels(self.color_space, self.channels, image_shape)

    def _n_features(self, image_shape):
        selected = _selected_channels(self.color_space, self.channels, image_shape)
        return self.bins * len(selected)

    def _bytes_per_image(self, image_shape):
        # _color_histogram converts and bins a chunk in blocks of a fixed number
        # of pixels, so beyond those few MiB an image costs its row of counts.
        return 8 * self._n_features(image_shape)

    def _validate_images(self, X, *, reset):
        images = super()._validate_images(X, reset=reset)
        _check_pixel_range(images)
        return images

    def _transform_chunk(self, images):
        return _color_histogram(
            images, bins=self.bins, color_space=self.color_space, channels=self.channels
        )
