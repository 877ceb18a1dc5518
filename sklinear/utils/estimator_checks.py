"""Compliance checks for transformers whose input is a batch of images.

scikit-learn's :func:`~sklearn.utils.estimator_checks.check_estimator` skips most
of its checks for an estimator whose tags say its input is N-D, as an image
transformer's is. These checks cover what a scikit-learn user relies on for
such a transformer, on a batch of 4-D images: cloning and parameters, the
not-fitted error, pickling, ``fit().transform()`` against ``fit_transform()``,
determinism, feature names, pandas output, dtypes, untouched input, and use
inside ``Pipeline``, ``FeatureUnion`` and ``GridSearchCV``.

Use :func:`check_image_transformer` to run them all, or iterate over
:func:`image_transformer_checks` to run each as its own test.
"""

import pickle
from functools import partial
from unittest import SkipTest

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline

__all__ = ["check_image_transformer", "image_transformer_checks", "make_images"]


def make_images(n_images=16, shape=(32, 32, 3), *, dtype=np.uint8, random_state=0):
    """A seeded batch of images with a learnable two-class target.

    Parameters
    ----------
    n_images : int, default=16
        Number of images.
    shape : tuple of int, default=(32, 32, 3)
        ``(height, width)`` or ``(height, width, channels)``.
    dtype : dtype, default=np.uint8
        The dtype of the pixels: uint8 gives 0..255, a float dtype values in
        [0, 1].
    random_state : int, default=0
        Seed.

    Returns
    -------
    images : ndarray of shape (n_images, height, width[, channels])
        The images: a smooth gradient plus noise.
    y : ndarray of shape (n_images,)
        0 for the darker half of the images, 1 for the brighter half, so that a
        classifier on almost any image feature can learn it.

    Examples
    --------
    >>> from sklinear.utils.estimator_checks import make_images
    >>> images, y = make_images(4, (8, 8))
    >>> images.shape, images.dtype, y.tolist()
    ((4, 8, 8), dtype('uint8'), [0, 1, 0, 1])
    """
    rng = np.random.default_rng(random_state)
    y = np.arange(n_images) % 2
    noise = rng.random((n_images, *shape))
    # A smooth gradient plus noise, brighter and in another direction for class 1.
    rows = np.linspace(0, 1, shape[0])[:, None]
    cols = np.linspace(0, 1, shape[1])[None, :]
    pattern = np.where(y[:, None, None] == 1, cols + 0.5, rows)
    if len(shape) == 3:
        pattern = pattern[..., None]
    images = np.clip(0.5 * pattern + 0.5 * noise, 0, 1)
    if np.dtype(dtype) == np.uint8:
        return (images * 255).round().astype(np.uint8), y
    return images.astype(dtype), y


def _fitted(transformer, images):
    return clone(transformer).fit(images)


def _with_seed(transformer):
    if "random_state" in transformer.get_params():
        return clone(transformer).set_params(random_state=0)
    return clone(transformer)


def check_clone_and_params(transformer, images):
    params = transformer.get_params()
    cloned = clone(transformer)
    assert cloned.get_params() == params, "a clone must have the same parameters"
    cloned.set_params(**params)
    assert cloned.get_params() == params, "set_params must set the parameters"


def check_not_fitted_error(transformer, images):
    try:
        clone(transformer).transform(images)
    except NotFittedError:
        return
    raise AssertionError("transform before fit must raise NotFittedError")


def check_fit_returns_self(transformer, images):
    est = clone(transformer)
    assert est.fit(images) is est, "fit must return the transformer itself"


def check_fit_transform(transformer, images):
    est = _with_seed(transformer)
    separately = _fitted(est, images).transform(images)
    together = clone(est).fit_transform(images)
    assert separately.ndim == 2 and len(separately) == len(images), (
        "transform must give one row of features per image"
    )
    assert_allclose(separately, together, rtol=1e-6, atol=1e-7,
                    err_msg="fit_transform must equal fit().transform()")


def check_deterministic(transformer, images):
    est = _with_seed(transformer)
    assert_array_equal(
        _fitted(est, images).transform(images), _fitted(est, images).transform(images),
        err_msg="two fits with the same parameters (and random_state) must give "
        "the same features",
    )


def check_pickle(transformer, images):
    est = _fitted(_with_seed(transformer), images)
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(est.transform(images), again.transform(images),
                       err_msg="a fitted transformer must transform the same "
                       "once pickled and loaded")


def check_feature_names_out(transformer, images):
    est = _fitted(transformer, images)
    names = est.get_feature_names_out()
    assert len(names) == est.transform(images[:2]).shape[1], (
        "get_feature_names_out must give one name per feature"
    )
    assert len(set(names)) == len(names), "the feature names must be unique"
    assert all(isinstance(name, str) for name in names), (
        "the feature names must be strings"
    )


def check_pandas_output(transformer, images):
    try:
        import pandas as pd
    except ImportError as error:
        raise SkipTest("pandas is not installed: pip install pandas") from error
    est = _with_seed(transformer).set_output(transform="pandas")
    frame = est.fit(images).transform(images)
    assert isinstance(frame, pd.DataFrame), (
        'set_output(transform="pandas") must make transform give a DataFrame'
    )
    assert_array_equal(frame.columns, est.get_feature_names_out(),
                       err_msg="the columns must be the feature names")
    assert frame.index.equals(pd.RangeIndex(len(images))), (
        "the index must number the images"
    )


