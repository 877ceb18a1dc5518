"""The displays of sklinear.inspection: the data they hold and what they draw."""

import importlib
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import sklinear
from sklinear import SoftmaxClassifier, SVMLinearClassifier

# matplotlib is an optional extra (installed with the test extra, so CI runs all of
# this); without it the displays cannot draw, which the last tests check.
mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklinear.inspection import (  # noqa: E402
    GridSearchHeatmapDisplay,
    LossCurveDisplay,
    WeightImageDisplay,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


# A few epochs: the displays show whatever was learnt.
FAST = {"max_iter": 5, "tol": None, "random_state": 0}


def fit(estimator, X, y):
    return estimator.set_params(**FAST).fit(X, y)


@pytest.fixture(scope="module")
def softmax(digits):
    return fit(SoftmaxClassifier(), *digits)


def min_max(a):
    return (a - a.min()) / (a.max() - a.min())


# --- WeightImageDisplay ---------------------------------------------------------


def test_weight_images_are_the_coef_rows_scaled(softmax):
    disp = WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8))

    templates = softmax.coef_.reshape(10, 8, 8)
    assert_array_equal(disp.templates, templates)
    assert disp.images_.shape == (10, 8, 8)
    for image, template in zip(disp.images_, templates, strict=True):
        assert_allclose(image, min_max(template))
        assert image.min() == 0 and image.max() == 1
    assert disp.im_.shape == (10,)
    for im, image in zip(disp.im_, disp.images_, strict=True):
        assert isinstance(im, mpl.image.AxesImage)
        assert_allclose(im.get_array(), image)
        assert im.get_clim() == (0, 1)
    assert disp.axes_.shape == (2, 5)
    titles = [ax.get_title() for ax in disp.axes_.flat]
    assert titles == [str(c) for c in range(10)]
    assert not any(ax.axison for ax in disp.axes_.flat)
    assert disp.figure_ is disp.axes_[0, 0].figure


def test_weight_images_shared_scale(softmax):
    disp = WeightImageDisplay.from_estimator(
        softmax, image_shape=(8, 8), share_scale=True, n_cols=4
    )
    assert_allclose(disp.images_, min_max(softmax.coef_).reshape(10, 8, 8))
    # 10 templates in 4 columns: 3 rows, the 2 spare cells blank and off.
    assert disp.axes_.shape == (3, 4)
    assert [len(ax.images) for ax in disp.axes_.flat] == [1] * 10 + [0] * 2
    assert not any(ax.axison for ax in disp.axes_.flat)


def test_weight_images_colorbar_reads_the_colours_as_weights(softmax):
    disp = WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8))
    assert disp.colorbar_ is None
    weights = softmax.coef_.reshape(10, 8, 8)
    # Also with a norm of the images other than [0, 1].
    for im_kw in [None, {"vmin": -0.5, "vmax": 2.0}]:
        disp = WeightImageDisplay.from_estimator(
            softmax, image_shape=(8, 8), share_scale=True, colorbar=True,
            im_kw=im_kw,
        )
        bar = disp.colorbar_.mappable
        # The bar spans the weights, up to the rounding of mapping them back
        # from the images' scale (one ulp on numpy 1.26).
        slack = 1e-12 * np.abs(weights).max()
        low, high = bar.get_clim()
        assert low <= weights.min() + slack and high >= weights.max() - slack
        assert disp.colorbar_.ax.get_ylabel() == "Weight"
        # The colour the bar gives a weight is that of its pixel in the images.
        for k in (0, 3, 9):
            assert_allclose(bar.to_rgba(weights[k]),
                            disp.im_[k].to_rgba(disp.images_[k]), atol=1e-12)
    # The bar is one for the figure, beside the grid.
    assert len(disp.figure_.axes) == disp.axes_.size + 1


