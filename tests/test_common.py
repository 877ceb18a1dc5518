"""scikit-learn's own estimator checks, run over every sklinear estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklinear import SoftmaxClassifier, SVMLinearClassifier

# On the checks' data sets (at most a few dozen samples) the default batch_size
# of 256 makes the defaults full-batch gradient descent; the last instance keeps
# true minibatches so that every check also runs through that path.
ESTIMATORS = [
    SVMLinearClassifier(),
    SVMLinearClassifier(loss="squared_hinge", penalty="elasticnet"),
    SoftmaxClassifier(),
    SoftmaxClassifier(penalty="l1", batch_size=4),
]

# The reason scikit-learn gives for SGDClassifier, and the same cause: with
# minibatches a weight of 2 and a repeated sample are equivalent in expectation
# only, since they fall into different minibatches. Full-batch training passes.
MINIBATCH_WEIGHTS = "sample_weight is not equivalent to removing/repeating samples."


def expected_failed_checks(estimator):
    if estimator.batch_size is not None and estimator.batch_size < 15:
        return {
            "check_sample_weight_equivalence_on_dense_data": MINIBATCH_WEIGHTS,
            "check_sample_weight_equivalence_on_sparse_data": MINIBATCH_WEIGHTS,
        }
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
