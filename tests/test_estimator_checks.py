"""The compliance checks of sklinear.utils.estimator_checks can fail.

A correct image transformer passes every check; for each check, a transformer
broken in the one way the check is about fails it, with the check's message
(as imbalanced-learn tests its own checks). A check that no broken
transformer fails would check nothing.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sklinear.feature_extraction import BaseImageTransformer, check_images, float_dtype
from sklinear.utils.estimator_checks import (
    check_image_transformer,
    image_transformer_checks,
    make_images,
)


class Brightness(BaseImageTransformer):
    """A correct image transformer: each image's mean pixel, less that of the
    training images, and the spread of its pixels."""

    def __init__(self, image_shape=None):
        self.image_shape = image_shape

    def _n_features(self, image_shape):
        return 2

    def _fit_images(self, images):
        self.mean_ = float(images.mean())

    def _transform_chunk(self, images):
        pixels = images.reshape(len(images), -1).astype(float_dtype(images.dtype))
        features = np.stack([pixels.mean(axis=1) - self.mean_, pixels.std(axis=1)],
                            axis=1)
        return features.astype(float_dtype(images.dtype))


# --- Transformers each broken in one way ------------------------------------------


class ChangesItsParameter(Brightness):
    """Stores a copy of its parameter, not the parameter: clone refuses it."""

    def __init__(self, image_shape=None, scale=1.0):
        self.image_shape = image_shape
        self.scale = scale * 1


class TransformsUnfitted(Brightness):
    """Transforms before fit, with a mean of 0."""

    def transform(self, X):
        return self._transform_chunk(check_images(X))

    mean_ = 0.0


class FitReturnsNothing(Brightness):
    def fit(self, X, y=None):
        super().fit(X, y)


class FitTransformScales(Brightness):
    """fit_transform computes other features than fit().transform()."""

    def fit_transform(self, X, y=None):
        return 2 * self.fit(X).transform(X)


class UnseededRandomness(Brightness):
    """Learns from a random generator that no parameter seeds."""

    def _fit_images(self, images):
        self.mean_ = float(images.mean()) + np.random.default_rng().random()


class UnpicklableFit(Brightness):
    """Keeps a function defined in fit, which pickle cannot save."""

    def _fit_images(self, images):
        mean = float(images.mean())
        self.centre_ = lambda values: values - mean
        self.mean_ = mean


class DuplicateFeatureNames(Brightness):
    def get_feature_names_out(self, input_features=None):
        return np.array(["brightness", "brightness"], dtype=object)


class NoSetOutput(Brightness, auto_wrap_output_keys=None):
    """Opts out of scikit-learn's set_output."""


class Float32InFloat64Out(Brightness):
    def transform(self, X):
        return super().transform(X).astype(np.float64)


class ModifiesItsInput(Brightness):
    """Brightens the images it is given, in place, when it can write to them."""

    def _transform_chunk(self, images):
        features = super()._transform_chunk(images)
        if images.flags.writeable:
            images += 1
        return features


class NoImageShape(Brightness):
    """Has no image_shape parameter, so cannot take flattened rows."""

    def __init__(self):
        pass


class AnyImageShape(Brightness):
    """Transforms images of another shape than those of fit."""

    def _refuse_shape(self, shape, hint=""):
        pass


class FitTransformWithoutY(Brightness):
    """A fit_transform that takes no y, which FeatureUnion passes."""

    def fit_transform(self, X):
        return self.fit(X).transform(X)


class FitWithoutY(Brightness):
    """A fit that takes no y, which a Pipeline passes to its steps."""

    def fit(self, X):
        return super().fit(X)


class NeedsTenImages(Brightness):
    """Fits on all the images, but not on a fold of a cross-validation."""

    def _fit_images(self, images):
        if len(images) < 10:
            raise ValueError(f"needs at least 10 images; got {len(images)}")
        super()._fit_images(images)


# check: (the broken transformer, the exception the check raises, its message).
BROKEN = {
    "check_clone_and_params": (ChangesItsParameter, RuntimeError,
                               "either does not set or modifies parameter scale"),
    "check_not_fitted_error": (TransformsUnfitted, AssertionError,
                               "transform before fit must raise NotFittedError"),
    "check_fit_returns_self": (FitReturnsNothing, AssertionError,
                               "fit must return the transformer itself"),
    "check_fit_transform": (FitTransformScales, AssertionError,
                            "fit_transform must equal fit"),
    "check_deterministic": (UnseededRandomness, AssertionError,
                            "two fits with the same parameters"),
    # AttributeError up to Python 3.13, PicklingError since.
    "check_pickle": (UnpicklableFit, (AttributeError, pickle.PicklingError),
                     "Can't pickle local object"),
    "check_feature_names_out": (DuplicateFeatureNames, AssertionError,
                                "the feature names must be unique"),
    "check_pandas_output": (NoSetOutput, AttributeError, "set_output"),
    "check_dtypes": (Float32InFloat64Out, AssertionError,
                     "float32 in gave float64 out"),
    "check_input_not_modified": (ModifiesItsInput, AssertionError,
                                 "fit and transform must not modify their input"),
    "check_list_and_flat_input": (NoImageShape, ValueError,
                                  "Invalid parameter 'image_shape'"),
    "check_image_shape_mismatch": (AnyImageShape, AssertionError,
                                   "must raise ValueError"),
    "check_in_feature_union": (FitTransformWithoutY, TypeError,
                               "positional argument"),
    "check_in_pipeline": (FitWithoutY, TypeError, "positional argument"),
    "check_in_grid_search": (NeedsTenImages, ValueError,
                             "needs at least 10 images; got 6"),
}

IMAGES, Y = make_images(12, (10, 10, 3))


def _checks(transformer):
    # A copy, which a broken transformer may modify.
    return {check.func.__name__: check
            for check in image_transformer_checks(transformer, IMAGES.copy(), Y)}


def test_every_check_has_a_transformer_that_fails_it():
    assert set(_checks(Brightness())) == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_correct_transformer_passes(name):
    _checks(Brightness())[name]()


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_transformer_fails(name):
    Broken, error, message = BROKEN[name]
    with pytest.raises(error, match=message):
        _checks(Broken())[name]()


def test_check_image_transformer_raises_on_the_first_failure():
    check_image_transformer(Brightness(), IMAGES, Y)
    with pytest.raises(AssertionError, match="float32 in gave float64 out"):
        check_image_transformer(Float32InFloat64Out(), IMAGES, Y)
    # Errors other than a failed assertion come through too.
    with pytest.raises(TypeError, match="positional argument"):
        check_image_transformer(FitTransformWithoutY(), IMAGES, Y)
    with pytest.raises(ValueError, match="y is required with images"):
        check_image_transformer(Brightness(), IMAGES)


def test_the_checks_leave_the_transformer_unfitted():
    transformer = Brightness()
    check_image_transformer(transformer, IMAGES, Y)
    assert not hasattr(transformer, "mean_")
    assert clone(transformer).get_params() == {"image_shape": None}
