"""The scikit-learn plumbing shared by the SGD-trained linear classifiers."""

import copy
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state, compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ..losses import _binary_kernel, _penalty_strengths
from ..utils._fixes import (
    CallbackSupportMixin,
    Interval,
    LinearClassifierMixin,
    StrOptions,
    _check_sample_weight,
    _fit_context,
)
from ._sgd import (
    SGDParams,
    SGDState,
    objective,
    run_epochs,
    second_moment_curvature,
    zero_weights_value,
)

# The parameters, attributes and notes the two classifiers share, as their
# docstrings have them (numpydoc, indented), filled in by Substitution: written
# once, they cannot drift apart.
_SHARED_PARAMETERS_DOC = """\
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
"""

_CALLBACKS_NOTES_DOC = """\
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
"""


class _EpochCallbacks:
    """Calls scikit-learn's callbacks around the fit and around each epoch.

    The fit is the root task and each epoch a subtask, as L-BFGS iterations are
    for LogisticRegression. The subtask of the next epoch begins as one ends,
    since only the loop knows whether another follows; the one left over at the
    end is closed as an empty task, so each begin has its end.
    """

    def __init__(self, context, estimator, X, y, metadata, classes):
        self._context = context
        self._estimator = estimator
        self._kwargs = {"estimator": estimator, "X": X, "y": y, "metadata": metadata}
        self._classes = classes
        context.call_on_fit_task_begin(**self._kwargs)

    def _attributes(self, coef, intercept):
        # Evaluated only if a callback asks for a fitted estimator.
        return lambda: {
            # A copy (coef.T is contiguous for two classes): the snapshot of
            # this epoch, not a view of the weights still being trained.
            "coef_": np.array(coef.T, order="C"), "intercept_": intercept.copy(),
            "classes_": self._classes,
        }

    def begin_epoch(self, coef, intercept):
        self._epoch = self._context.subcontext(task_name="epoch")
        self._epoch.call_on_fit_task_begin(
            **self._kwargs, reconstruction_attributes=self._attributes(coef, intercept)
        )

    def __call__(self, coef, intercept):
        stop = self._epoch.call_on_fit_task_end(
            **self._kwargs, reconstruction_attributes=self._attributes(coef, intercept)
        )
        self.begin_epoch(coef, intercept)
        return stop

    def close(self, fitted_attributes):
        self._epoch.call_on_fit_task_end(estimator=self._estimator)
        # The model is published only after this call, which may fail: the
        # callbacks get it as the attributes of the fitted estimator.
        self._context.call_on_fit_task_end(
            **self._kwargs, reconstruction_attributes=fitted_attributes
        )


# The fraction of the longest stable step (2 over the curvature) that "auto"
# takes, measured with the default momentum and schedule.
_AUTO_STEP = 0.5

# A stop by tol at an objective within this fraction of its value at zero
# weights, after few epochs that each improved, is suspected of a short step.
_BARELY = 0.1

# What a fit sets: the input description that ``validate_data`` records, the
# model, and what the optimiser carries to the next call.
_FITTED_ATTRIBUTES = (
    "n_features_in_", "feature_names_in_", "classes_", "coef_", "intercept_",
    "learning_rate_", "n_iter_", "t_", "loss_curve_", "validation_scores_",
    "stop_reason_", "n_backoffs_", "_sgd_state",
)


@contextmanager
def _fitted_attributes_kept_on_error(estimator):
    """Put back every fitted attribute, in one step, if the block fails.

    ``validate_data(reset=True)`` records the input description before
    training starts, and the model is published in one update at the end; a
    fit that fails anywhere in between (a diverging step, an exception in a
    callback, Ctrl-C) must leave the estimator wholly as it was. The restored
    ``__dict__`` is built aside and swapped in by one assignment, so that an
    interrupt cannot land between two attributes; what scikit-learn's callback
    machinery keeps there during the fit stays.
    """
    saved = {name: estimator.__dict__[name] for name in _FITTED_ATTRIBUTES
             if name in estimator.__dict__}
    try:
        yield
    except BaseException:
        estimator.__dict__ = {
            **{name: value for name, value in estimator.__dict__.items()
               if name not in _FITTED_ATTRIBUTES},
            **saved,
        }
        raise