def test_weight_images_colorbar_needs_one_scale_and_one_channel(softmax):
    with pytest.raises(ValueError, match="colorbar=True needs share_scale=True"):
        WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8), colorbar=True)
    with pytest.raises(ValueError, match="needs single-channel templates"):
        WeightImageDisplay(np.ones((2, 3, 3, 3))).plot(share_scale=True,
                                                       colorbar=True)
    # Refused before anything is drawn.
    assert plt.get_fignums() == []
    # A constant template has a bar too, if not much of one.
    disp = WeightImageDisplay(np.zeros((2, 3, 3))).plot(share_scale=True,
                                                        colorbar=True)
    assert disp.colorbar_ is not None


def test_weight_images_binary_shows_one_template_for_classes_1(digits):
    X, y = digits
    mask = np.isin(y, [3, 8])
    clf = fit(SVMLinearClassifier(), X[mask], y[mask])
    assert clf.coef_.shape == (1, 64)

    disp = WeightImageDisplay.from_estimator(
        clf, image_shape=(8, 8), display_labels=["three", "eight"]
    )
    assert_array_equal(disp.templates, clf.coef_.reshape(1, 8, 8))
    assert_allclose(disp.images_[0], min_max(clf.coef_.reshape(8, 8)))
    assert disp.axes_.shape == (1, 1)
    assert disp.axes_[0, 0].get_title() == "eight vs three"


def test_weight_images_of_a_pipeline_and_of_a_peer(digits):
    pipe = make_pipeline(StandardScaler(), SoftmaxClassifier(**FAST)).fit(*digits)
    disp = WeightImageDisplay.from_estimator(pipe, image_shape=(8, 8))
    assert_array_equal(disp.templates, pipe[-1].coef_.reshape(10, 8, 8))

    # Any linear classifier with coef_ and classes_ will do.
    peer = RidgeClassifier().fit(*digits)
    disp = WeightImageDisplay.from_estimator(peer, image_shape=(8, 8))
    assert_array_equal(disp.templates, peer.coef_.reshape(10, 8, 8))


def test_weight_images_in_colour():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(90, 4 * 5 * 3))
    y = np.arange(90) % 3
    clf = fit(SoftmaxClassifier(), X, y)

    disp = WeightImageDisplay.from_estimator(clf, image_shape=(4, 5, 3))
    templates = clf.coef_.reshape(3, 4, 5, 3)
    assert disp.images_.shape == (3, 4, 5, 3)
    # One scale for all channels of a template, so that its colours stay true.
    for image, template in zip(disp.images_, templates, strict=True):
        assert_allclose(image, min_max(template))

    # One channel is grey.
    clf = fit(SoftmaxClassifier(), X[:, :20], y)
    disp = WeightImageDisplay.from_estimator(clf, image_shape=(4, 5, 1))
    assert disp.images_.shape == (3, 4, 5)


def test_weight_images_constant_template_is_mid_grey():
    templates = np.stack([np.zeros((3, 3)), np.arange(9.0).reshape(3, 3)])
    disp = WeightImageDisplay(templates).plot()
    assert_array_equal(disp.images_[0], 0.5)
    assert_allclose(disp.images_[1], np.arange(9).reshape(3, 3) / 8)
    assert [ax.get_title() for ax in disp.axes_.flat] == ["0", "1"]


def test_weight_images_into_given_axes(softmax):
    fig, axes = plt.subplots(2, 5)
    disp = WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8), ax=axes)
    assert disp.axes_ is not None and disp.figure_ is fig
    assert all(a is b for a, b in zip(disp.axes_.flat, axes.flat, strict=True))
    assert all(len(ax.images) == 1 for ax in axes.flat)

    # A single Axes for a single template.
    _, ax = plt.subplots()
    disp = WeightImageDisplay(np.ones((1, 2, 2))).plot(ax=ax)
    assert disp.axes_[0] is ax and len(ax.images) == 1

    with pytest.raises(ValueError, match="ax has 4 axes for 10 templates"):
        WeightImageDisplay.from_estimator(
            softmax, image_shape=(8, 8), ax=plt.subplots(2, 2)[1]
        )


