"""Bad input, faults, persistence and concurrency, for every estimator.

Each bad input is refused with a ValueError (scikit-learn's InvalidParameterError
for parameters) whose message says what was wrong and what was expected, in
``fit`` and in ``predict``/``transform`` where it applies, and a fit that fails
(bad input, divergence, an exception from a callback, Ctrl-C) leaves the
estimator exactly as it was. Inputs are never modified; read-only and
memory-mapped ones work. Models survive pickle and joblib, continue training
from where they stopped, and are safe to use from several threads at once.
"""

import copy
import hashlib
import itertools
import os
import pickle
import re
import subprocess
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from _instances import all_instances, estimator_id
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from sklinear import (
    BagOfVisualWords,
    ColorHistogram,
    HoG,
    KMeansFeatures,
    SoftmaxClassifier,
    SVMLinearClassifier,
)

# Every public classifier, with several minibatches per epoch and a fixed
# number of epochs, on tiny data.
CLASSIFIERS = [
    clone(estimator).set_params(batch_size=8, max_iter=4, tol=None, random_state=0)
    for estimator in all_instances("classifier", all_params=False)
]
CLASSIFIER_IDS = [type(estimator).__name__ for estimator in CLASSIFIERS]

# Every public transformer, in each of its test-sized forms (_instances.py).
TRANSFORMERS = list(all_instances("transformer"))
TRANSFORMER_IDS = [estimator_id(transformer) for transformer in TRANSFORMERS]

# A bag of visual words, for the tests of its own errors and threads.
BOVW = BagOfVisualWords(n_words=3, patch_size=4, n_patches=60, random_state=0)


