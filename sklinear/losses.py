"""The mathematics of the linear classifiers: losses and penalties, value and gradient.

Every function here works on class scores ``S = X W + b`` of shape
``(n_samples, n_classes)``, is fully vectorised (no Python loop over samples or
classes) and imports nothing else from the package, so that the estimators can be
read as an optimiser wrapped around these formulas.

The objective minimised by :class:`~sklinear.SVMLinearClassifier` and
:class:`~sklinear.SoftmaxClassifier` is

.. math::

    J(W, b) = \\frac{\\sum_i w_i L_i(x_i W + b)}{\\sum_i w_i}
              + \\alpha \\Big(\\rho \\lVert W \\rVert_1
              + \\frac{1 - \\rho}{2} \\lVert W \\rVert_F^2\\Big)

with sample weights :math:`w_i`, regularisation strength :math:`\\alpha`
(``alpha``) and mixing :math:`\\rho` (``l1_ratio``; 0 for ``penalty="l2"``, 1 for
``penalty="l1"``). This is the convention of
:class:`sklearn.linear_model.SGDClassifier`, so ``alpha`` means the same in both.
The L2 term carries a factor 1/2: the regularisation :math:`\\lambda \\sum W^2` of
many course notes is ``alpha = 2 * lambda``. The intercept :math:`b` is not
penalised.
"""

from numbers import Real

import numpy as np

__all__ = [
    "multiclass_hinge",
    "softmax_cross_entropy",
    "log_softmax",
    "penalty",
]


# Private kernels: each takes scores that it may overwrite, integer labels and one
# non-negative factor per sample, returns sum_i factor_i * L_i and leaves
# d(that sum)/d(scores) in ``scores``. Working in place lets the SGD loop reuse one
# buffer per minibatch; the public functions below wrap them on a copy.


def _true_entries(scores, y):
    """``scores`` flattened (a view), the flat index of each row's true class
    and of each row's start.

    On the flat view, one integer array indexes at a third the cost of
    ``scores[rows, y]``, and ``np.maximum.reduceat`` takes the row maxima at half
    that of ``scores.max(axis=1)``: it matters on the minibatches of the SGD loop.
    """
    if not scores.flags.c_contiguous:
        raise ValueError("The loss kernels work in place on C-contiguous scores.")
    starts = np.arange(0, scores.size, scores.shape[1])
    return scores.reshape(-1), starts + y, starts


def _hinge_terms(terms, squared):
    """Clip margin terms at 0 in place; return each row's sum of them (of
    their squares if ``squared``), and leave their derivatives in ``terms``."""
    np.maximum(terms, 0.0, out=terms)
    if squared:
        losses = np.einsum("ij,ij->i", terms, terms)
        terms *= 2.0
    else:
        losses = terms.sum(axis=1)
        # The violated margins are strictly positive here: their indicator is the sign.
        np.sign(terms, out=terms)
    return losses


def _hinge_kernel(scores, y, factors, margin=1.0, squared=False):
    flat, true, _ = _true_entries(scores, y)
    correct = flat[true]
    # Margins s_j - s_{y_i} + margin, then zero for j == y_i and for satisfied margins.
    scores -= correct[:, np.newaxis]
    scores += margin
    flat[true] = 0.0
    losses = _hinge_terms(scores, squared)
    # Each violated margin pushes s_{y_i} down by the same amount it pushes s_j up.
    flat[true] = -scores.sum(axis=1)
    scores *= factors[:, np.newaxis]
    return float(losses @ factors)


def _crammer_singer_kernel(scores, y, factors, margin=1.0, squared=False):
    flat, true, starts = _true_entries(scores, y)
    correct = flat[true].copy()
    # The best of the other classes: the one margin that counts.
    flat[true] = -np.inf
    rival = np.maximum.reduceat(flat, starts)
    violations = rival - correct
    violations += margin
    np.maximum(violations, 0.0, out=violations)
    if squared:
        losses = violations * violations
        push = 2.0 * violations
    else:
        losses = violations
        push = np.sign(violations)
    push *= factors
    # Rivals that tie share the push (any split is a subgradient; an even one
    # treats the classes alike, at zero weights where they all tie too).
    tied = scores == rival[:, np.newaxis]
    np.multiply(tied, (push / tied.sum(axis=1))[:, np.newaxis], out=scores)
    flat[true] = -push
    return float(losses @ factors)


def _ovr_hinge_kernel(scores, y, factors, margin=1.0, squared=False):
    flat, true, _ = _true_entries(scores, y)
    # One binary hinge per class, the true class labelled +1 and the others -1:
    # max(0, margin - t_j s_j), where -t_j s_j is s_j but for the true class.
    flat[true] *= -1.0
    scores += margin
    losses = _hinge_terms(scores, squared)
    # d/ds_j max(0, margin - t_j s_j) = -t_j where violated (0 - g: no -0.0).
    flat[true] = 0.0 - flat[true]
    scores *= factors[:, np.newaxis]
    return float(losses @ factors)