def test_weight_images_errors(digits, softmax):
    with pytest.raises(NotFittedError):
        WeightImageDisplay.from_estimator(SoftmaxClassifier(), image_shape=(8, 8))
    with pytest.raises(NotFittedError):
        WeightImageDisplay.from_estimator(
            make_pipeline(StandardScaler(), SoftmaxClassifier()), image_shape=(8, 8)
        )
    with pytest.raises(ValueError, match="only when the features are the pixels"):
        WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8, 3))
    with pytest.raises(ValueError, match=r"image_shape must be \(height, width\)"):
        WeightImageDisplay.from_estimator(softmax, image_shape=(64,))
    with pytest.raises(ValueError, match="has coef_ and classes_"):
        WeightImageDisplay.from_estimator(
            KNeighborsClassifier().fit(*digits), image_shape=(8, 8)
        )
    with pytest.raises(ValueError, match="3 labels for the 10 classes"):
        WeightImageDisplay.from_estimator(
            softmax, image_shape=(8, 8), display_labels=["a", "b", "c"]
        )
    with pytest.raises(ValueError, match="n_cols must be a positive integer"):
        WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8), n_cols=0)
    with pytest.raises(ValueError, match="1 or 3 channels"):
        WeightImageDisplay(np.ones((2, 3, 3, 4))).plot()


# --- LossCurveDisplay -----------------------------------------------------------


def test_loss_curve_holds_and_draws_loss_curve_(softmax):
    disp = LossCurveDisplay.from_estimator(softmax)

    assert disp.loss_curve == softmax.loss_curve_
    assert disp.validation_scores is None
    assert disp.name == "SoftmaxClassifier"
    assert isinstance(disp.line_, mpl.lines.Line2D)
    assert_array_equal(disp.line_.get_xdata(), np.arange(1, 6))
    assert_allclose(disp.line_.get_ydata(), softmax.loss_curve_)
    assert disp.line_.get_label() == "SoftmaxClassifier"
    assert disp.validation_line_ is None and disp.validation_ax_ is None
    assert disp.ax_.get_xlabel() == "Epoch"
    assert disp.ax_.get_ylabel() == "Training objective"
    assert disp.figure_.axes == [disp.ax_]


def test_loss_curve_with_early_stopping_on_a_twin_axis(digits):
    clf = fit(SVMLinearClassifier(early_stopping=True), *digits)
    disp = LossCurveDisplay.from_estimator(clf, name="svm")

    assert disp.validation_scores == clf.validation_scores_
    assert_allclose(disp.line_.get_ydata(), clf.loss_curve_)
    assert_allclose(disp.validation_line_.get_ydata(), clf.validation_scores_)
    assert disp.validation_ax_ is not disp.ax_
    assert disp.validation_line_.axes is disp.validation_ax_
    assert disp.ax_.get_shared_x_axes().joined(disp.ax_, disp.validation_ax_)
    assert disp.validation_ax_.get_ylabel() == "Validation score"
    assert disp.validation_line_.get_color() == disp.line_.get_color()
    assert disp.validation_line_.get_linestyle() == "--"
    legend = disp.validation_ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "svm (training)", "svm (validation)"
    ]


def test_loss_curves_of_several_estimators_share_the_axes(digits):
    svm = fit(SVMLinearClassifier(early_stopping=True), *digits)
    softmax = fit(SoftmaxClassifier(early_stopping=True), *digits)
    first = LossCurveDisplay.from_estimator(svm)
    second = LossCurveDisplay.from_estimator(softmax, ax=first.ax_)

    assert second.ax_ is first.ax_
    # One right-hand axis for all validation scores, not one per display.
    assert second.validation_ax_ is first.validation_ax_
    assert len(first.figure_.axes) == 2
    assert len(first.ax_.get_lines()) == 2
    assert len(first.validation_ax_.get_lines()) == 2
    assert second.line_.get_color() != first.line_.get_color()
    # One legend, with all four lines.
    assert first.ax_.get_legend() is None
    texts = [t.get_text() for t in first.validation_ax_.get_legend().get_texts()]
    assert texts == [
        "SVMLinearClassifier (training)",
        "SoftmaxClassifier (training)",
        "SVMLinearClassifier (validation)",
        "SoftmaxClassifier (validation)",
    ]