def make_data(n_classes, n_samples=30, n_features=5, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % n_classes
    centres = rng.normal(scale=3.0, size=(n_classes, n_features))
    return centres[y] + rng.normal(size=(n_samples, n_features)), y


@pytest.fixture(scope="module")
def data():
    return make_data(3)


@pytest.fixture(scope="module", params=[2, 3], ids=["binary", "multiclass"])
def any_data(request):
    # Two classes keep one weight vector, coef_ of shape (1, n_features): a
    # layout of its own, where views and copies behave differently.
    return make_data(request.param)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(6, 16, 16, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def fitted_transformers(images):
    """The transformers fitted on ``images``; deep-copy them before use."""
    return {id(transformer): clone(transformer).fit(images)
            for transformer in TRANSFORMERS}


def fitted_copy(transformer, fitted_transformers):
    return copy.deepcopy(fitted_transformers[id(transformer)])


def state(estimator):
    """Every attribute, pickled one by one, to compare exactly."""
    return {
        name: pickle.dumps(value)
        for name, value in vars(estimator).items()
        if name != "_skl_callbacks"
    }


def assert_unfitted(estimator):
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)
    fitted = [name for name in vars(estimator) if name.endswith("_")
              or name in ("_sgd_state", "_n_features_out")]
    assert fitted == [], f"a failed fit left {fitted}"


def methods_of(estimator):
    names = ["predict", "decision_function", "predict_proba", "predict_log_proba"]
    return [name for name in names if hasattr(estimator, name)]


# --- Bad input to the classifiers ----------------------------------------------


def _with_nan(X):
    X = X.copy()
    X[3, 1] = np.nan
    return X


def _with_inf(X):
    X = X.copy()
    X[3, 1] = -np.inf
    return X


def _weights(n, first):
    weights = np.ones(n)
    weights[0] = first
    return weights


# id: (bad (X, y, sample_weight) from good (X, y), the message). Classes 0, 1, 2.
BAD_FIT = {
    "NaN": (lambda X, y: (_with_nan(X), y, None), r"Input X contains NaN"),
    "infinity": (lambda X, y: (_with_inf(X), y, None), r"Input X contains infinity"),
    "no samples": (
        lambda X, y: (X[:0], y[:0], None),
        r"0 sample\(s\) \(shape=\(0, 5\)\) while a minimum of 1 is required",
    ),
    "no features": (
        lambda X, y: (X[:, :0], y, None),
        r"0 feature\(s\) \(shape=\(30, 0\)\) while a minimum of 1 is required",
    ),
    "one sample": (
        lambda X, y: (X[:1], y[:1], None),
        r"needs samples of at least 2 classes; the data contain only one class: 0",
    ),
    "one class": (
        lambda X, y: (X, np.full(len(y), 7), None),
        r"needs samples of at least 2 classes; the data contain only one class: 7",
    ),
    "lengths of X and y": (
        lambda X, y: (X, y[:-1], None),
        r"inconsistent numbers of samples: \[30, 29\]",
    ),
    "length of sample_weight": (
        lambda X, y: (X, y, np.ones(29)),
        r"sample_weight.shape == \(29,\), expected \(30,\)",
    ),
    "2-D sample_weight": (
        lambda X, y: (X, y, np.ones((30, 1))),
        r"Sample weights must be 1D array or scalar",
    ),
    "negative weight": (
        lambda X, y: (X, y, _weights(len(y), -1.0)),
        r"Negative values in data passed to `sample_weight`",
    ),
    "NaN weight": (
        lambda X, y: (X, y, _weights(len(y), np.nan)),
        r"Input sample_weight contains NaN",
    ),
    "infinite weight": (
        lambda X, y: (X, y, _weights(len(y), np.inf)),
        r"Input sample_weight contains infinity",
    ),
    "zero weights": (
        lambda X, y: (X, y, np.zeros(len(y))),
        # scikit-learn's message (>= 1.7), or the package's own.
        r"Sample weights must contain at least one non-zero number"
        r"|sum to zero; at least one sample needs a positive weight",
    ),
    # Strings of digits, as read from a text file: refused, as predict does.
    "strings of digits": (
        lambda X, y: (X.astype(str), y, None),
        r"dtype='numeric' is not compatible with arrays of bytes/strings.*"
        r"Convert your data to numeric values explicitly",
    ),
    "object strings": (
        lambda X, y: (np.full(X.shape, "pixel", dtype=object), y, None),
        r"could not convert string to float: 'pixel'",
    ),
    "complex": (lambda X, y: (X + 1j, y, None), r"Complex data not supported"),
    "1-D X": (
        lambda X, y: (X[:, 0], y, None),
        r"Expected 2D array, got 1D array instead",
    ),
    "3-D X": (
        lambda X, y: (X[:, :, None], y, None),
        # scikit-learn >= 1.7, then 1.6.
        r"Found array with dim 3(, while dim <= 2 is required|\. \w+ expected <= 2)",
    ),
    "NaN label": (
        lambda X, y: (X, np.where(y == 0, np.nan, y), None),
        r"Input y contains NaN",
    ),
    "continuous y": (
        lambda X, y: (X, y + np.linspace(0, 0.5, len(y)), None),
        r"Unknown label type: continuous",
    ),
    "2-D y": (
        lambda X, y: (X, np.column_stack([y, y]), None),
        r"y should be a 1d array, got an array of shape \(30, 2\)",
    ),
}

# Bad data for a model already trained on classes 0, 1, 2; a batch of one sample
# or one class is then fine.
BAD_LATER_PARTIAL_FIT = [case for case in BAD_FIT
                         if case not in ("one sample", "one class")]


@pytest.mark.parametrize("case", list(BAD_FIT))
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_fit_refuses_bad_input_and_keeps_the_previous_model(estimator, case, data):
    make_bad, message = BAD_FIT[case]
    X, y = data
    X_bad, y_bad, weights = make_bad(X, y)
    fresh = clone(estimator)
    with pytest.raises(ValueError, match=message):
        fresh.fit(X_bad, y_bad, sample_weight=weights)
    assert_unfitted(fresh)

    fitted = clone(estimator).fit(X, y)
    before = state(fitted)
    with pytest.raises(ValueError, match=message):
        fitted.fit(X_bad, y_bad, sample_weight=weights)
    assert state(fitted) == before


@pytest.mark.parametrize("case", list(BAD_FIT))
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_first_partial_fit_refuses_bad_input(estimator, case, data):
    make_bad, message = BAD_FIT[case]
    X, y = data
    X_bad, y_bad, weights = make_bad(X, y)
    classes = np.unique(y_bad) if np.ndim(y_bad) == 1 and len(y_bad) else [0, 1, 2]
    est = clone(estimator)
    with pytest.raises(ValueError, match=message):
        est.partial_fit(X_bad, y_bad, classes=classes, sample_weight=weights)
    assert_unfitted(est)


@pytest.mark.parametrize("case", BAD_LATER_PARTIAL_FIT)
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_later_partial_fit_refuses_bad_input_and_keeps_the_model(
    estimator, case, data
):
    make_bad, message = BAD_FIT[case]
    X, y = data
    X_bad, y_bad, weights = make_bad(X, y)
    est = clone(estimator).partial_fit(X, y, classes=[0, 1, 2])
    before = state(est)
    with pytest.raises(ValueError, match=message):
        est.partial_fit(X_bad, y_bad, sample_weight=weights)
    assert state(est) == before


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_later_calls_refuse_another_number_of_features(estimator, data):
    X, y = data
    message = r"X has 10 features, but \w+Classifier is expecting 5 features"
    est = clone(estimator).set_params(warm_start=True).fit(X, y)
    before = state(est)
    with pytest.raises(ValueError, match=message):
        est.partial_fit(np.hstack([X, X]), y)
    with pytest.raises(ValueError, match=message):
        est.fit(np.hstack([X, X]), y)  # a warm start continues the same model
    assert state(est) == before


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_two_samples_of_two_classes_are_enough(estimator):
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    est = clone(estimator).fit(X, ["a", "b"])
    assert est.predict(X).shape == (2,)


# id: (bad X from the good X of 5 features, the message).
BAD_PREDICT = {
    "NaN": (_with_nan, r"Input X contains NaN"),
    "infinity": (_with_inf, r"Input X contains infinity"),
    "no samples": (lambda X: X[:0], r"0 sample\(s\) \(shape=\(0, 5\)\)"),
    "fewer features": (
        lambda X: X[:, :4],
        r"X has 4 features, but \w+Classifier is expecting 5 features as input",
    ),
    "more features": (
        lambda X: np.hstack([X, X]),
        r"X has 10 features, but \w+Classifier is expecting 5 features as input",
    ),
    "sparse, fewer features": (
        lambda X: sp.csr_matrix(X[:, :4]),
        r"X has 4 features, but \w+Classifier is expecting 5 features as input",
    ),
    "strings of digits": (
        lambda X: X.astype(str),
        r"dtype='numeric' is not compatible with arrays of bytes/strings.*"
        r"Convert your data to numeric values explicitly",
    ),
    "object strings": (
        lambda X: np.full(X.shape, "pixel", dtype=object),
        r"could not convert string to float: 'pixel'",
    ),
    "complex": (lambda X: X + 1j, r"Complex data not supported"),
    "1-D X": (lambda X: X[0], r"Expected 2D array, got 1D array instead"),
}


@pytest.mark.parametrize("case", list(BAD_PREDICT))
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_predict_refuses_bad_input(estimator, case, any_data):
    make_bad, message = BAD_PREDICT[case]
    X, y = any_data
    est = clone(estimator).fit(X, y)
    X_bad = make_bad(X)
    for method in methods_of(est) + ["score"]:
        args = (X_bad, y) if method == "score" else (X_bad,)
        with pytest.raises(ValueError, match=message):
            getattr(est, method)(*args)


def _invalid(name, value):
    return pytest.param(name, value, id=f"{name}={value!r}")


BAD_PARAMETERS = [
    _invalid("batch_size", 0),
    _invalid("batch_size", -8),
    _invalid("batch_size", 2.5),
    _invalid("learning_rate", -0.1),
    _invalid("learning_rate", 0.0),
    _invalid("learning_rate", np.nan),
    _invalid("learning_rate", np.inf),
    _invalid("learning_rate", "fast"),
    _invalid("penalty", "l3"),
    _invalid("alpha", -1.0),
    _invalid("alpha", np.nan),
    _invalid("l1_ratio", 1.5),
    _invalid("max_iter", 0),
    _invalid("momentum", 1.0),
    _invalid("momentum", -0.1),
    _invalid("tol", -1e-3),
    _invalid("n_iter_no_change", 0),
    _invalid("validation_fraction", 1.0),
    _invalid("learning_rate_schedule", "optimal"),
    _invalid("power_t", -1.0),
    # (1 + epoch) ** power_t overflows; past 10, the step is gone by epoch 3.
    _invalid("power_t", 1e308),
    _invalid("power_t", 10.5),
    _invalid("class_weight", "auto"),
    _invalid("early_stopping", "yes"),
    _invalid("random_state", "seed"),
]
BAD_SVM_PARAMETERS = [
    _invalid("loss", "log_loss"),
    _invalid("margin", 0.0),
    _invalid("margin", -1.0),
    _invalid("margin", np.inf),
]


def _parameter_message(name, value, estimator):
    # scikit-learn's: what the parameter must be, and what it got.
    return (rf"The '{name}' parameter of {type(estimator).__name__} must be .+\. "
            rf"Got {re.escape(repr(value))} instead")


@pytest.mark.parametrize(
    "estimator, name, value",
    [
        pytest.param(estimator, *case.values, id=f"{est_id}-{case.id}")
        for estimator, est_id in zip(CLASSIFIERS, CLASSIFIER_IDS, strict=True)
        for case in BAD_PARAMETERS + (
            BAD_SVM_PARAMETERS if "margin" in estimator.get_params() else []
        )
    ],
)
def test_invalid_parameters_are_refused_clearly(estimator, name, value, data):
    X, y = data
    message = _parameter_message(name, value, estimator)
    est = clone(estimator).set_params(**{name: value})
    with pytest.raises(InvalidParameterError, match=message):
        est.fit(X, y)
    with pytest.raises(InvalidParameterError, match=message):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert_unfitted(est)


@pytest.mark.parametrize("weight", [-1.0, np.nan, np.inf])
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_bad_class_weights_are_refused_like_bad_sample_weights(
    estimator, weight, data
):
    X, y = data
    est = clone(estimator).set_params(class_weight={0: 1.0, 1: weight})
    message = (r"class_weight must be finite and non-negative; got "
               rf"{re.escape(repr(weight))} for class 1")
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)
    with pytest.raises(ValueError, match=message):
        est.partial_fit(X, y, classes=[0, 1, 2])
    assert_unfitted(est)


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_weights_whose_sum_overflows_train_as_their_ratios(estimator, any_data):
    # Only the ratios of the weights enter the objective (a weighted mean);
    # 1e308 each, and class weights on top, they sum past the largest float.
    X, y = any_data
    ratios = 1.0 + (np.arange(len(y)) % 3)
    est = clone(estimator).set_params(class_weight={0: 1.0, 1: 2.0})
    unit = clone(est).fit(X, y, sample_weight=ratios)
    huge = clone(est).fit(X, y, sample_weight=ratios * 3e307)
    assert_allclose(huge.coef_, unit.coef_, rtol=1e-6,
                    atol=1e-6 * np.abs(unit.coef_).max())
    assert_allclose(huge.loss_curve_, unit.loss_curve_, rtol=1e-6)


