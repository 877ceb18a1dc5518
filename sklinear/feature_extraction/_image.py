"""One validation path for batches of images, and the base of the image transformers.

Every transformer of :mod:`sklinear.feature_extraction` takes the same input: a
batch of images of shape ``(n_images, height, width)`` (grayscale) or
``(n_images, height, width, channels)``, uint8 in ``0..255`` or float, or a list of
equally shaped images, or 2-D rows of flattened images when the transformer's
``image_shape`` parameter gives their shape. :func:`check_images` validates it
once, for all of them, without copying or modifying what it is given, and
:class:`BaseImageTransformer` does the scikit-learn plumbing around a subclass's
per-chunk computation.
"""

from abc import ABCMeta, abstractmethod
from numbers import Integral

import numpy as np
from sklearn import get_config
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import gen_batches
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["check_images"]


def _describe(X):
    return f"an array of shape {X.shape} and dtype {X.dtype}"


def _one_image_hint(X, name):
    """What to do if a 3-D ``X`` is one colour image, read as a batch of
    grayscale images one pixel row each: nothing to say for other shapes."""
    if np.ndim(X) == 3 and np.shape(X)[-1] in (3, 4):
        n_images, height, width = np.shape(X)
        return (f" {name}, of shape {np.shape(X)}, reads as {n_images} grayscale "
                f"images of {height}x{width} pixels; if it is one colour image, "
                f"pass {name}[np.newaxis].")
    return ""


def working_memory_bytes():
    """scikit-learn's ``working_memory``, the bound on temporary arrays, in bytes."""
    return get_config()["working_memory"] * 2**20


def check_images(X, *, image_shape=None, min_size=(1, 1), name="X"):
    """Validate a batch of images.

    Parameters
    ----------
    X : array-like of shape (n_images, height, width[, channels])
        The images: uint8 or another integer type (taken as 0..255
        intensities), or float; or a list of equally shaped images; or rows of
        flattened images, of shape ``(n_images, n_pixels)``, with ``image_shape``.
    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(height, width, channels)`` of each image, to
        reshape 2-D rows of flattened images (row-major, channels last).
    min_size : tuple of int, default=(1, 1)
        The smallest ``(height, width)`` accepted, such as one cell or patch.
    name : str, default="X"
        How error messages call the input.

    Returns
    -------
    images : ndarray of shape (n_images, height, width[, channels])
        A view of ``X`` whenever possible (never a modified one). Integer images
        keep their dtype; boolean become uint8.

    Raises
    ------
    ValueError
        For a wrong number of dimensions, flat rows without (or not matching)
        ``image_shape``, images smaller than ``min_size``, no images, a non-numeric
        dtype, NaN or infinite pixels, or pixels beyond the range of float64
        (possible with ``np.longdouble``). The message says what was expected.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import check_images
    >>> check_images(np.zeros((5, 32, 32, 3), dtype=np.uint8)).shape
    (5, 32, 32, 3)
    >>> check_images(np.zeros((5, 784)), image_shape=(28, 28)).shape
    (5, 28, 28)
    """
    if isinstance(X, (list, tuple)):
        shapes = {np.shape(image) for image in X}
        if len(shapes) > 1:
            raise ValueError(
                f"{name} is a list of images of different shapes {sorted(shapes)}; "
                "expected images of one shape."
            )
    X = np.asarray(X)
    if X.dtype == bool:
        X = X.astype(np.uint8)
    if X.dtype.kind not in "uif":
        raise ValueError(
            f"{name} must hold numbers (uint8 or float pixels); got {_describe(X)}."
        )
    if X.ndim == 2:
        if image_shape is None:
            raise ValueError(
                f"{name} is 2-D, {_describe(X)}: rows of flattened images need "
                "image_shape=(height, width) or (height, width, channels) to be "
                "reshaped; otherwise pass images of shape (n_images, height, "
                "width[, channels])."
            )
        image_shape = tuple(int(v) for v in image_shape)
        if len(image_shape) not in (2, 3) or int(np.prod(image_shape)) != X.shape[1]:
            raise ValueError(
                f"image_shape={image_shape} does not match rows of {X.shape[1]} "
                "values; expected (height, width) or (height, width, channels) "
                f"whose product is {X.shape[1]}."
            )
        X = X.reshape((X.shape[0], *image_shape))
    elif X.ndim not in (3, 4):
        raise ValueError(
            f"{name} must be a batch of images of shape (n_images, height, width) "
            f"or (n_images, height, width, channels); got {_describe(X)}."
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name} holds no images; expected at least one.")
    height, width = X.shape[1:3]
    if height < min_size[0] or width < min_size[1]:
        raise ValueError(
            f"The images of {name} are {height}x{width} pixels; expected at least "
            f"{min_size[0]}x{min_size[1]} with these parameters."
            + _one_image_hint(X, name)
        )
    if X.dtype.kind == "f":
        # The sum is a cheap test; only when it fails is each pixel looked at.
        with np.errstate(over="ignore", invalid="ignore"):
            total = X.sum(dtype=np.float64)
        if not np.isfinite(total) and not np.isfinite(X).all():
            raise ValueError(
                f"{name} contains NaN or infinite pixels; expected finite values."
            )
        # Features are computed in float64 (float32 for float32 images), where
        # wider floats, such as np.longdouble, may not fit.
        if not np.isfinite(total) and X.dtype.itemsize > 8:
            largest = np.abs(X).max()
            if largest > np.finfo(np.float64).max:
                largest = np.format_float_scientific(largest, 2, unique=False, trim="k")
                raise ValueError(
                    f"{name} holds pixels up to {largest}, beyond the range of "
                    "float64 in which features are computed; expected values "
                    f"float64 can hold (up to {np.finfo(np.float64).max:.3g})."
                )
    return X