def test_loss_curves_on_neighbouring_axes_keep_their_own_twins():
    _, (left, right) = plt.subplots(1, 2, sharex=True, sharey=True)
    on_left = LossCurveDisplay([1.0, 0.5], validation_scores=[0.5, 0.7]).plot(left)
    on_right = LossCurveDisplay([1.0, 0.4], validation_scores=[0.6, 0.8]).plot(right)
    again = LossCurveDisplay([0.9, 0.3], validation_scores=[0.6, 0.9]).plot(left)
    assert on_right.validation_ax_ is not on_left.validation_ax_
    assert again.validation_ax_ is on_left.validation_ax_
    assert len(left.figure.axes) == 4

    # A twin the user removed is made again.
    on_left.validation_ax_.remove()
    again = LossCurveDisplay([0.9, 0.3], validation_scores=[0.6, 0.9]).plot(left)
    assert again.validation_ax_ is not on_left.validation_ax_
    assert again.validation_ax_ in left.figure.axes


def test_loss_curve_of_a_pipeline_and_style(digits):
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SoftmaxClassifier(**FAST))])
    pipe.fit(*digits)
    disp = LossCurveDisplay.from_estimator(pipe, line_kw={"c": "red", "lw": 3})
    assert disp.name == "SoftmaxClassifier"
    assert_allclose(disp.line_.get_ydata(), pipe[-1].loss_curve_)
    assert disp.line_.get_color() == "red" and disp.line_.get_linewidth() == 3

    disp = LossCurveDisplay([1.0, 0.5], validation_scores=[0.5, 0.7]).plot(
        validation_line_kw={"ls": ":"}
    )
    assert disp.validation_line_.get_linestyle() == ":"
    texts = [t.get_text() for t in disp.validation_ax_.get_legend().get_texts()]
    assert texts == ["Training objective", "Validation score"]


def test_loss_curve_errors(digits):
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(SoftmaxClassifier())
    with pytest.raises(ValueError, match="RidgeClassifier has no loss_curve_"):
        LossCurveDisplay.from_estimator(RidgeClassifier().fit(*digits))
    with pytest.raises(ValueError, match="got 1 scores for 2 epochs"):
        LossCurveDisplay([1.0, 0.5], validation_scores=[0.5]).plot()


# --- GridSearchHeatmapDisplay ---------------------------------------------------


def cv_results(params, scores, **metrics):
    """A search's cv_results_, as far as the display reads it."""
    results = {"params": params, "mean_test_score": np.array(scores, dtype=float)}
    for name, values in metrics.items():
        results[f"mean_test_{name}"] = np.array(values, dtype=float)
    if metrics:
        del results["mean_test_score"]
    return results


@pytest.fixture(scope="module")
def search(digits):
    X, y = digits
    pipe = Pipeline(
        [("clf", SVMLinearClassifier(max_iter=2, tol=None, random_state=0))]
    )
    grid = {"clf__alpha": [1e-1, 1e-3, 1e-5], "clf__learning_rate": [0.01, 0.1]}
    return GridSearchCV(pipe, grid, cv=2).fit(X[:300], y[:300])