# --- Bad input to the transformers ---------------------------------------------


def _float_images(images, value):
    images = images / 255.0
    images[0, 2, 3, 1] = value
    return images


# id: (bad images from good uint8 ones of shape (6, 16, 16, 3), the message).
BAD_IMAGES = {
    "NaN": (
        lambda images: _float_images(images, np.nan),
        r"X contains NaN or infinite pixels; expected finite values",
    ),
    "infinity": (
        lambda images: _float_images(images, np.inf),
        r"X contains NaN or infinite pixels; expected finite values",
    ),
    "no images": (
        lambda images: images[:0],
        r"X holds no images; expected at least one",
    ),
    "strings": (
        lambda images: images.astype(str),
        r"X must hold numbers \(uint8 or float pixels\); got an array of shape "
        r"\(6, 16, 16, 3\) and dtype <U3",
    ),
    "object": (
        lambda images: images.astype(object),
        r"X must hold numbers \(uint8 or float pixels\); got .* dtype object",
    ),
    "complex": (
        lambda images: images + 1j,
        r"X must hold numbers \(uint8 or float pixels\); got .* dtype complex128",
    ),
    "1-D": (
        lambda images: images.ravel(),
        r"X must be a batch of images of shape \(n_images, height, width\) or "
        r"\(n_images, height, width, channels\); got an array of shape \(4608,\)",
    ),
    "5-D": (
        lambda images: images[..., None],
        r"X must be a batch of images .*; got an array of shape \(6, 16, 16, 3, 1\)",
    ),
    "flat rows without image_shape": (
        lambda images: images.reshape(6, -1),
        r"X is 2-D, an array of shape \(6, 768\).*need image_shape=\(height, "
        r"width\) or \(height, width, channels\)",
    ),
    "list of images of different shapes": (
        lambda images: [images[0], images[1, :10]],
        r"X is a list of images of different shapes \[\(10, 16, 3\), \(16, 16, 3\)\]"
        r"; expected images of one shape",
    ),
}

# id: (images of another shape than the (16, 16, 3) of fit, its description).
OTHER_SHAPES = {
    "smaller": (lambda images: images[:, :12, :12], r"\(12, 12, 3\)"),
    "larger": (lambda images: np.tile(images, (1, 2, 1, 1)), r"\(32, 16, 3\)"),
    "fewer channels": (lambda images: images[..., :2], r"\(16, 16, 2\)"),
    "more channels": (
        lambda images: np.concatenate([images, images[..., :1]], axis=3),
        r"\(16, 16, 4\)",
    ),
    "grayscale": (lambda images: images[..., 0], r"\(16, 16\)"),
}


@pytest.mark.parametrize("case", list(BAD_IMAGES))
@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=TRANSFORMER_IDS)
def test_transformers_refuse_bad_images_in_fit_and_transform(
    transformer, case, images, fitted_transformers
):
    make_bad, message = BAD_IMAGES[case]
    bad = make_bad(images)
    fresh = clone(transformer)
    with pytest.raises(ValueError, match=message):
        fresh.fit(bad)
    assert_unfitted(fresh)
    fitted = fitted_copy(transformer, fitted_transformers)
    before = state(fitted)
    with pytest.raises(ValueError, match=message):
        fitted.transform(bad)
    with pytest.raises(ValueError, match=message):
        fitted.fit(bad)
    assert state(fitted) == before


@pytest.mark.parametrize("case", list(OTHER_SHAPES))
@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=TRANSFORMER_IDS)
def test_transform_refuses_images_of_another_shape(
    transformer, case, images, fitted_transformers
):
    make_other, shape = OTHER_SHAPES[case]
    fitted = fitted_copy(transformer, fitted_transformers)
    message = (rf"X holds images of shape {shape}; {type(transformer).__name__} was "
               r"fitted on images of shape \(16, 16, 3\) .*and expects the same")
    with pytest.raises(ValueError, match=message):
        fitted.transform(make_other(images))


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=TRANSFORMER_IDS)
def test_transform_refuses_flat_rows_of_another_length(transformer, images):
    flat = clone(transformer).set_params(image_shape=(16, 16, 3))
    flat.fit(images.reshape(6, -1))
    message = (r"image_shape=\(16, 16, 3\) does not match rows of 432 values; "
               r"expected .* whose product is 432")
    with pytest.raises(ValueError, match=message):
        flat.transform(images[:, :12, :12].reshape(6, -1))


