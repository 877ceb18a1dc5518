"""The optimiser: the step "auto" takes from the problem, and honest stopping.

"auto" follows the curvature of the objective, so it is the same step for the
same problem at any scale of the features; an epoch that diverges sends
training back to its best weights with a shorter step, and training that
cannot be saved raises; a stop says why it happened, and warns when it looks
like a step too short rather than convergence.
"""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.linear_model._base import _AUTO_STEP
from sklinear.linear_model._sgd import (
    SGDState,
    _DivergenceGuard,
    _Schedule,
    _StoppingRule,
    second_moment_curvature,
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def objective_at(est, X, y):
    """The training objective at the fitted weights (not the epoch's mean)."""
    value, _, _ = est._objective(X, y)(est.coef_, est.intercept_)
    return value


def zero_weights_objective(est, n_classes):
    # Every score 0: ln K for the softmax, (K - 1) * margin for the hinge.
    if isinstance(est, SoftmaxClassifier):
        return np.log(n_classes)
    margin = est.margin
    return (n_classes - 1) * (margin**2 if est.loss == "squared_hinge" else margin)


# --- The curvature the step comes from ---------------------------------------------


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_samples", [1, 7, 300])
def test_curvature_of_full_batches_is_the_largest_eigenvalue(n_samples, sparse):
    # With every row in the sample, the full-batch curvature is exactly the
    # largest eigenvalue of the weighted second moment (uncentred).
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 12)) * rng.uniform(0.1, 10, size=12) + 3.0
    weights = rng.uniform(0.5, 2.0, size=n_samples)
    moment = (X * weights[:, None]).T @ X / weights.sum()
    expected = np.linalg.eigvalsh(moment)[-1]
    data = sp.csr_matrix(X) if sparse else X
    # Computed in single precision: an estimate for a step size.
    assert_allclose(second_moment_curvature(data, weights, None), expected, rtol=1e-5)
    # Single samples: the weighted mean squared norm, Gower et al.'s bound.
    if n_samples > 1:
        mean_squared_norm = np.average((X**2).sum(axis=1), weights=weights)
        assert_allclose(second_moment_curvature(data, weights, 1), mean_squared_norm,
                        rtol=1e-5)


def test_curvature_from_the_gram_of_the_rows():
    # Fewer rows than features: the eigenvalue comes from the rows' Gram, whose
    # leading direction here alternates in sign (orthogonal to all ones).
    rng = np.random.default_rng(0)
    signs = np.where(np.arange(40) % 2, -1.0, 1.0)
    X = 2.0 * signs[:, None] * rng.normal(size=100) + rng.normal(size=(40, 100))
    expected = np.linalg.eigvalsh(X.T @ X / 40)[-1]
    assert_allclose(second_moment_curvature(X, np.ones(40), None), expected,
                    rtol=1e-5)


def test_curvature_is_free_of_overflow_and_of_the_input():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    before = X.copy()
    reference = second_moment_curvature(X, np.ones(50), None)
    assert_array_equal(X, before)
    # float32 features of 1e18 square to 1e36, times 4 features: still within
    # float64, where the curvature is computed; 1e160 is beyond it.
    big = (X * 1e18).astype(np.float32)
    assert_allclose(second_moment_curvature(big, np.ones(50), None), reference * 1e36,
                    rtol=1e-5)
    assert second_moment_curvature(X * 1e160, np.ones(50), None) == np.inf
    assert second_moment_curvature(np.zeros((5, 3)), np.ones(5), None) == 0.0


@pytest.mark.parametrize("estimator", [SoftmaxClassifier(), SVMLinearClassifier()])
def test_auto_step_is_the_same_at_any_scale_of_the_features(estimator, digits):
    # Without a penalty, scaling the features by c scales the curvature by c^2:
    # "auto" takes the step that makes the same model.
    X, y = digits
    est = clone(estimator).set_params(penalty=None, random_state=0)
    unscaled = clone(est).fit(X, y)
    for scale in (1e-6, 1e8):
        scaled = clone(est).fit(X * scale, y)
        # Equal to the 3 significant digits the step is kept to.
        assert_allclose(scaled.learning_rate_ * scale**2, unscaled.learning_rate_,
                        rtol=5e-3)
        assert np.mean(scaled.predict(X * scale) == unscaled.predict(X)) > 0.99


@pytest.mark.parametrize("alpha", [1e-4, 1.0, 1e3])
def test_auto_step_is_never_longer_than_the_penalty_allows(alpha, digits):
    X, y = digits
    est = SoftmaxClassifier(alpha=alpha, random_state=0).fit(X, y)
    assert est.learning_rate_ * alpha <= _AUTO_STEP * (1 + 1e-12)


