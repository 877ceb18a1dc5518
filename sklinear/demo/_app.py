"""The demo's page: a Bokeh document around a :class:`~sklinear.demo.DemoModel`.

Nothing here computes a loss, a score or a step: each callback hands what the
browser sent to the model, which validates it, and then copies the model's
state into the page's data sources and widgets. Whatever the browser sends,
an edit the model rejects is reverted on the page and its reason shown.
"""

import sys
import webbrowser
from functools import partial

import numpy as np
from bokeh.application import Application
from bokeh.application.handlers import FunctionHandler
from bokeh.layouts import column, row
from bokeh.models import (
    Arrow,
    Button,
    Checkbox,
    ColumnDataSource,
    CustomJS,
    Div,
    Dropdown,
    InlineStyleSheet,
    LinearColorMapper,
    PointDrawTool,
    RadioButtonGroup,
    Select,
    Spinner,
    Toggle,
    VeeHead,
)
from bokeh.plotting import figure
from bokeh.server.server import Server
from bokeh.settings import settings
from bokeh.transform import linear_cmap

from ._model import (
    LOSSES,
    MAX_PARAM,
    N_CLASSES,
    N_FEATURES,
    PENALTIES,
    PRESETS,
    SETTING_BOUNDS,
    DemoModel,
    _check_real,
    boundary_segment,
    decision_regions,
)

CLASS_COLORS = ("#d62728", "#2ca02c", "#1f77b4")
REGION_COLORS = ("#f7c5c5", "#c8ebc8", "#c4dcf0")
# The plane shown: the lines are clipped to it and the regions shaded over it.
VIEW = (-3.0, 3.0, -3.0, 3.0)
RUN_PERIOD_MS = 200  # five steps a second while running
MAX_MESSAGE_BYTES = 1 << 20  # a page of 200 points sends a few kilobytes

LOSS_FORMULAS = {
    "hinge": "L<sub>i</sub> = &Sigma;<sub>j&ne;y<sub>i</sub></sub> "
             "max(0, s<sub>j</sub> &minus; s<sub>y<sub>i</sub></sub> + &Delta;)",
    "squared_hinge": "L<sub>i</sub> = &Sigma;<sub>j&ne;y<sub>i</sub></sub> "
                     "max(0, s<sub>j</sub> &minus; s<sub>y<sub>i</sub></sub> "
                     "+ &Delta;)<sup>2</sup>",
    "softmax": "L<sub>i</sub> = &minus;log( e<sup>s<sub>y<sub>i</sub></sub></sup> "
               "/ &Sigma;<sub>j</sub> e<sup>s<sub>j</sub></sup> )",
}
OBJECTIVE_NOTE = (
    "<b>Objective</b> (sklinear's, as scikit-learn's SGDClassifier): "
    "mean of L<sub>i</sub> over the points + &alpha; &middot; R(W), with "
    "R(W) = &frac12;&Vert;W&Vert;<sup>2</sup> for L2 and &Vert;W&Vert;<sub>1</sub> "
    "for L1; b is not penalised. The &lambda;&Vert;W&Vert;<sup>2</sup> of the "
    "CS231n notes is &alpha; = 2&lambda;."
)

CSS = """
:host { font-family: system-ui, sans-serif; }
.sk-section { font-weight: 600; color: #333; border-bottom: 1px solid #ddd;
              width: 100%; margin-top: 4px; }
.sk-note { color: #555; font-size: 12px; line-height: 1.35; }
.sk-losses { font-size: 15px; }
.sk-losses b { font-variant-numeric: tabular-nums; }
.sk-error { color: #b00020; font-size: 13px; }
.sk-table-box { max-height: 270px; overflow-y: auto; width: 560px;
                border-top: 1px solid #ccc; border-bottom: 1px solid #ccc; }
.sk-table { border-collapse: collapse; width: 100%; font-size: 13px;
            font-variant-numeric: tabular-nums; }
.sk-table th { position: sticky; top: 0; background: #f4f4f4; font-weight: 600;
               text-align: right; padding: 3px 6px; }
.sk-table td { text-align: right; padding: 2px 6px; border-top: 1px solid #eee; }
.sk-table td.sk-true { font-weight: 700; }
.sk-table td.sk-loss { background: #fafafa; }
"""