# Those with a smallest image: a HoG block, a patch, the patches of a grid of
# regions.
SIZED = [i for i, transformer in enumerate(TRANSFORMERS)
         if transformer._min_size() != (1, 1)]


@pytest.mark.parametrize("transformer", [TRANSFORMERS[i] for i in SIZED],
                         ids=[TRANSFORMER_IDS[i] for i in SIZED])
def test_images_smaller_than_a_block_or_patch_are_refused(transformer, images):
    height, width = transformer._min_size()
    small = images[:, : height - 1, : width - 1]
    message = (rf"are {height - 1}x{width - 1} pixels; expected at least "
               rf"{height}x{width}")
    with pytest.raises(ValueError, match=message):
        clone(transformer).fit(small)
    fitted = clone(transformer).set_params(image_shape=small.shape[1:])
    with pytest.raises(ValueError, match=message):
        fitted.fit(small.reshape(len(images), -1))


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=TRANSFORMER_IDS)
def test_a_single_image_is_enough(transformer, images):
    est = clone(transformer).fit(images[:1])
    features = est.transform(images[:1])
    assert features.shape == (1, len(est.get_feature_names_out()))
    assert np.isfinite(features).all()


@pytest.mark.parametrize(
    "transformer, new_params, bad, message",
    [
        pytest.param(
            ColorHistogram(bins=4), {}, np.full((3, 8, 8, 3), 2.0),
            r"pixel values from 2.0 to 2.0; expected float images in \[0, 1\]",
            id="color-out-of-range",
        ),
        pytest.param(
            ColorHistogram(bins=4), {}, np.zeros((3, 8, 8, 2)),
            r"take RGB images \(3 channels\) or grayscale ones", id="color-channels",
        ),
        pytest.param(
            BOVW,
            {"descriptor": "hog", "hog_params": {"pixels_per_cell": 3}},
            np.zeros((3, 8, 8, 3)),
            r"A HoG block .* is 6x6 pixels and does not fit in a 4x4 patch",
            id="bovw-hog-block",
        ),
        pytest.param(
            KMeansFeatures(n_words=3, patch_size=4, n_patches=60, random_state=0),
            {}, np.full((3, 8, 8, 3), 1e39),
            r"KMeansFeatures computes in float32 and expects them within 3.4e\+38",
            id="kmeans-beyond-float32",
        ),
    ],
)
def test_a_failed_transformer_fit_keeps_the_previous_fit(
    transformer, new_params, bad, message, images
):
    fitted = clone(transformer).fit(images)
    expected = fitted.transform(images)
    fitted.set_params(**new_params)
    before = state(fitted)
    with pytest.raises(ValueError, match=message):
        fitted.fit(bad)
    assert state(fitted) == before
    fitted.set_params(**transformer.get_params())
    assert_array_equal(fitted.transform(images), expected)


BAD_TRANSFORMER_PARAMETERS = [
    (HoG(), {"orientations": 0}, InvalidParameterError,
     r"'orientations' parameter of HoG must be an int in the range \[1, inf\)"
     r"\. Got 0 instead"),
    (HoG(), {"pixels_per_cell": -1}, InvalidParameterError,
     r"'pixels_per_cell' parameter of HoG must be an int .*Got -1 instead"),
    (HoG(), {"pixels_per_cell": (4, 0)}, ValueError,
     r"pixels_per_cell must be a positive int or a pair of positive ints; "
     r"got \(4, 0\)"),
    (HoG(), {"pixels_per_cell": (4.5, 4)}, ValueError,
     r"pixels_per_cell must be a positive int .*got \(4\.5, 4\)"),
    (HoG(), {"cells_per_block": (1, 2, 3)}, ValueError,
     r"cells_per_block must be a positive int or a pair of positive ints; "
     r"got \(1, 2, 3\)"),
    (HoG(), {"block_norm": "L3"}, InvalidParameterError,
     r"'block_norm' parameter of HoG must be a str among .*Got 'L3' instead"),
    (HoG(), {"image_shape": "16x16"}, InvalidParameterError,
     r"'image_shape' parameter of HoG must be an instance of 'tuple', an "
     r"instance of 'list' or None\. Got '16x16' instead"),
    (ColorHistogram(), {"bins": 2.5}, InvalidParameterError,
     r"'bins' parameter of ColorHistogram must be an int .*Got 2\.5 instead"),
    (BagOfVisualWords(), {"n_words": 0}, InvalidParameterError,
     r"'n_words' parameter of BagOfVisualWords must be an int in the range "
     r"\[1, inf\)\. Got 0 instead"),
    (BagOfVisualWords(), {"patch_size": (0, 3)}, ValueError,
     r"patch_size must be a positive int or a pair of positive ints; "
     r"got \(0, 3\)"),
    (BagOfVisualWords(), {"step": 0}, InvalidParameterError,
     r"'step' parameter of BagOfVisualWords must be an int .*Got 0 instead"),
    (BagOfVisualWords(), {"step": (1, 0)}, ValueError,
     r"step must be a positive int or a pair of positive ints; got \(1, 0\)"),
    (BagOfVisualWords(), {"descriptor": "sift"}, InvalidParameterError,
     r"'descriptor' parameter of BagOfVisualWords must be a str among .*"
     r"Got 'sift' instead"),
    (BagOfVisualWords(), {"bandwidth": 0.0}, InvalidParameterError,
     r"'bandwidth' parameter of BagOfVisualWords must be a float in the range "
     r"\(0\.0, inf\) or a str among \{'auto'\}\. Got 0\.0 instead"),
    (BagOfVisualWords(), {"contrast_eps": -1.0}, InvalidParameterError,
     r"'contrast_eps' parameter .*Got -1\.0 instead"),
    (BagOfVisualWords(), {"batch_size": 0}, InvalidParameterError,
     r"'batch_size' parameter of BagOfVisualWords must be an int .*Got 0 "),
    (BagOfVisualWords(), {"n_patches_per_image": 0}, InvalidParameterError,
     r"'n_patches_per_image' parameter .*Got 0 instead"),
    (BagOfVisualWords(), {"n_patches": 0}, InvalidParameterError,
     r"'n_patches' parameter of BagOfVisualWords must be an int in the range "
     r"\[1, inf\)\. Got 0 instead"),
    (BagOfVisualWords(), {"max_iter": 0}, InvalidParameterError,
     r"'max_iter' parameter of BagOfVisualWords must be an int .*Got 0 instead"),
    (KMeansFeatures(), {"n_patches": 2.5}, InvalidParameterError,
     r"'n_patches' parameter of KMeansFeatures must be an int .*Got 2\.5 instead"),
    (KMeansFeatures(), {"encoding": "sparse"}, InvalidParameterError,
     r"'encoding' parameter of KMeansFeatures must be a str among .*"
     r"Got 'sparse' instead"),
    (KMeansFeatures(), {"pooling_regions": (2, 0)}, ValueError,
     r"pooling_regions must be a positive int or a pair of positive ints; "
     r"got \(2, 0\)"),
    (KMeansFeatures(), {"whiten_eps": -0.1}, InvalidParameterError,
     r"'whiten_eps' parameter of KMeansFeatures must be a float .*Got -0\.1 "),
]


