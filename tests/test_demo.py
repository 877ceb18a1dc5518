"""The interactive demo without a browser: its model, its page's callbacks, its CLI."""

import asyncio
import os
import re
import socket
import subprocess
import sys
import urllib.request
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.demo import DemoModel, main
from sklinear.demo._model import (
    HISTORY_LENGTH,
    MAX_POINTS,
    PRESETS,
    boundary_segment,
    check_points,
    decision_regions,
)
from sklinear.gradient_check import check_gradient
from sklinear.losses import (
    log_softmax,
    multiclass_hinge,
    penalty,
    softmax_cross_entropy,
)

LOSSES = ["hinge", "squared_hinge", "softmax"]


def _random_model(loss, seed=0, n_points=15, **settings):
    rng = np.random.default_rng(seed)
    model = DemoModel(loss=loss, **settings)
    model.set_points(rng.normal(size=(n_points, 2)), rng.integers(0, 3, n_points))
    model.set_parameters(rng.normal(size=(3, 2)), rng.normal(size=3))
    return model


def _state(model):
    return (model.X, model.y, model.W, model.b, model.settings, model.history,
            model.n_steps)


def _assert_same_state(before, after):
    for a, b in zip(before, after, strict=True):
        if isinstance(a, np.ndarray):
            assert_array_equal(a, b)
        else:
            assert a == b


# -- the numbers -------------------------------------------------------------


def test_lecture_preset_worked_example():
    # Point 0 of the lecture preset, x = (1, 0.8) of class 0, by hand:
    # s = (1 + 1.6 + 0, 2 - 3.2 + 0.5, 3 - 0.8 - 0.5) = (2.6, -0.7, 1.7), so
    # L_0 = max(0, -0.7 - 2.6 + 1) + max(0, 1.7 - 2.6 + 1) = 0.1; the L2
    # penalty is 0.1 / 2 * (1 + 4 + 4 + 16 + 9 + 1) = 1.75.
    summary = DemoModel().summary()
    assert_allclose(summary.scores[0], [2.6, -0.7, 1.7], rtol=1e-12)
    assert summary.losses[0] == pytest.approx(0.1, rel=1e-12)
    assert summary.reg_loss == pytest.approx(1.75, rel=1e-12)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("pen", ["l2", "l1"])
def test_summary_equals_sklinear_losses(loss, pen):
    model = _random_model(loss, margin=0.7, alpha=0.3, penalty=pen)
    summary = model.summary()
    X, y, W, b = model.X, model.y, model.W, model.b
    scores = X @ W.T + b
    if loss == "softmax":
        expected = softmax_cross_entropy(scores, y)[0]
        assert_allclose(summary.probabilities, np.exp(log_softmax(scores)),
                        rtol=1e-12)
        assert_allclose(summary.probabilities.sum(axis=1), 1.0, rtol=1e-12)
    else:
        expected = multiclass_hinge(scores, y, margin=0.7,
                                    squared=loss == "squared_hinge")[0]
        assert summary.probabilities is None
    assert_allclose(summary.scores, scores, rtol=1e-12,
                    atol=1e-12 * np.abs(scores).max())
    assert summary.data_loss == pytest.approx(expected, rel=1e-12)
    assert summary.losses.mean() == pytest.approx(expected, rel=1e-12)
    assert summary.reg_loss == pytest.approx(
        penalty(W, penalty=pen, alpha=0.3)[0], rel=1e-12)
    assert summary.total_loss == pytest.approx(expected + summary.reg_loss, rel=1e-12)
    assert_array_equal(summary.predicted, scores.argmax(axis=1))


@pytest.mark.parametrize("loss", LOSSES)
def test_gradient_equals_centred_differences(loss):
    model = _random_model(loss, seed=1, alpha=0.2)
    grad_W, grad_b = model.gradient()
    theta = np.concatenate([model.W.ravel(), model.b])

    def total_loss(theta):
        model.set_parameters(theta[:6].reshape(3, 2), theta[6:])
        return model.summary().total_loss

    error = check_gradient(total_loss, theta, np.concatenate([grad_W.ravel(), grad_b]))
    assert error < 1e-6


