"""The softmax (multinomial logistic) classifier trained by minibatch SGD."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..losses import _softmax_kernel, log_softmax
from ..utils._docstring import Substitution
from ._base import (
    _CALLBACKS_NOTES_DOC,
    _SHARED_PARAMETERS_DOC,
    BaseSGDLinearClassifier,
)


@Substitution(shared_parameters=_SHARED_PARAMETERS_DOC,
              callbacks_notes=_CALLBACKS_NOTES_DOC)
class SoftmaxClassifier(BaseSGDLinearClassifier):
    """Softmax classifier (multinomial logistic regression) trained by minibatch SGD.

    Minimises the cross-entropy of the softmax of the scores
    :math:`s = x_i W^T + b`, :math:`L_i = \\log \\sum_j e^{s_j} - s_{y_i}`, averaged
    over samples, plus an L2, L1 or elastic-net penalty on :math:`W`; see
    :mod:`sklinear.losses` for the exact objective. The model is that of
    :class:`sklearn.linear_model.LogisticRegression` (multinomial), trained by
    minibatch SGD on all classes at once, and ``predict_proba`` gives the softmax
    probabilities.

    Read more in the :ref:`User Guide <losses>`.

    Parameters
    ----------
    {shared_parameters}

    See Also
    --------
    SVMLinearClassifier : The same model trained on the multiclass hinge loss.
    sklinear.losses.softmax_cross_entropy : The loss and its gradient.
    sklearn.linear_model.LogisticRegression : Exact (L-BFGS and other) solvers.

    {callbacks_notes}

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklinear import SoftmaxClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = make_pipeline(StandardScaler(),
    ...                     SoftmaxClassifier(alpha=1e-2, random_state=0))
    >>> clf.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
    """

    def __init__(
        self,
        *,
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
        # The softmax's Hessian in the scores, diag(p) - p p^T, has eigenvalues
        # at most 1/2; the logistic's, of the one score of two classes, 1/4.
        return 0.25 if n_classes == 2 else 0.5

    def _loss_kernel(self, n_classes=None):
        return _softmax_kernel

    def predict_log_proba(self, X):
        """Log of the softmax probability of each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        scores = self.decision_function(X)
        if scores.ndim == 1:
            # Two classes: the negative class has score 0 (see coef_).
            scores = np.column_stack([np.zeros_like(scores), scores])
        return log_softmax(scores)

    def predict_proba(self, X):
        """Softmax probability of each class; each row sums to 1.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))