@pytest.mark.parametrize(
    "transformer, params, error, message",
    [
        pytest.param(*case, id="{}-{}={!r}".format(
            type(case[0]).__name__, *next(iter(case[1].items()))))
        for case in BAD_TRANSFORMER_PARAMETERS
    ],
)
def test_invalid_transformer_parameters_are_refused_clearly(
    transformer, params, error, message, images
):
    est = clone(transformer).set_params(**params)
    with pytest.raises(error, match=message):
        est.fit(images)
    assert_unfitted(est)


# --- Inputs are never modified; read-only and memory-mapped inputs work ----------


def _read_only(array):
    array = np.array(array)
    array.setflags(write=False)
    return array


def _as_input(X, kind, tmp_path):
    """X as ``kind`` of input: writable, read-only, or memory-mapped."""
    if kind == "read-only":
        return _read_only(X)
    if kind == "np.load(mmap_mode='r')":
        np.save(tmp_path / "X.npy", X)
        return np.load(tmp_path / "X.npy", mmap_mode="r")
    if kind == "np.memmap":
        path = tmp_path / "X.dat"
        out = np.memmap(path, dtype=X.dtype, mode="w+", shape=X.shape)
        out[...] = X
        out.flush()
        del out
        return np.memmap(path, dtype=X.dtype, mode="r", shape=X.shape)
    if kind == "read-only CSR":
        X = sp.csr_matrix(X)
        for array in (X.data, X.indices, X.indptr):
            array.setflags(write=False)
        return X
    assert kind == "writable"
    return X.copy()


INPUT_KINDS = ["writable", "read-only", "np.load(mmap_mode='r')", "np.memmap"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", INPUT_KINDS + ["read-only CSR"])
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_classifiers_take_read_only_and_memory_mapped_input(
    estimator, kind, dtype, any_data, tmp_path
):
    X, y = any_data
    X = X.astype(dtype)
    weights = np.linspace(0.5, 2.0, len(y))
    X_in = _as_input(X, kind, tmp_path)
    y_in, weights_in = _read_only(y), _read_only(weights)
    X_copy = X_in.copy() if sp.issparse(X_in) else np.array(X_in)
    copies = [X_copy.copy(), y.copy(), weights.copy()]
    # class_weight and early stopping index and reweight the inputs too.
    params = dict(class_weight="balanced", early_stopping=True,
                  validation_fraction=0.3)
    est = clone(estimator).set_params(**params).fit(X_in, y_in, weights_in)
    reference = clone(estimator).set_params(**params).fit(
        X_copy, y.copy(), weights.copy())
    assert_array_equal(est.coef_, reference.coef_)
    for method in methods_of(est):
        assert_array_equal(getattr(est, method)(X_in),
                           getattr(reference, method)(X_copy))
    est.set_params(class_weight=None).partial_fit(X_in, y_in, sample_weight=weights_in)
    fresh = clone(estimator).partial_fit(X_in, y_in, classes=_read_only(np.unique(y)))
    assert fresh.n_iter_ == 1
    for before, after in zip(copies, [X_in, y_in, weights_in], strict=True):
        if sp.issparse(before):
            before, after = before.toarray(), after.toarray()
        assert_array_equal(after, before)


@pytest.mark.parametrize(
    "dtype, flat",
    [(np.uint8, False), (np.float32, False), (np.float64, True)],
    ids=["uint8", "float32", "float64-flat-rows"],
)
@pytest.mark.parametrize("kind", INPUT_KINDS)
@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=TRANSFORMER_IDS)
def test_transformers_take_read_only_and_memory_mapped_input(
    transformer, kind, dtype, flat, images, tmp_path
):
    images = images if dtype == np.uint8 else (images / 255.0).astype(dtype)
    params = {}
    if flat:
        images = images.reshape(len(images), -1)
        params = {"image_shape": (16, 16, 3)}
    X_in = _as_input(images, kind, tmp_path)
    before = np.array(X_in)
    features = clone(transformer).set_params(**params).fit(X_in).transform(X_in)
    reference = clone(transformer).set_params(**params).fit(images.copy())
    assert_array_equal(features, reference.transform(images.copy()))
    assert_array_equal(X_in, before)


# --- Divergence ------------------------------------------------------------------

# A huge step on unscaled data: the weights overflow within the first epoch,
# and still after every return to the best weights with a shorter step.
DIVERGING = dict(learning_rate=1e200)
DIVERGED = (r"Training diverged in epoch (\d+): .*Use a smaller learning_rate "
            r"\(the step was [0-9.]+e\+\d+\) or scale the features")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_divergence_is_a_clear_error_on_a_fresh_estimator(
    estimator, dtype, any_data
):
    X, y = any_data
    est = clone(estimator).set_params(**DIVERGING)
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=DIVERGED):
        est.fit((X * 1e10).astype(dtype), y)
    assert_unfitted(est)
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=DIVERGED):
        est.partial_fit((X * 1e10).astype(dtype), y, classes=np.unique(y))
    assert_unfitted(est)


