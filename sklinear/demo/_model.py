"""The state of the interactive demo, in numpy: no Bokeh here.

:class:`DemoModel` holds the points, their classes, the parameters ``W`` (one
row per class) and ``b``, the loss settings and the history of the objective.
Every number it reports comes from :mod:`sklinear.losses`; every step it takes
is the estimators' full-batch update (:mod:`sklinear.linear_model._sgd`), so
that the page is a view of the package, not a second implementation of it.

Everything that comes from the browser goes through one of its setters, which
validate the whole input before changing anything: a rejected edit raises a
ValueError and leaves the model as it was.
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np

from ..linear_model import SoftmaxClassifier, SVMLinearClassifier
from ..linear_model._sgd import (
    SGDParams,
    _l1_proximal_step,
    _step,
    data_loss_grad,
    objective,
)
from ..losses import (
    _penalty_strengths,
    log_softmax,
    multiclass_hinge,
    penalty,
    softmax_cross_entropy,
)

N_CLASSES = 3
N_FEATURES = 2
# Bounds on what a browser may send: a page of a lecture needs a few dozen
# points in a plane a few units wide; these keep every number of the page
# finite and every message small, whatever a client sends.
MAX_POINTS = 200
MAX_COORD = 1e3
MAX_PARAM = 1e3
# The objective's history, one value per step or change: the latest ones only,
# so that a demo left running for hours keeps a bounded memory.
HISTORY_LENGTH = 500

LOSSES = {
    "hinge": "multiclass SVM (hinge)",
    "squared_hinge": "squared hinge",
    "softmax": "softmax (cross-entropy)",
}
PENALTIES = {"l2": "L2", "l1": "L1"}
# Each setting: (low, high, low is open): what its validation accepts.
SETTING_BOUNDS = {
    "margin": (0.0, 100.0, True),
    "alpha": (0.0, 100.0, False),
    "learning_rate": (0.0, 10.0, True),
    "momentum": (0.0, 0.99, False),
}

_LECTURE_X = [[1.0, 0.8], [1.6, 0.6], [0.6, 1.6],
              [-0.8, 0.6], [-0.6, 1.4], [-1.4, 0.4],
              [1.4, -0.8], [1.0, -1.2], [-0.8, -1.0]]
# Preset datasets: points, classes and starting parameters.
PRESETS = {
    "lecture": dict(
        X=_LECTURE_X,
        y=[0, 0, 0, 1, 1, 1, 2, 2, 2],
        W=[[1.0, 2.0], [2.0, -4.0], [3.0, -1.0]],
        b=[0.0, 0.5, -0.5],
    ),
    "separable": dict(
        X=[[1.6, 1.6], [2.1, 1.2], [1.2, 2.2], [1.9, 2.0],
           [-1.8, 1.4], [-2.2, 0.8], [-1.3, 1.9], [-2.0, 2.0],
           [0.2, -1.8], [-0.5, -2.2], [0.8, -2.3], [0.0, -1.2]],
        y=[0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2],
        W=[[0.5, 0.0], [0.0, 0.5], [-0.5, -0.5]],
        b=[0.0, 0.0, 0.0],
    ),
    "overlapping": dict(
        X=[[0.4, 0.6], [1.2, 0.2], [0.8, 1.3], [-0.3, -0.2],
           [-0.6, 0.8], [-1.3, 0.2], [0.3, 0.1], [-0.9, 1.1],
           [0.2, -0.9], [-0.4, -1.1], [0.9, -0.5], [-0.1, 0.4]],
        y=[0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2],
        W=[[1.0, 0.0], [-1.0, 0.5], [0.0, -1.0]],
        b=[0.0, 0.0, 0.0],
    ),
    "outlier": dict(
        X=_LECTURE_X + [[-2.4, 2.2]],
        y=[0, 0, 0, 1, 1, 1, 2, 2, 2, 0],
        W=[[1.0, 2.0], [2.0, -4.0], [3.0, -1.0]],
        b=[0.0, 0.5, -0.5],
    ),
}


@dataclass(frozen=True)
class Summary:
    """Everything the page shows of the model's current state.

    Attributes
    ----------
    W : ndarray of shape (3, 2)
        The weights, one row per class.
    b : ndarray of shape (3,)
        The intercepts.
    scores : ndarray of shape (n_points, 3)
        ``X @ W.T + b``.
    losses : ndarray of shape (n_points,)
        Each point's loss :math:`L_i`.
    probabilities : ndarray of shape (n_points, 3) or None
        The softmax of the scores, for the softmax loss only.
    predicted : ndarray of shape (n_points,)
        The class of the highest score.
    data_loss, reg_loss, total_loss : float
        The mean of ``losses``, the penalty on ``W`` and their sum.
    """

    W: np.ndarray
    b: np.ndarray
    scores: np.ndarray
    losses: np.ndarray
    probabilities: object
    predicted: np.ndarray
    data_loss: float
    reg_loss: float
    total_loss: float


def _check_real(name, value, low, high, low_open=False):
    """``value`` as a float in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a number; got {value!r:.100}.")
    try:
        value = float(value)
    except OverflowError:  # an integer beyond any float
        value = float("inf")
    inside = (low < value if low_open else low <= value) and value <= high
    if not inside:
        opening = "(" if low_open else "["
        raise ValueError(
            f"{name} must be a finite number in {opening}{low:g}, {high:g}]; "
            f"got {value!r}."
        )
    return value