def float_dtype(dtype):
    """The float type features are computed in, for images of a dtype.

    Parameters
    ----------
    dtype : numpy.dtype
        The dtype of the images.

    Returns
    -------
    float_type : type
        :class:`numpy.float32` for float32 images, :class:`numpy.float64` for
        everything else (integer pixels included).

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import float_dtype
    >>> float_dtype(np.dtype(np.uint8)).__name__, float_dtype(np.float32).__name__
    ('float64', 'float32')
    """
    return np.float32 if dtype == np.float32 else np.float64


class BaseImageTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                           BaseEstimator, metaclass=ABCMeta):
    """Base of the transformers from a batch of images to one feature row each.

    A subclass implements ``_transform_chunk(images)``, which receives a chunk
    of validated images in their own dtype (integer pixels are 0..255, float ones
    as given; the subclass converts them as it goes, which keeps the float copy
    in the cache) and returns their features in :func:`float_dtype`, and
    ``_n_features(image_shape)``.
    It may override ``_fit_images`` to learn from the training images (by
    setting attributes, never by changing the objects of a previous fit in
    place), ``_min_size`` for the smallest image its parameters allow,
    ``_check_channels`` to refuse a number of channels, ``_bytes_per_image``
    to tell how much working memory one image needs, which sets the chunk size
    from scikit-learn's ``working_memory``, and ``_transform_into`` to write a
    chunk's features straight into the output.

    The fitted ``image_shape_`` is ``(height, width)`` or ``(height, width,
    channels)``; ``transform`` refuses other shapes. A subclass's
    ``_parameter_constraints`` extend those of this class, which validate its
    ``image_shape`` parameter.
    """

    _parameter_constraints: dict = {"image_shape": [tuple, list, None]}

    def _min_size(self):
        return (1, 1)

    def _check_channels(self, image_shape):
        pass

    def _bytes_per_image(self, image_shape):
        # A float64 copy of the image and a few arrays of its size.
        return 8 * 8 * int(np.prod(image_shape))

    def _fit_images(self, images):
        pass

    @abstractmethod
    def _n_features(self, image_shape):
        """The number of features of images of ``image_shape``."""

    @abstractmethod
    def _transform_chunk(self, images):
        """The features of a chunk of validated images."""

    def _transform_into(self, images, out):
        # A subclass that can write into ``out`` saves the chunk's copy of its
        # features, the size of the whole output for one large image.
        out[...] = self._transform_chunk(images)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A batch of images is an N-D array, as for sklearn's PatchExtractor.
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags

    def _validate_images(self, X, *, reset):
        image_shape = getattr(self, "image_shape", None)
        # np.ndim only for a DataFrame: on a list of images of different shapes
        # it fails before check_images can say what is wrong.
        if image_shape is not None and hasattr(X, "columns") and np.ndim(X) == 2:
            # Flattened rows as a DataFrame: record or check the column names.
            X = validate_data(self, X, reset=reset, dtype=None)
        if not reset and len(self.image_shape_) == 3 and getattr(X, "ndim", 0) == 3:
            # Colour images were expected: a 3-D array is grayscale images, or
            # one colour image without its batch axis, which check_images would
            # refuse for its size, or take as images one pixel row each.
            self._refuse_shape(X.shape[1:], _one_image_hint(X, "X"))
        images = check_images(X, image_shape=image_shape, min_size=self._min_size())
        shape = images.shape[1:]
        if reset:
            self._check_channels(shape)
            self.image_shape_ = shape
            self._n_features_out = self._n_features(shape)
        elif shape != self.image_shape_:
            self._refuse_shape(shape)
        return images

    def _refuse_shape(self, shape, hint=""):
        raise ValueError(
            f"X holds images of shape {shape}; {type(self).__name__} was fitted "
            f"on images of shape {self.image_shape_} (height, width[, "
            f"channels]) and expects the same.{hint}"
        )

    def fit(self, X, y=None):
        """Fit to a batch of images.

        Parameters
        ----------
        X : array-like of shape (n_images, height, width[, channels])
            Training images, or flattened rows with ``image_shape``.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._validate_params()
        # The fit runs on a new estimator with the parameters (and settings,
        # such as set_output's) of this one, but none of its fitted attributes,
        # and its state replaces this one's in one assignment: a fit that fails
        # or is interrupted (Ctrl-C), wherever it is, leaves the previous fit
        # whole, and one that ends leaves nothing of it.
        new = object.__new__(type(self))
        new.__dict__.update(
            (name, value) for name, value in vars(self).items()
            if not (name.endswith("_") and not name.startswith("__"))
        )
        images = new._validate_images(X, reset=True)
        new._fit_images(images)
        self.__dict__ = new.__dict__
        return self

    def transform(self, X):
        """Compute the features of each image.

        Parameters
        ----------
        X : array-like of shape (n_images, height, width[, channels])
            Images of the shape seen in ``fit``, or flattened rows with
            ``image_shape``.

        Returns
        -------
        features : ndarray of shape (n_images, n_features)
            One row per image; float32 for float32 images, else float64.
        """
        check_is_fitted(self)
        images = self._validate_images(X, reset=False)
        features = np.empty(
            (len(images), self._n_features_out), dtype=float_dtype(images.dtype)
        )
        # As many images per chunk as scikit-learn's working_memory holds.
        per_image = self._bytes_per_image(self.image_shape_)
        chunk = max(1, int(working_memory_bytes() // per_image))
        for rows in gen_batches(len(images), chunk):
            self._transform_into(images[rows], features[rows])
        return features


def _check_pair(name, value):
    """A size given as an int or a pair of ints, as a pair."""
    pair = (value, value) if isinstance(value, Integral) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, Integral) and v >= 1 for v in pair):
        raise ValueError(
            f"{name} must be a positive int or a pair of positive ints; got {value!r}."
        )
    return pair
