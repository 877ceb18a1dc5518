"""Minibatch stochastic gradient descent for a linear model on a multiclass loss.

The loop knows nothing of scikit-learn: it updates the weights ``coef`` of shape
``(n_features, n_outputs)`` and ``intercept`` in place, epoch by epoch, and keeps
what it needs between calls (velocities, schedule, counters, history) in an
:class:`SGDState`. A loss enters as a kernel from :mod:`sklinear.losses`: a
function ``kernel(scores, y, factors)`` that returns ``sum_i factors_i * L_i`` and
overwrites ``scores`` with the gradient of that sum.
"""

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..losses import _penalty_strengths

# Below this step size the adaptive schedule stops instead of dividing again,
# as scikit-learn's SGD and MLP estimators do.
_MIN_ADAPTIVE_LEARNING_RATE = 1e-6


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


def _diverged(epoch, value, learning_rate):
    what = (f"the objective became {value}" if not np.isfinite(value)
            else "the weights became infinite")
    return ValueError(
        f"Training diverged in epoch {epoch}: {what}. "
        f"Use a smaller learning_rate (the step was {learning_rate:.3g}) or scale "
        "the features, for instance with sklearn.preprocessing.StandardScaler."
    )


def _step(param, grad, velocity, learning_rate, momentum, nesterov):
    """One (momentum) SGD step in place; ``grad`` is scratch and gets scaled."""
    grad *= learning_rate
    if momentum == 0:
        param -= grad
        return
    velocity *= momentum
    velocity -= grad
    if nesterov:
        # Look ahead along the velocity: p += momentum * v - lr * g.
        param += momentum * velocity
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


def schedule_factor(params, state):
    """What the schedule multiplies the steps by in the epoch about to run."""
    factor = state.lr_scale
    if params.learning_rate_schedule == "invscaling":
        factor /= (1.0 + state.n_iter) ** params.power_t
    return factor


def run_epochs(X, y, sample_weight, coef, intercept, state, params, max_iter,
               rows=None, validation_score=None, on_epoch_end=None):
    """Run up to ``max_iter`` epochs of minibatch SGD.

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
    converged : bool
        Whether the stopping rule (or ``on_epoch_end``) ended training before
        ``max_iter`` epochs.
    """
    rows = np.arange(X.shape[0]) if rows is None else rows
    n_samples, n_features = len(rows), X.shape[1]
    batch_size = n_samples if params.batch_size is None else params.batch_size
    batch_size = min(batch_size, n_samples)
    # Each minibatch estimates the weighted mean loss without bias:
    # factor_i = w_i / (batch size * mean weight); a full batch gives w_i / sum(w).
    weight_scale = n_samples / sample_weight[rows].sum()
    l1, l2 = _penalty_strengths(params.penalty, params.alpha, params.l1_ratio)
    dtype = coef.dtype
    if not sp.issparse(X):
        batch_buffer = np.empty((batch_size, n_features), dtype=dtype)
    scores_buffer = np.empty((batch_size, coef.shape[1]), dtype=dtype)
    grad_coef = np.empty_like(coef)
    best = None
    converged = False

    for _ in range(max_iter):
        epoch = state.n_iter + 1
        started = time.perf_counter()
        factor = schedule_factor(params, state)
        learning_rate = params.learning_rate * factor
        order = state.rng.permutation(rows) if params.shuffle else rows
        data_loss = 0.0
        for start in range(0, n_samples, batch_size):
            batch = order[start:start + batch_size]
            m = len(batch)
            if sp.issparse(X):
                X_batch = X[batch]
            else:
                # mode="clip" (the indices are valid) skips the bounds check
                # that makes numpy buffer the copy: a third faster.
                X_batch = np.take(X, batch, axis=0, out=batch_buffer[:m], mode="clip")
            factors = sample_weight[batch] * (weight_scale / m)
            batch_loss, grad_intercept = data_loss_grad(
                X_batch, y[batch], factors, coef, intercept, params.kernel,
                scores_buffer[:m], grad_coef,
            )
            if not np.isfinite(batch_loss):
                raise _diverged(epoch, batch_loss, learning_rate)
            data_loss += batch_loss * (m / n_samples)
            if l2:
                grad_coef += l2 * coef
            _step(coef, grad_coef, state.coef_velocity, learning_rate,
                  params.momentum, params.nesterovs_momentum)
            if params.fit_intercept:
                _step(intercept, grad_intercept, state.intercept_velocity,
                      params.intercept_learning_rate * factor, params.momentum,
                      params.nesterovs_momentum)
            if l1:
                _l1_proximal_step(coef, state.coef_velocity, learning_rate * l1,
                                  params.momentum, params.nesterovs_momentum)
            state.t += m

        value = data_loss + l1 * np.abs(coef).sum() + 0.5 * l2 * np.vdot(coef, coef)
        # The objective sees the intercept not at all, and the weights only
        # through a penalty that may be off: the epoch's last step could make
        # them infinite unseen.
        if not (np.isfinite(value) and np.isfinite(coef).all()
                and np.isfinite(intercept).all()):
            raise _diverged(epoch, value, learning_rate)
        state.n_iter = epoch
        state.loss_curve.append(float(value))

        if validation_score is not None:
            score = validation_score(coef, intercept)
            state.validation_scores.append(score)
            improved = score > state.best_score + (params.tol or 0.0)
            if score > state.best_score:
                state.best_score = score
                best = coef.copy(), intercept.copy()
        else:
            # Relative: the objective's scale differs by loss and problem (about
            # 0.1 on load_digits, 1.7 on CIFAR-10 pixels), and it is never
            # negative, so a fraction of it means the same everywhere.
            improved = value < state.best_loss * (1.0 - (params.tol or 0.0))
            state.best_loss = min(state.best_loss, value)
        state.no_improvement_count = 0 if improved else state.no_improvement_count + 1

        if params.verbose:
            message = (f"Epoch {epoch}: objective {value:.6g}, "
                       f"learning rate {learning_rate:.3g}")
            if validation_score is not None:
                message += f", validation score {score:.4f}"
            print(f"{message}, {time.perf_counter() - started:.3f} s")

        if on_epoch_end is not None and on_epoch_end(coef, intercept):
            converged = True
            break
        stalled = state.no_improvement_count >= params.n_iter_no_change
        if params.tol is not None and stalled:
            state.no_improvement_count = 0
            if (params.learning_rate_schedule == "adaptive"
                    and learning_rate > _MIN_ADAPTIVE_LEARNING_RATE):
                state.lr_scale /= 5.0
                if params.verbose:
                    print(f"Learning rate divided by 5 after epoch {epoch}.")
            else:
                converged = True
                break

    if best is not None:
        coef[...], intercept[...] = best
    return converged
