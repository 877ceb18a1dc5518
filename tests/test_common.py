"""The checks every sklinear estimator must pass: scikit-learn's own, and for
image transformers, the package's compliance checks on 4-D batches."""

from unittest import SkipTest

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklinear import (
    BagOfVisualWords,
    ColorHistogram,
    HoG,
    KMeansFeatures,
    SoftmaxClassifier,
    SVMLinearClassifier,
)
from sklinear.utils.estimator_checks import image_transformer_checks, make_images

# On the checks' data sets (at most a few dozen samples) the default batch_size
# of 256 makes the defaults full-batch gradient descent; the last instance keeps
# true minibatches so that every check also runs through that path.
CLASSIFIERS = [
    SVMLinearClassifier(),
    SVMLinearClassifier(loss="squared_hinge", penalty="elasticnet"),
    SoftmaxClassifier(),
    SoftmaxClassifier(penalty="l1", batch_size=4),
]

TRANSFORMERS = [
    HoG(),
    HoG(pixels_per_cell=4, cells_per_block=(2, 1), block_norm="L1-sqrt",
        transform_sqrt=True),
    ColorHistogram(),
    ColorHistogram(bins=5, channels="h"),
    ColorHistogram(color_space="rgb", bins=3),
    BagOfVisualWords(),
    BagOfVisualWords(n_words=8, descriptor="hog", encoding="soft", n_jobs=2),
    # The paper's defaults but for the size: 1,600 words need 400,000 patches.
    KMeansFeatures(n_words=8, n_patches=500),
    KMeansFeatures(n_words=5, patch_size=4, step=3, n_patches=200, whiten=False,
                   encoding="soft", pooling_regions=(1, 3), n_jobs=2),
]

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
    CLASSIFIERS + TRANSFORMERS, expected_failed_checks=expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


IMAGES = {
    "colour": make_images(16, (32, 32, 3)),
    "gray": make_images(12, (32, 32)),
}


def _image_checks():
    for transformer in TRANSFORMERS:
        kinds = ["colour"]
        if getattr(transformer, "color_space", "rgb") == "rgb":
            kinds.append("gray")
        for kind in kinds:
            for check in image_transformer_checks(transformer, *IMAGES[kind]):
                yield pytest.param(check, id=f"{transformer}-{kind}-"
                                   f"{check.func.__name__}")


@pytest.mark.parametrize("check", list(_image_checks()))
def test_image_transformer_compliance(check):
    try:
        check()
    except SkipTest as skip:
        pytest.skip(str(skip))