# The multiclass hinges by the name SVMLinearClassifier and multiclass_hinge give them.
_HINGE_KERNELS = {
    "weston_watkins": _hinge_kernel,
    "crammer_singer": _crammer_singer_kernel,
    "ovr": _ovr_hinge_kernel,
}


def _softmax_kernel(scores, y, factors):
    flat, true, starts = _true_entries(scores, y)
    # Shifting each row by its maximum leaves the softmax unchanged and keeps exp
    # from overflowing: the largest term becomes exp(0) = 1.
    scores -= np.maximum.reduceat(flat, starts)[:, np.newaxis]
    correct = flat[true]
    np.exp(scores, out=scores)
    true_exp = flat[true]
    flat[true] = 0.0
    others = scores.sum(axis=1)
    sum_exp = others + true_exp
    # Where the true class has the top score (correct == 0), 1 + others rounds
    # to 1 once it leads by about 37: log1p(others) keeps the loss positive, and
    # p_y - 1 = -others / sum_exp keeps its gradient, however small.
    losses = np.where(correct == 0, np.log1p(others), np.log(sum_exp) - correct)
    scores /= sum_exp[:, np.newaxis]
    flat[true] = -others / sum_exp
    scores *= factors[:, np.newaxis]
    return float(losses @ factors)


def _check_scores(scores):
    """``scores`` as a 2-D float array (float32 kept), finite, of two classes."""
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise ValueError(
            "scores must be a 2-D array of shape (n_samples, n_classes); "
            f"got an array of shape {scores.shape}."
        )
    n_samples, n_classes = scores.shape
    if n_samples == 0 or n_classes < 2:
        raise ValueError(
            "scores needs at least one sample and two classes; "
            f"got shape {scores.shape}."
        )
    # Complex scores would lose their imaginary part in the cast, silently.
    if scores.dtype.kind not in "biuf":
        raise ValueError(
            "scores must hold real numbers (integer or float); got an array of "
            f"dtype {scores.dtype}."
        )
    if scores.dtype.kind != "f":
        scores = scores.astype(np.float64)
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores contains NaN or infinity; expected finite values.")
    return scores


def _check_loss_input(scores, y, sample_weight):
    scores = _check_scores(scores)
    n_samples, n_classes = scores.shape
    y = np.asarray(y)
    if y.shape != (n_samples,):
        raise ValueError(
            f"y must have shape ({n_samples},) to match scores; got {y.shape}."
        )
    if y.dtype.kind not in "iu" and not (
        y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0)
    ):
        raise ValueError(
            f"y must hold integer class indices; got an array of dtype {y.dtype}."
        )
    y = y.astype(np.intp)
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(
            f"y must hold class indices in [0, {n_classes - 1}] for scores with "
            f"{n_classes} columns; got values from {y.min()} to {y.max()}."
        )
    if sample_weight is None:
        factors = np.full(n_samples, 1.0 / n_samples, dtype=scores.dtype)
    else:
        sample_weight = np.asarray(sample_weight, dtype=scores.dtype)
        if sample_weight.shape != (n_samples,):
            raise ValueError(
                f"sample_weight must have shape ({n_samples},); "
                f"got {sample_weight.shape}."
            )
        if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
            raise ValueError("sample_weight must be finite and non-negative.")
        largest = sample_weight.max()
        if not largest > 0:
            raise ValueError("sample_weight must not be all zero.")
        # The weighted mean is the same for weights scaled by any factor; scaled
        # so that the largest is 1, their sum cannot overflow (to a mean of 0).
        factors = sample_weight / largest
        factors /= factors.sum()
    return scores, y, factors


def _check_margin(margin):
    if not (isinstance(margin, Real) and np.isfinite(margin) and margin > 0):
        raise ValueError(f"margin must be a positive finite number; got {margin!r}.")