def check_dtypes(transformer, images):
    as_float = images.astype(np.float64) / (255 if images.dtype == np.uint8 else 1)
    for dtype, expected in [(np.float32, np.float32), (np.float64, np.float64),
                            (np.uint8, np.float64)]:
        batch = (as_float * 255).round().astype(np.uint8) if dtype == np.uint8 \
            else as_float.astype(dtype)
        out = _fitted(_with_seed(transformer), batch).transform(batch)
        assert out.dtype == expected, f"{np.dtype(dtype)} in gave {out.dtype} out"
        assert np.all(np.isfinite(out)), f"{np.dtype(dtype)} in gave non-finite out"


def check_input_not_modified(transformer, images):
    before = images.copy()
    read_only = images.copy()
    read_only.setflags(write=False)
    _fitted(transformer, read_only).transform(read_only)
    est = _fitted(transformer, images)
    est.transform(images)
    assert_array_equal(images, before,
                       err_msg="fit and transform must not modify their input")


def check_list_and_flat_input(transformer, images):
    est = _fitted(_with_seed(transformer), images)
    expected = est.transform(images)
    assert_allclose(est.transform(list(images)), expected,
                    err_msg="a list of images must give the features of the array")
    flat = clone(est).set_params(image_shape=images.shape[1:])
    rows = images.reshape(len(images), -1)
    assert_allclose(flat.fit(rows).transform(rows), expected, rtol=1e-6,
                    err_msg="rows of flattened images, with image_shape, must "
                    "give the features of the images")


def check_image_shape_mismatch(transformer, images):
    est = _fitted(transformer, images)
    bigger = np.concatenate([images, images], axis=1)
    try:
        est.transform(bigger)
    except ValueError as error:
        assert "shape" in str(error)
        return
    raise AssertionError("transform on images of another shape must raise ValueError")


def _classifier():
    from ..linear_model import SoftmaxClassifier

    return SoftmaxClassifier(random_state=0, max_iter=20, tol=None)


def check_in_pipeline(transformer, images, y):
    from sklearn.preprocessing import StandardScaler

    pipe = Pipeline([("features", _with_seed(transformer)),
                     ("scale", StandardScaler()), ("clf", _classifier())])
    pipe.fit(images, y)
    assert pipe.predict(images).shape == y.shape, "one prediction per image"


def check_in_feature_union(transformer, images):
    union = FeatureUnion(
        [("a", _with_seed(transformer)), ("b", _with_seed(transformer))]
    )
    out = union.fit_transform(images)
    single = _fitted(_with_seed(transformer), images).transform(images)
    assert out.shape == (len(images), 2 * single.shape[1]), (
        "FeatureUnion must put the two transformers' features side by side"
    )
    assert_allclose(out[:, single.shape[1]:], single, rtol=1e-6, atol=1e-7,
                    err_msg="in a FeatureUnion, the features must be the same")


def check_in_grid_search(transformer, images, y):
    pipe = Pipeline([("features", _with_seed(transformer)), ("clf", _classifier())])
    # A fit that fails is an error, not a score of NaN.
    search = GridSearchCV(pipe, {"clf__alpha": [1e-4, 1e-2]}, cv=2,
                          error_score="raise")
    search.fit(images, y)
    assert len(search.cv_results_["params"]) == 2
    assert search.predict(images).shape == y.shape, "one prediction per image"


def image_transformer_checks(transformer, images=None, y=None):
    """Yield each compliance check as a callable of no arguments.

    Parameters
    ----------
    transformer : estimator
        An unfitted image transformer, such as :class:`~sklinear.HoG`, with an
        ``image_shape`` parameter.
    images : ndarray of shape (n_images, height, width[, channels]), default=None
        A batch to check on; by default :func:`make_images` gives 16 random
        32x32 colour uint8 images.
    y : ndarray of shape (n_images,), default=None
        Classes of ``images`` for the pipeline checks; required with ``images``.

    Yields
    ------
    check : callable
        A :func:`functools.partial` whose ``func.__name__`` names the check.

    Examples
    --------
    >>> from sklinear.utils.estimator_checks import image_transformer_checks
    >>> from sklinear.feature_extraction import HoG
    >>> [check.func.__name__ for check in image_transformer_checks(HoG())][:3]
    ['check_clone_and_params', 'check_not_fitted_error', 'check_fit_returns_self']
    """
    if images is None:
        images, y = make_images()
    elif y is None:
        raise ValueError("y is required with images: the classes of the images.")
    images = np.asarray(images)
    for check in (check_clone_and_params, check_not_fitted_error,
                  check_fit_returns_self, check_fit_transform, check_deterministic,
                  check_pickle, check_feature_names_out, check_pandas_output,
                  check_dtypes, check_input_not_modified, check_list_and_flat_input,
                  check_image_shape_mismatch, check_in_feature_union):
        yield partial(check, transformer, images)
    for check in (check_in_pipeline, check_in_grid_search):
        yield partial(check, transformer, images, y)


def check_image_transformer(transformer, images=None, y=None):
    """Run every compliance check on an image transformer.

    Parameters
    ----------
    transformer : estimator
        An unfitted image transformer with an ``image_shape`` parameter.
    images, y : ndarray, default=None
        The batch and its classes to check on; see
        :func:`image_transformer_checks`.

    Raises
    ------
    AssertionError
        From the first check that fails, naming what was expected.

    Examples
    --------
    >>> from sklinear.utils.estimator_checks import check_image_transformer
    >>> from sklinear.feature_extraction import ColorHistogram
    >>> check_image_transformer(ColorHistogram())
    """
    for check in image_transformer_checks(transformer, images, y):
        try:
            check()
        except SkipTest:
            continue
