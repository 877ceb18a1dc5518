"""The interactive demo in a real browser: headless Chromium driven by Playwright.

The server runs as ``python -m sklinear demo --no-browser`` in a subprocess; the
browser may reach 127.0.0.1 only (any other request is aborted and fails the
test). Each test opens its own page, so its own session and model. Needs
Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it)
and ``pip install playwright`` (not ``playwright install``: the system's
Chromium is used). The screenshot of the docs is taken here: set
``SKLINEAR_DEMO_SCREENSHOT=docs/_static/demo.png`` to write it there (by
default it goes to a temporary folder, so that the suite leaves the clone as
it was).
"""

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklinear.demo._model import LOSSES
from sklinear.losses import log_softmax, multiclass_hinge, penalty

pytest.importorskip("bokeh",
                    reason='the demo needs Bokeh: pip install ".[demo]"')
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the browser tests need Playwright's Python package, in the dev "
    "extra: pip install -e \".[dev]\" (the system's Chromium is used, no "
    "'playwright install')",
)
CHROMIUM = (os.environ.get("SKLINEAR_CHROMIUM") or shutil.which("chromium")
            or shutil.which("chromium-browser"))
if CHROMIUM is None:
    pytest.skip("no Chromium executable found: install Debian's chromium "
                "(apt-get install chromium) or set SKLINEAR_CHROMIUM to one",
                allow_module_level=True)

TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1220, "height": 1100}

# BokehJS, as the page holds it: a model by name, and a point of the plane in
# the page's pixels.
JS_VALUE = "name => Bokeh.documents[0].get_model_by_name(name).value"
JS_SPINNER = """name => {
  const model = Bokeh.documents[0].get_model_by_name(name);
  return [model.value, Bokeh.index.find_one(model).input_el.value];
}"""
JS_COLUMNS = """name => {
  const data = Bokeh.documents[0].get_model_by_name(name).data;
  const out = {};
  for (const key of Object.keys(data)) out[key] = Array.from(data[key]);
  return out;
}"""
JS_PIXEL = """([x, y]) => {
  const plot = Bokeh.documents[0].get_model_by_name('plane');
  const view = Bokeh.index.find_one(plot);
  const box = view.canvas_view.el.getBoundingClientRect();
  return [box.left + view.frame.x_scale.compute(x),
          box.top + view.frame.y_scale.compute(y)];
}"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sklinear", "demo", "--no-browser", "--port",
         str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = process.stdout.readline()
    if f"http://127.0.0.1:{port}/" not in line:
        process.kill()
        pytest.fail(f"the demo did not start: {line!r} {process.stderr.read()!r}")
    yield f"http://127.0.0.1:{port}/"
    process.send_signal(2)  # SIGINT: Ctrl-C
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err, err


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server_url):
    """A new page of the demo; at the end, every request it made must have
    gone to 127.0.0.1."""
    context = browser.new_context(viewport=VIEWPORT)
    requests = []

    def route(route):
        requests.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("websocket", lambda ws: requests.append(ws.url))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server_url)
    page.locator(".sk-total-loss").wait_for()
    yield page
    context.close()
    assert requests, "no request recorded"
    elsewhere = [url for url in requests if urlsplit(url).hostname != "127.0.0.1"]
    assert not elsewhere, f"requests beyond 127.0.0.1: {elsewhere}"
    assert any(url.startswith("ws://127.0.0.1") for url in requests)
    assert not errors, errors


def _total_loss(page):
    return float(page.locator(".sk-total-loss").inner_text())


def _wait_for_steps(page, n):
    sync_api.expect(page.locator(".sk-steps")).to_have_text(str(n))


def _parameters(page):
    """W and b as the page's spinners hold them, checked against what they show."""
    values = np.empty((3, 3))
    for k in range(3):
        for j, name in enumerate([f"W_{k}_0", f"W_{k}_1", f"b_{k}"]):
            value, shown = page.evaluate(JS_SPINNER, name)
            # What the spinner shows is its value to three decimals.
            assert abs(float(shown) - value) <= 5.01e-4, (name, value, shown)
            values[k, j] = value
    return values[:, :2], values[:, 2]


