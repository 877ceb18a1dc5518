"""The checks every sklinear estimator must pass: scikit-learn's own, and for
image transformers, the package's compliance checks on 4-D batches. The
estimators are every public one (``_instances.py``), found by walking the
package: a new one is checked the day it is exported."""

import inspect
from unittest import SkipTest

import numpy as np
import pytest
from _instances import INIT_PARAMS, all_estimators, all_instances, estimator_id
from numpy.testing import assert_array_equal
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.estimator_checks import parametrize_with_checks

import sklinear
from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.utils.estimator_checks import image_transformer_checks, make_images

# The reason scikit-learn gives for SGDClassifier, and the same cause: with
# minibatches a weight of 2 and a repeated sample are equivalent in expectation
# only, since they fall into different minibatches. Full-batch training passes.
MINIBATCH_WEIGHTS = "sample_weight is not equivalent to removing/repeating samples."

def expected_failed_checks(estimator):
    batch_size = getattr(estimator, "batch_size", None)
    if isinstance(estimator, SoftmaxClassifier | SVMLinearClassifier) and (
        batch_size is not None and batch_size < 15
    ):
        return {
            "check_sample_weight_equivalence_on_dense_data": MINIBATCH_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": MINIBATCH_WEIGHTS,
        }
    return {}


@parametrize_with_checks(
    list(all_instances()), expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


IMAGES = {
    "colour": make_images(16, (32, 32, 3)),
    "gray": make_images(12, (32, 32)),
}


def _image_checks():
    for transformer in all_instances("transformer"):
        kinds = ["colour"]
        if getattr(transformer, "color_space", "rgb") == "rgb":
            kinds.append("gray")
        for kind in kinds:
            for check in image_transformer_checks(transformer, *IMAGES[kind]):
                yield pytest.param(check, id=f"{estimator_id(transformer)}-{kind}-"
                                   f"{check.func.__name__}")


@pytest.mark.parametrize("check", list(_image_checks()))
def test_image_transformer_compliance(check):
    try:
        check()
    except SkipTest as skip:
        pytest.skip(str(skip))


# --- The instances cover every public estimator ----------------------------------


def test_instances_cover_every_public_estimator():
    classes = {cls for _, cls in all_estimators()}
    # Those sklinear exports at the top, at least: the walk found something.
    exported = {getattr(sklinear, name) for name in sklinear.__all__}
    assert {cls for cls in exported if inspect.isclass(cls)} <= classes
    assert {type(estimator) for estimator in all_instances()} == classes
    # Each parameter set is used, and builds an estimator of its class.
    assert set(INIT_PARAMS) <= classes
    n_sets = sum(len(INIT_PARAMS.get(cls, [{}])) for cls in classes)
    assert len(list(all_instances())) == n_sets
    assert {type(e) for e in all_instances(all_params=False)} == classes


def test_a_new_public_estimator_is_picked_up(monkeypatch):
    class MeanPixel(TransformerMixin, BaseEstimator):
        """A transformer exported from a public module, unknown to the tests."""

        def fit(self, X, y=None):
            return self

        def transform(self, X):
            return np.mean(X, axis=(1, 2)).reshape(len(X), -1)

    module = sklinear.feature_extraction
    monkeypatch.setattr(module, "MeanPixel", MeanPixel, raising=False)
    monkeypatch.setattr(module, "__all__", [*module.__all__, "MeanPixel"])
    assert ("MeanPixel", MeanPixel) in all_estimators("transformer")
    assert ("MeanPixel", MeanPixel) not in all_estimators("classifier")
    new = [e for e in all_instances("transformer") if type(e) is MeanPixel]
    assert len(new) == 1 and new[0].get_params() == {}  # its defaults
    # Private modules, abstract bases and scikit-learn's classes are not.
    names = {name for name, _ in all_estimators()}
    assert "BaseImageTransformer" not in names
    assert not names & {"StandardScaler", "MiniBatchKMeans", "BaseEstimator"}


def test_every_transformer_takes_image_shape_as_a_tuple_or_a_list():
    # The one constraint of BaseImageTransformer, for all of them.
    images, _ = IMAGES["colour"]
    rows = images.reshape(len(images), -1)
    for transformer in all_instances("transformer"):
        expected = clone(transformer).fit(images).transform(images)
        for shape in [(32, 32, 3), [32, 32, 3]]:
            flat = clone(transformer).set_params(image_shape=shape).fit(rows)
            assert_array_equal(flat.transform(rows), expected)