@pytest.mark.parametrize("loss", LOSSES)
def test_step_follows_the_gradient_and_lowers_the_loss(loss):
    model = _random_model(loss, seed=2, alpha=0.1, learning_rate=0.05)
    before = model.summary().total_loss
    W, b = model.W, model.b
    grad_W, grad_b = model.gradient()
    model.step()
    scale = np.abs(W).max()
    assert_allclose(model.W, W - 0.05 * grad_W, rtol=1e-12, atol=1e-12 * scale)
    assert_allclose(model.b, b - 0.05 * grad_b, rtol=1e-12, atol=1e-12 * scale)
    assert model.summary().total_loss < before
    assert model.n_steps == 1
    assert model.history[-1] == (1, model.summary().total_loss)


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("pen", ["l2", "l1"])
@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, True),
                                                (0.5, False)])
def test_steps_are_the_estimators_full_batch_epochs(loss, pen, momentum, nesterov):
    # Five steps of the demo from zero weights are five epochs of the estimator
    # with batch_size=None, a constant step and no shuffling.
    settings = dict(alpha=0.05, penalty=pen, learning_rate=0.05)
    model = DemoModel("overlapping", loss=loss, momentum=momentum,
                      nesterov=nesterov, **settings)
    model.set_parameters(np.zeros((3, 2)), np.zeros(3))
    for _ in range(5):
        model.step()
    estimator = (SoftmaxClassifier() if loss == "softmax"
                 else SVMLinearClassifier(loss=loss))
    estimator.set_params(
        momentum=momentum, nesterovs_momentum=nesterov, batch_size=None,
        learning_rate_schedule="constant", shuffle=False, max_iter=5, tol=None,
        **settings,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached, on purpose
        estimator.fit(model.X, model.y)
    scale = np.abs(estimator.coef_).max()
    assert_allclose(model.W, estimator.coef_, rtol=1e-12, atol=1e-12 * scale)
    assert_allclose(model.b, estimator.intercept_, rtol=1e-12, atol=1e-12 * scale)


def test_l1_step_gives_exact_zeros():
    model = DemoModel(penalty="l1", alpha=5.0, learning_rate=0.5)
    for _ in range(20):
        model.step()
    # The proximal step soft-thresholds: weights become exactly zero, which a
    # subgradient step never does.
    assert np.count_nonzero(model.W == 0) > 0


def test_reset_returns_to_the_starting_parameters():
    model = DemoModel(momentum=0.9)
    W, b = model.W, model.b
    for _ in range(3):
        model.step()
    assert not np.array_equal(model.W, W)
    model.reset()
    assert_array_equal(model.W, W)
    assert_array_equal(model.b, b)
    assert model.n_steps == 0
    assert len(model.history) == 1
    # Parameters set by hand become the new starting point.
    model.set_parameters(W + 1, b)
    model.step()
    model.reset()
    assert_array_equal(model.W, W + 1)


def test_history_is_bounded():
    model = DemoModel(learning_rate=0.01)
    for _ in range(HISTORY_LENGTH + 20):
        model.step()
    history = model.history
    assert len(history) == HISTORY_LENGTH
    assert history[-1][0] == HISTORY_LENGTH + 20


def test_presets_and_randomizers_are_valid():
    model = DemoModel(random_state=0)
    for name in PRESETS:
        model.load_preset(name)
        assert len(model.X) >= 9
        assert set(model.y.tolist()) == {0, 1, 2}
    model.randomize_points()
    assert model.X.shape == (12, 2) and np.all(np.abs(model.X) < 3)
    W = model.W
    model.randomize_parameters()
    assert not np.array_equal(model.W, W)
    assert model.n_steps == 0


# -- what a browser may send -------------------------------------------------

BAD_POINTS = [
    ("NaN", [[np.nan, 0.0]] * 3, [0, 1, 2], "NaN or infinity"),
    ("inf", [[np.inf, 0.0]] * 3, [0, 1, 2], "NaN or infinity"),
    ("huge", [[1e300, 0.0]] * 3, [0, 1, 2], "within"),
    ("beyond the bound", [[1000.5, 0.0]] * 3, [0, 1, 2], "within"),
    ("too many", [[0.0, 0.0]] * (MAX_POINTS + 1), [0] * (MAX_POINTS + 1), "from 1 to"),
    ("none", np.zeros((0, 2)), [], "from 1 to"),
    ("strings", [["1", "2"]] * 3, [0, 1, 2], "real numbers"),
    ("None", [[None, 1.0]] * 3, [0, 1, 2], "real numbers"),
    ("booleans", [[True, False]] * 3, [0, 1, 2], "real numbers"),
    ("three coordinates", [[1.0, 2.0, 3.0]] * 3, [0, 1, 2], "shape"),
    ("ragged", [[1.0, 2.0], [1.0]], [0, 1], "shape|array of numbers"),
    ("class 3", [[0.0, 0.0]] * 3, [0, 1, 3], "0, 1 or 2"),
    ("class -1", [[0.0, 0.0]] * 3, [0, 1, -1], "0, 1 or 2"),
    ("class 7", [[0.0, 0.0]] * 3, [0, 1, 7], "0, 1 or 2"),
    ("class 1e300", [[0.0, 0.0]] * 3, [0, 1, 1e300], "0, 1 or 2"),
    ("class 1.5", [[0.0, 0.0]] * 3, [0, 1, 1.5], "0, 1 or 2"),
    ("class NaN", [[0.0, 0.0]] * 3, [0, 1, np.nan], "NaN"),
    ("classes too few", [[0.0, 0.0]] * 3, [0, 1], "shape"),
    ("not a sequence", 5, [0], "sequence"),
]


@pytest.mark.parametrize("what, X, y, message", BAD_POINTS,
                         ids=[case[0] for case in BAD_POINTS])
def test_bad_points_are_rejected_and_change_nothing(what, X, y, message):
    model = DemoModel()
    before = _state(model)
    with pytest.raises(ValueError, match=message):
        model.set_points(X, y)
    _assert_same_state(before, _state(model))


def test_integral_float_classes_are_accepted():
    # JSON may carry the classes of new points as floats.
    X, y = check_points([[0.0, 1.0], [2.0, 3.0]], [0.0, 2.0])
    assert_array_equal(y, [0, 2])
    assert y.dtype == np.intp


@pytest.mark.parametrize("W, b, message", [
    (np.full((3, 2), np.nan), np.zeros(3), "NaN"),
    (np.zeros((3, 2)), [0.0, np.inf, 0.0], "NaN or infinity"),
    (np.full((3, 2), 1e4), np.zeros(3), "within"),
    (np.zeros((2, 3)), np.zeros(3), "shape"),
    (np.zeros((3, 2)), np.zeros(4), "shape"),
    ([["a", "b"]] * 3, np.zeros(3), "real numbers"),
])
def test_bad_parameters_are_rejected_and_change_nothing(W, b, message):
    model = DemoModel()
    before = _state(model)
    with pytest.raises(ValueError, match=message):
        model.set_parameters(W, b)
    _assert_same_state(before, _state(model))


@pytest.mark.parametrize("settings, message", [
    (dict(loss="evil"), "loss must be one of"),
    (dict(loss=None), "loss must be one of"),
    (dict(penalty="elasticnet"), "penalty must be one of"),
    (dict(margin=0.0), r"margin must be a finite number in \(0, 100\]"),
    (dict(margin=np.nan), "margin"),
    (dict(alpha=-1e-3), "alpha"),
    (dict(alpha=np.inf), "alpha"),
    (dict(alpha=None), "alpha must be a number"),
    (dict(alpha="0.1"), "alpha must be a number"),
    (dict(alpha=True), "alpha must be a number"),
    (dict(alpha=10**400), "alpha must be a finite number"),
    (dict(loss={"a": 1}), "loss must be one of"),
    (dict(penalty=["l2"]), "penalty must be one of"),
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(learning_rate=1e9), "learning_rate"),
    (dict(momentum=1.0), "momentum"),
    (dict(nesterov="yes"), "nesterov"),
    (dict(batch_size=3), "unknown setting"),
    # One bad value: the good one is not applied either.
    (dict(alpha=0.5, margin=-1.0), "margin"),
])
def test_bad_settings_are_rejected_and_change_nothing(settings, message):
    model = DemoModel()
    before = _state(model)
    with pytest.raises(ValueError, match=message):
        model.configure(**settings)
    _assert_same_state(before, _state(model))