def multiclass_hinge(scores, y, *, margin=1.0, squared=False,
                     multi_class="weston_watkins", sample_weight=None):
    """Multiclass hinge loss (Weston-Watkins, Crammer-Singer or one-vs-rest)
    and its gradient.

    For sample :math:`i` with scores :math:`s` and true class :math:`y_i`, the
    Weston-Watkins hinge sums a margin violation per other class,

    .. math::

        L_i = \\sum_{j \\ne y_i} \\max(0, s_j - s_{y_i} + \\Delta),

    the Crammer-Singer hinge counts only the best of the other classes,

    .. math::

        L_i = \\max\\big(0, \\max_{j \\ne y_i} s_j - s_{y_i} + \\Delta\\big),

    and one-vs-rest is a binary hinge per class, the true class labelled
    :math:`t_{y_i} = +1` and the others :math:`t_j = -1`,

    .. math::

        L_i = \\sum_j \\max(0, \\Delta - t_j s_j),

    with margin :math:`\\Delta`; each term is squared when ``squared``. The loss
    returned is the mean of :math:`L_i` over samples, weighted by
    ``sample_weight``.

    Parameters
    ----------
    scores : array-like of shape (n_samples, n_classes)
        Class scores, one row per sample.
    y : array-like of shape (n_samples,)
        Index of each sample's true class, in ``[0, n_classes)``.
    margin : float, default=1.0
        The margin :math:`\\Delta` by which the true class must win: positive
        and finite.
    squared : bool, default=False
        Square each margin violation (the squared hinge).
    multi_class : {"weston_watkins", "crammer_singer", "ovr"}, \
            default="weston_watkins"
        Which hinge: one term per other class, one for the best other class
        only, or one binary hinge per class.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample; the loss is
        :math:`\\sum_i w_i L_i / \\sum_i w_i`.

    Returns
    -------
    loss : float
        The (weighted) mean loss.
    grad : ndarray of shape (n_samples, n_classes)
        The gradient of ``loss`` with respect to ``scores``, scaled by each
        sample's weight. Weston-Watkins: for :math:`j \\ne y_i` the indicator
        of a violated margin (twice the violation when squared), and minus
        their sum for :math:`j = y_i`. Crammer-Singer: the same for the best
        other class alone (shared evenly by the best ones on a tie). One-vs-rest:
        :math:`-t_j` times the indicator of each violated binary margin (twice
        the violation when squared). At a margin of exactly zero the
        subgradient 0 is used.

    See Also
    --------
    softmax_cross_entropy : The loss of the softmax classifier.
    sklinear.SVMLinearClassifier : The classifier trained on this loss.

    References
    ----------
    .. [1] J. Weston and C. Watkins, "Support vector machines for multi-class
       pattern recognition", ESANN 1999.
    .. [2] K. Crammer and Y. Singer, "On the algorithmic implementation of
       multiclass kernel-based vector machines", JMLR 2, 2001.

    Examples
    --------
    The worked example of the CS231n notes: scores of three images over
    (cat, car, frog), whose true classes are cat, car and frog.

    >>> import numpy as np
    >>> from sklinear.losses import multiclass_hinge
    >>> scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    >>> loss, grad = multiclass_hinge(scores, [0, 1, 2])
    >>> round(loss, 2)
    5.27
    >>> grad[0] * 3
    array([-1.,  1.,  0.])

    Crammer-Singer counts the car's margin over the cat (2.9) but not the
    frog's, which the cat beats too; one-vs-rest asks every score to be
    beyond the margin on its side of zero:

    >>> loss, grad = multiclass_hinge(scores[:1], [0], multi_class="crammer_singer")
    >>> round(loss, 2), grad
    (2.9, array([[-1.,  1.,  0.]]))
    >>> loss, grad = multiclass_hinge(scores[:1], [0], multi_class="ovr")
    >>> round(loss, 2), grad
    (6.1, array([[0., 1., 0.]]))
    """
    _check_margin(margin)
    if multi_class not in _HINGE_KERNELS:
        raise ValueError(
            f"multi_class must be one of {sorted(_HINGE_KERNELS)}; got {multi_class!r}."
        )
    scores, y, factors = _check_loss_input(scores, y, sample_weight)
    grad = scores.copy()
    loss = _HINGE_KERNELS[multi_class](grad, y, factors, margin=margin, squared=squared)
    return loss, grad


def softmax_cross_entropy(scores, y, *, sample_weight=None):
    """Cross-entropy of the softmax of the scores, and its gradient.

    For sample :math:`i`,

    .. math::

        L_i = -\\log \\frac{e^{s_{y_i}}}{\\sum_j e^{s_j}}
            = \\log \\sum_j e^{s_j} - s_{y_i},

    computed after subtracting each row's maximum so that scores of any size give
    a finite loss. The loss returned is the mean of :math:`L_i` over samples,
    weighted by ``sample_weight``.

    Parameters
    ----------
    scores : array-like of shape (n_samples, n_classes)
        Class scores (logits), one row per sample.
    y : array-like of shape (n_samples,)
        Index of each sample's true class, in ``[0, n_classes)``.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weight of each sample; the loss is
        :math:`\\sum_i w_i L_i / \\sum_i w_i`.

    Returns
    -------
    loss : float
        The (weighted) mean loss.
    grad : ndarray of shape (n_samples, n_classes)
        The gradient of ``loss`` with respect to ``scores``: the softmax
        probabilities minus the one-hot encoding of ``y``, scaled by each
        sample's weight.

    See Also
    --------
    multiclass_hinge : The loss of the multiclass SVM.
    log_softmax : The log-probabilities themselves.
    sklinear.SoftmaxClassifier : The classifier trained on this loss.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.losses import softmax_cross_entropy
    >>> loss, grad = softmax_cross_entropy(np.array([[3.2, 5.1, -1.7]]), [0])
    >>> round(loss, 2)
    2.04
    >>> loss, _ = softmax_cross_entropy(np.array([[1000.0, -1000.0]]), [1])
    >>> loss
    2000.0
    """
    scores, y, factors = _check_loss_input(scores, y, sample_weight)
    grad = scores.copy()
    loss = _softmax_kernel(grad, y, factors)
    return loss, grad


