"""Minibatch stochastic gradient descent for a linear model on a multiclass loss.

The loop knows nothing of scikit-learn: it updates the weights ``coef`` of shape
``(n_features, n_outputs)`` and ``intercept`` in place, epoch by epoch, and keeps
what it needs between calls (velocities, schedule, counters, history) in an
:class:`SGDState`. A loss enters as a kernel from :mod:`sklinear.losses`: a
function ``kernel(scores, y, factors)`` that returns ``sum_i factors_i * L_i`` and
overwrites ``scores`` with the gradient of that sum.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg

from ..losses import _penalty_strengths

# The adaptive schedule divides the step by this factor when training stalls,
# and stops instead once the step is this many times shorter than it began
# (four divisions): relative, so that it means the same for any scale of step.
# scikit-learn's MLP stops below 1e-6, four divisions of its default 1e-3.
_ADAPTIVE_FACTOR = 5.0
_MIN_ADAPTIVE_SCALE = _ADAPTIVE_FACTOR**-4
# An epoch whose objective ends above this many times the larger of its best
# value and its value at zero weights has diverged: training goes back to the
# best weights with a step this many times shorter, at most this many times
# before giving up. A well-scaled step never comes near; SGD's noise does not
# double an objective.
_DIVERGENCE_RISE = 2.0
_BACKOFF_FACTOR = 5.0
_MAX_BACKOFFS = 5
# tol is relative to the best objective, or to this fraction of the objective
# at zero weights when the best is smaller: progress is judged against the
# size of the problem, not of what is left of it.
_TOL_FLOOR = 0.1
# Rows of X sampled to estimate the largest eigenvalue of its second moment.
_CURVATURE_SAMPLE = 512


@dataclass
class SGDState:
    """What the optimiser carries from one epoch (and one call) to the next."""

    rng: np.random.RandomState
    coef_velocity: np.ndarray
    intercept_velocity: np.ndarray
    lr_scale: float = 1.0  # accumulated divisions of the adaptive schedule
    t: int = 0  # training samples seen
    n_iter: int = 0  # epochs completed
    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_loss: float = np.inf
    best_score: float = -np.inf
    no_improvement_count: int = 0
    n_backoffs: int = 0  # steps shortened because the objective rose


@dataclass(frozen=True)
class SGDParams:
    """The hyper-parameters of the loop, as the estimators name them."""

    kernel: object
    alpha: float
    penalty: object
    l1_ratio: float
    learning_rate: float
    intercept_learning_rate: float
    learning_rate_schedule: str
    power_t: float
    momentum: float
    nesterovs_momentum: bool
    batch_size: object
    tol: object
    n_iter_no_change: int
    shuffle: bool
    fit_intercept: bool
    verbose: int


def data_loss_grad(X, y, factors, coef, intercept, kernel, scores, grad_coef):
    """Weighted data loss of the linear model and its gradient.

    Computes ``sum_i factors_i * L_i(X_i coef + intercept)``; leaves its gradient
    with respect to ``coef`` in ``grad_coef`` and returns it with respect to the
    intercept. ``scores`` (``(n_samples, n_outputs)``) is scratch space.
    """
    if sp.issparse(X):
        scores[...] = X @ coef
    else:
        np.dot(X, coef, out=scores)
    scores += intercept
    loss = kernel(scores, y, factors)
    if sp.issparse(X):
        grad_coef[...] = X.T @ scores
    else:
        np.dot(X.T, scores, out=grad_coef)
    return loss, scores.sum(axis=0)


def objective(X, y, sample_weight, coef, intercept, params):
    """The training objective on all of ``X`` and its (sub)gradient.

    The mean data loss weighted by ``sample_weight`` plus the penalty on
    ``coef``: the quantity whose per-epoch value is ``loss_curve_``. Returns
    ``(value, grad_coef, grad_intercept)``; the intercept gradient is zero when
    the intercept is not fitted.
    """
    factors = sample_weight / sample_weight.sum()
    scores = np.empty((X.shape[0], coef.shape[1]), dtype=coef.dtype)
    grad_coef = np.empty_like(coef)
    loss, grad_intercept = data_loss_grad(
        X, y, factors, coef, intercept, params.kernel, scores, grad_coef
    )
    l1, l2 = _penalty_strengths(params.penalty, params.alpha, params.l1_ratio)
    loss += l1 * np.abs(coef).sum() + 0.5 * l2 * np.vdot(coef, coef)
    grad_coef += l1 * np.sign(coef) + l2 * coef
    if not params.fit_intercept:
        grad_intercept[:] = 0.0
    return float(loss), grad_coef, grad_intercept


def second_moment_curvature(X, sample_weight, batch_size, *, random_state=0):
    """The curvature that bounds the step of minibatch SGD on a linear model.

    For a loss whose second derivative in the scores is at most 1, the mean
    loss over a minibatch of ``B`` of the ``n`` samples is, in expectation,
    ``L_B``-smooth in the weights (Gower et al., 2019), with

        L_B = n (B - 1) / (B (n - 1)) * lambda_max + (n - B) / (B (n - 1)) * m

    where ``lambda_max`` is the largest eigenvalue of the weighted second
    moment ``sum_i w_i x_i x_i^T / sum_i w_i`` (the curvature of the whole
    objective) and ``m`` the weighted mean of ``||x_i||^2`` (that of one
    sample; Gower et al. take the largest, which outliers make needlessly
    cautious). Full batches give ``lambda_max``, single samples ``m``.

    Both come from at most ``_CURVATURE_SAMPLE`` rows drawn at random (seeded,
    so that the step does not depend on ``random_state``), scaled by their
    largest value before they are squared, so that features of any size give
    their curvature or ``inf``, never an overflow to a wrong number: the
    largest eigenvalue is that of their Gram matrix, exact for the sample, an
    estimate of the whole data's (on the CIFAR-10 subset: 898 for 912 on the
    6,400 k-means features, 899 for 840 on the pixels).
    """
    n_samples = X.shape[0]
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(n_samples, min(n_samples, _CURVATURE_SAMPLE),
                              replace=False))
    sample = X[rows]
    values = sample.data if sp.issparse(sample) else sample
    largest = float(max(values.max(initial=0), -values.min(initial=0)))
    if largest == 0:
        return 0.0
    weights = sample_weight[rows].astype(np.float64)
    if not weights.sum() > 0:
        # The weights of the sample are all zero: the samples count alike.
        weights = np.ones_like(weights)
    weights /= weights.sum()
    # Scaled to [-1, 1], then in single precision: enough for an estimate,
    # and twice as fast as double (15 ms on 3,072 features, one thread).
    sample = (sample / largest).astype(np.float32)
    row_scales = np.sqrt(weights).astype(np.float32)
    if sp.issparse(sample):
        sample = sp.diags(row_scales) @ sample
    else:
        sample *= row_scales[:, np.newaxis]
    # S^T S and S S^T share their non-zero eigenvalues: the smaller of the two.
    gram = sample.T @ sample if sample.shape[1] < sample.shape[0] else sample @ sample.T
    gram = gram.toarray() if sp.issparse(gram) else gram
    top = _largest_eigenvalue(gram.astype(np.float64), rng)
    mean_squared_norm = np.trace(gram)
    batch = n_samples if batch_size is None else min(batch_size, n_samples)
    if n_samples > 1:
        a = n_samples * (batch - 1) / (batch * (n_samples - 1))
        b = (n_samples - batch) / (batch * (n_samples - 1))
    else:
        a, b = 1.0, 0.0
    with np.errstate(over="ignore"):
        return float((a * top + b * mean_squared_norm) * largest * largest)


def _largest_eigenvalue(gram, rng):
    """The largest eigenvalue of a symmetric positive semi-definite matrix.

    By Lanczos iterations (ARPACK) from a random start: a few dozen products
    with ``gram``, 1 ms on 512 rows, where the tridiagonalisation of a full
    ``eigh`` took 7 to 100 ms (the longer with BLAS on two threads). The start
    comes from the caller's seeded generator: a fixed vector could be
    orthogonal to the top eigenvector and find another.
    """
    n = len(gram)
    if n > 2:
        try:
            return scipy.sparse.linalg.eigsh(
                gram, k=1, which="LA", v0=rng.standard_normal(n),
                return_eigenvectors=False,
            )[0]
        except scipy.sparse.linalg.ArpackNoConvergence:
            pass
    return scipy.linalg.eigh(gram, eigvals_only=True, subset_by_index=[n - 1, n - 1])[0]


def zero_weights_value(kernel, n_outputs, dtype):
    """The loss at zero weights and intercept: the same for every sample, as all
    scores are 0 (``ln K`` for the softmax, ``(K - 1) * margin`` for the hinge)."""
    scores = np.zeros((1, n_outputs), dtype=dtype)
    return kernel(scores, np.zeros(1, dtype=np.intp), np.ones(1, dtype=dtype))


def _diverged(epoch, value, learning_rate, n_backoffs):
    what = (f"the objective became {value}" if not np.isfinite(value)
            else f"the objective rose to {value:.6g}")
    returns = "a return" if n_backoffs == 1 else f"{n_backoffs} returns"
    tried = (f", after {returns} to the best weights with a step "
             f"{_BACKOFF_FACTOR:g} times shorter each time" if n_backoffs else "")
    return ValueError(
        f"Training diverged in epoch {epoch}: {what}{tried}. "
        f"Use a smaller learning_rate (the step was {learning_rate:.3g}) or scale "
        "the features, for instance with sklearn.preprocessing.StandardScaler."
    )


def _step(param, grad, velocity, learning_rate, momentum, nesterov, scratch):
    """One (momentum) SGD step in place; ``grad`` and ``scratch`` get overwritten."""
    grad *= learning_rate
    if momentum == 0:
        param -= grad
        return
    velocity *= momentum
    velocity -= grad
    if nesterov:
        # Look ahead along the velocity: p += momentum * v - lr * g.
        np.multiply(velocity, momentum, out=scratch)
        param += scratch
        param -= grad
    else:
        param += velocity


def _l1_proximal_step(coef, velocity, threshold, momentum, nesterov):
    """Soft-threshold ``coef`` in place: the proximal step of the L1 penalty.

    It sets small weights exactly to zero, which a subgradient step never does.
    The move it makes joins the velocity, so that momentum carries the
    penalised step; then the fixed points are exactly the minimisers of the
    objective when the threshold is scaled by 1 / (1 - m + m^2) under Nesterov's
    momentum m (whose steady step is that much longer than the gradient step),
    and by 1 otherwise.
    """
    if momentum and nesterov:
        threshold /= 1.0 - momentum + momentum**2
    before = coef.copy() if momentum else None
    shrunk = np.abs(coef)
    shrunk -= threshold
    np.maximum(shrunk, 0.0, out=shrunk)
    np.copysign(shrunk, coef, out=coef)
    if momentum:
        velocity += coef
        velocity -= before


class _Schedule:
    """The step of each epoch: ``learning_rate`` times what the schedule and
    the back-offs have made of it, kept in ``state.lr_scale`` so that it
    carries over between calls of ``partial_fit``."""

    def __init__(self, params, state):
        self.params = params
        self.state = state

    def factor(self):
        """What the steps of the epoch about to run are multiplied by."""
        factor = self.state.lr_scale
        if self.params.learning_rate_schedule == "invscaling":
            factor /= (1.0 + self.state.n_iter) ** self.params.power_t
        return factor

    def shorten_on_stall(self):
        """Divide the step when training stalls, if the schedule is adaptive
        and has divisions left; return whether it did (else training stops)."""
        if (self.params.learning_rate_schedule != "adaptive"
                or self.state.lr_scale <= _MIN_ADAPTIVE_SCALE * (1 + 1e-9)):
            return False
        self.state.lr_scale /= _ADAPTIVE_FACTOR
        return True

    def back_off(self):
        """Shorten the step after a diverging epoch."""
        self.state.lr_scale /= _BACKOFF_FACTOR
        self.state.n_backoffs += 1


class _DivergenceGuard:
    """Sends training back to safe weights when an epoch diverges.

    An epoch whose objective is not finite, or ends above ``_DIVERGENCE_RISE``
    times the larger of its best value and its value at zero weights, has
    diverged. Training returns to the weights at the end of the best epoch
    that ended below the objective at zero weights, or to those of the start
    of the call. An epoch's objective is the mean of its minibatches' losses,
    so the weights it ends with can be worse than it says (the epoch may have
    blown up in its last steps): when training diverges again before an epoch
    ends below that objective, it goes back to the start instead.
    """

    def __init__(self, coef, intercept, zero_value):
        self.zero_value = zero_value
        self.start = coef.copy(), intercept.copy()
        self.safe = coef.copy(), intercept.copy()
        self.safe_value = np.inf
        self.sane_since_return = True

    def diverged(self, value, best_value):
        reference = max(self.zero_value,
                        best_value if best_value < np.inf else self.zero_value)
        return not value <= _DIVERGENCE_RISE * reference

    def restore(self, coef, intercept):
        """Put the safe weights back (or the start's, after a second divergence
        with no sane epoch in between)."""
        if not self.sane_since_return:
            self.safe[0][...], self.safe[1][...] = self.start
            self.safe_value = np.inf
        self.sane_since_return = False
        coef[...], intercept[...] = self.safe

    def record(self, value, coef, intercept):
        """Keep the weights of an epoch that did not diverge, if they are safe."""
        if value <= self.zero_value:
            self.sane_since_return = True
            if value < self.safe_value:
                self.safe_value = value
                self.safe[0][...], self.safe[1][...] = coef, intercept

    @property
    def found_none(self):
        """Whether no epoch of the call has ended with safe weights."""
        return self.safe_value == np.inf


class _StoppingRule:
    """No improvement by ``tol`` for ``n_iter_no_change`` epochs, of the
    training objective or of a validation score (whose best weights are
    restored at the end)."""

    def __init__(self, params, state, zero_value, validation_score):
        self.params = params
        self.state = state
        self.zero_value = zero_value
        self.validation_score = validation_score
        self.best = None

    def update(self, value, coef, intercept):
        """Record an epoch; return its validation score (or None)."""
        state, tol = self.state, self.params.tol or 0.0
        score = None
        if self.validation_score is not None:
            score = self.validation_score(coef, intercept)
            state.validation_scores.append(score)
            improved = score > state.best_score + tol
            if score > state.best_score:
                state.best_score = score
                self.best = coef.copy(), intercept.copy()
        else:
            # Relative: the objective's scale differs by loss and problem (about
            # 0.1 on load_digits, 1.7 on CIFAR-10 pixels), and it is never
            # negative, so a fraction of it means the same everywhere; but not
            # to a value near 0 (separable data, little penalty), where it
            # would shrink by a few percent an epoch for ever.
            scale = max(state.best_loss, _TOL_FLOOR * self.zero_value)
            improved = value < state.best_loss - tol * scale
            state.best_loss = min(state.best_loss, value)
        state.no_improvement_count = 0 if improved else state.no_improvement_count + 1
        return score

    def stalled(self):
        """Whether training has stalled (and the count starts again)."""
        if (self.params.tol is None
                or self.state.no_improvement_count < self.params.n_iter_no_change):
            return False
        self.state.no_improvement_count = 0
        return True

    def restore_best(self, coef, intercept):
        if self.best is not None:
            coef[...], intercept[...] = self.best


_STOP_REASONS = {
    "converged": "converged (no improvement by tol for n_iter_no_change epochs)",
    "max_iter": "max_iter epochs ran",
    "callback": "a callback asked to stop",
}


def _run_epoch(X, y, sample_weight, coef, intercept, state, params, order,
               weight_scale, learning_rate, intercept_learning_rate, buffers):
    """One pass of minibatch SGD over the rows ``order`` of ``X``.

    Returns the mean data loss of the minibatches, each taken before its step,
    or ``inf`` as soon as one is not finite (the weights are then left as they
    are, for the caller to restore).
    """
    batch_buffer, scores_buffer, grad_coef, scratch, intercept_scratch = buffers
    batch_size = len(scores_buffer)
    n_samples = len(order)
    l1, l2 = _penalty_strengths(params.penalty, params.alpha, params.l1_ratio)
    # The labels and weights in the epoch's order at once: each batch slices them.
    y, sample_weight = y[order], sample_weight[order]
    data_loss = 0.0
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        m = stop - start
        batch = order[start:stop]
        if sp.issparse(X):
            X_batch = X[batch]
        else:
            # mode="clip" (the indices are valid) skips the bounds check
            # that makes numpy buffer the copy: a third faster.
            X_batch = np.take(X, batch, axis=0, out=batch_buffer[:m], mode="clip")
        factors = sample_weight[start:stop] * (weight_scale / m)
        batch_loss, grad_intercept = data_loss_grad(
            X_batch, y[start:stop], factors, coef, intercept, params.kernel,
            scores_buffer[:m], grad_coef,
        )
        if not math.isfinite(batch_loss):
            return np.inf
        data_loss += batch_loss * (m / n_samples)
        if l2:
            grad_coef += np.multiply(coef, l2, out=scratch)
        _step(coef, grad_coef, state.coef_velocity, learning_rate,
              params.momentum, params.nesterovs_momentum, scratch)
        if params.fit_intercept:
            _step(intercept, grad_intercept, state.intercept_velocity,
                  intercept_learning_rate, params.momentum,
                  params.nesterovs_momentum, intercept_scratch)
        if l1:
            _l1_proximal_step(coef, state.coef_velocity, learning_rate * l1,
                              params.momentum, params.nesterovs_momentum)
        state.t += m
    value = data_loss + l1 * np.abs(coef).sum() + 0.5 * l2 * np.vdot(coef, coef)
    # The objective sees the intercept not at all, and the weights only
    # through a penalty that may be off: the epoch's last step could make
    # them infinite unseen.
    if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
        return np.inf
    return float(value)


def run_epochs(X, y, sample_weight, coef, intercept, state, params, max_iter,
               rows=None, validation_score=None, on_epoch_end=None):
    """Run up to ``max_iter`` epochs of minibatch SGD.

    An epoch whose objective is not finite, or ends above ``_DIVERGENCE_RISE``
    times the larger of its best value and its value at zero weights, has
    diverged: the weights go back to those of the best epoch (or of the start
    of the call), the momentum is dropped and the step becomes
    ``_BACKOFF_FACTOR`` times shorter; after ``_MAX_BACKOFFS`` such returns,
    a ValueError says that training diverged.

    Parameters
    ----------
    X : {ndarray, CSR matrix} of shape (n_samples, n_features)
        Training data, C-contiguous if dense. Never copied: each minibatch is
        gathered into a buffer reused across batches.
    y : ndarray of shape (n_samples,)
        Class indices.
    sample_weight : ndarray of shape (n_samples,)
        Non-negative weights with a positive sum (class weights included).
    coef, intercept : ndarray
        Updated in place.
    state : SGDState
        Updated in place.
    params : SGDParams
    max_iter : int
        Number of epochs to run at most.
    rows : ndarray of int, default=None
        Train on these rows of ``X`` only (the rest may be a validation set);
        ``None`` trains on all.
    validation_score : callable, default=None
        ``validation_score(coef, intercept)`` gives a score to maximise after each
        epoch; it replaces the training objective in the stopping rule, and the
        weights of the best epoch are restored at the end.
    on_epoch_end : callable, default=None
        ``on_epoch_end(coef, intercept)`` is called after each epoch, once its
        objective is recorded; if it returns True, training stops there.

    Returns
    -------
    stop_reason : {"converged", "max_iter", "callback"}
        Why training stopped: the stopping rule (or the adaptive schedule's
        smallest step) was met, ``max_iter`` epochs ran, or ``on_epoch_end``
        asked to stop.
    """
    rows = np.arange(X.shape[0]) if rows is None else rows
    n_samples, n_features = len(rows), X.shape[1]
    batch_size = n_samples if params.batch_size is None else params.batch_size
    batch_size = min(batch_size, n_samples)
    # Each minibatch estimates the weighted mean loss without bias:
    # factor_i = w_i / (batch size * mean weight); a full batch gives w_i / sum(w).
    weight_scale = n_samples / sample_weight[rows].sum()
    dtype = coef.dtype
    buffers = (
        None if sp.issparse(X) else np.empty((batch_size, n_features), dtype=dtype),
        np.empty((batch_size, coef.shape[1]), dtype=dtype),
        np.empty_like(coef),
        np.empty_like(coef),
        np.empty_like(intercept),
    )
    zero_value = zero_weights_value(params.kernel, coef.shape[1], dtype)
    schedule = _Schedule(params, state)
    guard = _DivergenceGuard(coef, intercept, zero_value)
    rule = _StoppingRule(params, state, zero_value, validation_score)
    stop_reason = "max_iter"
    diverged = False

    for _ in range(max_iter):
        epoch = state.n_iter + 1
        started = time.perf_counter()
        factor = schedule.factor()
        learning_rate = params.learning_rate * factor
        order = state.rng.permutation(rows) if params.shuffle else rows
        value = _run_epoch(
            X, y, sample_weight, coef, intercept, state, params, order,
            weight_scale, learning_rate, params.intercept_learning_rate * factor,
            buffers,
        )
        state.n_iter = epoch
        state.loss_curve.append(value)
        diverged = guard.diverged(value, state.best_loss)
        if diverged:
            if state.n_backoffs >= _MAX_BACKOFFS:
                raise _diverged(epoch, value, learning_rate, state.n_backoffs)
            guard.restore(coef, intercept)
            state.coef_velocity[...] = 0
            state.intercept_velocity[...] = 0
            state.no_improvement_count = 0
            schedule.back_off()
            if params.verbose:
                print(f"Epoch {epoch}: objective {value:.6g}, learning rate "
                      f"{learning_rate:.3g}: diverging; back to the best weights "
                      f"with a step {_BACKOFF_FACTOR:g} times shorter.")
            if on_epoch_end is not None and on_epoch_end(coef, intercept):
                stop_reason = "callback"
                break
            continue
        guard.record(value, coef, intercept)
        score = rule.update(value, coef, intercept)

        if params.verbose:
            message = (f"Epoch {epoch}: objective {value:.6g}, "
                       f"learning rate {learning_rate:.3g}")
            if score is not None:
                message += f", validation score {score:.4f}"
            print(f"{message}, {time.perf_counter() - started:.3f} s")

        if on_epoch_end is not None and on_epoch_end(coef, intercept):
            stop_reason = "callback"
            break
        if rule.stalled():
            if not schedule.shorten_on_stall():
                stop_reason = "converged"
                break
            if params.verbose:
                print(f"Learning rate divided by {_ADAPTIVE_FACTOR:g} after "
                      f"epoch {epoch}.")

    if diverged and guard.found_none:
        # Every epoch of the call diverged: the weights it returns to are those
        # it started from, which it would pass off as trained. The step it
        # would try next, shorter, is never tried: only the returns before the
        # last are retries.
        raise _diverged(state.n_iter, value, learning_rate, state.n_backoffs - 1)
    rule.restore_best(coef, intercept)
    if params.verbose:
        recovered = (f"; {state.n_backoffs} diverging epochs recovered"
                     if state.n_backoffs else "")
        print(f"Training stopped after epoch {state.n_iter}: "
              f"{_STOP_REASONS[stop_reason]}{recovered}.")
    return stop_reason