def test_a_diverging_step_is_refused_and_changes_nothing():
    model = DemoModel(loss="squared_hinge", learning_rate=10.0)
    model.set_points([[900.0, -900.0], [-900.0, 900.0], [0.0, 900.0]], [0, 1, 2])
    before = _state(model)
    with pytest.raises(ValueError, match="step size 10 is too large"):
        for _ in range(5):
            model.step()
            before = _state(model)
    _assert_same_state(before, _state(model))


def test_unknown_preset_is_rejected():
    model = DemoModel()
    before = _state(model)
    with pytest.raises(ValueError, match="preset must be one of"):
        model.load_preset("../../etc/passwd")
    with pytest.raises(ValueError, match="preset must be one of"):
        model.load_preset({"lecture": 1})
    _assert_same_state(before, _state(model))


# -- the geometry of the page ----------------------------------------------------

BOX = (-3.0, 3.0, -3.0, 3.0)


@pytest.mark.parametrize("w, b", [((1.0, 2.0), 0.5), ((0.0, 1.0), -1.0),
                                  ((1.0, 0.0), 2.9), ((3.0, -1.0), -0.5),
                                  ((1e-3, 2e-3), 1e-3)])
def test_boundary_segment_lies_on_the_line_and_in_the_box(w, b):
    x0, y0, x1, y1 = boundary_segment(np.array(w), b, BOX)
    for x, y in ((x0, y0), (x1, y1)):
        assert abs(w[0] * x + w[1] * y + b) <= 1e-12 * np.hypot(*w) * 10
        assert -3 - 1e-12 <= x <= 3 + 1e-12 and -3 - 1e-12 <= y <= 3 + 1e-12
    # The ends are on the border of the box: the line is clipped, not cut short.
    for x, y in ((x0, y0), (x1, y1)):
        assert min(3 - abs(x), 3 - abs(y)) < 1e-9