def _validate_training_data(estimator, X, y, *, reset):
    """``X`` in float64 or float32 (C order if dense), and ``y``, validated.

    With ``dtype="numeric"``, as ``predict`` validates: given a list of float
    dtypes, ``validate_data`` would turn an array of strings of digits into
    numbers, which ``predict`` then refuses.
    """
    X, y = validate_data(estimator, X, y, accept_sparse="csr", dtype="numeric",
                         order="C", reset=reset)
    if X.dtype not in (np.float64, np.float32):
        X = X.astype(np.float64)
    return X, y


class BaseSGDLinearClassifier(CallbackSupportMixin, LinearClassifierMixin,
                               BaseEstimator):
    """Base class of the linear classifiers trained jointly over all classes by
    minibatch SGD. A subclass names its loss by implementing ``_loss_kernel``.

    The model keeps one weight vector per class, ``coef_`` of shape
    ``(n_classes, n_features)``, except for two classes where it keeps one, as
    scikit-learn's linear classifiers do: the score of ``classes_[1]``, with the
    score of ``classes_[0]`` fixed at 0.
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "learning_rate_schedule": [StrOptions({"constant", "invscaling", "adaptive"})],
        # Past 10 the step has all but vanished by the third epoch, and
        # (1 + epoch) ** power_t would overflow for larger values.
        "power_t": [Interval(Real, 0, 10, closed="both")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterovs_momentum": ["boolean"],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, 1, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "fit_intercept": ["boolean"],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def _loss_kernel(self, n_classes=None):
        """The loss as a kernel of :mod:`sklinear.losses` (multiclass form),
        for ``n_classes`` classes (``None``: more than two)."""
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model by minibatch SGD for up to ``max_iter`` epochs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 trains in float32, anything else in float64.
        y : array-like of shape (n_samples,)
            Class labels, of any type scikit-learn accepts.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample, multiplied by ``class_weight``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        warm = self.warm_start and hasattr(self, "coef_")
        with _fitted_attributes_kept_on_error(self):
            X, y = _validate_training_data(self, X, y, reset=not warm)
            check_classification_targets(y)
            classes = np.unique(y)
            if warm and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    "warm_start=True continues from the previous fit, so y must "
                    f"hold the same classes {self.classes_.tolist()}; got "
                    f"{classes.tolist()}."
                )
            self._fit_epochs(X, y, sample_weight, classes, reset=not warm,
                             max_iter=self.max_iter,
                             early_stopping=self.early_stopping)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of minibatch SGD over the given samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data of this call.
        y : array-like of shape (n_samples,)
            Class labels; later calls may lack some classes.
        classes : array-like of shape (n_classes,), default=None
            All the classes the model will see. Required on the first call,
            ignored (but checked) on later ones.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of each sample.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        first_call = not hasattr(self, "classes_")
        if first_call and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit: "
                "the array of every class the model will be trained on."
            )
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: each call "
                "sees a different part of the data. Compute the weights once with "
                "sklearn.utils.compute_class_weight('balanced', classes=classes, y=y) "
                "on a large enough sample of the targets, and pass them as a dict."
            )
        with _fitted_attributes_kept_on_error(self):
            X, y = _validate_training_data(self, X, y, reset=first_call)
            self._partial_fit_validated(X, y, classes, sample_weight, first_call)
        return self

    def _partial_fit_validated(self, X, y, classes, sample_weight, first_call):
        check_classification_targets(y)
        if classes is None:
            classes = self.classes_
        else:
            classes = np.unique(classes)
            if not first_call and not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} differs from the classes of the "
                    f"previous calls to partial_fit, {self.classes_.tolist()}."
                )
        unknown = np.setdiff1d(y, classes)
        if len(unknown):
            raise ValueError(
                f"y contains labels {unknown.tolist()} that are not in "
                f"classes={classes.tolist()}."
            )
        self._fit_epochs(X, y, sample_weight, classes, reset=first_call,
                         max_iter=1, early_stopping=False)

    def _loss_curvature(self, n_classes):
        """A bound on the second derivative of the loss in the scores (the
        largest eigenvalue of its Hessian), for ``n_classes`` classes."""
        raise NotImplementedError

    def _resolve_learning_rate(self, X, sample_weight, n_classes):
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        # The longest stable step of gradient descent on a smooth objective is
        # 2 over its curvature: that of the loss in the scores, times that of
        # the data along the weights as minibatches of batch_size see it, plus
        # the L2 penalty's. _AUTO_STEP takes a fraction of it, measured with
        # the default momentum and schedule (benchmarks/bench_defaults.py).
        _, l2 = _penalty_strengths(self.penalty, self.alpha, self.l1_ratio)
        curvature = self._loss_curvature(n_classes) * second_moment_curvature(
            X, sample_weight, self.batch_size) + l2
        if not curvature > 0:
            # Features all zero and no L2 penalty: W never moves, whatever
            # the step; the intercept's then serves.
            return _AUTO_STEP / self._loss_curvature(n_classes)
        # To 3 significant digits: an estimate, whose last bits would otherwise
        # follow the rounding of the eigenvalue solver (which varies with the
        # number of BLAS threads), and with them the whole training.
        step = float(f"{_AUTO_STEP / curvature:.3g}")
        if not step >= np.finfo(X.dtype).tiny:
            raise ValueError(
                f"The features are too large for a learning rate in {X.dtype}: "
                f"the curvature of the objective, {curvature:.3g}, makes the "
                f"stable step {step:.3g}. Scale the features, for instance with "
                "sklearn.preprocessing.StandardScaler."
            )
        return step

    def _sgd_params(self, n_classes, learning_rate):
        kernel = self._loss_kernel(n_classes)
        # With "auto", the intercept gets the step its own feature, a constant 1,
        # allows: scaled like W's, it would crawl when the features are large.
        # Each block within its own bound keeps the whole step within twice it.
        if self.learning_rate == "auto":
            intercept_learning_rate = _AUTO_STEP / self._loss_curvature(n_classes)
        else:
            intercept_learning_rate = learning_rate
        return SGDParams(
            kernel=_binary_kernel(kernel) if n_classes == 2 else kernel,
            alpha=self.alpha, penalty=self.penalty, l1_ratio=self.l1_ratio,
            learning_rate=learning_rate,
            intercept_learning_rate=intercept_learning_rate,
            learning_rate_schedule=self.learning_rate_schedule,
            power_t=self.power_t, momentum=self.momentum,
            nesterovs_momentum=self.nesterovs_momentum,
            batch_size=self.batch_size, tol=self.tol,
            n_iter_no_change=self.n_iter_no_change, shuffle=self.shuffle,
            fit_intercept=self.fit_intercept, verbose=self.verbose,
        )

    def _check_targets(self, X, y, sample_weight, classes):
        """Class indices, and sample weights with the class weights folded in."""
        if len(classes) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; "
                f"the data contain only one class: {classes[0]}."
            )
        y_index = np.searchsorted(classes, y)
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        if self.class_weight is not None:
            class_weight = compute_class_weight(
                self.class_weight, classes=classes, y=y
            )
            bad = ~(np.isfinite(class_weight) & (class_weight >= 0))
            if bad.any():
                first = np.flatnonzero(bad)[0]
                weight, label = class_weight[first].item(), classes[first].item()
                raise ValueError(
                    "class_weight must be finite and non-negative; got "
                    f"{weight!r} for class {label!r}."
                )
            # Scaled, as below, so that the product cannot overflow.
            if class_weight.max() > 0:
                class_weight = class_weight / class_weight.max()
            sample_weight = sample_weight * class_weight[y_index].astype(X.dtype)
        largest = sample_weight.max()
        if not largest > 0:
            raise ValueError(
                "The sample weights (times the class weights) sum to zero; at least "
                "one sample needs a positive weight."
            )
        # Only the ratios of the weights enter the objective, a weighted mean:
        # scaled so that the largest is 1, their sum cannot overflow. Unit
        # weights stay exactly as they are. (A new array: never the caller's.)
        return y_index, sample_weight / largest

    def _validation_split(self, y, sample_weight, rng):
        n_samples = len(y)
        splitter = StratifiedShuffleSplit(
            test_size=self.validation_fraction, random_state=rng
        )
        try:
            rows, validation = next(splitter.split(np.zeros((n_samples, 1)), y))
        except ValueError as error:
            raise ValueError(
                f"Cannot split {n_samples} samples into a training and a stratified "
                f"validation set with validation_fraction={self.validation_fraction} "
                f"({error}). Change validation_fraction, use more samples, or set "
                "early_stopping=False."
            ) from error
        if not sample_weight[validation].any():
            raise ValueError(
                "The sample weights of the validation set are all zero; use another "
                "random_state or validation_fraction."
            )
        return rows, validation

    def _fit_epochs(self, X, y, sample_weight, classes, *, reset, max_iter,
                    early_stopping):
        """Train on validated data and set the fitted attributes at the end only,
        so that an error leaves the estimator as it was."""
        sample_weight_in = sample_weight
        y_index, sample_weight = self._check_targets(X, y, sample_weight, classes)
        n_outputs = 1 if len(classes) == 2 else len(classes)
        if reset or self.learning_rate != "auto":
            learning_rate = self._resolve_learning_rate(X, sample_weight,
                                                        len(classes))
        else:
            # partial_fit and warm starts keep the step of the first call.
            learning_rate = self.learning_rate_
        params = self._sgd_params(len(classes), learning_rate)
        if reset:
            coef = np.zeros((X.shape[1], n_outputs), dtype=X.dtype)
            intercept = np.zeros(n_outputs, dtype=X.dtype)
            state = SGDState(
                rng=check_random_state(self.random_state),
                coef_velocity=np.zeros_like(coef),
                intercept_velocity=np.zeros_like(intercept),
            )
        else:
            # Always a copy: coef_.T is already contiguous for two classes (or
            # one feature), and the loop updates coef in place, so a view would
            # leave coef_ half-trained if the fit failed.
            coef = np.array(self.coef_.T, dtype=X.dtype, order="C")
            intercept = np.array(self.intercept_, dtype=X.dtype)
            state = copy.deepcopy(self._sgd_state)
            state.coef_velocity = state.coef_velocity.astype(X.dtype)
            state.intercept_velocity = state.intercept_velocity.astype(X.dtype)
            state.best_score = -np.inf
            state.best_loss = np.inf
            state.no_improvement_count = 0
        state.validation_scores = []

        rows = validation_score = None
        if early_stopping:
            rows, validation = self._validation_split(y, sample_weight, state.rng)
            X_val, y_val = X[validation], y_index[validation]
            weight_val = sample_weight[validation]

            def validation_score(coef, intercept):
                scores = X_val @ coef + intercept
                if n_outputs == 1:
                    predicted = (scores[:, 0] > 0).astype(np.intp)
                else:
                    predicted = scores.argmax(axis=1)
                return float(np.average(predicted == y_val, weights=weight_val))

        # One subtask per epoch, and one left over (see _EpochCallbacks).
        context = self._init_callback_context(max_subtasks=max_iter + 1)
        callbacks = None
        if context is not None:
            metadata = None if sample_weight_in is None else {
                "sample_weight": sample_weight_in}
            callbacks = _EpochCallbacks(context, self, X, y, metadata, classes)
            callbacks.begin_epoch(coef, intercept)
        stop_reason = run_epochs(
            X, y_index, sample_weight, coef, intercept, state, params, max_iter,
            rows=rows, validation_score=validation_score, on_epoch_end=callbacks,
        )
        if max_iter > 1 and self.tol is not None:
            if stop_reason == "max_iter":
                warnings.warn(
                    f"{type(self).__name__} ran max_iter={max_iter} epochs without "
                    "meeting the stopping rule (tol, n_iter_no_change). Increase "
                    "max_iter, or set tol=None to run a fixed number of epochs.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
            elif stop_reason == "converged" and reset and not early_stopping:
                self._warn_if_the_step_was_too_short(
                    X, y_index, sample_weight, coef, intercept, params,
                    len(classes), state.n_iter, state.loss_curve[-1],
                )

        fitted = {
            "classes_": classes,
            "coef_": np.ascontiguousarray(coef.T),
            "intercept_": intercept,
            "learning_rate_": learning_rate,
            "n_iter_": state.n_iter,
            "t_": state.t,
            "loss_curve_": list(state.loss_curve),
            "validation_scores_": (
                list(state.validation_scores) if early_stopping else None
            ),
            "stop_reason_": stop_reason,
            "n_backoffs_": state.n_backoffs,
            "_sgd_state": state,
        }
        if callbacks is not None:
            callbacks.close(fitted)
        # One update, after the last call that may fail: an interrupt leaves
        # the previous model or this one, never a mix.
        self.__dict__.update(fitted)

    def _warn_if_the_step_was_too_short(self, X, y, sample_weight, coef,
                                        intercept, params, n_classes, n_epochs,
                                        last):
        """Warn when a stop by ``tol`` looks like a step too short to make
        progress rather than convergence: the last epoch's objective ``last``
        barely below its value at zero weights, and one step of gradient
        descent of the curvature's size, from the final weights, would still
        lower it by more than ``tol`` of it (a converged fit, heavily penalised
        say, has no such step left)."""
        start = zero_weights_value(params.kernel, coef.shape[1], X.dtype)
        if not last > (1 - _BARELY) * start:
            return
        value, grad_coef, grad_intercept = objective(
            X, y, sample_weight, coef, intercept, params)
        _, l2 = _penalty_strengths(self.penalty, self.alpha, self.l1_ratio)
        loss_curvature = self._loss_curvature(n_classes)
        curvature = loss_curvature * second_moment_curvature(
            X, sample_weight, None) + l2
        # A step of 1 / L lowers an L-smooth objective by |g|^2 / (2 L).
        available = 0.5 * np.vdot(grad_coef, grad_coef) / max(curvature, 1e-300)
        available += 0.5 * np.vdot(grad_intercept, grad_intercept) / loss_curvature
        if available > self.tol * value:
            warnings.warn(
                f"{type(self).__name__} stopped after {n_epochs} epochs "
                f"with the objective at {value:.4g}, barely below its value at "
                f"zero weights ({start:.4g}), where one step of gradient descent "
                f"would still lower it by {available:.3g}: the step "
                f"(learning_rate_={params.learning_rate:.3g}) is likely too short, "
                "so that slow progress passed for convergence under tol, or the "
                "problem is ill-conditioned. Use a larger learning_rate (or "
                "'auto'), a smaller tol, or standardise the features (for "
                "instance with sklearn.preprocessing.StandardScaler).",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _objective(self, X, y, sample_weight=None):
        """The training objective of this estimator on ``(X, y)`` as a function.

        Returns ``f(coef, intercept) -> (value, grad_coef, grad_intercept)`` with
        ``coef`` shaped like ``coef_``. Built from the same pieces as the SGD loop,
        so that a gradient check of ``f`` checks what training descends.
        """
        X, y = _validate_training_data(self, X, y, reset=False)
        classes = self.classes_
        y_index, sample_weight = self._check_targets(X, y, sample_weight, classes)
        params = self._sgd_params(len(classes), self.learning_rate_)

        def f(coef, intercept):
            value, grad_coef, grad_intercept = objective(
                X, y_index, sample_weight, np.ascontiguousarray(coef.T),
                np.asarray(intercept), params,
            )
            return value, grad_coef.T, grad_intercept

        return f