def test_heatmap_values_are_the_mean_test_scores(search):
    disp = GridSearchHeatmapDisplay.from_estimator(
        search, x="clf__alpha", y="clf__learning_rate"
    )
    results = search.cv_results_

    assert disp.x_values == [1e-5, 1e-3, 1e-1]
    assert disp.y_values == [0.01, 0.1]
    assert disp.scores.shape == (2, 3)
    for params, score in zip(results["params"], results["mean_test_score"],
                             strict=True):
        i = disp.y_values.index(params["clf__learning_rate"])
        j = disp.x_values.index(params["clf__alpha"])
        assert disp.scores[i, j] == score
    assert disp.other_params == []
    assert disp.ax_.get_title() == ""

    assert isinstance(disp.im_, mpl.image.AxesImage)
    assert_allclose(disp.im_.get_array(), disp.scores)
    assert disp.text_.shape == (2, 3)
    assert disp.text_[1, 2].get_text() == format(disp.scores[1, 2], ".3f")
    assert disp.text_[1, 2].get_position() == (2, 1)
    # The best cell is outlined: the search's best candidate.
    best = search.best_params_
    i = disp.y_values.index(best["clf__learning_rate"])
    j = disp.x_values.index(best["clf__alpha"])
    assert disp.best_marker_.get_xy() == (j - 0.5, i - 0.5)
    assert disp.colorbar_.ax.get_ylabel() == "Mean test score"
    # Labels without the pipeline's prefix, log grids in scientific notation.
    assert disp.ax_.get_xlabel() == "alpha"
    assert disp.ax_.get_ylabel() == "learning_rate"
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == [
        "1e-05", "1e-03", "1e-01"
    ]
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == ["0.01", "0.1"]


def test_heatmap_takes_the_best_over_the_other_parameters():
    params, scores = [], []
    for alpha in [0.1, 0.2]:
        for loss in ["hinge", "squared_hinge"]:
            for margin in [1, 2, 3]:
                params.append({"alpha": alpha, "loss": loss, "margin": margin})
                scores.append(alpha + (loss == "hinge") + margin / 10)
    disp = GridSearchHeatmapDisplay.from_cv_results(
        cv_results(params, scores), x="loss", y="alpha"
    )
    assert disp.x_values == ["hinge", "squared_hinge"]
    assert disp.y_values == [0.1, 0.2]
    assert_allclose(disp.scores, [[1.4, 0.4], [1.5, 0.5]])
    assert disp.other_params == ["margin"]
    assert disp.ax_.get_title() == "Best over margin"
    assert disp.best_marker_.get_xy() == (-0.5, 0.5)


def test_heatmap_blank_cells_and_failed_fits():
    # A list of grids: the pairs never tried are NaN, candidates without one of
    # the parameters are left out, and a failed fit (NaN) does not hide another.
    params = [
        {"a": 1, "b": "x"}, {"a": 2, "b": "x"}, {"a": 1, "b": "y"},
        {"a": 1, "b": "y", "c": 0}, {"a": 3},
    ]
    scores = [0.5, 0.6, 0.7, np.nan, 0.9]
    disp = GridSearchHeatmapDisplay.from_cv_results(
        cv_results(params, scores), x="a", y="b", colorbar=False
    )
    assert disp.x_values == [1, 2]
    assert disp.y_values == ["x", "y"]
    assert_allclose(disp.scores, [[0.5, 0.6], [0.7, np.nan]])
    assert disp.text_[1, 1] is None
    assert disp.best_marker_.get_xy() == (-0.5, 0.5)
    assert disp.colorbar_ is None


def test_heatmap_names_short_and_ambiguous():
    params = [
        {"svm__alpha": a, "sgd__alpha": b, "svm__tol": 0.1}
        for a in [1, 2] for b in [3, 4]
    ]
    results = cv_results(params, [1, 2, 3, 4])
    disp = GridSearchHeatmapDisplay.from_cv_results(results, x="tol", y="sgd__alpha")
    assert disp.x_name == "svm__tol" and disp.y_name == "sgd__alpha"
    # Labels that would be the same keep their full names.
    disp = GridSearchHeatmapDisplay.from_cv_results(
        results, x="svm__alpha", y="sgd__alpha"
    )
    assert disp.ax_.get_xlabel() == "svm__alpha"
    assert disp.ax_.get_ylabel() == "sgd__alpha"
    with pytest.raises(ValueError, match="x='alpha' is ambiguous"):
        GridSearchHeatmapDisplay.from_cv_results(results, x="alpha", y="tol")