def _check_choice(name, value, choices):
    # Strings only: a list or a dict from the page is not even hashable.
    if not (isinstance(value, str) and value in choices):
        raise ValueError(
            f"{name} must be one of {sorted(choices)}; got {value!r:.100}.")


def _check_array(name, values, shape, bound):
    """``values`` as a float64 array of ``shape`` with entries in [-bound, bound]."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raise ValueError(f"{name} must be an array of numbers: {error}") from None
    # Strings, None (object) and booleans are not coordinates, even when numpy
    # could convert them.
    if array.dtype.kind not in "iuf":
        raise ValueError(
            f"{name} must hold real numbers; got an array of dtype {array.dtype}."
        )
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {array.shape}.")
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity; expected finite values.")
    if array.size and np.abs(array).max() > bound:
        raise ValueError(
            f"{name} must lie within [-{bound:g}, {bound:g}]; got a value of "
            f"{np.abs(array).max():.6g} in absolute value."
        )
    return array


def check_points(X, y):
    """Validate points and classes sent by the page.

    Parameters
    ----------
    X : array-like of shape (n_points, 2)
        Coordinates, finite and within ``MAX_COORD`` in absolute value.
    y : array-like of shape (n_points,)
        Classes in ``{0, 1, 2}``; integral floats are accepted, as JSON may
        carry them so.

    Returns
    -------
    X : ndarray of shape (n_points, 2), float64
    y : ndarray of shape (n_points,), intp

    Raises
    ------
    ValueError
        If there are no points or more than ``MAX_POINTS``, or any value is
        not as described.
    """
    try:
        n_points = len(X)
    except TypeError:
        raise ValueError(f"points must be a sequence; got {X!r:.100}.") from None
    if not 1 <= n_points <= MAX_POINTS:
        raise ValueError(
            f"the demo takes from 1 to {MAX_POINTS} points; got {n_points}."
        )
    X = _check_array("point coordinates", X, (n_points, N_FEATURES), MAX_COORD)
    labels = _check_array("classes", y, (n_points,), np.inf)
    if not np.all(np.isin(labels, np.arange(N_CLASSES))):
        raise ValueError(
            f"classes must be 0, 1 or 2; got {sorted(set(labels.tolist()))}."
        )
    return X, labels.astype(np.intp)


class DemoModel:
    """A linear classifier of 2-D points into 3 classes, one gradient step at a time.

    The objective is that of :class:`~sklinear.SVMLinearClassifier` and
    :class:`~sklinear.SoftmaxClassifier`:

    .. math::

        J(W, b) = \\frac{1}{n} \\sum_i L_i(W x_i + b)
                  + \\alpha \\, R(W),

    with :math:`R(W) = \\frac{1}{2} \\lVert W \\rVert_F^2` for the L2 penalty
    (so the :math:`\\lambda \\sum W^2` of the CS231n notes is
    ``alpha = 2 * lambda``) and :math:`\\lVert W \\rVert_1` for L1; :math:`b` is
    not penalised. A step is the estimators' full-batch update with a constant
    step size: (momentum) gradient descent, then the L1 proximal step.

    Parameters
    ----------
    preset : str, default="lecture"
        The points and starting parameters, a key of ``PRESETS``.
    loss : {"hinge", "squared_hinge", "softmax"}, default="hinge"
        The multiclass SVM's (Weston-Watkins) hinge, its square, or the
        softmax cross-entropy.
    margin : float, default=1.0
        The hinge's margin, in ``(0, 100]``.
    alpha : float, default=0.1
        Regularisation strength, in ``[0, 100]``.
    penalty : {"l2", "l1"}, default="l2"
        The penalty on ``W``.
    learning_rate : float, default=0.1
        The step size, in ``(0, 10]``.
    momentum : float, default=0.0
        Momentum of the steps, in ``[0, 0.99]``.
    nesterov : bool, default=False
        Use Nesterov's momentum (the estimators' ``nesterovs_momentum``).
    random_state : int or None, default=None
        Seeds :meth:`randomize_points` and :meth:`randomize_parameters`.

    Examples
    --------
    >>> from sklinear.demo import DemoModel
    >>> model = DemoModel(loss="softmax", alpha=0.0, learning_rate=0.5)
    >>> before = model.summary().total_loss
    >>> model.step()
    >>> model.summary().total_loss < before
    True
    """

    def __init__(self, preset="lecture", *, loss="hinge", margin=1.0, alpha=0.1,
                 penalty="l2", learning_rate=0.1, momentum=0.0, nesterov=False,
                 random_state=None):
        self._rng = np.random.default_rng(random_state)
        self._settings = {}
        self._n_steps = 0
        self.configure(loss=loss, margin=margin, alpha=alpha, penalty=penalty,
                       learning_rate=learning_rate, momentum=momentum,
                       nesterov=nesterov)
        self.load_preset(preset)

    # -- what the page reads ------------------------------------------------

    @property
    def X(self):
        """The points, a copy: shape (n_points, 2)."""
        return self._X.copy()

    @property
    def y(self):
        """The classes of the points, a copy: shape (n_points,)."""
        return self._y.copy()

    @property
    def W(self):
        """The weights, one row per class, a copy: shape (3, 2)."""
        return self._W.copy()

    @property
    def b(self):
        """The intercepts, a copy: shape (3,)."""
        return self._b.copy()

    @property
    def settings(self):
        """The loss and optimiser settings, as a dict (a copy)."""
        return dict(self._settings)

    @property
    def n_steps(self):
        """Steps taken since the last reset or new starting point."""
        return self._n_steps

    @property
    def history(self):
        """``(step, total loss)`` after each step or change, the latest
        ``HISTORY_LENGTH`` of them."""
        return list(self._history)

    def summary(self):
        """Scores, losses and probabilities of the current state.

        Every value comes from the public functions of :mod:`sklinear.losses`:
        ``multiclass_hinge`` or ``softmax_cross_entropy`` for the data loss
        (and, row by row, for each point's loss), ``log_softmax`` for the
        probabilities and ``penalty`` for the regularisation loss.

        Returns
        -------
        summary : Summary
        """
        settings = self._settings
        scores = self._X @ self._W.T + self._b
        if settings["loss"] == "softmax":
            def loss(s, y):
                return softmax_cross_entropy(s, y)[0]
            probabilities = np.exp(log_softmax(scores))
        else:
            def loss(s, y):
                return multiclass_hinge(
                    s, y, margin=settings["margin"],
                    squared=settings["loss"] == "squared_hinge")[0]
            probabilities = None
        losses = np.array([loss(scores[i:i + 1], self._y[i:i + 1])
                           for i in range(len(scores))])
        data_loss = loss(scores, self._y)
        reg_loss = penalty(self._W, penalty=settings["penalty"],
                           alpha=settings["alpha"])[0]
        return Summary(
            W=self.W, b=self.b, scores=scores, losses=losses,
            probabilities=probabilities, predicted=scores.argmax(axis=1),
            data_loss=data_loss, reg_loss=reg_loss, total_loss=data_loss + reg_loss,
        )

    def gradient(self):
        """The (sub)gradient of the objective at the current parameters.

        Computed by the estimators' ``objective``: the gradient a step of plain
        gradient descent follows (with the L1 penalty, the step soft-thresholds
        instead of following the sign of ``W``).

        Returns
        -------
        grad_W : ndarray of shape (3, 2)
        grad_b : ndarray of shape (3,)
        """
        _, grad_coef, grad_intercept = objective(
            self._X, self._y, np.ones(len(self._y)), self._W.T.copy(),
            self._b.copy(), self._sgd_params(),
        )
        return grad_coef.T.copy(), grad_intercept

    # -- what the page changes ----------------------------------------------

    def configure(self, **settings):
        """Change some of the settings of the loss and the optimiser.

        Parameters
        ----------
        **settings
            Any of ``loss``, ``margin``, ``alpha``, ``penalty``,
            ``learning_rate``, ``momentum`` and ``nesterov``, with the values
            the constructor accepts.

        Raises
        ------
        ValueError
            For an unknown setting or a value out of its range; then no setting
            changes.
        """
        checked = {}
        for name, value in settings.items():
            if name == "loss":
                _check_choice("loss", value, LOSSES)
            elif name == "penalty":
                _check_choice("penalty", value, PENALTIES)
            elif name == "nesterov":
                if not isinstance(value, (bool, np.bool_)):
                    raise ValueError(f"nesterov must be True or False; got {value!r}.")
                value = bool(value)
            elif name in SETTING_BOUNDS:
                value = _check_real(name, value, *SETTING_BOUNDS[name])
            else:
                raise ValueError(
                    f"unknown setting {name!r}; expected one of "
                    f"{sorted(SETTING_BOUNDS) + ['loss', 'nesterov', 'penalty']}.")
            checked[name] = value
        objective_changes = {"loss", "margin", "alpha", "penalty"} & set(checked)
        self._settings.update(checked)
        if objective_changes and hasattr(self, "_W"):
            # The velocity was built on another objective.
            self._clear_velocity()
            self._record()

    def set_points(self, X, y):
        """Replace the points and their classes (after a drag, an addition, a
        deletion), keeping the parameters.

        Raises
        ------
        ValueError
            See :func:`check_points`; then nothing changes.
        """
        self._X, self._y = check_points(X, y)
        self._clear_velocity()
        self._record()

    def set_parameters(self, W, b):
        """Set ``W`` and ``b``; they become the starting point of :meth:`reset`.

        Raises
        ------
        ValueError
            If ``W`` is not of shape (3, 2) or ``b`` of shape (3,), or a value
            is not finite or exceeds ``MAX_PARAM`` in absolute value; then
            nothing changes.
        """
        W = _check_array("W", W, (N_CLASSES, N_FEATURES), MAX_PARAM)
        b = _check_array("b", b, (N_CLASSES,), MAX_PARAM)
        self._W, self._b = W, b
        self._start = W.copy(), b.copy()
        self._clear_velocity()
        self._record()

    def load_preset(self, name):
        """Load one of the ``PRESETS``: points, classes and parameters."""
        _check_choice("preset", name, PRESETS)
        preset = PRESETS[name]
        self._X, self._y = check_points(preset["X"], preset["y"])
        self._history = []
        self.set_parameters(preset["W"], preset["b"])
        self.reset()

    def randomize_points(self):
        """New points: four per class, around random centres."""
        n_per_class = 4
        centres = self._rng.uniform(-1.8, 1.8, size=(N_CLASSES, N_FEATURES))
        y = np.repeat(np.arange(N_CLASSES), n_per_class)
        X = centres[y] + self._rng.normal(scale=0.5, size=(len(y), N_FEATURES))
        # Rounded, so that the table shows the coordinates as they are.
        self.set_points(np.clip(X, -2.8, 2.8).round(2), y)

    def randomize_parameters(self):
        """New random ``W`` and ``b`` (rounded to two decimals), and a reset."""
        W = self._rng.normal(scale=1.5, size=(N_CLASSES, N_FEATURES)).round(2)
        b = self._rng.normal(scale=0.5, size=N_CLASSES).round(2)
        self.set_parameters(W, b)
        self.reset()

    def reset(self):
        """Back to the starting parameters, with no velocity and a new history."""
        self._W, self._b = (p.copy() for p in self._start)
        self._clear_velocity()
        self._n_steps = 0
        self._history = []
        self._record()

    def step(self):
        """One full-batch gradient step, as the estimators take it.

        The gradient of the mean data loss comes from the estimators'
        ``data_loss_grad`` with their loss kernel, the L2 penalty's gradient is
        added, ``_step`` applies the step size and momentum to ``W`` and ``b``,
        and ``_l1_proximal_step`` soft-thresholds ``W`` under the L1 penalty:
        the loop of ``sklinear.linear_model._sgd`` with ``batch_size=None``
        and a constant schedule.

        Raises
        ------
        ValueError
            If the step would make a parameter non-finite or larger than
            ``MAX_PARAM`` in absolute value (the step size is too large for
            these points); then nothing changes.
        """
        params = self._sgd_params()
        coef, intercept = self._W.T.copy(), self._b.copy()
        coef_velocity, intercept_velocity = (v.copy() for v in self._velocity)
        n_points = len(self._y)
        scores = np.empty((n_points, N_CLASSES))
        grad_coef = np.empty_like(coef)
        _, grad_intercept = data_loss_grad(
            self._X, self._y, np.full(n_points, 1.0 / n_points), coef, intercept,
            params.kernel, scores, grad_coef,
        )
        l1, l2 = _penalty_strengths(params.penalty, params.alpha, params.l1_ratio)
        if l2:
            grad_coef += l2 * coef
        _step(coef, grad_coef, coef_velocity, params.learning_rate,
              params.momentum, params.nesterovs_momentum, np.empty_like(coef))
        _step(intercept, grad_intercept, intercept_velocity,
              params.intercept_learning_rate, params.momentum,
              params.nesterovs_momentum, np.empty_like(intercept))
        if l1:
            _l1_proximal_step(coef, coef_velocity, params.learning_rate * l1,
                              params.momentum, params.nesterovs_momentum)
        largest = max(np.abs(coef).max(), np.abs(intercept).max())
        if not (np.isfinite(coef).all() and np.isfinite(intercept).all()
                and largest <= MAX_PARAM):
            raise ValueError(
                f"this step would take a parameter to {largest:.3g}, beyond "
                f"{MAX_PARAM:g}: the step size {params.learning_rate:g} is too "
                "large for these points; make it smaller or reset."
            )
        self._W, self._b = coef.T.copy(), intercept
        self._velocity = coef_velocity, intercept_velocity
        self._n_steps += 1
        self._record()

    # -- helpers --------------------------------------------------------------

    def _sgd_params(self):
        """The estimators' loop parameters for this demo: full batches, a
        constant step, the same step for the intercept, no shuffling."""
        settings = self._settings
        if settings["loss"] == "softmax":
            estimator = SoftmaxClassifier()
        else:
            estimator = SVMLinearClassifier(loss=settings["loss"],
                                            margin=settings["margin"])
        return SGDParams(
            kernel=estimator._loss_kernel(),
            alpha=settings["alpha"],
            penalty=settings["penalty"],
            l1_ratio=0.0,
            learning_rate=settings["learning_rate"],
            intercept_learning_rate=settings["learning_rate"],
            learning_rate_schedule="constant",
            power_t=0.5,
            momentum=settings["momentum"],
            nesterovs_momentum=settings["nesterov"],
            batch_size=None,
            tol=None,
            n_iter_no_change=1,
            shuffle=False,
            fit_intercept=True,
            verbose=0,
        )

    def _clear_velocity(self):
        self._velocity = np.zeros((N_FEATURES, N_CLASSES)), np.zeros(N_CLASSES)

    def _record(self):
        self._history.append((self._n_steps, self.summary().total_loss))
        del self._history[:-HISTORY_LENGTH]


def boundary_segment(w, b, box):
    """The part of the line ``w . x + b = 0`` inside a rectangle.

    Parameters
    ----------
    w : ndarray of shape (2,)
    b : float
    box : tuple of 4 floats
        ``(x_min, x_max, y_min, y_max)``.

    Returns
    -------
    segment : tuple of 4 floats or None
        ``(x0, y0, x1, y1)``, the ends of the segment; ``None`` when the line
        misses the rectangle or ``w`` is zero (no line).
    """
    x_min, x_max, y_min, y_max = box
    norm = np.hypot(*w)
    if not norm > 0:
        return None
    # Parametrise the line as p0 + t * d, with p0 the point nearest the origin
    # and d along the line; clip t to the rectangle (Liang-Barsky).
    p0 = -b * np.asarray(w) / norm**2
    d = np.array([-w[1], w[0]]) / norm
    t_low, t_high = -np.inf, np.inf
    for p, direction, low, high in ((p0[0], d[0], x_min, x_max),
                                    (p0[1], d[1], y_min, y_max)):
        if abs(direction) < 1e-12:
            if not low <= p <= high:
                return None
            continue
        t0, t1 = sorted(((low - p) / direction, (high - p) / direction))
        t_low, t_high = max(t_low, t0), min(t_high, t1)
    if not t_low < t_high:
        return None
    start, end = p0 + t_low * d, p0 + t_high * d
    return float(start[0]), float(start[1]), float(end[0]), float(end[1])


def decision_regions(W, b, box, resolution=160):
    """The class of the highest score on a grid over a rectangle.

    Returns
    -------
    labels : ndarray of shape (resolution, resolution), uint8
        (A byte a cell: the page receives this image at every step.)
        Row ``i`` at ``y = y_min + (i + 0.5) * height / resolution``, as an
        image glyph draws it (the first row at the bottom).
    """
    x_min, x_max, y_min, y_max = box
    xs = x_min + (np.arange(resolution) + 0.5) * (x_max - x_min) / resolution
    ys = y_min + (np.arange(resolution) + 0.5) * (y_max - y_min) / resolution
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    scores = points @ np.asarray(W).T + b
    return scores.argmax(axis=1).astype(np.uint8).reshape(resolution, resolution)
