"""scikit-learn's callback API (sklearn.callback, new in 1.9) in the SGD loop,
on a classifier alone and inside a Pipeline and a GridSearchCV."""

from collections import namedtuple

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
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


# --- Inside meta-estimators ------------------------------------------------------

End = namedtuple("End", "estimator task task_id X model")


class Recorder:
    """An auto-propagated callback, as ProgressBar is: set on the outermost
    estimator, handed down to every estimator it fits. Records each task end."""

    max_propagation_depth = None

    def __init__(self):
        self.ends = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, X=None, fitted_estimator=None):
        self.ends.append(End(type(estimator).__name__, context.task_name,
                             context.task_id, X, fitted_estimator))

    def fits_of(self, name):
        """The epochs of each fit of the estimator ``name``, in order: one list
        of epoch ends (those with a model) per fit."""
        fits, epochs = [], []
        for end in self.ends:
            if end.estimator != name:
                continue
            if end.task == "epoch" and end.model is not None:
                epochs.append(end)
            elif end.task == "fit":
                fits.append(epochs)
                epochs = []
        return fits


@needs_callbacks
@pytest.mark.parametrize("Estimator", [SVMLinearClassifier, SoftmaxClassifier])
def test_a_callback_on_a_pipeline_sees_each_epoch_of_the_classifier(Estimator):
    X, y = load_digits(return_X_y=True)
    recorder = Recorder()
    pipe = make_pipeline(StandardScaler(),
                         Estimator(max_iter=4, tol=None, random_state=0))
    pipe.set_callbacks(recorder).fit(X, y)
    clf = pipe[-1]
    [epochs] = recorder.fits_of(Estimator.__name__)
    assert [end.task_id for end in epochs] == list(range(clf.n_iter_)) == [0, 1, 2, 3]
    # The epochs see what reaches the classifier: the scaled features.
    assert_allclose(epochs[0].X, pipe[0].transform(X))
    # Each epoch's model is a snapshot: the last one is the fitted model, and
    # the first one is not.
    assert_array_equal(epochs[-1].model.coef_, clf.coef_)
    assert not np.array_equal(epochs[0].model.coef_, clf.coef_)
    assert epochs[0].model.score(epochs[0].X, y) < clf.score(pipe[0].transform(X), y)


@needs_callbacks
def test_progress_bar_goes_on_the_pipeline_not_on_the_classifier_inside():
    pytest.importorskip("rich", reason="ProgressBar needs rich: pip install rich")
    X, y = load_digits(return_X_y=True)
    inside = make_pipeline(StandardScaler(), SoftmaxClassifier(max_iter=2, tol=None)
                           .set_callbacks(callback_api.ProgressBar()))
    with pytest.raises(TypeError, match="Register them directly on the meta-estimator"):
        inside.fit(X, y)
    outside = make_pipeline(StandardScaler(), SoftmaxClassifier(max_iter=2, tol=None))
    outside.set_callbacks(callback_api.ProgressBar()).fit(X, y)
    assert outside[-1].n_iter_ == 2


@needs_callbacks
def test_a_callback_on_a_grid_search_sees_every_fit_of_the_classifier():
    X, y = load_digits(return_X_y=True)
    recorder = Recorder()
    search = GridSearchCV(
        make_pipeline(StandardScaler(),
                      SoftmaxClassifier(max_iter=3, tol=None, random_state=0)),
        {"softmaxclassifier__alpha": [1e-4, 1e-1]}, cv=2,
    )
    search.set_callbacks(recorder).fit(X, y)
    fits = recorder.fits_of("SoftmaxClassifier")
    # Two candidates times two folds, then the refit on all the data.
    assert [[end.task_id for end in epochs] for epochs in fits] == [[0, 1, 2]] * 5
    # Each candidate on the training part of each fold, the refit on all.
    sizes = [len(epochs[0].X) for epochs in fits]
    assert sizes[0] + sizes[1] == len(X) == sizes[4] and sizes[:2] == sizes[2:4]
    assert_array_equal(fits[-1][-1].model.coef_, search.best_estimator_[-1].coef_)


@needs_callbacks
def test_a_callback_on_the_classifier_inside_a_grid_search_acts_on_every_fit():
    # Not auto-propagated: it stays on the classifier, which the search clones
    # with its callbacks for every candidate and fold, and for the refit.
    X, y = load_digits(return_X_y=True)
    stop = StopAfter(2)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), SVMLinearClassifier(max_iter=20, tol=None,
                                                            random_state=0)
                      .set_callbacks(stop)),
        {"svmlinearclassifier__alpha": [1e-4, 1e-1]}, cv=2,
    ).fit(X, y)
    best = search.best_estimator_[-1]
    assert (best.n_iter_, best.stop_reason_) == (2, "callback")
    # Each of the 5 fits: its own task, 2 epochs, the epoch begun after them.
    assert stop.ended == 5 * (1 + 2 + 1) == stop.begun


@needs_callbacks
def test_scoring_monitor_on_the_classifier_inside_a_pipeline():
    X, y = load_digits(return_X_y=True)
    monitor = callback_api.ScoringMonitor(scoring="accuracy")
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(max_iter=3, tol=None,
                                                             random_state=0)
                         .set_callbacks(monitor)).fit(X, y)
    rows = monitor.get_logs().data
    assert [row["task_name"] for row in rows] == ["fit", "epoch", "epoch", "epoch"]
    # Scored on the features the classifier was fitted on.
    assert_allclose(rows[0]["accuracy"], pipe.score(X, y))
