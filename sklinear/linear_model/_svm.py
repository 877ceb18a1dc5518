"""The multiclass linear SVM (Weston-Watkins, Crammer-Singer or one-vs-rest hinge)
trained by minibatch SGD."""

from functools import partial
from numbers import Real

from ..losses import _HINGE_KERNELS
from ..utils._fixes import Interval, StrOptions
from ._base import BaseSGDLinearClassifier


class SVMLinearClassifier(BaseSGDLinearClassifier):
    """Multiclass linear SVM trained jointly over all classes by minibatch SGD.

    Minimises the Weston-Watkins multiclass hinge loss
    :math:`L_i = \\sum_{j \\ne y_i} \\max(0, s_j - s_{y_i} + \\Delta)` (or its
    square; or the Crammer-Singer or one-vs-rest hinge, see ``multi_class``) of
    the scores :math:`s = x_i W^T + b`, averaged over samples, plus an
    L2, L1 or elastic-net penalty on :math:`W`; see :mod:`sklinear.losses` for the
    exact objective. Unlike :class:`sklearn.linear_model.SGDClassifier`, which
    trains one binary classifier per class on one sample at a time, all classes
    are trained together on minibatches.

    Parameters
    ----------
    loss : {"hinge", "squared_hinge"}, default="hinge"
        The multiclass hinge, or its square (smooth, and stronger on large
        violations).
    margin : float, default=1.0
        The margin :math:`\\Delta` by which the true class's score must exceed
        every other.
    multi_class : {"weston_watkins", "crammer_singer", "ovr"}, \
            default="weston_watkins"
        Which multiclass hinge (:func:`sklinear.losses.multiclass_hinge` gives
        the formulas): a term per other class whose score comes within the
        margin of the true class's; one term, for the best other class only
        (Crammer and Singer); or one binary hinge per class, all trained
        together in the same minibatches (one-vs-rest, as ten binary SVMs).
        With two classes the three are the same binary hinge.
    alpha : float, default=1e-4
        Regularisation strength, as in :class:`~sklearn.linear_model.SGDClassifier`:
        the penalty is ``alpha * (l1_ratio * ||W||_1 + (1 - l1_ratio) / 2 * ||W||^2)``.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        The penalty on the weights (not on the intercept). The L1 part is applied
        by a proximal step (soft thresholding), so L1 gives exact zeros.
    l1_ratio : float, default=0.15
        Share of L1 in the elastic net, in ``[0, 1]``; only with
        ``penalty="elasticnet"``.
    learning_rate : float or "auto", default="auto"
        The step size of SGD. ``"auto"`` takes it from the curvature of the
        objective, so that the same problem gets the same step at any scale
        and number of features: ``0.5 / (k * L_B + alpha_2)`` for the weights,
        where ``L_B`` is the curvature of the data as minibatches of
        ``batch_size`` see it (from the largest eigenvalue of the weighted
        second moment of the samples for full batches to their mean squared
        norm for single ones, estimated on at most 512 samples, of the first
        call for ``partial_fit``), ``k`` the curvature of the loss in the
        scores and ``alpha_2`` the L2 part of the penalty; ``0.5 / k`` for the
        intercept, whose feature is always 1 (the user guide gives the
        mathematics). The step of the weights is ``learning_rate_``.
    learning_rate_schedule : {"constant", "invscaling", "adaptive"}, \
            default="adaptive"
        How the step changes over epochs: ``"adaptive"`` divides it by 5
        whenever ``n_iter_no_change`` epochs in a row fail to improve by
        ``tol``, and stops once it has been divided 4 times (a long step for
        fast progress, shorter ones to settle the noise of the minibatches);
        ``"constant"`` keeps ``learning_rate``; ``"invscaling"`` uses
        ``learning_rate / (1 + epoch) ** power_t``.
    power_t : float, default=0.5
        The exponent of the ``"invscaling"`` schedule, in ``[0, 10]``.
    momentum : float, default=0.9
        Momentum of the updates, in ``[0, 1)``; 0 gives plain SGD.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum (when ``momentum > 0``).
    batch_size : int or None, default=256
        Samples per minibatch; ``None`` (or a size at least the number of
        samples) gives full-batch gradient descent.
    max_iter : int, default=100
        The maximum number of epochs (passes over the training data).
    tol : float or None, default=5e-3
        Training stops when, for ``n_iter_no_change`` epochs in a row, the
        objective has not fallen below ``(1 - tol)`` times its best value so far
        (or, with ``early_stopping``, the validation accuracy has not risen above
        its best by ``tol``). Relative to the objective, which is never negative,
        so that one default suits losses of any size. ``None`` runs all
        ``max_iter`` epochs.
    n_iter_no_change : int, default=5
        The number of epochs without improvement the stopping rule waits.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified), judge
        improvement by the accuracy on it, and keep the weights of the best epoch.
    validation_fraction : float, default=0.1
        The share of the training data held out by ``early_stopping``.
    shuffle : bool, default=True
        Shuffle the training data before each epoch.
    fit_intercept : bool, default=True
        Fit an intercept (never penalised).
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes (finite, non-negative), multiplying the sample
        weights; ``"balanced"`` uses ``n_samples / (n_classes * np.bincount(y))``.
    warm_start : bool, default=False
        Start ``fit`` from the previous solution, optimiser state included.
    random_state : int, RandomState instance or None, default=None
        Seeds shuffling and the validation split.
    verbose : int, default=0
        Print one line per epoch (objective, step, time) when positive.

    Attributes
    ----------
    coef_ : ndarray of shape (n_classes, n_features) or (1, n_features)
        The weights: one template per class, or one vector for two classes (the
        score of ``classes_[1]``). float32 when trained on float32.
    intercept_ : ndarray of shape (n_classes,) or (1,)
        The intercepts.
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        The number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X has string column names.
    learning_rate_ : float
        The step size used (before any schedule), ``learning_rate`` resolved.
    n_iter_ : int
        The number of epochs run.
    t_ : int
        The number of training samples seen by the solver.
    loss_curve_ : list of float
        The training objective (mean data loss over the epoch's minibatches plus
        the penalty at the epoch's end) per epoch; ``len(loss_curve_) == n_iter_``.
    validation_scores_ : list of float or None
        The validation accuracy per epoch with ``early_stopping``, else None.
    stop_reason_ : {"converged", "max_iter", "callback"}
        Why the last call stopped: the stopping rule was met (``tol``, or the
        adaptive schedule's shortest step), ``max_iter`` epochs ran (one for
        ``partial_fit``), or a callback asked to stop.
    n_backoffs_ : int
        The epochs, over all calls, whose objective diverged (rose above twice
        the larger of its best value and its value at zero weights, or
        overflowed): each sent training back to its best weights with a step
        5 times shorter. After 5, training raises a ValueError instead.

    See Also
    --------
    SoftmaxClassifier : The same model trained on the cross-entropy loss.
    sklinear.losses.multiclass_hinge : The loss and its gradient.
    sklearn.linear_model.SGDClassifier : One-versus-rest binary SGD.
    sklearn.svm.LinearSVC : Exact solvers, ``multi_class="crammer_singer"`` for
        another joint multiclass hinge.

    Notes
    -----
    With scikit-learn 1.9 or newer, the classifier takes scikit-learn's
    callbacks (:mod:`sklearn.callback`), set with ``set_callbacks``. Each
    ``fit``, and each call of ``partial_fit``, is a task named ``"fit"``, and
    each of its epochs a subtask named ``"epoch"``, numbered from 0 by
    ``task_id``. A callback's ``on_fit_task_end`` gets, for an epoch, the
    training data ``X`` and ``y``, ``metadata`` (``{"sample_weight": ...}``
    when weights were given) and, if it asks for it, ``fitted_estimator``: a
    copy of the classifier with the weights of the end of that epoch (after a
    diverging epoch, those training returned to), ready to predict. Returning
    True stops training after that epoch, with ``stop_reason_`` set to
    ``"callback"``. The subtask begun after the last epoch ends without data
    or model, since no epoch ran in it. At the end of the fit task,
    ``fitted_estimator`` is the fitted model (with ``early_stopping``, that of
    the best epoch). A callback that scikit-learn hands down to the
    estimators a meta-estimator fits, such as
    :class:`~sklearn.callback.ProgressBar`, goes on the outermost estimator, a
    :class:`~sklearn.pipeline.Pipeline` or a search; others may be set on the
    classifier inside them.

    References
    ----------
    .. [1] J. Weston and C. Watkins, "Support vector machines for multi-class
       pattern recognition", ESANN 1999.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklinear import SVMLinearClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = make_pipeline(StandardScaler(),
    ...                     SVMLinearClassifier(alpha=1e-2, random_state=0))
    >>> clf.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseSGDLinearClassifier._parameter_constraints,
        "loss": [StrOptions({"hinge", "squared_hinge"})],
        "margin": [Interval(Real, 0, None, closed="neither")],
        "multi_class": [StrOptions(set(_HINGE_KERNELS))],
    }

    def __init__(
        self,
        *,
        loss="hinge",
        margin=1.0,
        multi_class="weston_watkins",
        alpha=1e-4,
        penalty="l2",
        l1_ratio=0.15,
        learning_rate="auto",
        learning_rate_schedule="adaptive",
        power_t=0.5,
        momentum=0.9,
        nesterovs_momentum=True,
        batch_size=256,
        max_iter=100,
        tol=5e-3,
        n_iter_no_change=5,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        fit_intercept=True,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=0,
    ):
        self.loss = loss
        self.margin = margin
        self.multi_class = multi_class
        self.alpha = alpha
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.learning_rate = learning_rate
        self.learning_rate_schedule = learning_rate_schedule
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def _loss_curvature(self, n_classes):
        # The largest eigenvalue of the squared hinge's Hessian in the scores.
        # Weston-Watkins: 2 sum_j (e_j - e_y)(e_j - e_y)^T over the violated
        # margins, at most 2K with all K - 1 violated, as at zero weights;
        # Crammer-Singer: the one term 2 (e_j - e_y)(e_j - e_y)^T, 4;
        # one-vs-rest: 2 on the diagonal. Two classes have one score: 2.
        # The hinge has no curvature, only kinks, and takes the same scale.
        if n_classes == 2:
            return 2.0
        return {"weston_watkins": 2.0 * n_classes, "crammer_singer": 4.0,
                "ovr": 2.0}[self.multi_class]

    def _loss_kernel(self, n_classes=None):
        # Two classes have one score, the binary hinge, whichever the form.
        form = "weston_watkins" if n_classes == 2 else self.multi_class
        return partial(_HINGE_KERNELS[form], margin=self.margin,
                       squared=self.loss == "squared_hinge")