def _points(page):
    data = page.evaluate(JS_COLUMNS, "points_source")
    return np.column_stack([data["x"], data["y"]]), np.array(data["label"])


def _table_rows(page):
    """The rows of the table of points as shown: lists of cell texts."""
    return [row.locator("td").all_inner_texts()
            for row in page.locator(".sk-table tbody tr").all()]


def test_one_step_lowers_the_loss_to_what_sklinear_computes(page):
    before = _total_loss(page)
    page.get_by_role("button", name="one step").click()
    _wait_for_steps(page, 1)
    after = _total_loss(page)
    assert after < before
    # The loss shown is that of the parameters and points the page now shows,
    # as sklinear.losses computes it (shown to 7 significant digits).
    W, b = _parameters(page)
    X, y = _points(page)
    alpha = page.evaluate(JS_VALUE, "alpha")
    margin = page.evaluate(JS_VALUE, "margin")
    expected = (multiclass_hinge(X @ W.T + b, y, margin=margin)[0]
                + penalty(W, alpha=alpha)[0])
    assert after == pytest.approx(expected, rel=1e-6)
    assert page.evaluate(JS_VALUE, "loss") == "hinge"


def test_run_and_stop(page):
    before = _total_loss(page)
    page.get_by_role("button", name="run").click()
    sync_api.expect(page.locator(".sk-steps")).not_to_have_text("0")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="stop").click()
    sync_api.expect(page.get_by_role("button", name="run")).to_be_visible()
    steps = int(page.locator(".sk-steps").inner_text())
    page.wait_for_timeout(600)  # a running callback would step on meanwhile
    assert int(page.locator(".sk-steps").inner_text()) == steps >= 2
    assert _total_loss(page) < before


def test_softmax_probabilities(page):
    page.locator("select[name=loss]").select_option(label=LOSSES["softmax"])
    sync_api.expect(page.locator(".sk-table th", has_text="p0")).to_be_visible()
    W, b = _parameters(page)
    X, y = _points(page)
    rows = np.array([[float(cell) for cell in row[2:]] for row in _table_rows(page)])
    assert len(rows) == len(X)
    shown_X, shown_scores = rows[:, :2], rows[:, 2:5]
    shown_loss, shown_p = rows[:, 5], rows[:, 6:9]
    # Shown to three decimals: the scores of the parameters shown, and
    # probabilities that sum to 1 and are the softmax of the scores shown.
    assert_allclose(shown_X, X, atol=5.01e-4)
    assert_allclose(shown_scores, X @ W.T + b, atol=5.01e-4)
    assert_allclose(shown_p.sum(axis=1), 1.0, atol=2e-3)
    assert_allclose(shown_p, np.exp(log_softmax(shown_scores)), atol=2e-3)
    # A point's softmax loss is minus the log of its class's probability.
    log_p = log_softmax(X @ W.T + b)
    assert_allclose(shown_loss, -log_p[np.arange(len(y)), y], atol=5.01e-4)
    expected = -log_p[np.arange(len(y)), y].mean() + penalty(
        W, alpha=page.evaluate(JS_VALUE, "alpha"))[0]
    assert _total_loss(page) == pytest.approx(expected, rel=1e-6)


