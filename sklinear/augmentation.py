"""More training images from the ones there are: mirror images and small shifts.

A scikit-learn transformer cannot change the number of samples, so
augmentation is a *sampler*, as imbalanced-learn defines it: an estimator with
``fit_resample(X, y)`` that returns more samples, which
:class:`imblearn.pipeline.Pipeline` calls when it fits and skips when it
predicts. Only training data is augmented, in each fold of a cross-validation
too, so that the scores stay honest::

    from imblearn.pipeline import make_pipeline
    make_pipeline(ImageAugmenter(), HoG(), SoftmaxClassifier())

imbalanced-learn is optional (``pip install ".[augment]"`` from a clone, or
``pip install imbalanced-learn``): the functions and :class:`ImageAugmenter`
work without it.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target

from .feature_extraction import check_images
from .utils._fixes import Interval, StrOptions

__all__ = ["ImageAugmenter", "flip_images", "shift_images"]


def flip_images(images):
    """Mirror each image left to right.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width[, channels])
        The images (see :func:`~sklinear.feature_extraction.check_images`).

    Returns
    -------
    flipped : ndarray of the same shape and dtype
        A new array: column ``j`` of each image is column ``width - 1 - j`` of
        the original.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.augmentation import flip_images
    >>> flip_images(np.array([[[1, 2, 3], [4, 5, 6]]]))
    array([[[3, 2, 1],
            [6, 5, 4]]])
    """
    images = check_images(images, name="images")
    return images[:, :, ::-1].copy()


def shift_images(images, max_shift, *, padding="constant", random_state=None):
    """Shift each image by a random number of pixels in each direction.

    Each image is padded by ``max_shift`` pixels on every side, then cropped
    back to its size at a random offset: a shift by ``(dy, dx)``, each drawn
    uniformly from ``-max_shift`` to ``max_shift``. Krizhevsky et al. (2012)
    trained on such crops.

    Parameters
    ----------
    images : array-like of shape (n_images, height, width[, channels])
        The images (see :func:`~sklinear.feature_extraction.check_images`).
    max_shift : int
        The largest shift, in pixels, non-negative and smaller than the
        images' height and width.
    padding : {"constant", "reflect", "edge"}, default="constant"
        What comes in at the border: zeros, the mirror image of the pixels
        inside, or copies of the border pixels (:func:`numpy.pad`'s modes).
    random_state : int, RandomState instance or None, default=None
        Draws the shifts.

    Returns
    -------
    shifted : ndarray of the same shape and dtype
        A new array.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.augmentation import shift_images
    >>> image = np.arange(1, 10).reshape(1, 3, 3)
    >>> shift_images(image, 1, random_state=0)  # one pixel down
    array([[[0, 0, 0],
            [1, 2, 3],
            [4, 5, 6]]])
    """
    images = check_images(images, name="images")
    _check_max_shift(max_shift, images)
    if padding not in ("constant", "reflect", "edge"):
        raise ValueError(
            "padding must be 'constant', 'reflect' or 'edge'; "
            f"got {padding!r}."
        )
    shifted = np.empty_like(images)
    _shift_into(images, int(max_shift), padding, check_random_state(random_state),
                shifted)
    return shifted


def _check_max_shift(max_shift, images):
    height, width = images.shape[1:3]
    if not (isinstance(max_shift, Integral) and 0 <= max_shift < min(height, width)):
        raise ValueError(
            f"max_shift must be an integer from 0 to {min(height, width) - 1} for "
            f"images of {height}x{width} pixels; got {max_shift!r}."
        )


def _shift_into(images, s, padding, rng, out):
    """Write ``images`` shifted by up to ``s`` pixels into ``out`` (checked
    images and parameters)."""
    height, width = images.shape[1:3]
    offsets = rng.randint(0, 2 * s + 1, size=(len(images), 2))
    widths = [(0, 0), (s, s), (s, s)] + [(0, 0)] * (images.ndim - 3)
    padded = np.pad(images, widths, mode=padding)
    # One slice per distinct offset, (2 s + 1)^2 of them at most, not one per
    # image.
    codes = offsets[:, 0] * (2 * s + 1) + offsets[:, 1]
    for code in np.unique(codes):
        rows = np.flatnonzero(codes == code)
        top, left = divmod(int(code), 2 * s + 1)
        out[rows] = padded[rows, top:top + height, left:left + width]


class ImageAugmenter(BaseEstimator):
    """Add mirrored and shifted copies of the training images (a sampler).

    ``fit_resample(X, y)`` returns the images of ``X``, then, if ``flip``,
    their mirror images, then ``n_shifted`` randomly shifted copies of each
    (of the mirrored ones too), with the labels repeated to match: for
    :class:`imblearn.pipeline.Pipeline`, which augments the data it fits on
    and none that it predicts.

    Read more in the :ref:`User Guide <cifar_record>`.

    Parameters
    ----------
    flip : bool, default=True
        Add the mirror image of each image (:func:`flip_images`).
    max_shift : int, default=0
        Add shifted copies, shifted by up to this many pixels in each direction
        (:func:`shift_images`); 0 adds none.
    n_shifted : int, default=1
        How many shifted copies of each image (and of each mirror image) to add
        when ``max_shift > 0``.
    padding : {"constant", "reflect", "edge"}, default="constant"
        What a shift brings in at the border.
    image_shape : tuple of int, default=None
        ``(height, width[, channels])`` of the images when ``X`` holds them as
        flat rows; the augmented rows are flat too.
    random_state : int, RandomState instance or None, default=None
        Draws the shifts.

    Attributes
    ----------
    image_shape_ : tuple of int
        The shape of each image seen in the last ``fit_resample``.
    n_features_in_ : int
        The number of values per image (per row when ``X`` is flat).

    See Also
    --------
    flip_images, shift_images : The augmentations, as functions.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.augmentation import ImageAugmenter
    >>> images = np.zeros((4, 8, 8, 3), dtype=np.uint8)
    >>> X, y = ImageAugmenter(max_shift=2, random_state=0).fit_resample(
    ...     images, [0, 1, 0, 1])
    >>> X.shape, y.tolist()
    ((16, 8, 8, 3), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1])

    In a pipeline that augments only what it trains on:

    >>> from imblearn.pipeline import make_pipeline  # doctest: +SKIP
    >>> from sklinear import HoG, SoftmaxClassifier
    >>> model = make_pipeline(ImageAugmenter(), HoG(),  # doctest: +SKIP
    ...                       SoftmaxClassifier())
    """

    _parameter_constraints: dict = {
        "flip": ["boolean"],
        "max_shift": [Interval(Integral, 0, None, closed="left")],
        "n_shifted": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"constant", "reflect", "edge"})],
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, flip=True, max_shift=0, n_shifted=1, padding="constant",
                 image_shape=None, random_state=None):
        self.flip = flip
        self.max_shift = max_shift
        self.n_shifted = n_shifted
        self.padding = padding
        self.image_shape = image_shape
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # A batch of images is an N-D array, as for the image transformers.
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags

    def _check(self, X, y):
        self._validate_params()
        images = check_images(X, image_shape=self.image_shape)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        target = type_of_target(y, input_name="y")
        if target not in ("binary", "multiclass"):
            raise ValueError(
                f"Unknown label type: y must be class labels, one per image; got "
                f"a target of type {target!r}."
            )
        if len(y) != len(images):
            raise ValueError(
                f"X holds {len(images)} images and y {len(y)} labels; expected "
                "one label per image."
            )
        return images, y

    def fit(self, X, y):
        """Check the images and labels; nothing is learnt.

        Parameters
        ----------
        X : array-like of shape (n_images, height, width[, channels])
            Or flat rows with ``image_shape``.
        y : array-like of shape (n_images,)
            The class of each image.

        Returns
        -------
        self : ImageAugmenter
        """
        images, _ = self._check(X, y)
        self._record(images)
        return self

    def _record(self, images):
        self.image_shape_ = images.shape[1:]
        self.n_features_in_ = int(np.prod(self.image_shape_))

    def fit_resample(self, X, y):
        """The images and their augmented copies, with their labels.

        Parameters
        ----------
        X : array-like of shape (n_images, height, width[, channels])
            Or flat rows with ``image_shape``.
        y : array-like of shape (n_images,)
            The class of each image.

        Returns
        -------
        X_resampled : ndarray
            The images, their mirror images (if ``flip``), then the shifted
            copies of both, in the layout of ``X`` (flat rows stay flat) and
            its dtype.
        y_resampled : ndarray
            ``y`` repeated to match.
        """
        images, y = self._check(X, y)
        _check_max_shift(self.max_shift, images)
        n = len(images)
        n_plain = 2 if self.flip else 1
        n_batches = n_plain * (1 + (self.n_shifted if self.max_shift else 0))
        # All of the output at once, before any copy: a size beyond memory
        # fails here, not after the copies that fit, and nothing is joined.
        resampled = np.empty((n_batches * n, *images.shape[1:]), dtype=images.dtype)
        resampled[:n] = images
        if self.flip:
            resampled[n:2 * n] = images[:, :, ::-1]
        if self.max_shift:
            rng = check_random_state(self.random_state)
            for k in range(n_plain, n_batches):
                source = resampled[(k % n_plain) * n:(k % n_plain + 1) * n]
                _shift_into(source, self.max_shift, self.padding, rng,
                            resampled[k * n:(k + 1) * n])
        self._record(images)
        if np.ndim(X) == 2:
            resampled = resampled.reshape(len(resampled), -1)
        return resampled, np.tile(y, n_batches)