@pytest.mark.parametrize("how", ["refit", "warm_start", "partial_fit"])
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_divergence_keeps_the_previous_model_whole(estimator, how, any_data):
    X, y = any_data
    est = clone(estimator).fit(X, y)
    est.set_params(warm_start=how == "warm_start", **DIVERGING)
    before = state(est)
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=DIVERGED):
        if how == "partial_fit":
            est.partial_fit(X * 1e10, y)
        else:
            est.fit(X * 1e10, y)
    assert state(est) == before
    assert np.isfinite(est.coef_).all() and np.isfinite(est.intercept_).all()


def test_divergence_of_the_intercept_alone_is_caught():
    # No penalty, so the objective does not see the weights; tiny features, so
    # only the intercept's step overflows, in the epoch's last step.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3)) * 1e-160
    y = np.r_[np.zeros(28, dtype=int), 1, 2]
    est = SVMLinearClassifier(
        penalty=None, learning_rate=1.7e308, batch_size=None, max_iter=1, tol=None
    )
    with np.errstate(all="ignore"), pytest.raises(
        ValueError, match=r"diverged in epoch 1: .*smaller learning_rate"
    ):
        est.fit(X, y)
    assert_unfitted(est)


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_grid_search_carries_on_past_a_diverging_candidate(estimator, data):
    X, y = data
    grid = GridSearchCV(
        clone(estimator), {"learning_rate": ["auto", 1e200, 1e-22]},
        error_score=np.nan, cv=3,
    )
    with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grid.fit(X * 1e10, y)
    failed = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    assert len(failed) == 1
    assert re.search(r"3 fits failed out of a total of 9", str(failed[0].message))
    assert re.search(DIVERGED, str(failed[0].message))
    scores = grid.cv_results_["mean_test_score"]
    assert np.isnan(scores[1]) and np.isfinite(scores[[0, 2]]).all()
    assert grid.best_params_["learning_rate"] != 1e200
    assert np.isfinite(grid.best_estimator_.coef_).all()


# --- Interrupted fits ------------------------------------------------------------


class RaiseInEpoch:
    """A callback that raises ``fault`` from a hook of epoch ``epoch`` (from 1)."""

    def __init__(self, fault, epoch, hook="on_fit_task_end"):
        self.fault, self.epoch, self.hook = fault, epoch, hook
        self.setups = self.teardowns = 0

    def setup(self, estimator, context):
        self.setups += 1

    def teardown(self, estimator, context):
        self.teardowns += 1

    def _maybe_raise(self, hook, context):
        if (hook == self.hook and context.task_name == "epoch"
                and context.task_id + 1 == self.epoch):
            raise self.fault(f"interrupted in epoch {self.epoch}")

    def on_fit_task_begin(self, estimator, context):
        self._maybe_raise("on_fit_task_begin", context)

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self._maybe_raise("on_fit_task_end", context)
        return False


def _start(estimator, how, X, y):
    """An estimator in the state before the interrupted call, and that call."""
    est = clone(estimator)
    if how != "fresh fit" and how != "first partial_fit":
        est.fit(X, y)
    est.set_params(warm_start=how == "warm start")
    if how in ("partial_fit", "first partial_fit"):
        return est, lambda: est.partial_fit(X, y, classes=np.unique(y))
    if how == "refit on other data":
        return est, lambda: est.fit(np.hstack([X, X]), y)
    return est, lambda: est.fit(X, y)


INTERRUPTED_CALLS = ["fresh fit", "refit on other data", "warm start",
                     "first partial_fit", "partial_fit"]