def test_drag_a_point_and_its_row_changes(page):
    X, _ = _points(page)
    row_before = _table_rows(page)[0]
    start = page.evaluate(JS_PIXEL, X[0].tolist())
    end = page.evaluate(JS_PIXEL, [2.0, 2.0])
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()
    sync_api.expect(page.locator(".sk-table tbody tr").first.locator("td").nth(2)
                    ).to_have_text("2.000")
    row_after = _table_rows(page)[0]
    assert row_after != row_before
    x, y = float(row_after[2]), float(row_after[3])
    assert abs(x - 2.0) < 0.02 and abs(y - 2.0) < 0.02  # a pixel is ~0.01
    # The server's loss follows the point where the page put it.
    X, y_ = _points(page)
    assert abs(X[0, 0] - 2.0) < 0.02
    W, b = _parameters(page)
    alpha = page.evaluate(JS_VALUE, "alpha")
    expected = multiclass_hinge(X @ W.T + b, y_)[0] + penalty(W, alpha=alpha)[0]
    sync_api.expect(page.locator(".sk-total-loss")).to_have_text(
        re.compile(re.escape(f"{expected:.7g}")))


def test_click_adds_a_point_of_the_chosen_class(page):
    page.get_by_role("button", name="class 2").click()
    n = len(_points(page)[0])
    page.mouse.click(*page.evaluate(JS_PIXEL, [-2.0, -2.5]))
    sync_api.expect(page.locator(".sk-table tbody tr")).to_have_count(n + 1)
    X, y = _points(page)
    assert y[-1] == 2 and abs(X[-1, 0] + 2.0) < 0.02


@pytest.mark.parametrize("script, what", [
    ("d => d.get_model_by_name('W_0_1').value = NaN", "W[0,1] must be a finite"),
    ("d => d.get_model_by_name('b_2').value = 1e300", "b[2] must be a finite"),
    ("d => d.get_model_by_name('alpha').value = -1", "alpha must be a finite"),
    ("d => d.get_model_by_name('loss').value = 'evil'", "loss must be"),
    ("""d => { const s = d.get_model_by_name('points_source');
               s.data = {x: [NaN, 0, 1], y: [0, 0, 1], label: [0, 1, 2]}; }""",
     "NaN or infinity"),
    ("""d => { const s = d.get_model_by_name('points_source');
               const n = 201;
               s.data = {x: Array(n).fill(0.5), y: Array(n).fill(0.5),
                         label: Array(n).fill(1)}; }""",
     "from 1 to 200"),
    ("""d => { const s = d.get_model_by_name('points_source');
               s.data = {x: [1e12, 0, 1], y: [0, 0, 1], label: [0, 1, 2]}; }""",
     "within"),
    ("""d => d.get_model_by_name('points_source').patch({x: [[0, Infinity]]})""",
     "NaN or infinity"),
    ("""d => d.get_model_by_name('points_source').stream(
            {x: [0.5], y: [0.5], label: [7]})""",
     "classes must be 0, 1 or 2"),
], ids=["W NaN", "b 1e300", "alpha -1", "loss evil", "point NaN", "201 points",
        "point 1e12", "patch inf", "stream class 7"])
def test_hostile_changes_from_the_page_are_reverted(page, script, what):
    total = page.locator(".sk-total-loss").inner_text()
    W, b = _parameters(page)
    X, y = _points(page)
    page.evaluate(f"({script})(Bokeh.documents[0])")
    sync_api.expect(page.locator(".sk-error")).to_contain_text(what)
    # Back as they were, on the page and so on the server (the server sends
    # the message after the values).
    sync_api.expect(page.locator(".sk-total-loss")).to_have_text(total)
    W2, b2 = _parameters(page)
    X2, y2 = _points(page)
    assert_allclose(W2, W, rtol=0, atol=0)
    assert_allclose(b2, b, rtol=0, atol=0)
    assert_allclose(X2, X, rtol=0, atol=0)
    assert (y2 == y).all()
    # The session still works.
    page.get_by_role("button", name="one step").click()
    _wait_for_steps(page, 1)


def test_screenshot_for_the_docs(page, tmp_path):
    for n in range(1, 6):
        page.get_by_role("button", name="one step").click()
        _wait_for_steps(page, n)
    screenshot = Path(os.environ.get("SKLINEAR_DEMO_SCREENSHOT",
                                     tmp_path / "demo.png"))
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
