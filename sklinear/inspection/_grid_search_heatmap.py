"""The cross-validated score over two parameters of a search, as a heat map."""

from numbers import Real

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._fixes import _validate_style_kwargs, check_matplotlib_support


def _short_name(name):
    """A parameter's name without the pipeline steps: "clf__alpha" -> "alpha"."""
    return name.rsplit("__", 1)[-1]


def _resolve_param(name, params, argument):
    """The full name of the search's parameter ``name`` (full or unambiguous short)."""
    if name in params:
        return name
    matches = [param for param in params if _short_name(param) == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(
            f"{argument}={name!r} is ambiguous: the search has the parameters "
            f"{matches}; pass the full name."
        )
    raise ValueError(
        f"{argument}={name!r} is not a parameter of the search; its parameters are "
        f"{params}."
    )


def _is_number(value):
    return isinstance(value, Real) and not isinstance(value, bool)


def _key(value):
    """A dictionary key standing for a parameter value, hashable or not."""
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _distinct_values(values):
    """The distinct values of a parameter: numbers sorted, others as first seen."""
    if all(_is_number(value) for value in values):
        return sorted(set(values))
    distinct = {}
    for value in values:
        distinct.setdefault(_key(value), value)
    return list(distinct.values())


def _is_log_spaced(values):
    """Whether positive numbers form a log grid, as 1e-4, 1e-3, 1e-2 or 1, 3, 10.

    They do when they span a factor of 10 or more and are more evenly spaced in
    logarithm than in value; two values, when they differ by a factor of 100.
    """
    values = np.sort(np.asarray(values, dtype=float))
    if len(values) < 2 or values[0] <= 0 or values[-1] / values[0] < 10:
        return False
    if len(values) == 2:
        return values[1] / values[0] >= 100

    def unevenness(gaps):
        return gaps.max() / gaps.min()

    return unevenness(np.diff(np.log(values))) < unevenness(np.diff(values))


def _scientific(values):
    """``values`` in scientific notation with one number of digits, as a table's
    column: the fewest decimals (up to 2) that give every value back, and
    Python's exponent, ``1e-04``, ``3.16e-03``, as the main job prints them."""
    values = np.asarray(values, dtype=float)
    for decimals in range(3):
        texts = [f"{value:.{decimals}e}" for value in values]
        if np.allclose(np.array(texts, dtype=float), values, rtol=1e-6, atol=0):
            break
    return texts


def _tick_labels(values):
    """Labels of parameter values; numbers in scientific notation on a log grid."""
    numbers = [float(value) for value in values if _is_number(value)]
    if _is_log_spaced(numbers):
        texts = iter(_scientific(numbers))
    else:
        texts = (f"{number:g}" for number in numbers)
    labels = []
    for value in values:
        if _is_number(value):
            labels.append(next(texts))
        elif hasattr(value, "get_params"):
            # An estimator searched over (a pipeline step) is named by its class:
            # its full repr would not fit under a cell.
            labels.append(type(value).__name__)
        else:
            labels.append(str(value))
    return labels


class GridSearchHeatmapDisplay:
    """The mean cross-validated score over a grid of two parameters.

    A heat map with one parameter's values along x and the other's along y,
    each cell annotated with its score and the best cell outlined. When the
    search varied other parameters too, each cell shows the best score over
    them, and the title says which they are. Cells of pairs of values never
    tried are left blank.

    It is recommended to use :meth:`GridSearchHeatmapDisplay.from_cv_results`
    or :meth:`GridSearchHeatmapDisplay.from_estimator` to create a
    :class:`GridSearchHeatmapDisplay`. All parameters are stored as attributes.

    Parameters
    ----------
    scores : ndarray of shape (n_y_values, n_x_values)
        ``scores[i, j]`` is the score with ``y = y_values[i]`` and
        ``x = x_values[j]``; NaN where there is none.
    x_values : list
        The values of the parameter along x.
    y_values : list
        The values of the parameter along y.
    x_name : str
        The name of the parameter along x; a pipeline's prefix (``"clf__"``)
        is left out of the axis label.
    y_name : str
        The name of the parameter along y.
    score_name : str, default="Mean test score"
        The name of the scores, the label of the colour bar.
    other_params : list of str, default=None
        The other parameters of the search, which each cell shows the best
        score over; named in the title.
    best_cell : tuple of int, default=None
        ``(i, j)``, the cell to outline as the best. None outlines the first
        cell of the highest score (in the order of ``scores``).

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heat map.
    text_ : ndarray of shape (n_y_values, n_x_values) of matplotlib Text or None
        The annotation of each cell (None in blank cells), or None when
        ``include_values=False``.
    best_marker_ : matplotlib Rectangle or None
        The outline of the best cell, or None when ``mark_best=False`` or no
        cell has a score.
    colorbar_ : matplotlib Colorbar or None
        The colour bar, or None when ``colorbar=False``.
    ax_ : matplotlib Axes
        The axes of the heat map.
    figure_ : matplotlib Figure
        The figure holding the axes.

    See Also
    --------
    GridSearchHeatmapDisplay.from_cv_results : The heat map of a search's
        ``cv_results_``.
    GridSearchHeatmapDisplay.from_estimator : The heat map of a fitted search.
    sklearn.model_selection.ValidationCurveDisplay : The score over one
        parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.inspection import GridSearchHeatmapDisplay
    >>> disp = GridSearchHeatmapDisplay(
    ...     np.array([[0.90, 0.93], [0.88, 0.95]]),
    ...     x_values=[1e-4, 1e-2], y_values=[0.01, 0.1],
    ...     x_name="alpha", y_name="learning_rate",
    ... ).plot()
    >>> [label.get_text() for label in disp.ax_.get_xticklabels()]
    ['1e-04', '1e-02']
    """

    def __init__(
        self,
        scores,
        *,
        x_values,
        y_values,
        x_name,
        y_name,
        score_name="Mean test score",
        other_params=None,
        best_cell=None,
    ):
        self.scores = scores
        self.x_values = x_values
        self.y_values = y_values
        self.x_name = x_name
        self.y_name = y_name
        self.score_name = score_name
        self.other_params = other_params
        self.best_cell = best_cell

    def plot(
        self,
        ax=None,
        *,
        cmap="viridis",
        colorbar=True,
        include_values=True,
        values_format=None,
        mark_best=True,
        xticks_rotation="horizontal",
        im_kw=None,
        text_kw=None,
        best_kw=None,
    ):
        """Draw the heat map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            The axes to draw on. None creates a figure.
        cmap : str or matplotlib Colormap, default="viridis"
            The colour map of the scores.
        colorbar : bool, default=True
            Add a colour bar beside the map, as tall as it. To read several
            heat maps on one scale, give each the same ``vmin`` and ``vmax``
            in ``im_kw``.
        include_values : bool, default=True
            Write each cell's score in it.
        values_format : str, default=None
            The format of the scores written, such as ``".2f"``. None uses
            ``".3f"`` for scores under 10 in size (accuracies and the like),
            ``".3g"`` for larger ones.
        mark_best : bool, default=True
            Outline the cell of the best score.
        xticks_rotation : {"vertical", "horizontal"} or float, default="horizontal"
            The rotation of the labels of the x values.
        im_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``imshow``.
        text_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``text`` for the scores.
        best_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``Rectangle`` for the outline
            of the best cell.

        Returns
        -------
        display : GridSearchHeatmapDisplay
            The display, with the attributes of what it drew.

        Examples
        --------
        >>> import numpy as np
        >>> from sklinear.inspection import GridSearchHeatmapDisplay
        >>> disp = GridSearchHeatmapDisplay(
        ...     np.array([[0.9, 0.85]]), x_values=["l1", "l2"], y_values=[1e-4],
        ...     x_name="penalty", y_name="alpha",
        ... ).plot(values_format=".0%")
        >>> disp.text_[0, 0].get_text()
        '90%'
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.patches import Rectangle

        scores = np.asarray(self.scores, dtype=float)
        expected_shape = (len(self.y_values), len(self.x_values))
        if scores.shape != expected_shape:
            raise ValueError(
                f"scores must have shape (len(y_values), len(x_values)) = "
                f"{expected_shape}; got {scores.shape}."
            )
        if ax is None:
            _, ax = plt.subplots()
        figure = ax.figure

        im_kw = _validate_style_kwargs(
            # origin="lower" puts the smallest y value at the bottom, as on a plot.
            {"cmap": cmap, "origin": "lower", "interpolation": "nearest"},
            im_kw or {},
        )
        self.im_ = ax.imshow(scores, **im_kw)

        finite = scores[np.isfinite(scores)]
        has_scores = finite.size > 0
        self.text_ = None
        if include_values:
            if values_format is None:
                small = not has_scores or np.abs(finite).max() < 10
                values_format = ".3f" if small else ".3g"
            self.text_ = np.empty(scores.shape, dtype=object)
            for (i, j), score in np.ndenumerate(scores):
                if not np.isfinite(score):
                    continue
                # Dark text on light cells, light on dark ones.
                red, green, blue, _ = self.im_.cmap(self.im_.norm(score))
                luminance = 0.299 * red + 0.587 * green + 0.114 * blue
                color = "black" if luminance > 0.5 else "white"
                kw = _validate_style_kwargs(
                    {"ha": "center", "va": "center", "color": color}, text_kw or {}
                )
                self.text_[i, j] = ax.text(j, i, format(score, values_format), **kw)

        self.best_marker_ = None
        if mark_best and has_scores:
            if self.best_cell is None:
                i, j = np.unravel_index(np.nanargmax(scores), scores.shape)
            else:
                i, j = self.best_cell
            best_kw = _validate_style_kwargs(
                {"fill": False, "edgecolor": "red", "linewidth": 3,
                 "label": "best"},
                best_kw or {},
            )
            self.best_marker_ = ax.add_patch(
                Rectangle((j - 0.5, i - 0.5), 1, 1, **best_kw)
            )

        self.colorbar_ = None
        if colorbar:
            # Beside the map in the axes' own coordinates, the bar spans the
            # map's height exactly: figure.colorbar(ax=ax) spans the space the
            # axes were given, taller than a map wider than high. Its width
            # and gap are fractions of the map's height, the same for any grid.
            ax.apply_aspect()
            box = ax.get_window_extent()
            height = box.height / box.width
            cax = ax.inset_axes([1 + 0.04 * height, 0, 0.05 * height, 1])
            self.colorbar_ = figure.colorbar(self.im_, cax=cax, label=self.score_name)

        # Two parameters that share a short name ("svm__alpha", "sgd__alpha")
        # keep their full names.
        x_label, y_label = _short_name(self.x_name), _short_name(self.y_name)
        if x_label == y_label:
            x_label, y_label = self.x_name, self.y_name
        ax.set(
            xticks=np.arange(len(self.x_values)),
            yticks=np.arange(len(self.y_values)),
            xticklabels=_tick_labels(self.x_values),
            yticklabels=_tick_labels(self.y_values),
            xlabel=x_label,
            ylabel=y_label,
        )
        plt.setp(ax.get_xticklabels(), rotation=xticks_rotation)
        if self.other_params:
            others = ", ".join(_short_name(param) for param in self.other_params)
            ax.set_title(f"Best over {others}")

        self.ax_ = ax
        self.figure_ = figure
        return self

    @classmethod
    def from_cv_results(
        cls,
        cv_results,
        *,
        x,
        y,
        metric=None,
        ax=None,
        cmap="viridis",
        colorbar=True,
        include_values=True,
        values_format=None,
        mark_best=True,
        xticks_rotation="horizontal",
        im_kw=None,
        text_kw=None,
        best_kw=None,
    ):
        """Draw the mean test score of a search over two of its parameters.

        Each cell holds the ``mean_test_<metric>`` of the candidate with those
        two values; when the search varied other parameters too, the best of
        the candidates with those two values. Candidates that do not set both
        parameters (from a list of grids) are left out. The cell outlined is
        that of the search's best candidate (``best_params_``, the first of the
        highest mean score).

        Parameters
        ----------
        cv_results : dict
            The ``cv_results_`` of a fitted
            :class:`~sklearn.model_selection.GridSearchCV` (or of another
            search, whose untried pairs show blank).
        x : str
            The parameter along x, by its full name (``"clf__alpha"``) or, when
            no other parameter shares it, its short one (``"alpha"``).
        y : str
            The parameter along y.
        metric : str, default=None
            The metric to show, for a search scored by several: a key of its
            ``scoring``. None takes the search's only metric.
        ax : matplotlib Axes, default=None
            The axes to draw on. None creates a figure.
        cmap : str or matplotlib Colormap, default="viridis"
            The colour map of the scores.
        colorbar : bool, default=True
            Add a colour bar.
        include_values : bool, default=True
            Write each cell's score in it.
        values_format : str, default=None
            The format of the scores written; None chooses one.
        mark_best : bool, default=True
            Outline the cell of the best score.
        xticks_rotation : {"vertical", "horizontal"} or float, default="horizontal"
            The rotation of the labels of the x values.
        im_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``imshow``.
        text_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``text`` for the scores.
        best_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``Rectangle`` for the outline
            of the best cell.

        Returns
        -------
        display : GridSearchHeatmapDisplay
            The display, drawn.

        See Also
        --------
        GridSearchHeatmapDisplay.from_estimator : The same, from the fitted
            search.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn.model_selection import GridSearchCV
        >>> from sklinear import SVMLinearClassifier
        >>> from sklinear.inspection import GridSearchHeatmapDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> grid = {"alpha": [1e-4, 1e-2], "learning_rate": [1e-3, 1e-2, 1e-1]}
        >>> search = GridSearchCV(
        ...     SVMLinearClassifier(max_iter=3, tol=None, random_state=0), grid, cv=3
        ... ).fit(X / 16, y)
        >>> disp = GridSearchHeatmapDisplay.from_cv_results(
        ...     search.cv_results_, x="alpha", y="learning_rate"
        ... )
        >>> disp.scores.shape
        (3, 2)
        """
        check_matplotlib_support(f"{cls.__name__}.from_cv_results")
        if "params" not in cv_results:
            raise ValueError(
                "cv_results must be the cv_results_ of a fitted search, with the "
                "key 'params'."
            )
        candidates = list(cv_results["params"])
        params = list(dict.fromkeys(name for c in candidates for name in c))
        x = _resolve_param(x, params, "x")
        y = _resolve_param(y, params, "y")
        if x == y:
            raise ValueError(f"x and y must be two different parameters; got {x!r}.")

        metrics = [key[len("mean_test_"):] for key in cv_results
                   if key.startswith("mean_test_")]
        if metric is None:
            if len(metrics) != 1:
                raise ValueError(
                    f"The search has the metrics {metrics}; pass metric= one of "
                    "them."
                )
            metric = metrics[0]
        elif metric not in metrics:
            raise ValueError(
                f"metric={metric!r} is not a metric of the search; its metrics are "
                f"{metrics}."
            )
        mean_scores = np.asarray(cv_results[f"mean_test_{metric}"], dtype=float)

        both = [k for k, c in enumerate(candidates) if x in c and y in c]
        x_values = _distinct_values([candidates[k][x] for k in both])
        y_values = _distinct_values([candidates[k][y] for k in both])
        x_index = {_key(value): j for j, value in enumerate(x_values)}
        y_index = {_key(value): i for i, value in enumerate(y_values)}
        scores = np.full((len(y_values), len(x_values)), np.nan)
        cells = {}
        for k in both:
            cells[k] = y_index[_key(candidates[k][y])], x_index[_key(candidates[k][x])]
            # fmax ignores NaN: a failed fit (error_score=nan) or an empty cell.
            scores[cells[k]] = np.fmax(scores[cells[k]], mean_scores[k])
        # The search's best is its first candidate of the highest mean score;
        # the highest cell may tie with others that come earlier in scores.
        ranked = np.nan_to_num(mean_scores[both], nan=-np.inf)
        best_cell = None
        if np.isfinite(ranked).any():
            best_cell = cells[both[np.argmax(ranked)]]

        score_name = "Mean test " + ("score" if metric == "score"
                                     else metric.replace("_", " "))
        display = cls(
            scores,
            x_values=x_values,
            y_values=y_values,
            x_name=x,
            y_name=y,
            score_name=score_name,
            other_params=[param for param in params if param not in (x, y)],
            best_cell=best_cell,
        )
        return display.plot(
            ax=ax, cmap=cmap, colorbar=colorbar, include_values=include_values,
            values_format=values_format, mark_best=mark_best,
            xticks_rotation=xticks_rotation, im_kw=im_kw, text_kw=text_kw,
            best_kw=best_kw,
        )

    @classmethod
    def from_estimator(
        cls,
        search,
        *,
        x,
        y,
        metric=None,
        ax=None,
        cmap="viridis",
        colorbar=True,
        include_values=True,
        values_format=None,
        mark_best=True,
        xticks_rotation="horizontal",
        im_kw=None,
        text_kw=None,
        best_kw=None,
    ):
        """Draw the mean test score of a fitted search over two of its parameters.

        :meth:`from_cv_results` on ``search.cv_results_``; see it for how the
        cells are filled.

        Parameters
        ----------
        search : estimator instance
            A fitted :class:`~sklearn.model_selection.GridSearchCV` (or another
            search with ``cv_results_``).
        x : str
            The parameter along x, by its full or (unambiguous) short name.
        y : str
            The parameter along y.
        metric : str, default=None
            The metric to show, for a search scored by several. None takes the
            one the search refits on (``refit``), or its only one.
        ax : matplotlib Axes, default=None
            The axes to draw on. None creates a figure.
        cmap : str or matplotlib Colormap, default="viridis"
            The colour map of the scores.
        colorbar : bool, default=True
            Add a colour bar.
        include_values : bool, default=True
            Write each cell's score in it.
        values_format : str, default=None
            The format of the scores written; None chooses one.
        mark_best : bool, default=True
            Outline the cell of the best score.
        xticks_rotation : {"vertical", "horizontal"} or float, default="horizontal"
            The rotation of the labels of the x values.
        im_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``imshow``.
        text_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``text`` for the scores.
        best_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``Rectangle`` for the outline
            of the best cell.

        Returns
        -------
        display : GridSearchHeatmapDisplay
            The display, drawn.

        See Also
        --------
        GridSearchHeatmapDisplay.from_cv_results : The same, from the results.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn.model_selection import GridSearchCV
        >>> from sklearn.pipeline import Pipeline
        >>> from sklinear import SoftmaxClassifier
        >>> from sklinear.inspection import GridSearchHeatmapDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> pipe = Pipeline(
        ...     [("clf", SoftmaxClassifier(max_iter=3, tol=None, random_state=0))]
        ... )
        >>> grid = {"clf__alpha": [1e-4, 1e-2], "clf__momentum": [0.0, 0.9]}
        >>> search = GridSearchCV(pipe, grid, cv=3).fit(X / 16, y)
        >>> disp = GridSearchHeatmapDisplay.from_estimator(
        ...     search, x="clf__alpha", y="clf__momentum"
        ... )
        >>> disp.ax_.get_xlabel()
        'alpha'
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(search)
        if not hasattr(search, "cv_results_"):
            raise ValueError(
                f"{cls.__name__}.from_estimator needs a fitted hyper-parameter "
                f"search, such as GridSearchCV, with cv_results_; "
                f"{type(search).__name__} has none. Use from_cv_results to pass "
                "the results themselves."
            )
        if metric is None and isinstance(getattr(search, "refit", None), str):
            metric = search.refit
        return cls.from_cv_results(
            search.cv_results_, x=x, y=y, metric=metric, ax=ax, cmap=cmap,
            colorbar=colorbar, include_values=include_values,
            values_format=values_format, mark_best=mark_best,
            xticks_rotation=xticks_rotation, im_kw=im_kw, text_kw=text_kw,
            best_kw=best_kw,
        )