@pytest.mark.parametrize("hook", ["on_fit_task_end", "on_fit_task_begin"])
@pytest.mark.parametrize("fault", [RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("how", INTERRUPTED_CALLS)
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_a_callback_raising_leaves_the_estimator_as_it_was(
    estimator, how, fault, hook, any_data
):
    pytest.importorskip("sklearn.callback")
    X, y = any_data
    est, call = _start(estimator, how, X, y)
    # The second epoch of a fit; partial_fit runs one.
    callback = RaiseInEpoch(fault, 1 if "partial_fit" in how else 2, hook)
    est.set_callbacks(callback)
    before = state(est)
    with pytest.raises(fault, match="interrupted in epoch"):
        call()
    assert state(est) == before
    assert callback.setups == callback.teardowns == 1
    # Nothing is left over: training again gives what a new estimator gives.
    est.set_callbacks()
    call()
    again, call_again = _start(estimator, how, X, y)
    call_again()
    assert_array_equal(est.coef_, again.coef_)
    assert est.loss_curve_ == again.loss_curve_


class KeepEachEpoch:
    """A callback that keeps the model of each epoch, as early stopping would."""

    def __init__(self):
        self.models = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        # The epoch begun after the last one, and closed empty, has no model.
        if context.task_name == "epoch" and fitted_estimator is not None:
            model = fitted_estimator
            self.models.append((model, model.coef_.copy(), model.intercept_.copy()))
        return False


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_callbacks_get_a_snapshot_of_each_epoch(estimator, any_data):
    # The fitted estimator a callback gets is the model of that epoch, and
    # stays so: not a view of the weights that training goes on updating.
    pytest.importorskip("sklearn.callback")
    X, y = any_data
    keep = KeepEachEpoch()
    est = clone(estimator).set_callbacks(keep).fit(X, y)
    assert len(keep.models) == est.n_iter_
    for model, coef, intercept in keep.models:
        assert_array_equal(model.coef_, coef)
        assert_array_equal(model.intercept_, intercept)
    assert not np.array_equal(keep.models[0][1], keep.models[-1][1])
    assert_array_equal(keep.models[-1][0].predict(X), est.predict(X))


def _interrupt_at_batch(monkeypatch, est, n_batch, fault):
    """Make the ``n_batch``-th minibatch's loss raise ``fault`` (Ctrl-C there)."""
    loss_kernel = type(est)._loss_kernel
    calls = itertools.count(1)

    def interrupting_kernel(self, *args, **kwargs):
        kernel = loss_kernel(self, *args, **kwargs)

        def interrupted(scores, y, factors):
            if next(calls) == n_batch:
                raise fault("interrupted in a minibatch")
            return kernel(scores, y, factors)

        return interrupted

    # On the class: undoing a patch of an instance leaves the bound method in
    # its __dict__ on older pytest, which the comparison of states would see.
    monkeypatch.setattr(type(est), "_loss_kernel", interrupting_kernel)


@pytest.mark.parametrize("fault", [KeyboardInterrupt, MemoryError])
@pytest.mark.parametrize("how", INTERRUPTED_CALLS)
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_an_interrupt_within_an_epoch_leaves_the_estimator_as_it_was(
    estimator, how, fault, any_data, monkeypatch
):
    # Any scikit-learn: the fault comes from the loss, in the middle of an
    # epoch (30 samples in batches of 8), not from a callback.
    X, y = any_data
    est, call = _start(estimator, how, X, y)
    before = state(est)
    _interrupt_at_batch(monkeypatch, est, 2 if "partial_fit" in how else 6, fault)
    with pytest.raises(fault, match="interrupted in a minibatch"):
        call()
    monkeypatch.undo()
    assert state(est) == before


class InterruptAtLine:
    """A tracer that raises KeyboardInterrupt at the ``n``-th line sklinear runs.

    Ctrl-C lands between any two statements; a tracer makes each of them the
    place it lands, one run at a time. With ``n=None`` it only counts lines.
    """

    _package = os.path.dirname(sys.modules["sklinear"].__file__)

    def __init__(self, n=None):
        self.n, self.lines = n, 0

    def _global(self, frame, event, arg):
        if frame.f_code.co_filename.startswith(self._package):
            return self._local
        return None

    def _local(self, frame, event, arg):
        if event == "line":
            self.lines += 1
            if self.lines == self.n:
                raise KeyboardInterrupt(f"interrupted at line {self.n}")
        return self._local

    def run(self, call):
        sys.settrace(self._global)
        try:
            call()
        finally:
            sys.settrace(None)


@pytest.mark.slow
@pytest.mark.parametrize("how", INTERRUPTED_CALLS)
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_an_interrupt_at_any_line_leaves_the_old_or_the_new_model(
    estimator, how, any_data
):
    # Each fitted attribute is published at once: an interrupt anywhere leaves
    # the estimator wholly as it was, or (past the last statement that can
    # still undo the fit) wholly as the uninterrupted call leaves it, never a
    # mix of the two, such as new weights beside an old loss curve.
    X, y = any_data
    # Two epochs of two batches: every statement of the fit, at a test's cost.
    estimator = clone(estimator).set_params(batch_size=16, max_iter=2)
    est, call = _start(estimator, how, X, y)
    before = state(est)
    counter = InterruptAtLine()
    counter.run(call)
    after = state(est)
    assert after != before
    for n in range(1, counter.lines + 1):
        est, call = _start(estimator, how, X, y)
        with pytest.raises(KeyboardInterrupt, match=f"at line {n}$"):
            InterruptAtLine(n).run(call)
        now = state(est)
        names = set(now) | set(before) | set(after)
        assert now == before or now == after, (
            f"interrupted at line {n} of {counter.lines}, the estimator differs "
            "from its state before the call in "
            f"{sorted(k for k in names if now.get(k) != before.get(k))} and from "
            "its state after it in "
            f"{sorted(k for k in names if now.get(k) != after.get(k))}"
        )


# --- Persistence -----------------------------------------------------------------


def _pickle(est, tmp_path):
    return pickle.loads(pickle.dumps(est))


def _joblib(est, tmp_path):
    joblib.dump(est, tmp_path / "model.joblib")
    return joblib.load(tmp_path / "model.joblib")


def _joblib_mmap(est, tmp_path):
    # The arrays come back as read-only memory maps.
    joblib.dump(est, tmp_path / "model.joblib")
    return joblib.load(tmp_path / "model.joblib", mmap_mode="r")


ROUND_TRIPS = [_pickle, _joblib, _joblib_mmap]
ROUND_TRIP_IDS = ["pickle", "joblib", "joblib-mmap"]


@pytest.mark.parametrize("round_trip", ROUND_TRIPS, ids=ROUND_TRIP_IDS)
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_classifier_round_trip_predicts_the_same(
    estimator, round_trip, any_data, tmp_path
):
    X, y = any_data
    est = clone(estimator).fit(X, y)
    again = round_trip(est, tmp_path)
    for method in methods_of(est):
        assert_array_equal(getattr(again, method)(X), getattr(est, method)(X))
    assert again.score(X, y) == est.score(X, y)


@pytest.mark.parametrize("round_trip", ROUND_TRIPS, ids=ROUND_TRIP_IDS)
@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=TRANSFORMER_IDS)
def test_transformer_round_trip_transforms_the_same(
    transformer, round_trip, images, fitted_transformers, tmp_path
):
    est = fitted_copy(transformer, fitted_transformers)
    again = round_trip(est, tmp_path)
    assert_array_equal(again.transform(images), est.transform(images))
    assert_array_equal(again.get_feature_names_out(), est.get_feature_names_out())


def _image_pipeline():
    # One of each transformer, side by side.
    transformers = all_instances("transformer", all_params=False)
    return Pipeline([
        ("features", FeatureUnion([(type(transformer).__name__, transformer)
                                   for transformer in transformers])),
        ("scale", StandardScaler()),
        ("clf", SoftmaxClassifier(max_iter=5, tol=None, random_state=0)),
    ])


@pytest.mark.parametrize("round_trip", ROUND_TRIPS, ids=ROUND_TRIP_IDS)
def test_pipeline_round_trip_predicts_the_same(round_trip, images, tmp_path):
    y = np.arange(len(images)) % 2
    pipe = _image_pipeline().fit(images, y)
    again = round_trip(pipe, tmp_path)
    assert_array_equal(again.predict_proba(images), pipe.predict_proba(images))
    assert_array_equal(again.predict(images), pipe.predict(images))


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
@pytest.mark.parametrize("round_trip", ROUND_TRIPS, ids=ROUND_TRIP_IDS)
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_training_continues_after_a_round_trip_bit_for_bit(
    estimator, round_trip, how, any_data, tmp_path
):
    # Momentum, a schedule that depends on the epoch, elastic net: all the
    # optimiser's state must survive the round trip.
    X, y = any_data
    params = dict(learning_rate_schedule="invscaling", penalty="elasticnet",
                  momentum=0.9)
    straight = clone(estimator).set_params(max_iter=6, **params).fit(X, y)
    if how == "warm_start":
        est = clone(estimator).set_params(max_iter=3, warm_start=True, **params)
        est = round_trip(est.fit(X, y), tmp_path).fit(X, y)
    else:
        est = clone(estimator).set_params(**params)
        for epoch in range(6):
            est.partial_fit(X, y, classes=np.unique(y))
            if epoch == 2:
                est = round_trip(est, tmp_path)
    assert_array_equal(est.coef_, straight.coef_)
    assert_array_equal(est.intercept_, straight.intercept_)
    assert est.loss_curve_ == straight.loss_curve_
    assert (est.n_iter_, est.t_) == (straight.n_iter_, straight.t_) == (6, 6 * len(y))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "params",
    [
        dict(early_stopping=True, validation_fraction=0.3),
        dict(class_weight="balanced", penalty="l1"),
        dict(learning_rate_schedule="adaptive", tol=0.5, n_iter_no_change=1),
        dict(shuffle=False, nesterovs_momentum=False),
    ],
    ids=["early_stopping", "balanced-l1", "adaptive", "no-shuffle"],
)
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_same_random_state_same_model_bit_for_bit(
    estimator, dtype, sparse, params, any_data
):
    X, y = any_data
    X = X.astype(dtype)
    if sparse:
        X = sp.csr_matrix(X)
    first = clone(estimator).set_params(**params).fit(X, y)
    second = clone(estimator).set_params(**params).fit(X, y)
    assert_array_equal(first.coef_, second.coef_)
    assert_array_equal(first.intercept_, second.intercept_)
    assert first.loss_curve_ == second.loss_curve_
    assert first.validation_scores_ == second.validation_scores_


