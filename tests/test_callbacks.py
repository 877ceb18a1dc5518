"""scikit-learn's callback API (sklearn.callback, new in 1.9) in the SGD loop."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier, SVMLinearClassifier

try:
    import sklearn.callback as callback_api
except ImportError:
    callback_api = None

needs_callbacks = pytest.mark.skipif(
    callback_api is None, reason="sklearn.callback is new in scikit-learn 1.9"
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


class StopAfter:
    """A callback that stops the fit after a number of epochs, and counts hooks."""

    def __init__(self, n_epochs):
        self.n_epochs = n_epochs
        self.begun = self.ended = 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        self.begun += 1

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.ended += 1
        # The epochs are the subtasks of the fit, numbered from 0.
        return context.task_name == "epoch" and context.task_id + 1 >= self.n_epochs


@needs_callbacks
@pytest.mark.parametrize("Estimator", [SVMLinearClassifier, SoftmaxClassifier])
def test_scoring_monitor_logs_a_score_per_epoch(Estimator, digits):
    X, y = digits
    monitor = callback_api.ScoringMonitor(scoring="accuracy")
    est = Estimator(max_iter=6, tol=None, random_state=0).set_callbacks(monitor)
    est.fit(X, y)
    log = monitor.get_logs().data_as_pandas
    fit, epochs = log.iloc[0], log.iloc[1:]  # the whole fit (0,), then (0, k)
    assert fit["task_id_path"] == (0,)
    assert list(epochs["task_id_path"]) == [(0, k) for k in range(est.n_iter_)]
    assert_allclose(fit["accuracy"], est.score(X, y))
    assert_allclose(epochs["accuracy"].iloc[-1], est.score(X, y))
    assert epochs["accuracy"].iloc[-1] > epochs["accuracy"].iloc[0]


@needs_callbacks
def test_a_callback_can_stop_training(digits):
    X, y = digits
    stop = StopAfter(3)
    est = SoftmaxClassifier(max_iter=50, tol=None).set_callbacks(stop)
    est.fit(X, y)
    assert est.n_iter_ == 3 == len(est.loss_curve_)
    assert stop.begun == stop.ended  # every task begun was ended


@needs_callbacks
def test_progress_bar_runs(digits, capsys):
    pytest.importorskip("rich", reason="ProgressBar needs rich: pip install rich")
    X, y = digits
    est = SVMLinearClassifier(max_iter=3, tol=None)
    est.set_callbacks(callback_api.ProgressBar()).fit(X, y)
    est.partial_fit(X, y)
    assert est.n_iter_ == 4


@pytest.mark.skipif(callback_api is not None, reason="scikit-learn >= 1.9 has it")
def test_set_callbacks_explains_the_scikit_learn_version_needed():
    with pytest.raises(ImportError, match=r"scikit-learn 1\.9.*pip install -U"):
        SoftmaxClassifier().set_callbacks(object())


def test_fit_without_callbacks_is_unchanged(digits):
    X, y = digits
    a = SoftmaxClassifier(max_iter=3, tol=None, random_state=0).fit(X, y)
    b = SoftmaxClassifier(max_iter=3, tol=None, random_state=0)
    if callback_api is not None:
        b.set_callbacks(StopAfter(100))
    b.fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
