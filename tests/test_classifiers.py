"""SVMLinearClassifier and SoftmaxClassifier: behaviour beyond scikit-learn's checks."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits, make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.gradient_check import check_gradient

CLASSIFIERS = [
    SVMLinearClassifier(),
    SVMLinearClassifier(loss="squared_hinge", margin=0.5),
    SVMLinearClassifier(multi_class="crammer_singer"),
    SVMLinearClassifier(loss="squared_hinge", multi_class="ovr", margin=2.0),
    SoftmaxClassifier(),
]
ids = ["hinge", "squared_hinge", "crammer_singer", "ovr_squared", "softmax"]


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=300, centers=4, n_features=6, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


# --- The objective: what training descends is what the losses module computes --


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet", None])
@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_objective_gradient_check(estimator, penalty, weighted, sparse, seed):
    rng = np.random.default_rng(seed)
    n_samples, n_features = rng.integers(5, 40), rng.integers(1, 12)
    n_classes = rng.integers(2, 6)
    X = rng.normal(size=(n_samples, n_features))
    X[rng.random(X.shape) < 0.3] = 0.0
    y = np.arange(n_samples) % n_classes
    weights = rng.uniform(0.1, 3.0, size=n_samples) if weighted else None
    if sparse:
        X = sp.csr_matrix(X)
    est = clone(estimator).set_params(
        penalty=penalty, alpha=0.3, l1_ratio=0.4, class_weight={0: 2.0},
        max_iter=1, tol=None,
    )
    est.fit(X, y, sample_weight=weights)
    f = est._objective(X, y, sample_weight=weights)
    coef = rng.normal(size=est.coef_.shape)
    intercept = rng.normal(size=est.intercept_.shape)
    _, grad_coef, grad_intercept = f(coef, intercept)
    assert check_gradient(lambda c: f(c, intercept)[0], coef, grad_coef) < 1e-6
    assert (
        check_gradient(lambda b: f(coef, b)[0], intercept, grad_intercept) < 1e-6
    )


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_objective_agrees_with_the_losses_module(estimator, blobs):
    from sklinear.losses import multiclass_hinge, penalty, softmax_cross_entropy

    X, y = blobs
    est = clone(estimator).set_params(alpha=0.1, max_iter=2, tol=None).fit(X, y)
    value, _, _ = est._objective(X, y)(est.coef_, est.intercept_)
    scores = est.decision_function(X)
    if isinstance(est, SoftmaxClassifier):
        data_loss = softmax_cross_entropy(scores, y)[0]
    else:
        data_loss = multiclass_hinge(
            scores, y, margin=est.margin, squared=est.loss == "squared_hinge",
            multi_class=est.multi_class,
        )[0]
    assert_allclose(value, data_loss + penalty(est.coef_, alpha=0.1)[0])


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_loss_curve_is_the_objective(estimator, blobs):
    # Full-batch gradient descent without penalty: each epoch's entry is the
    # objective at the weights the epoch started from.
    X, y = blobs
    est = clone(estimator).set_params(
        batch_size=None, penalty=None, max_iter=3, tol=None
    )
    est.fit(X, y)
    # At zero weights all scores are equal: ln C for the softmax, and C - 1
    # violated margins for the hinge (one for Crammer-Singer's, C for
    # one-vs-rest's).
    n_classes = 4
    if isinstance(est, SoftmaxClassifier):
        at_zero = np.log(n_classes)
    else:
        violated = {"weston_watkins": n_classes - 1, "crammer_singer": 1,
                    "ovr": n_classes}[est.multi_class]
        at_zero = violated * est.margin ** (2 if est.loss == "squared_hinge" else 1)
    assert_allclose(est.loss_curve_[0], at_zero)
    value, _, _ = est._objective(X, y)(est.coef_, est.intercept_)
    est.partial_fit(X, y)
    assert_allclose(est.loss_curve_[-1], value)
    assert len(est.loss_curve_) == est.n_iter_ == 4


@pytest.mark.parametrize("estimator", CLASSIFIERS[1:], ids=ids[1:])
def test_gradient_descent_decreases_the_objective(estimator, blobs):
    # The "auto" step is within 2 / curvature of a smooth objective (the
    # squared hinge's, the softmax's), where plain gradient descent decreases
    # it at every step. (Momentum may overshoot, and the hinge is not smooth.)
    X, y = blobs
    est = clone(estimator).set_params(batch_size=None, max_iter=30, tol=None,
                                      momentum=0.0)
    est.fit(X, y)
    curve = np.array(est.loss_curve_)
    assert np.all(np.diff(curve) <= 1e-12 * curve[:-1])
    assert curve[-1] < 0.5 * curve[0]


# --- Accuracy -----------------------------------------------------------------


@pytest.mark.parametrize("estimator", CLASSIFIERS[::2], ids=ids[::2])
def test_defaults_beat_sgd_classifier_on_digits(estimator, digits):
    X_train, X_test, y_train, y_test = digits
    baseline = SGDClassifier(random_state=0).fit(X_train, y_train)
    est = clone(estimator).set_params(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X_train, y_train)
    assert est.score(X_test, y_test) >= baseline.score(X_test, y_test)
    assert est.score(X_test, y_test) > 0.95


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
@pytest.mark.parametrize(
    "momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)]
)
@pytest.mark.parametrize("schedule", ["constant", "invscaling", "adaptive"])
def test_optimiser_settings_all_learn(estimator, momentum, nesterov, schedule, blobs):
    X, y = blobs
    est = clone(estimator).set_params(
        momentum=momentum, nesterovs_momentum=nesterov,
        learning_rate_schedule=schedule, batch_size=32, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.score(X, y) > 0.9
    assert est.loss_curve_[-1] < est.loss_curve_[0]


def test_adaptive_schedule_divides_the_step(blobs, capsys):
    X, y = blobs
    est = SoftmaxClassifier(
        learning_rate_schedule="adaptive", tol=0.9, n_iter_no_change=1,
        max_iter=5, verbose=1,
    ).fit(X, y)
    assert "divided by 5" in capsys.readouterr().out
    # The first epoch improves on nothing; each of the other four divides.
    assert est._sgd_state.lr_scale == pytest.approx(0.2**4)


@pytest.fixture(scope="module")
def few_informative():
    return make_classification(
        n_samples=200, n_features=20, n_informative=3, n_redundant=0,
        n_classes=3, random_state=0,
    )


@pytest.fixture(scope="module")
def l1_optimum(few_informative):
    # Plain proximal gradient descent, run to convergence: the reference.
    X, y = few_informative
    return SoftmaxClassifier(
        penalty="l1", alpha=0.02, batch_size=None, momentum=0.0,
        learning_rate=0.1, max_iter=5000, tol=None,
    ).fit(X, y)


@pytest.mark.parametrize("nesterov", [False, True])
def test_l1_with_momentum_reaches_the_optimum(few_informative, l1_optimum, nesterov):
    X, y = few_informative
    est = SoftmaxClassifier(
        penalty="l1", alpha=0.02, batch_size=None, momentum=0.9,
        nesterovs_momentum=nesterov, learning_rate=0.01, max_iter=3000, tol=None,
    ).fit(X, y)
    assert_allclose(est.coef_, l1_optimum.coef_, atol=1e-5)
    assert_array_equal(est.coef_ == 0, l1_optimum.coef_ == 0)


def test_l1_gives_exact_zeros_and_l2_does_not(few_informative, l1_optimum):
    X, y = few_informative
    assert np.mean(l1_optimum.coef_ == 0) > 0.5
    l2 = SoftmaxClassifier(penalty="l2", alpha=0.02, random_state=0).fit(X, y)
    assert np.mean(l2.coef_ == 0) == 0
    # Minibatch noise keeps some weights off zero, but not all.
    sgd = SoftmaxClassifier(penalty="l1", alpha=0.02, random_state=0).fit(X, y)
    assert np.mean(sgd.coef_ == 0) > 0.1
    assert sgd.score(X, y) > l1_optimum.score(X, y) - 0.05


# --- Binary problems, labels, dtypes, sparse input -------------------------------


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_binary_follows_sklearn_conventions(estimator):
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    labels = np.array(["no", "yes"])[y]
    est = clone(estimator).fit(X, labels)
    assert est.coef_.shape == (1, 5)
    assert est.intercept_.shape == (1,)
    scores = est.decision_function(X)
    assert scores.shape == (200,)
    assert_array_equal(est.predict(X), np.where(scores > 0, "yes", "no"))
    assert est.score(X, labels) > 0.85
    if hasattr(est, "predict_proba"):
        proba = est.predict_proba(X)
        assert_allclose(proba.sum(axis=1), 1.0)
        assert_allclose(proba[:, 1], 1 / (1 + np.exp(-scores)))
        # log(p) near p = 1 is a small number known to the rounding of p, not
        # to a relative 1e-7 of itself: an absolute tolerance as well.
        assert_allclose(np.log(proba), est.predict_log_proba(X), atol=1e-12)


def test_predict_proba_is_the_softmax(blobs):
    X, y = blobs
    est = SoftmaxClassifier().fit(X, y)
    scores = est.decision_function(X)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert_allclose(est.predict_proba(X), expected)
    assert_array_equal(est.predict(X), est.predict_proba(X).argmax(axis=1))
    assert not hasattr(SVMLinearClassifier(), "predict_proba")


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_string_labels(estimator, blobs):
    X, y = blobs
    names = np.array(["cat", "car", "frog", "ship"])
    est = clone(estimator).set_params(random_state=0).fit(X, names[y])
    reference = clone(estimator).set_params(random_state=0).fit(X, y)
    assert_array_equal(est.classes_, np.sort(names))
    assert est.coef_.shape == (4, 6)
    # Sorted labels map to the same class indices as the integers here.
    order = np.argsort(names)
    assert_allclose(est.coef_, reference.coef_[order])


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(estimator, dtype, blobs):
    X, y = blobs
    est = clone(estimator).fit(X.astype(dtype), y)
    assert est.coef_.dtype == dtype
    assert est.intercept_.dtype == dtype
    assert est.decision_function(X.astype(dtype)).dtype == dtype


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
@pytest.mark.parametrize("penalty", ["l2", "elasticnet"])
def test_dense_and_sparse_give_the_same_model(estimator, penalty):
    X, y = make_classification(n_samples=300, n_features=30, n_informative=5,
                               n_classes=3, random_state=0)
    X[np.abs(X) < 1.0] = 0.0
    params = dict(penalty=penalty, batch_size=32, random_state=7, max_iter=5, tol=None)
    dense = clone(estimator).set_params(**params).fit(X, y)
    sparse = clone(estimator).set_params(**params).fit(sp.csr_matrix(X), y)
    assert_allclose(dense.coef_, sparse.coef_, rtol=1e-10, atol=1e-12)
    assert_allclose(dense.loss_curve_, sparse.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_same_random_state_same_model(estimator, blobs):
    X, y = blobs
    a = clone(estimator).set_params(random_state=3, batch_size=16).fit(X, y)
    b = clone(estimator).set_params(random_state=3, batch_size=16).fit(X, y)
    c = clone(estimator).set_params(random_state=4, batch_size=16).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)


# --- partial_fit, warm_start, early stopping, class weights -------------------


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_partial_fit_is_one_epoch_of_fit(estimator, blobs):
    X, y = blobs
    params = dict(random_state=0, batch_size=50)
    incremental = clone(estimator).set_params(**params)
    for _ in range(3):
        incremental.partial_fit(X, y, classes=np.unique(y))
    full = clone(estimator).set_params(max_iter=3, tol=None, **params).fit(X, y)
    assert_allclose(incremental.coef_, full.coef_)
    assert_allclose(incremental.loss_curve_, full.loss_curve_)
    assert incremental.n_iter_ == 3
    assert incremental.t_ == 3 * len(y)


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_partial_fit_batches_may_lack_classes(estimator, blobs):
    X, y = blobs
    est = clone(estimator)
    est.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2, 3])
    est.partial_fit(X[y >= 2], y[y >= 2])
    assert est.coef_.shape == (4, 6)
    assert_array_equal(est.classes_, [0, 1, 2, 3])


def test_partial_fit_errors(blobs):
    X, y = blobs
    est = SoftmaxClassifier()
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        est.partial_fit(X, y)
    with pytest.raises(ValueError, match=r"labels \[3\] that are not in"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    est.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="differs from the classes"):
        est.partial_fit(X, y, classes=[0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="not supported for partial_fit"):
        SoftmaxClassifier(class_weight="balanced").partial_fit(
            X, y, classes=[0, 1, 2, 3]
        )


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_warm_start_continues(estimator, blobs):
    X, y = blobs
    params = dict(random_state=0, batch_size=50, tol=None)
    est = clone(estimator).set_params(max_iter=4, warm_start=True, **params)
    est.fit(X, y).fit(X, y)
    straight = clone(estimator).set_params(max_iter=8, **params).fit(X, y)
    assert_allclose(est.coef_, straight.coef_)
    assert est.n_iter_ == 8 == len(est.loss_curve_)
    with pytest.raises(ValueError, match="same classes"):
        est.fit(X[y < 3], y[y < 3])


def test_early_stopping(digits):
    X_train, _, y_train, _ = digits
    est = SoftmaxClassifier(early_stopping=True, random_state=0, n_iter_no_change=3)
    est.fit(X_train, y_train)
    assert len(est.validation_scores_) == est.n_iter_ == len(est.loss_curve_)
    assert est.n_iter_ < est.max_iter
    # The validation set is 10% of the data and the best epoch's weights are kept.
    assert max(est.validation_scores_) > 0.9
    assert SoftmaxClassifier().fit(X_train, y_train).validation_scores_ is None


def test_class_weight_balanced_is_the_dict_it_computes():
    X, y = make_classification(n_samples=200, n_classes=3, n_informative=4,
                               weights=[0.6, 0.3, 0.1], random_state=0)
    counts = np.bincount(y)
    weights = {k: len(y) / (3 * counts[k]) for k in range(3)}
    a = SVMLinearClassifier(class_weight="balanced", random_state=0).fit(X, y)
    b = SVMLinearClassifier(class_weight=weights, random_state=0).fit(X, y)
    assert_allclose(a.coef_, b.coef_)


def test_sample_weight_zero_is_dropping_the_sample(blobs):
    X, y = blobs
    weights = np.ones(len(y))
    weights[::3] = 0.0
    kept = weights > 0
    params = dict(batch_size=None, max_iter=20, tol=None)
    a = SoftmaxClassifier(**params).fit(X, y, sample_weight=weights)
    b = SoftmaxClassifier(**params).fit(X[kept], y[kept])
    assert_allclose(a.coef_, b.coef_, rtol=1e-10)


# --- Errors and faults ---------------------------------------------------------


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=ids)
def test_divergence_is_a_clear_error_and_leaves_no_nan(estimator, blobs):
    X, y = blobs
    huge = clone(estimator).set_params(learning_rate=1e30, momentum=0.9)
    message = r"diverged in epoch \d+.*smaller learning_rate"
    with pytest.raises(ValueError, match=message):
        huge.fit(X * 1e10, y)
    assert not hasattr(huge, "coef_")
    fitted = clone(estimator).fit(X, y)
    coef = fitted.coef_.copy()
    fitted.set_params(learning_rate=1e30, warm_start=True)
    with pytest.raises(ValueError, match="diverged"):
        fitted.fit(X * 1e10, y)
    assert_array_equal(fitted.coef_, coef)


def test_one_class_is_an_error():
    with pytest.raises(ValueError, match="at least 2 classes.*only one class: 1.0"):
        SoftmaxClassifier().fit(np.ones((5, 2)), np.ones(5))


def test_all_zero_weights_is_an_error(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="non-zero|sum to zero"):
        SoftmaxClassifier().fit(X, y, sample_weight=np.zeros(len(y)))
    weights = np.where(y == 0, 1.0, 0.0)
    with pytest.raises(ValueError, match="times the class weights"):
        SoftmaxClassifier(class_weight={0: 0.0}).fit(X, y, sample_weight=weights)


def test_convergence_warning_names_the_fix(blobs):
    X, y = blobs
    with pytest.warns(ConvergenceWarning, match="max_iter=2.*tol=None"):
        SoftmaxClassifier(max_iter=2, tol=1e-12).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SoftmaxClassifier(max_iter=2, tol=None).fit(X, y)


def test_input_is_not_modified(blobs):
    X, y = blobs
    X = X.copy()
    X_sparse = sp.csr_matrix(X)
    before, before_data = X.copy(), X_sparse.data.copy()
    weights = np.ones(len(y))
    SoftmaxClassifier(class_weight="balanced").fit(X, y, sample_weight=weights)
    SoftmaxClassifier(early_stopping=True).fit(X_sparse, y)
    assert_array_equal(X, before)
    assert_array_equal(X_sparse.data, before_data)
    assert_array_equal(weights, 1.0)


def test_fit_makes_no_copy_of_the_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 300)).astype(np.float32)  # 24 MB
    y = rng.integers(0, 10, size=20_000)
    est = SoftmaxClassifier(max_iter=2, tol=None, random_state=0)
    tracemalloc.start()
    est.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * X.nbytes, f"fit allocated {peak / 1e6:.1f} MB at peak"


def test_pickle_round_trip(blobs):
    X, y = blobs
    est = SoftmaxClassifier(random_state=0).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    assert_array_equal(est.predict_proba(X), again.predict_proba(X))
    again.partial_fit(X, y)
    assert again.n_iter_ == est.n_iter_ + 1


def test_verbose_prints_one_line_per_epoch_and_why_it_stopped(blobs, capsys):
    X, y = blobs
    SoftmaxClassifier(verbose=1, max_iter=3, tol=None).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert len(lines) == 4
    assert lines[0].startswith("Epoch 1: objective")
    assert lines[3] == "Training stopped after epoch 3: max_iter epochs ran."


@pytest.mark.parametrize("fault", [KeyboardInterrupt, RuntimeError])
def test_interrupted_refit_leaves_the_previous_model(blobs, fault, monkeypatch):
    # Training fails in its second epoch on data with another number of
    # features: the estimator keeps its previous fit, input description included.
    import sklinear.linear_model._base as base

    X, y = blobs
    est = SoftmaxClassifier(random_state=0).fit(X, y)
    before = (est.coef_.copy(), est.n_iter_, est.n_features_in_)
    real_run_epochs = base.run_epochs

    def failing(*args, **kwargs):
        epochs = {"n": 0}

        def on_epoch_end(coef, intercept):
            epochs["n"] += 1
            if epochs["n"] == 2:
                raise fault("interrupted")

        kwargs["on_epoch_end"] = on_epoch_end
        return real_run_epochs(*args, **kwargs)

    monkeypatch.setattr(base, "run_epochs", failing)
    with pytest.raises(fault):
        est.fit(np.hstack([X, X]), y)
    assert_array_equal(est.coef_, before[0])
    assert (est.n_iter_, est.n_features_in_) == before[1:]
    monkeypatch.undo()
    assert_array_equal(est.predict(X), SoftmaxClassifier(random_state=0)
                       .fit(X, y).predict(X))