def _same_points(data, X, y):
    """Whether a points source holds exactly ``X`` and ``y``."""
    try:
        return (len(data["x"]) == len(data["y"]) == len(data["label"]) == len(y)
                and all(np.array_equal(np.asarray(data[key], dtype=object),
                                       values.astype(object))
                        for key, values in (("x", X[:, 0]), ("y", X[:, 1]),
                                            ("label", y))))
    except (KeyError, TypeError, ValueError):
        return False


def _class_label(k):
    return (f'<span style="color:{CLASS_COLORS[k]};font-weight:600">'
            f"&#9679; class {k}</span>")


class DemoApp:
    """The widgets, plots and callbacks of one browser session.

    Parameters
    ----------
    doc : bokeh.document.Document
        The session's document; the layout is added to it.
    model : DemoModel, default=None
        The state shown; a new ``DemoModel()`` if None.
    """

    def __init__(self, doc, model=None):
        self.doc = doc
        self.model = DemoModel() if model is None else model
        self._syncing = False  # set while the server writes to the widgets
        # One style sheet per document: a Bokeh model belongs to one document.
        self._style = InlineStyleSheet(css=CSS)
        self._run_callback = None
        self._new_class = 0  # the class of points added by a click
        self._build_plane()
        self._build_controls()
        self._build_outputs()
        doc.title = "sklinear: linear classification demo"
        doc.add_root(self._layout())
        self._refresh()

    # -- the page -----------------------------------------------------------

    def _div(self, html, **kwargs):
        return Div(text=html, stylesheets=[self._style], **kwargs)

    def _section(self, title):
        return self._div(f'<div class="sk-section">{title}</div>', width=560)

    def _build_plane(self):
        x_min, x_max, y_min, y_max = VIEW
        self.points_source = ColumnDataSource(
            data=dict(x=[], y=[], label=[]), name="points_source")
        self.regions_source = ColumnDataSource(data=dict(image=[]))
        self.lines_source = ColumnDataSource(
            data=dict(x0=[], y0=[], x1=[], y1=[], color=[]))
        self.arrows_source = ColumnDataSource(
            data=dict(x0=[], y0=[], x1=[], y1=[], color=[]))
        self.numbers_source = ColumnDataSource(data=dict(x=[], y=[], text=[]))

        plane = figure(
            name="plane", width=560, height=560, x_range=(x_min, x_max),
            y_range=(y_min, y_max), tools="", toolbar_location=None,
        )
        self.regions = plane.image(
            image="image", source=self.regions_source, x=x_min, y=y_min,
            dw=x_max - x_min, dh=y_max - y_min, global_alpha=0.55,
            color_mapper=LinearColorMapper(palette=list(REGION_COLORS),
                                           low=-0.5, high=N_CLASSES - 0.5),
        )
        plane.segment("x0", "y0", "x1", "y1", source=self.lines_source,
                      line_color="color", line_width=3)
        plane.add_layout(Arrow(
            source=self.arrows_source, x_start="x0", y_start="y0", x_end="x1",
            y_end="y1", line_color="color", line_width=3,
            end=VeeHead(size=12, fill_color="color", line_color="color"),
        ))
        points = plane.scatter(
            "x", "y", source=self.points_source, size=14, line_color="black",
            line_width=1.5,
            fill_color=linear_cmap("label", list(CLASS_COLORS), -0.5,
                                   N_CLASSES - 0.5),
        )
        plane.text("x", "y", "text", source=self.numbers_source, x_offset=9,
                   y_offset=-4, text_font_size="11px", text_color="#333")
        # A point added by a click takes its class from default_overrides
        # (the tool's empty_value loses to the 0 it infers for a column of
        # numbers).
        self.point_draw = PointDrawTool(renderers=[points], add=True, drag=True,
                                        default_overrides={"label": 0})
        plane.add_tools(self.point_draw)
        plane.toolbar.active_tap = self.point_draw
        plane.toolbar.active_drag = self.point_draw
        plane.xaxis.axis_label = "x₁"
        plane.yaxis.axis_label = "x₂"
        self.plane = plane
        self.points_source.on_change("data", self._on_points)

        self.history_source = ColumnDataSource(data=dict(step=[], loss=[]))
        history = figure(name="history", width=560, height=260,
                         toolbar_location=None, tools="",
                         title="total loss over the steps")
        history.line("step", "loss", source=self.history_source, line_width=2,
                     color="#444")
        history.scatter("step", "loss", source=self.history_source, size=4,
                        color="#444")
        history.xaxis.axis_label = "step"
        history.title.text_font_size = "12px"
        self.history = history

    def _build_controls(self):
        settings_ = self.model.settings
        # A menu rather than a choice: picking the same data set again (after
        # dragging its points) reloads it.
        self.preset = Dropdown(label="load a data set", width=150, name="preset",
                               menu=[(name, name) for name in PRESETS])
        self.preset.on_click(self._on_preset)
        self.randomize_points = Button(label="randomize data", width=140,
                                       name="randomize_points")
        self.randomize_points.on_click(self._on_randomize_points)
        self.new_class = RadioButtonGroup(
            labels=[f"class {k}" for k in range(N_CLASSES)], active=0, width=240,
            name="new_class",
            stylesheets=[InlineStyleSheet(css="".join(
                f".bk-btn:nth-child({k + 1}) {{ color: {color}; font-weight: 600 }}"
                for k, color in enumerate(CLASS_COLORS)))],
        )
        self.new_class.on_change("active", self._on_new_class)
        # The tool takes the class at once in the browser, so that a click on
        # the plane right after the choice adds a point of that class; the
        # server still checks the choice and every point added.
        self.new_class.js_on_change("active", CustomJS(
            args=dict(tool=self.point_draw),
            code="if (cb_obj.active != null) "
                 "{ tool.default_overrides = {label: cb_obj.active} }"))

        self.param_spinners = {}
        for k in range(N_CLASSES):
            for j, name in enumerate([f"W_{k}_{i}" for i in range(N_FEATURES)]
                                     + [f"b_{k}"]):
                spinner = Spinner(value=0.0, step=0.1, format="0.000", width=100,
                                  low=-MAX_PARAM, high=MAX_PARAM, name=name)
                spinner.on_change("value", partial(self._on_parameter, k, j))
                self.param_spinners[k, j] = spinner
        self.randomize_parameters = Button(label="randomize parameters",
                                           width=170, name="randomize_parameters")
        self.randomize_parameters.on_click(self._on_randomize_parameters)

        self.loss = Select(title="Loss", value=settings_["loss"], width=190,
                           options=[(key, text) for key, text in LOSSES.items()],
                           name="loss")
        self.loss.on_change("value", partial(self._on_setting, "loss"))
        self.penalty = Select(title="Penalty", value=settings_["penalty"],
                              width=80, name="penalty",
                              options=[(key, text) for key, text in PENALTIES.items()])
        self.penalty.on_change("value", partial(self._on_setting, "penalty"))
        self.setting_spinners = {}
        for name, title, step in (("margin", "Margin Δ", 0.1),
                                  ("alpha", "α (regularisation)", 0.01),
                                  ("learning_rate", "Step size", 0.01),
                                  ("momentum", "Momentum", 0.1)):
            low, high, _ = SETTING_BOUNDS[name]
            spinner = Spinner(title=title, value=settings_[name], step=step,
                              low=low, high=high, format="0.[000]", width=120,
                              name=name)
            spinner.on_change("value", partial(self._on_setting, name))
            self.setting_spinners[name] = spinner
        self.nesterov = Checkbox(label="Nesterov", active=settings_["nesterov"],
                                 name="nesterov")
        self.nesterov.on_change("active", partial(self._on_setting, "nesterov"))
        self.show_regions = Checkbox(label="shade decision regions", active=True,
                                     name="show_regions")
        self.show_regions.on_change("active", self._on_show_regions)

        self.one_step = Button(label="one step", button_type="primary", width=110,
                               name="one_step")
        self.one_step.on_click(self._on_step)
        self.run = Toggle(label="run", button_type="success", width=110,
                          name="run")
        self.run.on_change("active", self._on_run)
        self.reset = Button(label="reset", width=110, name="reset")
        self.reset.on_click(self._on_reset)

    def _build_outputs(self):
        self.status = self._div("", width=560, name="status")
        self.losses = self._div("", width=560, name="losses")
        self.loss_formula = self._div("", width=560, name="loss_formula")
        # An HTML table, written whole on the server: a DataTable of Bokeh
        # 3.9.1 and 3.9.2 does not redraw when its data change but not their
        # length (bokeh/bokeh#15328), which is every step here.
        self.table = self._div("", width=560, name="table")

    def _layout(self):
        spinners = self.param_spinners
        headings = [self._div(f"<div class='sk-note' style='width:100px;"
                              f"text-align:center'>{name}</div>", width=100)
                    for name in ("W[k,0]", "W[k,1]", "b[k]")]
        parameter_rows = [row(self._div("", width=110), *headings)]
        parameter_rows += [
            row(self._div(_class_label(k), width=110),
                *[spinners[k, j] for j in range(N_FEATURES + 1)])
            for k in range(N_CLASSES)
        ]
        header = self._div(
            "<h2 style='margin:0 0 4px 0'>Linear classification, one step at a "
            "time</h2><div class='sk-note'>Scores s = W x + b, one row of W and "
            "one b per class; each line is where a class's score is 0 and its "
            "arrow points along that row of W, where the score grows. Every number "
            "on this page is computed by sklinear on the server.</div>",
            width=1160,
        )
        plane_side = column(
            self.plane,
            self._div("<div class='sk-note'>Drag a point to move it; click an "
                      "empty place to add a point of the class chosen on the "
                      "right; click a point and press Backspace to delete it.</div>",
                      width=560),
            self.history,
        )
        controls = column(
            self._section("Data"),
            row(self.preset, self.randomize_points),
            row(self._div("<span class='sk-note'>new points:</span>", width=80),
                self.new_class),
            self._section("Parameters"),
            *parameter_rows,
            row(self.randomize_parameters, self.show_regions),
            self._section("Loss"),
            row(self.loss, self.setting_spinners["margin"], self.penalty,
                self.setting_spinners["alpha"]),
            self.loss_formula,
            self._div(f"<div class='sk-note'>{OBJECTIVE_NOTE}</div>", width=560),
            self._section("Optimisation"),
            row(self.setting_spinners["learning_rate"],
                self.setting_spinners["momentum"],
                column(self._div("", height=18), self.nesterov)),
            row(self.one_step, self.run, self.reset),
            self.status,
            self.losses,
            self.table,
        )
        return column(header, row(plane_side, self._div("", width=20), controls))

    # -- from the model to the page -----------------------------------------

    def _refresh(self, status=""):
        """Copy the model's state into every source and widget, and show
        ``status`` (HTML)."""
        model = self.model
        summary = model.summary()
        settings_ = model.settings
        self.doc.hold("combine")
        self._syncing = True
        try:
            lines, arrows = [], []
            for k in range(N_CLASSES):
                segment = boundary_segment(summary.W[k], summary.b[k], VIEW)
                if segment is None:
                    continue
                lines.append(segment + (CLASS_COLORS[k],))
                # The arrow starts mid-segment, along w_k, longer for a larger w_k.
                w = summary.W[k]
                norm = np.hypot(*w)
                length = np.clip(0.25 * norm, 0.25, 1.2)
                x0, y0 = (segment[0] + segment[2]) / 2, (segment[1] + segment[3]) / 2
                arrows.append((x0, y0, x0 + length * w[0] / norm,
                               y0 + length * w[1] / norm, CLASS_COLORS[k]))
            keys = ("x0", "y0", "x1", "y1", "color")
            self.lines_source.data = {key: [line[i] for line in lines]
                                      for i, key in enumerate(keys)}
            self.arrows_source.data = {key: [arrow[i] for arrow in arrows]
                                       for i, key in enumerate(keys)}
            self.regions.visible = self.show_regions.active
            if self.show_regions.active:
                self.regions_source.data = dict(
                    image=[decision_regions(summary.W, summary.b, VIEW)])

            X, y = model.X, model.y
            if not _same_points(self.points_source.data, X, y):
                # Only when they differ (a rejected edit, a new data set):
                # rewriting the points in the middle of a drag would fight the
                # mouse. In place: this may run while Bokeh notifies the
                # owners of these very data of a patch or stream from the page.
                self.points_source.data.update(x=X[:, 0].tolist(),
                                               y=X[:, 1].tolist(),
                                               label=y.tolist())
            self.numbers_source.data = dict(x=X[:, 0], y=X[:, 1],
                                            text=[str(i) for i in range(len(y))])
            self.table.text = points_table(X, y, summary)
            softmax = settings_["loss"] == "softmax"

            for (k, j), spinner in self.param_spinners.items():
                spinner.value = float(summary.W[k, j] if j < N_FEATURES
                                      else summary.b[k])
            self.loss.value = settings_["loss"]
            self.penalty.value = settings_["penalty"]
            for name, spinner in self.setting_spinners.items():
                spinner.value = settings_[name]
            self.setting_spinners["margin"].disabled = softmax
            self.nesterov.active = settings_["nesterov"]
            self.loss_formula.text = (
                f"<div class='sk-note'>{LOSSES[settings_['loss']]}: "
                f"{LOSS_FORMULAS[settings_['loss']]}, s = W x<sub>i</sub> + b"
                + ("" if softmax else f", &Delta; = {settings_['margin']:g}")
                + "</div>")

            steps = model.n_steps
            self.losses.text = (
                "<div class='sk-losses'>"
                f"total loss <b class='sk-total-loss'>{summary.total_loss:.7g}</b>"
                f" = data loss <b class='sk-data-loss'>{summary.data_loss:.7g}</b>"
                f" + regularisation <b class='sk-reg-loss'>{summary.reg_loss:.7g}"
                "</b></div><div class='sk-note'>after "
                f"<span class='sk-steps'>{steps}</span> "
                f"step{'' if steps == 1 else 's'} since the start or the last reset"
                "</div>")
            history = model.history
            self.history_source.data = dict(step=[step for step, _ in history],
                                            loss=[loss for _, loss in history])
            # Last: the page applies the changes in this order, so that once it
            # shows the message (or the new step count above), it shows the
            # values that go with it.
            self.status.text = status
        finally:
            # Held changes reach the callbacks at unhold: still syncing then.
            self.doc.unhold()
            self._syncing = False

    def _apply(self, change):
        """Run ``change()`` on the model; on a ValueError, show why and put
        the page back as the model is."""
        try:
            change()
        except ValueError as error:
            self._refresh(f"<span class='sk-error'>Not applied: {error}</span>")
            return False
        self._refresh()
        return True

    # -- from the page to the model -----------------------------------------

    def _on_points(self, attr, old, new):
        if self._syncing:
            return
        data = self.points_source.data

        def change():
            try:
                xs, ys, labels = data["x"], data["y"], data["label"]
                if not len(xs) == len(ys) == len(labels):
                    raise ValueError("the columns x, y and label differ in length")
                X = np.column_stack([np.asarray(xs), np.asarray(ys)])
            except (KeyError, TypeError, ValueError) as error:
                raise ValueError(f"malformed points from the page: {error}") from None
            self.model.set_points(X, labels)

        self._apply(change)

    def _on_parameter(self, k, j, attr, old, new):
        if self._syncing:
            return

        def change():
            name = f"W[{k},{j}]" if j < N_FEATURES else f"b[{k}]"
            value = _check_real(name, new, -MAX_PARAM, MAX_PARAM)
            W, b = self.model.W, self.model.b
            if j < N_FEATURES:
                W[k, j] = value
            else:
                b[k] = value
            self.model.set_parameters(W, b)

        self._apply(change)

    def _on_setting(self, name, attr, old, new):
        if not self._syncing:
            self._apply(lambda: self.model.configure(**{name: new}))

    def _on_preset(self, event):
        self._apply(lambda: self.model.load_preset(event.item))

    def _on_new_class(self, attr, old, new):
        if self._syncing:
            return
        if isinstance(new, int) and not isinstance(new, bool) and 0 <= new < N_CLASSES:
            self._new_class = new
        else:
            self.status.text = ("<span class='sk-error'>Not applied: the class of "
                                f"new points must be 0, 1 or 2; got {new!r}.</span>")
        self._syncing = True
        try:
            self.new_class.active = self._new_class
            self.point_draw.default_overrides = {"label": self._new_class}
        finally:
            self._syncing = False

    def _on_show_regions(self, attr, old, new):
        if not self._syncing:
            self._apply(lambda: None)

    def _on_randomize_points(self):
        self._apply(self.model.randomize_points)

    def _on_randomize_parameters(self):
        self._apply(self.model.randomize_parameters)

    def _on_step(self):
        self._apply(self.model.step)

    def _on_reset(self):
        self._apply(self.model.reset)

    def _on_run(self, attr, old, new):
        if new and self._run_callback is None:
            self.run.label = "stop"
            self._run_callback = self.doc.add_periodic_callback(self._tick,
                                                                RUN_PERIOD_MS)
        elif not new and self._run_callback is not None:
            self.run.label = "run"
            self.doc.remove_periodic_callback(self._run_callback)
            self._run_callback = None

    def _tick(self):
        if not self._apply(self.model.step):
            self.run.active = False  # a step that would diverge stops the run