def log_softmax(scores):
    """Logarithm of the softmax of each row, computed stably.

    Parameters
    ----------
    scores : array-like of shape (n_samples, n_classes)
        Class scores (logits); integers are taken as float64.

    Returns
    -------
    log_proba : ndarray of shape (n_samples, n_classes)
        ``scores - logsumexp(scores, axis=1)``; ``np.exp`` of it sums to 1 per row.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.losses import log_softmax
    >>> np.exp(log_softmax(np.array([[3.2, 5.1, -1.7]]))).round(2)
    array([[0.13, 0.87, 0.  ]])
    """
    scores = _check_scores(scores)
    shifted = scores - scores.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def _penalty_strengths(penalty, alpha, l1_ratio):
    """The factors of ||W||_1 and of ||W||_F^2 / 2 in the objective."""
    if penalty is None or alpha == 0:
        return 0.0, 0.0
    rho = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio}[penalty]
    return alpha * rho, alpha * (1.0 - rho)


def penalty(coef, *, penalty="l2", alpha=1.0, l1_ratio=0.15):
    """Regularisation penalty on the weights, and its (sub)gradient.

    .. math::

        R(W) = \\alpha \\Big(\\rho \\lVert W \\rVert_1
               + \\frac{1 - \\rho}{2} \\lVert W \\rVert_F^2\\Big)

    where :math:`\\rho` is 0 for ``"l2"``, 1 for ``"l1"`` and ``l1_ratio`` for
    ``"elasticnet"``; ``None`` gives :math:`R = 0`. The gradient uses
    :math:`\\operatorname{sign}(W)` as the subgradient of :math:`\\lVert W \\rVert_1`.
    Pass the weights only: the intercept is not penalised.

    Parameters
    ----------
    coef : ndarray
        The weights :math:`W`, of any shape.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        Which penalty.
    alpha : float, default=1.0
        The regularisation strength :math:`\\alpha`, non-negative and finite.
    l1_ratio : float, default=0.15
        The mixing :math:`\\rho` of the elastic net, in ``[0, 1]``; used only
        with ``penalty="elasticnet"``.

    Returns
    -------
    value : float
        :math:`R(W)`.
    grad : ndarray, shaped like ``coef``
        :math:`\\alpha (\\rho \\operatorname{sign}(W) + (1 - \\rho) W)`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.losses import penalty
    >>> W = np.array([[1.0, -2.0], [0.0, 3.0]])
    >>> value, grad = penalty(W, penalty="l2", alpha=0.1)
    >>> round(value, 6), grad
    (0.7, array([[ 0.1, -0.2],
           [ 0. ,  0.3]]))
    >>> round(penalty(W, penalty="l1", alpha=0.1)[0], 6)
    0.6
    """
    if penalty not in ("l2", "l1", "elasticnet", None):
        raise ValueError(
            "penalty must be 'l2', 'l1', 'elasticnet' or None; "
            f"got {penalty!r}."
        )
    if not (isinstance(alpha, Real) and np.isfinite(alpha) and alpha >= 0):
        raise ValueError(
            f"alpha must be a non-negative finite number; got {alpha!r}."
        )
    if not (isinstance(l1_ratio, Real) and 0 <= l1_ratio <= 1):
        raise ValueError(f"l1_ratio must be in [0, 1]; got {l1_ratio!r}.")
    coef = np.asarray(coef)
    l1, l2 = _penalty_strengths(penalty, alpha, l1_ratio)
    value = l1 * np.abs(coef).sum() + 0.5 * l2 * np.vdot(coef, coef)
    return float(value), l1 * np.sign(coef) + l2 * coef


def _binary_kernel(kernel):
    """Adapt a kernel to one score column, the score of the positive class.

    A binary model keeps one weight vector, as scikit-learn's do: the negative
    class has score 0 and the positive class score ``s``, so the multiclass loss
    on ``[0, s]`` is the usual binary hinge or logistic loss.
    """

    def binary_kernel(scores, y, factors):
        both = np.hstack([np.zeros_like(scores), scores])
        loss = kernel(both, y, factors)
        scores[:, 0] = both[:, 1]
        return loss

    return binary_kernel