@pytest.mark.parametrize("transformer", TRANSFORMERS, ids=TRANSFORMER_IDS)
def test_same_random_state_same_transformer_bit_for_bit(transformer, images):
    assert_array_equal(clone(transformer).fit(images).transform(images),
                       clone(transformer).fit(images).transform(images))


def _fingerprints(X, y, images):
    # With one BLAS thread in both processes: a product's last bits follow the
    # number of threads, which the other process may not share (Dask's
    # LocalCluster, started by an earlier test, sets OPENBLAS_NUM_THREADS=1 in
    # the environment the subprocess inherits).
    with threadpool_limits(limits=1, user_api="blas"):
        models = [clone(est).fit(X, y).coef_ for est in CLASSIFIERS]
        features = [clone(est).fit(images).transform(images) for est in TRANSFORMERS]
    return [hashlib.sha256(array.tobytes()).hexdigest()
            for array in [*models, *features]]


def test_same_random_state_same_model_in_another_process(data, images, tmp_path):
    # Nothing may depend on the process: hash randomisation, import order,
    # memory addresses.
    X, y = data
    np.savez(tmp_path / "data.npz", X=X, y=y, images=images)
    script = (
        "import sys; import numpy as np; sys.path.insert(0, sys.argv[1]);"
        "from test_robustness import _fingerprints;"
        "data = np.load(sys.argv[2]);"
        "print(*_fingerprints(data['X'], data['y'], data['images']))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    result = subprocess.run(
        [sys.executable, "-c", script, os.path.dirname(__file__),
         str(tmp_path / "data.npz")],
        capture_output=True, text=True, env=env, check=True,
    )
    assert result.stdout.split() == _fingerprints(X, y, images)


# --- Concurrency -----------------------------------------------------------------


def _blas_threads():
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info()
            if pool["user_api"] == "blas"]


def test_overlapping_transforms_lift_the_blas_limit_they_set(images, monkeypatch):
    # BagOfVisualWords(n_jobs=2) runs its threads with one BLAS thread each, a
    # limit that is process-wide. Two transforms overlap: the first sets the
    # limit, the second starts under it and ends last. Once both are done,
    # BLAS must have its threads back. (First of the tests with n_jobs, which
    # could otherwise have left the limit on already.)
    before = _blas_threads()
    if max(before, default=1) < 2:
        pytest.skip("BLAS runs one thread here: a limit to one cannot be seen")
    est = clone(BOVW).set_params(n_jobs=2).fit(images)
    first, second = np.repeat(images, 300, axis=0), np.repeat(images, 1500, axis=0)
    # The threads compute the features under the limit: the first call says
    # that the first transform has set it.
    limited = threading.Event()
    features = est._features

    def signalling(part):
        limited.set()
        return features(part)

    monkeypatch.setattr(est, "_features", signalling)
    with ThreadPoolExecutor(2) as pool:
        running = pool.submit(est.transform, first)
        assert limited.wait(timeout=120), "the first transform never started"
        assert _blas_threads() != before
        assert not running.done(), "the first transform ended too soon to overlap"
        last = pool.submit(est.transform, second)
        running.result()
        last.result()
    assert _blas_threads() == before


def _run_concurrently(function, inputs, n_threads=8):
    with ThreadPoolExecutor(n_threads) as pool:
        return list(pool.map(function, inputs))


def _batches(X, n_batches=64):
    rng = np.random.default_rng(1)
    return [X[rng.choice(len(X), size=rng.integers(1, len(X)))]
            for _ in range(n_batches)]


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=CLASSIFIER_IDS)
def test_classifiers_are_safe_to_call_from_several_threads(estimator, any_data):
    X, y = any_data
    est = clone(estimator).fit(X, y)
    inputs = _batches(np.vstack([X, X * 2, -X]))
    for method in methods_of(est):
        function = getattr(est, method)
        serial = [function(batch) for batch in inputs]
        for result, expected in zip(_run_concurrently(function, inputs), serial,
                                    strict=True):
            assert_array_equal(result, expected)


@pytest.mark.parametrize(
    "transformer",
    # Those with n_jobs=2 run threads of their own too.
    TRANSFORMERS + [clone(BOVW).set_params(n_jobs=2)],
    ids=[*TRANSFORMER_IDS, "bovw-n_jobs"],
)
def test_transformers_are_safe_to_call_from_several_threads(transformer, images):
    est = clone(transformer).fit(images)
    inputs = _batches(np.concatenate([images, 255 - images, images[:, ::-1]]), 32)
    serial = [est.transform(batch) for batch in inputs]
    threads_before = _blas_threads()
    results = _run_concurrently(est.transform, inputs)
    for result, expected in zip(results, serial, strict=True):
        assert_array_equal(result, expected)
    # n_jobs limits BLAS to one thread while it works: the limit is for the
    # process, and must be lifted once every transform is done.
    assert _blas_threads() == threads_before


def test_a_pipeline_is_safe_to_call_from_several_threads(images):
    y = np.arange(len(images)) % 2
    pipe = _image_pipeline().fit(images, y)
    inputs = _batches(np.concatenate([images, 255 - images]), n_batches=24)
    serial = [pipe.predict_proba(batch) for batch in inputs]
    for result, expected in zip(_run_concurrently(pipe.predict_proba, inputs),
                                serial, strict=True):
        assert_array_equal(result, expected)