def test_heatmap_tick_labels():
    class Step:
        def get_params(self):
            return {}

    step = Step()
    params = [
        {"lr": lr, "est": est}
        for lr in [1e-3, 3.16e-3, 1e-2, "auto"] for est in [step, None, True]
    ]
    disp = GridSearchHeatmapDisplay.from_cv_results(
        cv_results(params, np.arange(12)), x="est", y="lr"
    )
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == [
        "Step", "None", "True"
    ]
    # One number of digits for all, as in a column of a table.
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == [
        "1.00e-03", "3.16e-03", "1.00e-02", "auto"
    ]
    # Scores over 10 are not written with three decimals.
    assert disp.text_[0, 0].get_text() == "0"
    assert disp.text_[3, 2].get_text() == "11"


def test_heatmap_tick_labels_read_as_the_main_job_prints_the_grid():
    # The grid of python -m sklinear: alpha and steps around an "auto" one,
    # which its table prints as {:.0e} and {:.2e}.
    alphas = [1e-4, 1e-2, 1.0]
    steps = [m * 0.0013517 for m in (1 / 9, 1 / 3, 1.0, 3.0, 9.0)]
    params = [{"alpha": a, "learning_rate": s} for a in alphas for s in steps]
    disp = GridSearchHeatmapDisplay.from_cv_results(
        cv_results(params, np.arange(15)), x="learning_rate", y="alpha"
    )
    assert [t.get_text() for t in disp.ax_.get_yticklabels()] == [
        f"{alpha:.0e}" for alpha in alphas
    ] == ["1e-04", "1e-02", "1e+00"]
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == [
        f"{step:.2e}" for step in steps
    ]


@pytest.mark.parametrize("shape", [(3, 5), (5, 2), (2, 9), (4, 4)])
@pytest.mark.parametrize("layout", [None, "constrained"])
def test_heatmap_colorbar_is_as_tall_as_the_map(shape, layout):
    n_y, n_x = shape
    params = [{"a": a, "b": b} for b in range(n_y) for a in range(n_x)]
    _, ax = plt.subplots(figsize=(6, 4), layout=layout)
    disp = GridSearchHeatmapDisplay.from_cv_results(
        cv_results(params, np.linspace(0, 1, n_x * n_y)), x="a", y="b", ax=ax
    )
    disp.figure_.canvas.draw()
    heat_map = disp.ax_.get_window_extent()
    bar = disp.colorbar_.ax.get_window_extent()
    # Same top and bottom (to the pixel), and beside the map, to its right.
    assert abs(bar.y0 - heat_map.y0) < 1 and abs(bar.y1 - heat_map.y1) < 1
    assert heat_map.x1 < bar.x0
    # Of the same width whatever the shape of the grid: 5% of the height.
    assert bar.width == pytest.approx(0.05 * heat_map.height, rel=0.02)


def test_heatmap_options():
    params = [{"a": a, "b": b} for a in [1, 2, 3] for b in [10, 20]]
    results = cv_results(params, np.linspace(0, 1, 6))
    disp = GridSearchHeatmapDisplay.from_cv_results(
        results, x="a", y="b", include_values=False, mark_best=False,
        cmap="magma", im_kw={"alpha": 0.5},
    )
    assert disp.text_ is None and disp.best_marker_ is None
    assert disp.im_.get_cmap().name == "magma" and disp.im_.get_alpha() == 0.5
    assert [t.get_text() for t in disp.ax_.get_xticklabels()] == ["1", "2", "3"]

    _, ax = plt.subplots()
    disp = GridSearchHeatmapDisplay.from_cv_results(
        results, x="b", y="a", ax=ax, values_format=".1%"
    )
    assert disp.ax_ is ax
    assert disp.text_[2, 1].get_text() == "100.0%"


def test_heatmap_metrics():
    params = [{"a": a, "b": b} for a in [1, 2] for b in [1, 2]]
    results = cv_results(params, None, accuracy=[1, 2, 3, 4], f1=[4, 3, 2, 1])
    disp = GridSearchHeatmapDisplay.from_cv_results(results, x="a", y="b", metric="f1")
    assert_allclose(disp.scores, [[4, 2], [3, 1]])
    assert disp.score_name == "Mean test f1"
    with pytest.raises(ValueError, match=r"metrics \['accuracy', 'f1'\]; pass"):
        GridSearchHeatmapDisplay.from_cv_results(results, x="a", y="b")
    with pytest.raises(ValueError, match="metric='recall' is not a metric"):
        GridSearchHeatmapDisplay.from_cv_results(results, x="a", y="b", metric="recall")