@pytest.mark.parametrize("dtype, scale", [(np.float64, 1e160), (np.float32, 1e19)])
def test_features_too_large_for_any_step_are_refused(dtype, scale, digits):
    X, y = digits
    est = SoftmaxClassifier(random_state=0)
    with pytest.raises(ValueError, match=(
        rf"The features are too large for a learning rate in {np.dtype(dtype)}: "
        r"the curvature of the objective, .* Scale the features"
    )):
        est.fit((X * scale).astype(dtype), y)
    assert not hasattr(est, "coef_")


# --- Divergence: recovered, or an error ----------------------------------------------

# The cases: each returned a model of 0.1% accuracy, with no error.
DIVERGING_BEFORE = {
    "softmax alpha=100": (SoftmaxClassifier(alpha=100), 1.0),
    "svm alpha=1000": (SVMLinearClassifier(alpha=1000), 1.0),
    "squared hinge in batches of 8": (
        SVMLinearClassifier(loss="squared_hinge", batch_size=8), 1.0),
    "softmax on tiny features": (SoftmaxClassifier(), 1e-4),
    "softmax with a step 100x too long": (SoftmaxClassifier(learning_rate=1.0), 1.0),
}


@pytest.mark.parametrize("case", list(DIVERGING_BEFORE))
def test_a_diverging_setting_converges_or_raises(case, digits):
    estimator, scale = DIVERGING_BEFORE[case]
    X, y = digits
    X = X * scale
    est = clone(estimator).set_params(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            est.fit(X, y)
        except ValueError as error:
            assert "Training diverged" in str(error)
            return
    # Converged: the weights it returns are no worse than no weights at all,
    # up to the noise the minibatches leave (these optima are near zero).
    assert objective_at(est, X, y) < zero_weights_objective(est, 10) * (1 + 1e-3)
    assert np.isfinite(est.loss_curve_[-1])


def test_a_diverging_epoch_returns_to_the_best_weights_with_a_shorter_step(digits):
    # A step of 5 with alpha=1: the penalty alone multiplies the weights by
    # 1 - 5 = -4 at each step, so the first epoch blows up; back at the start
    # with a step 5 (then 25) times shorter, training goes on.
    X, y = digits
    est = SoftmaxClassifier(alpha=1.0, learning_rate=5.0, momentum=0.0,
                            max_iter=30, tol=None, random_state=0).fit(X, y)
    assert est.n_backoffs_ in (1, 2)
    assert not est.loss_curve_[0] < 2 * np.log(10)
    assert_allclose(est._sgd_state.lr_scale, 5.0**-est.n_backoffs_)
    assert est.loss_curve_[-1] < np.log(10)
    assert objective_at(est, X, y) < np.log(10)


def test_weights_a_wild_epoch_ended_with_are_not_trusted_twice(digits):
    # Squared hinge in minibatches of 8: the second epoch blows up, and the
    # weights the first ended with, though its mean loss was low, diverge
    # again at any step; training then goes back to the start and recovers
    # (it raised after five returns to those weights).
    X, y = digits
    est = SVMLinearClassifier(loss="squared_hinge", batch_size=8, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert est.n_backoffs_ >= 2
    assert est.stop_reason_ == "converged"
    assert objective_at(est, X, y) < 0.1 * zero_weights_objective(est, 10)
    assert est.score(X, y) > 0.95


def test_training_that_diverges_every_time_raises_and_keeps_nothing(digits):
    X, y = digits
    est = SoftmaxClassifier(learning_rate=1e12, random_state=0)
    with np.errstate(all="ignore"), pytest.raises(
        ValueError, match=r"Training diverged in epoch \d+: .* after 5 returns to the "
        r"best weights with a step 5 times shorter each time"
    ):
        est.fit(X, y)
    assert not hasattr(est, "coef_")


# --- Why training stopped ------------------------------------------------------------


def test_stop_reasons(digits):
    X, y = digits
    converged = SoftmaxClassifier(random_state=0).fit(X, y)
    assert converged.stop_reason_ == "converged"
    assert converged.n_iter_ < converged.max_iter
    assert converged.n_backoffs_ == 0
    fixed = SoftmaxClassifier(max_iter=3, tol=None, random_state=0).fit(X, y)
    assert fixed.stop_reason_ == "max_iter" and fixed.n_iter_ == 3


def test_verbose_says_why_training_stopped(digits, capsys):
    X, y = digits
    SoftmaxClassifier(random_state=0, verbose=1).fit(X, y)
    assert "Training stopped after" in capsys.readouterr().out


def test_a_stop_by_tol_after_a_tiny_step_warns(digits):
    # The case: 6 epochs from ln 10 = 2.303 to 2.262, each a little
    # lower, read as convergence under tol.
    X, y = digits
    est = SoftmaxClassifier(learning_rate=3e-5, random_state=0)
    with pytest.warns(ConvergenceWarning, match=(
        r"barely below its value at zero weights \(2\.303\), where one step of "
        r"gradient descent would still lower it by .*: the step "
        r"\(learning_rate_=3e-05\) is likely too short"
    )):
        est.fit(X, y)
    assert est.stop_reason_ == "converged"


def test_a_real_convergence_does_not_warn(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        SoftmaxClassifier(random_state=0).fit(X, y)
        SVMLinearClassifier(random_state=0).fit(X, y)
        # Heavily penalised: the optimum is near zero weights, reached fast.
        SoftmaxClassifier(alpha=10.0, random_state=0).fit(X, y)


# --- The loop's parts, alone ---------------------------------------------------------


def loop_parts(schedule="adaptive", tol=1e-3, n_iter_no_change=2):
    state = SGDState(rng=np.random.RandomState(0), coef_velocity=np.zeros((3, 2)),
                     intercept_velocity=np.zeros(2))
    params = SimpleNamespace(learning_rate_schedule=schedule, power_t=0.5, tol=tol,
                             n_iter_no_change=n_iter_no_change)
    return state, params


def test_the_adaptive_schedule_divides_four_times_then_lets_training_stop():
    state, params = loop_parts()
    schedule = _Schedule(params, state)
    divisions = 0
    while schedule.shorten_on_stall():
        divisions += 1
    assert divisions == 4
    assert_allclose(schedule.factor(), 5.0**-4)
    # A back-off shortens the step too, and counts.
    schedule.back_off()
    assert_allclose(schedule.factor(), 5.0**-5)
    assert state.n_backoffs == 1
    # Other schedules never divide on a stall: training stops.
    state, params = loop_parts(schedule="invscaling")
    state.n_iter = 3
    assert not _Schedule(params, state).shorten_on_stall()
    assert_allclose(_Schedule(params, state).factor(), 4.0**-0.5)


def test_the_guard_returns_to_the_start_after_two_divergences_with_no_safe_epoch():
    coef, intercept = np.zeros((3, 2)), np.zeros(2)
    guard = _DivergenceGuard(coef, intercept, zero_value=1.0)
    assert guard.found_none
    # Below twice the zero-weights value (no best yet): not diverged.
    assert not guard.diverged(1.9, np.inf)
    assert guard.diverged(2.1, np.inf) and guard.diverged(np.nan, np.inf)
    # Above twice the best, when the best is above the zero-weights value.
    assert guard.diverged(5.0, 2.4) and not guard.diverged(4.7, 2.4)
    coef += 1.0
    guard.record(0.5, coef, intercept)  # safe: kept
    coef += 1.0
    guard.record(3.0, coef, intercept)  # above the zero-weights value: not kept
    guard.restore(coef, intercept)
    assert_array_equal(coef, 1.0)
    assert not guard.found_none
    # A second divergence before any safe epoch: back to the start of the call.
    coef += 7.0
    guard.restore(coef, intercept)
    assert_array_equal(coef, 0.0)
    assert guard.found_none


def test_the_stopping_rule_is_relative_with_a_floor_and_keeps_the_best_weights():
    state, params = loop_parts(tol=0.1, n_iter_no_change=2)
    rule = _StoppingRule(params, state, zero_value=10.0, validation_score=None)
    coef, intercept = np.zeros((3, 2)), np.zeros(2)
    state.best_loss = 5.0
    rule.update(4.4, coef, intercept)  # 12% better than the best: improved
    assert state.no_improvement_count == 0
    rule.update(4.0, coef, intercept)  # 9% better: not by tol
    assert not rule.stalled()
    rule.update(3.97, coef, intercept)
    assert rule.stalled() and state.no_improvement_count == 0
    assert state.best_loss == 3.97
    # Near 0, improvements are judged against 10% of the zero-weights value.
    state.best_loss = 0.01
    rule.update(0.0, coef, intercept)  # 0.01 better, less than 0.1 * 1.0
    assert state.no_improvement_count == 1
    # With a validation score, the weights of the best epoch come back.
    scores = iter([0.5, 0.8, 0.7])
    rule = _StoppingRule(params, state, 10.0, lambda c, i: next(scores))
    for value in (1.0, 2.0, 3.0):
        coef[...] = value
        rule.update(value, coef, intercept)
    rule.restore_best(coef, intercept)
    assert_array_equal(coef, 2.0)
