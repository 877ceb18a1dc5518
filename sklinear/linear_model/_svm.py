"""The multiclass linear SVM (Weston-Watkins, Crammer-Singer or one-vs-rest hinge)
trained by minibatch SGD."""

from functools import partial
from numbers import Real

from ..losses import _HINGE_KERNELS
from ..utils._docstring import Substitution
from ..utils._fixes import Interval, StrOptions
from ._base import (
    _CALLBACKS_NOTES_DOC,
    _SHARED_PARAMETERS_DOC,
    BaseSGDLinearClassifier,
)


@Substitution(shared_parameters=_SHARED_PARAMETERS_DOC,
              callbacks_notes=_CALLBACKS_NOTES_DOC)
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

    Read more in the :ref:`User Guide <losses>`.

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
    {shared_parameters}

    See Also
    --------
    SoftmaxClassifier : The same model trained on the cross-entropy loss.
    sklinear.losses.multiclass_hinge : The loss and its gradient.
    sklearn.linear_model.SGDClassifier : One-versus-rest binary SGD.
    sklearn.svm.LinearSVC : Exact solvers, ``multi_class="crammer_singer"`` for
        another joint multiclass hinge.

    {callbacks_notes}

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