def points_table(X, y, summary):
    """The table of the points: coordinates, scores, loss and, for the
    softmax, probabilities, as HTML (numbers only: nothing from the browser)."""
    n_classes = summary.scores.shape[1]
    probabilities = summary.probabilities
    head = (["#", "class", "x<sub>1</sub>", "x<sub>2</sub>"]
            + [f'<span style="color:{CLASS_COLORS[k]}">s<sub>{k}</sub></span>'
               for k in range(n_classes)]
            + ["L<sub>i</sub>"]
            + ([] if probabilities is None else
               [f'<span style="color:{CLASS_COLORS[k]}">p<sub>{k}</sub></span>'
                for k in range(n_classes)]))
    rows = []
    for i, label in enumerate(y):
        # The true class's score in bold: the one the loss wants highest.
        scores = [f"<td{' class=sk-true' if k == label else ''}>"
                  f"{summary.scores[i, k]:.3f}</td>" for k in range(n_classes)]
        extra = ([] if probabilities is None else
                 [f"<td>{probabilities[i, k]:.3f}</td>" for k in range(n_classes)])
        rows.append(
            f"<tr><td>{i}</td><td style='color:{CLASS_COLORS[label]}'>&#9679; "
            f"{label}</td><td>{X[i, 0]:.3f}</td><td>{X[i, 1]:.3f}</td>"
            + "".join(scores) + f"<td class=sk-loss>{summary.losses[i]:.3f}</td>"
            + "".join(extra) + "</tr>")
    return ("<div class=sk-table-box><table class=sk-table><thead><tr>"
            + "".join(f"<th>{cell}</th>" for cell in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")


def build_document(doc):
    """Fill a new session's document with the demo."""
    DemoApp(doc)


def serve(host, port, *, open_browser=True):
    """Serve the demo at ``http://host:port/`` until Ctrl-C.

    The page's websocket is accepted only from the address served (and, on
    loopback, its other name), Bokeh's JavaScript comes from the server itself
    (never a CDN, so the page works offline), and a message from the browser
    larger than ``MAX_MESSAGE_BYTES`` closes its connection.

    Returns
    -------
    status : int
        0 once stopped, 1 if the server could not listen there.
    """
    # The server's own copy of BokehJS, whatever BOKEH_RESOURCES says.
    settings.resources.set_value("server")
    names = {host}
    if host in ("127.0.0.1", "localhost"):
        names |= {"127.0.0.1", "localhost"}
    try:
        server = Server(
            {"/": Application(FunctionHandler(build_document))},
            address=host, port=port,
            allow_websocket_origin=sorted(f"{name}:{port}" for name in names),
            websocket_max_message_size=MAX_MESSAGE_BYTES,
        )
    except OSError as error:  # the port is taken, the address is not ours
        print(f"Cannot serve the demo on {host}:{port}: {error}", file=sys.stderr)
        return 1
    server.start()
    url = f"http://{host}:{port}/"
    print(f"sklinear demo at {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        server.io_loop.add_callback(webbrowser.open, url)
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("sklinear demo stopped.", flush=True)
    return 0
