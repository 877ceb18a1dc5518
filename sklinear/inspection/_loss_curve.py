"""The training objective per epoch, and the validation score with early stopping."""

import weakref

import numpy as np

from ..utils._fixes import _validate_style_kwargs, check_matplotlib_support
from ._plotting import _fitted_final_estimator

# The twin axes of validation scores made for each axes, so that a later plot on
# the same axes draws on it instead of stacking a second right-hand axis on top.
# Weak both ways, so that an axes and its twin go with their figure.
_validation_axes_of = weakref.WeakKeyDictionary()


def _validation_axes(ax, *, create):
    """The right-hand axes of ``ax`` for validation scores, made if asked."""
    reference = _validation_axes_of.get(ax)
    twin = None if reference is None else reference()
    # A twin the user removed no longer counts.
    if twin is not None and twin not in ax.figure.axes:
        twin = None
    if twin is None and create:
        twin = ax.twinx()
        _validation_axes_of[ax] = weakref.ref(twin)
    return twin


class LossCurveDisplay:
    """The training objective per epoch, and the validation score per epoch.

    The validation scores, recorded with ``early_stopping=True``, are drawn on a
    second y-axis on the right, dashed, in the colour of their training curve.
    Several estimators can share one axes: pass the ``ax_`` of a first display
    as ``ax`` to the next (the validation scores then share one right-hand
    axis too).

    It is recommended to use :meth:`LossCurveDisplay.from_estimator` to create
    a :class:`LossCurveDisplay`. All parameters are stored as attributes.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        The training objective at the end of each epoch, the ``loss_curve_`` of
        :class:`~sklinear.SoftmaxClassifier` and
        :class:`~sklinear.SVMLinearClassifier` (or of scikit-learn's
        :class:`~sklearn.neural_network.MLPClassifier`).
    validation_scores : array-like of shape (n_epochs,), default=None
        The score on the held-out validation set after each epoch (the
        accuracy, for a classifier), ``validation_scores_``. None draws none.
    name : str, default=None
        The name of the curves in the legend. None names none.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training objective.
    validation_line_ : matplotlib Line2D or None
        The validation scores, if any.
    ax_ : matplotlib Axes
        The axes of the training objective (epochs on x).
    validation_ax_ : matplotlib Axes or None
        The twin axes of the validation scores (on the right), if any.
    figure_ : matplotlib Figure
        The figure holding the axes.

    See Also
    --------
    LossCurveDisplay.from_estimator : The curves of a fitted estimator.
    sklearn.model_selection.ValidationCurveDisplay : The score against a
        parameter's value.

    Examples
    --------
    >>> from sklinear.inspection import LossCurveDisplay
    >>> disp = LossCurveDisplay([2.3, 0.9, 0.6, 0.5], name="softmax").plot()
    >>> disp.line_.get_label()
    'softmax'
    """

    def __init__(self, loss_curve, *, validation_scores=None, name=None):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.name = name

    def plot(self, ax=None, *, name=None, line_kw=None, validation_line_kw=None):
        """Draw the curves against the epoch (from 1).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            The axes to draw on, such as the ``ax_`` of another display to compare
            estimators. None creates a figure.
        name : str, default=None
            The name of the curves in the legend; None uses ``self.name``.
        line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the training
            objective.
        validation_line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the validation
            scores.

        Returns
        -------
        display : LossCurveDisplay
            The display, with the attributes of what it drew.

        Examples
        --------
        >>> from sklinear.inspection import LossCurveDisplay
        >>> sgd = LossCurveDisplay([2.3, 1.1, 0.8], name="minibatch").plot()
        >>> gd = LossCurveDisplay([2.3, 1.6, 1.2], name="full batch").plot(sgd.ax_)
        >>> [line.get_label() for line in sgd.ax_.get_lines()]
        ['minibatch', 'full batch']
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        if ax is None:
            _, ax = plt.subplots()
        name = self.name if name is None else name
        loss_curve = np.asarray(self.loss_curve, dtype=float)
        validation_scores = self.validation_scores
        if validation_scores is not None:
            validation_scores = np.asarray(validation_scores, dtype=float)
            if validation_scores.shape != loss_curve.shape:
                raise ValueError(
                    "validation_scores must hold one score per epoch, like "
                    f"loss_curve: got {validation_scores.shape[0]} scores for "
                    f"{loss_curve.shape[0]} epochs."
                )

        # The legend tells training from validation only when both are drawn.
        if validation_scores is None:
            label = name
        elif name is None:
            label = "Training objective"
        else:
            label = f"{name} (training)"
        epochs = np.arange(1, len(loss_curve) + 1)
        line_kw = _validate_style_kwargs({"label": label}, line_kw or {})
        (self.line_,) = ax.plot(epochs, loss_curve, **line_kw)
        ax.set(xlabel="Epoch", ylabel="Training objective")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))

        self.validation_ax_ = self.validation_line_ = None
        if validation_scores is not None:
            self.validation_ax_ = _validation_axes(ax, create=True)
            validation_line_kw = _validate_style_kwargs(
                {
                    "label": "Validation score"
                    if name is None
                    else f"{name} (validation)",
                    "color": self.line_.get_color(),
                    "linestyle": "--",
                },
                validation_line_kw or {},
            )
            (self.validation_line_,) = self.validation_ax_.plot(
                epochs, validation_scores, **validation_line_kw
            )
            self.validation_ax_.set_ylabel("Validation score")

        # One legend for the lines of both axes, on the twin when there is one:
        # it is drawn above ax, whose legend its lines would cover. The objective
        # falls to the lower right and the scores rise to the upper right, which
        # leaves the centre right free; "best" would only see the twin's lines.
        twin = _validation_axes(ax, create=False)
        lines = [
            line
            for axes in (ax, twin)
            if axes is not None
            for line in axes.get_lines()
            if not line.get_label().startswith("_")
        ]
        for axes in (ax, twin):
            if axes is not None and axes.get_legend() is not None:
                axes.get_legend().remove()
        if lines:
            (twin or ax).legend(
                lines, [line.get_label() for line in lines],
                loc="center right" if twin is not None else "best",
            )

        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, name=None, ax=None, line_kw=None, validation_line_kw=None
    ):
        """Draw the training objective (and validation scores) of an estimator.

        Parameters
        ----------
        estimator : estimator instance
            A fitted estimator that records ``loss_curve_`` (and, with early
            stopping, ``validation_scores_``), such as
            :class:`~sklinear.SoftmaxClassifier`, or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one.
        name : str, default=None
            The name of the curves in the legend. None uses the class name of the
            estimator (of the last step, for a pipeline).
        ax : matplotlib Axes, default=None
            The axes to draw on, such as the ``ax_`` of another display to compare
            estimators. None creates a figure.
        line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the training
            objective.
        validation_line_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``plot`` for the validation
            scores.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.

        See Also
        --------
        LossCurveDisplay.plot : Draw the curves again, on other axes.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklinear import SoftmaxClassifier, SVMLinearClassifier
        >>> from sklinear.inspection import LossCurveDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> X = X / 16
        >>> softmax = SoftmaxClassifier(max_iter=10, tol=None, random_state=0)
        >>> svm = SVMLinearClassifier(
        ...     max_iter=10, tol=None, early_stopping=True, random_state=0
        ... )
        >>> disp = LossCurveDisplay.from_estimator(softmax.fit(X, y))
        >>> disp = LossCurveDisplay.from_estimator(svm.fit(X, y), ax=disp.ax_)
        >>> len(disp.validation_line_.get_ydata())
        10
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        model = _fitted_final_estimator(estimator)
        if getattr(model, "loss_curve_", None) is None:
            raise ValueError(
                f"{cls.__name__} draws the training objective per epoch that an "
                "estimator records in loss_curve_, as SoftmaxClassifier and "
                f"SVMLinearClassifier do; {type(model).__name__} has no "
                "loss_curve_."
            )
        display = cls(
            model.loss_curve_,
            validation_scores=getattr(model, "validation_scores_", None),
            name=type(model).__name__ if name is None else name,
        )
        return display.plot(
            ax=ax, line_kw=line_kw, validation_line_kw=validation_line_kw
        )