@pytest.mark.parametrize("w, b", [((1.0, 0.0), 5.0), ((1.0, 1.0), 10.0),
                                  ((0.0, 0.0), 1.0)])
def test_boundary_segment_outside_the_box_is_none(w, b):
    assert boundary_segment(np.array(w), b, BOX) is None


def test_decision_regions_are_the_argmax_of_the_scores():
    W, b = np.array(PRESETS["lecture"]["W"]), np.array(PRESETS["lecture"]["b"])
    labels = decision_regions(W, b, BOX, resolution=4)
    # Cell (row 0, column 3) is centred at x = 2.25, y = -2.25.
    assert labels[0, 3] == np.argmax(W @ [2.25, -2.25] + b)
    assert labels[3, 0] == np.argmax(W @ [-2.25, 2.25] + b)


# -- the command line -------------------------------------------------------------


def test_without_bokeh_the_cli_says_how_to_install(monkeypatch, capsys):
    from sklinear.__main__ import main as sklinear_main

    monkeypatch.setitem(sys.modules, "bokeh", None)  # import bokeh fails
    assert sklinear_main(["demo", "--no-browser"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert 'pip install "sklinear[demo]"' in err


@pytest.mark.parametrize("argv, message", [
    (["--port", "0"], "must be in"),
    (["--port", "70000"], "must be in"),
    (["--port", "http"], "not a port number"),
    (["--host", "0.0.0.0"], "every network"),
    (["--host", ""], "every network"),
    (["--host", "::1"], "IPv6"),
    (["--verbose"], "unrecognized arguments"),
])
def test_bad_arguments_exit_with_a_message(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_arguments_are_parsed():
    from sklinear.demo import _parse_args

    args = _parse_args([])
    assert (args.host, args.port, args.no_browser) == ("127.0.0.1", 5006, False)
    args = _parse_args(["--port", "8123", "--host", "localhost", "--no-browser"])
    assert (args.host, args.port, args.no_browser) == ("localhost", 8123, True)


def test_sklinear_help_mentions_the_demo(capsys):
    from sklinear.__main__ import main as sklinear_main

    with pytest.raises(SystemExit):
        sklinear_main(["--help"])
    assert "python -m sklinear demo" in capsys.readouterr().out


# -- the page's callbacks (Bokeh, no browser) -------------------------------------


@pytest.fixture
def app():
    pytest.importorskip("bokeh", reason='the demo needs Bokeh: pip install ".[demo]"')
    from bokeh.document import Document

    from sklinear.demo._app import DemoApp

    return DemoApp(Document())


def _status(app):
    return re.sub("<[^>]+>", "", app.status.text)


def _table(app):
    """The header and the rows of the page's table of points, as text."""
    def cells(html, tag):
        return [re.sub("<[^>]+>", "", cell).replace("&#9679; ", "")
                for cell in re.findall(f"<{tag}[^>]*>(.*?)</{tag}>", html)]

    html = app.table.text
    head = cells(html, "th")
    body = html[html.index("<tbody>"):]
    rows = [cells(row, "td") for row in re.findall("<tr>(.*?)</tr>", body)]
    return head, rows


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e300, None])
def test_page_reverts_a_bad_parameter(app, value):
    before = app.model.W
    app.param_spinners[0, 1].value = value
    assert_array_equal(app.model.W, before)
    assert app.param_spinners[0, 1].value == before[0, 1]
    assert "Not applied" in _status(app)


def test_page_applies_a_parameter_and_shows_its_loss(app):
    app.param_spinners[2, 2].value = 0.25  # b[2]
    assert app.model.b[2] == 0.25
    total = app.model.summary().total_loss
    shown = re.search(r"total-loss'>([^<]+)<", app.losses.text).group(1)
    assert float(shown) == pytest.approx(total, rel=1e-6)
    assert _status(app) == ""


@pytest.mark.parametrize("data", [
    dict(x=[np.nan] * 9, y=[0.0] * 9, label=[0] * 9),
    dict(x=[1e9] * 9, y=[0.0] * 9, label=[0] * 9),
    dict(x=[0.0] * (MAX_POINTS + 1), y=[0.0] * (MAX_POINTS + 1),
         label=[0] * (MAX_POINTS + 1)),
    pytest.param(dict(x=[0.0] * 9, y=[0.0] * 8, label=[0] * 9),
                 marks=pytest.mark.filterwarnings("ignore:ColumnDataSource")),
    dict(x=["a"] * 9, y=[0.0] * 9, label=[0] * 9),
    dict(x=[0.0] * 9, y=[0.0] * 9, label=[7] * 9),
    dict(x=[0.0] * 9, y=[0.0] * 9),
])
def test_page_reverts_bad_points(app, data):
    X, y = app.model.X, app.model.y
    app.points_source.data = data
    assert_array_equal(app.model.X, X)
    assert_array_equal(app.model.y, y)
    # The page shows the model's points again.
    assert_array_equal(app.points_source.data["x"], X[:, 0])
    assert_array_equal(app.points_source.data["label"], y)
    assert "Not applied" in _status(app)


def test_page_reverts_bad_patches_and_streams(app):
    # The page may also send a patch of some cells, or new rows.
    X = app.model.X
    app.points_source.patch({"x": [(0, np.nan)]})
    assert_array_equal(app.model.X, X)
    assert app.points_source.data["x"][0] == X[0, 0]
    assert "NaN or infinity" in _status(app)
    app.points_source.stream({"x": [1e9], "y": [0.0], "label": [1]})
    assert_array_equal(app.model.X, X)
    assert len(app.points_source.data["x"]) == len(X)
    assert "within" in _status(app)
    app.points_source.stream({"x": [0.5], "y": [-0.5], "label": [2]})
    assert_array_equal(app.model.X[-1], [0.5, -0.5])
    assert app.model.y[-1] == 2


def test_page_applies_a_dragged_point(app):
    data = dict(app.points_source.data)
    data["x"] = [2.5] + list(data["x"][1:])
    app.points_source.data = data
    assert app.model.X[0, 0] == 2.5
    _, rows = _table(app)
    assert rows[0][2] == "2.500"
    assert float(rows[0][4]) == pytest.approx(app.model.summary().scores[0, 0],
                                              abs=5e-4)


@pytest.mark.parametrize("widget, value", [("loss", "evil"), ("penalty", "l3")])
def test_page_reverts_a_bad_choice(app, widget, value):
    before = app.model.settings
    getattr(app, widget).value = value
    assert app.model.settings == before
    assert getattr(app, widget).value != value
    assert "Not applied" in _status(app)


def test_page_loads_a_data_set_and_rejects_an_unknown_one(app):
    from bokeh.events import MenuItemClick

    app.model.randomize_points()
    app.preset._trigger_event(MenuItemClick(app.preset, item="separable"))
    assert_array_equal(app.model.X, PRESETS["separable"]["X"])
    X = app.model.X
    for item in ("../../etc/passwd", {"x": [1]}, None):
        app.preset._trigger_event(MenuItemClick(app.preset, item=item))
        assert_array_equal(app.model.X, X)
        assert "preset must be one of" in _status(app)


def test_page_step_run_and_reset(app):
    from bokeh.events import ButtonClick

    W = app.model.W
    app.one_step._trigger_event(ButtonClick(app.one_step))
    assert app.model.n_steps == 1
    assert app.param_spinners[0, 0].value == app.model.W[0, 0]
    app.run.active = True
    assert app.run.label == "stop" and app._run_callback is not None
    app._tick()
    assert app.model.n_steps == 2
    app.run.active = False
    assert app.run.label == "run" and app._run_callback is None
    app.reset._trigger_event(ButtonClick(app.reset))
    assert_array_equal(app.model.W, W)


def test_page_stops_running_on_a_diverging_step(app):
    app.model.set_points([[900.0, -900.0], [-900.0, 900.0], [0.0, 900.0]], [0, 1, 2])
    app.setting_spinners["learning_rate"].value = 10.0
    app.loss.value = "squared_hinge"
    app.run.active = True
    for _ in range(5):
        app._tick()
    assert not app.run.active and app._run_callback is None
    assert "too large" in _status(app)


def test_page_table_shows_the_summary(app):
    head, rows = _table(app)
    assert head == ["#", "class", "x1", "x2", "s0", "s1", "s2", "Li"]
    summary = app.model.summary()
    assert len(rows) == len(app.model.y)
    shown = np.array([[float(cell) for cell in row] for row in rows])
    assert_array_equal(shown[:, 0], np.arange(len(rows)))
    assert_array_equal(shown[:, 1], app.model.y)
    assert_allclose(shown[:, 2:4], app.model.X, atol=5e-4)
    assert_allclose(shown[:, 4:7], summary.scores, atol=5e-4)
    assert_allclose(shown[:, 7], summary.losses, atol=5e-4)


def test_page_shows_probabilities_for_softmax_only(app):
    app.loss.value = "softmax"
    head, rows = _table(app)
    assert head[-3:] == ["p0", "p1", "p2"]
    assert app.setting_spinners["margin"].disabled
    probabilities = np.array([[float(cell) for cell in row[-3:]] for row in rows])
    assert_allclose(probabilities, app.model.summary().probabilities, atol=5e-4)
    app.loss.value = "hinge"
    assert "p0" not in _table(app)[0]


# -- the server ----------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_taken_port_gives_a_clear_error(capsys):
    pytest.importorskip("bokeh", reason='the demo needs Bokeh: pip install ".[demo]"')
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--no-browser", "--port", str(port)]) == 1
    assert f"Cannot serve the demo on 127.0.0.1:{port}" in capsys.readouterr().err


def start_server(port):
    """``python -m sklinear demo`` on ``port``; returns the process once it serves."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sklinear", "demo", "--no-browser", "--port",
         str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "BOKEH_RESOURCES": "cdn"},
    )
    line = process.stdout.readline()
    if f"http://127.0.0.1:{port}/" not in line:
        process.kill()
        raise AssertionError(f"the demo did not start: {line!r} "
                             f"{process.stderr.read()!r}")
    return process


def stop_server(process):
    """Ctrl-C; returns the exit code and what was printed after."""
    process.send_signal(2)  # SIGINT, as Ctrl-C
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    return process.returncode, out, err


async def _open_websocket(port, token, origin):
    """Open the page's websocket as a browser on ``origin`` would; return the
    server's first message."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    request = HTTPRequest(f"ws://127.0.0.1:{port}/ws", headers={"Origin": origin})
    connection = await websocket_connect(request, subprotocols=["bokeh", token])
    try:
        return await connection.read_message()
    finally:
        connection.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_server_serves_its_own_scripts_refuses_other_origins_and_stops_on_ctrl_c():
    pytest.importorskip("bokeh", reason='the demo needs Bokeh: pip install ".[demo]"')
    from tornado.httpclient import HTTPClientError

    port = _free_port()
    process = start_server(port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/",
                                    timeout=30) as response:
            html = response.read().decode()
        token = re.search(r'"token":"([^"]+)"', html).group(1)
        # A page from another site, in the browser of the same machine,
        # cannot drive the demo: its websocket is refused.
        with pytest.raises(HTTPClientError, match="403"):
            asyncio.run(_open_websocket(port, token, "http://evil.example"))
        with pytest.raises(HTTPClientError, match="403"):
            asyncio.run(_open_websocket(port, token, f"http://evil.example:{port}"))
        # The page's own origin is accepted (the server's first message).
        assert asyncio.run(_open_websocket(port, token, f"http://127.0.0.1:{port}"))
    finally:
        code, out, err = stop_server(process)
    # BOKEH_RESOURCES=cdn is overridden: every script is the server's own.
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources and all(src.startswith("/static/") for src in sources)
    assert "cdn" not in html.lower()
    assert code == 0, err
    assert "stopped" in out
    assert "Traceback" not in err