def test_heatmap_from_estimator_uses_the_refit_metric(digits):
    X, y = digits
    search = GridSearchCV(
        SoftmaxClassifier(max_iter=2, tol=None, random_state=0),
        {"alpha": [1e-4, 1e-2], "momentum": [0.0, 0.9]},
        scoring={"acc": "accuracy", "nll": "neg_log_loss"}, refit="nll", cv=2,
    ).fit(X[:200], y[:200])
    disp = GridSearchHeatmapDisplay.from_estimator(search, x="alpha", y="momentum")
    assert disp.score_name == "Mean test nll"
    assert_allclose(
        np.sort(disp.scores.ravel()), np.sort(search.cv_results_["mean_test_nll"])
    )
    # Negative scores still grow better upwards: the best cell is the refit one.
    i = disp.y_values.index(search.best_params_["momentum"])
    j = disp.x_values.index(search.best_params_["alpha"])
    assert disp.best_marker_.get_xy() == (j - 0.5, i - 0.5)


def test_heatmap_errors(search, softmax):
    with pytest.raises(ValueError, match=r"x='beta' is not a parameter.*clf__alpha"):
        GridSearchHeatmapDisplay.from_estimator(search, x="beta", y="learning_rate")
    with pytest.raises(ValueError, match="y='clf__gamma' is not a parameter"):
        GridSearchHeatmapDisplay.from_cv_results(
            search.cv_results_, x="alpha", y="clf__gamma"
        )
    with pytest.raises(ValueError, match="two different parameters"):
        GridSearchHeatmapDisplay.from_estimator(search, x="alpha", y="clf__alpha")
    with pytest.raises(NotFittedError):
        GridSearchHeatmapDisplay.from_estimator(
            GridSearchCV(SoftmaxClassifier(), {"alpha": [1, 2]}), x="a", y="b"
        )
    with pytest.raises(ValueError, match="SoftmaxClassifier has none"):
        GridSearchHeatmapDisplay.from_estimator(softmax, x="alpha", y="momentum")
    with pytest.raises(ValueError, match="with the key 'params'"):
        GridSearchHeatmapDisplay.from_cv_results({}, x="a", y="b")
    with pytest.raises(ValueError, match=r"shape \(len\(y_values\), len\(x_values"):
        GridSearchHeatmapDisplay(
            np.ones((2, 2)), x_values=[1, 2, 3], y_values=[1, 2], x_name="a",
            y_name="b",
        ).plot()


# --- Without matplotlib ---------------------------------------------------------


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Hide matplotlib, and drop sklinear.inspection so that it imports afresh."""
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
        if name.startswith("sklinear.inspection"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setattr(sklinear, "inspection", sklinear.inspection)


def test_import_without_matplotlib(no_matplotlib):
    with pytest.raises(ImportError):
        import matplotlib  # noqa: F401
    inspection = importlib.import_module("sklinear.inspection")
    assert inspection.__all__ == [
        "GridSearchHeatmapDisplay", "LossCurveDisplay", "WeightImageDisplay"
    ]


def test_drawing_without_matplotlib_says_how_to_install(no_matplotlib, softmax):
    inspection = importlib.import_module("sklinear.inspection")
    message = "requires matplotlib.*pip install matplotlib"
    with pytest.raises(ImportError, match="WeightImageDisplay.from_estimator " +
                       message):
        inspection.WeightImageDisplay.from_estimator(softmax, image_shape=(8, 8))
    with pytest.raises(ImportError, match="LossCurveDisplay.plot " + message):
        inspection.LossCurveDisplay([1.0]).plot()
    with pytest.raises(ImportError, match="GridSearchHeatmapDisplay.from_cv_results"):
        inspection.GridSearchHeatmapDisplay.from_cv_results({}, x="a", y="b")
