"""The main job, ``python -m sklinear``."""

import socket
import subprocess
import sys
import warnings
from urllib.error import URLError

import pytest
from _cifar10_files import make_batches, write_archive
from sklearn.datasets import load_digits

import sklinear.__main__ as main_module
import sklinear.datasets._fetch
from sklinear import SoftmaxClassifier
from sklinear.__main__ import main

ERROR = "python -m sklinear: error: "


@pytest.fixture
def archive(tmp_path):
    """A tiny CIFAR-10 archive: 25 training and 8 test images."""
    return write_archive(tmp_path / "cifar-10-python.tar.gz", make_batches())


def _error(capsys):
    """The one line the job wrote on standard error, without its prefix."""
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(ERROR) and err.endswith("\n")
    return err[len(ERROR):-1]


def _table(out, title):
    """Rows of a table of the report: the lines after its title, up to a blank."""
    lines = out[out.index(title):].splitlines()[1:]
    return [line.split() for line in lines[: lines.index("")] if line.strip()]


@pytest.mark.slow
def test_main_job_on_digits(capsys):
    assert main(["--cv", "2", "--max-train", "600", "--random-state", "1"]) == 0
    out = capsys.readouterr().out
    assert "load_digits: 600 training and 450 test images" in out
    for name in ("SVMLinearClassifier", "SoftmaxClassifier"):
        cv_rows = _table(out, f"{name}: 2-fold cross-validation accuracy")[1:]
        assert len(cv_rows) == 15  # 3 alphas x 5 learning rates
        assert sum(row[-1] == "best" for row in cv_rows) == 1
        # The steps are multiples of "auto", the same for every alpha.
        assert [row[2] for row in cv_rows[:5]] == ["0.111", "0.333", "1", "3", "9"]
    test_rows = dict((row[0], row[1:]) for row in _table(out, "Test accuracy")[:2])
    for accuracy, fit, predict, epochs in test_rows.values():
        assert 0.85 < float(accuracy) <= 1.0
        assert float(fit.rstrip("s")) > 0 and float(predict.rstrip("ms")) > 0
        assert int(epochs.rstrip("*!")) >= 1
    # A fit marked "*" (ran max_iter epochs) or "!" (stopped by tol with a
    # step likely too short) has a line under the table saying so.
    for mark in "*!":
        marked = sum(epochs.endswith(mark) for *_, epochs in test_rows.values())
        assert out.count(f"\n  {mark} ") == marked
    per_class = _table(out, "Accuracy per class")
    assert [row[0] for row in per_class] == [str(k) for k in range(10)]


def test_main_job_on_a_cifar10_archive(archive, capsys):
    assert main(["--data", str(archive), "--cv", "2"]) == 0
    out = capsys.readouterr().out
    assert "25 training and 8 test images of shape (32, 32, 3)" in out
    assert "hog 324, color 30" in out  # HoG() and ColorHistogram() defaults
    assert [row[0] for row in _table(out, "Accuracy per class")][:2] == [
        "airplane", "automobile"]


@pytest.mark.slow
def test_main_job_writes_the_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="the figures need matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    main(["--cv", "2", "--max-train", "300", "--output", str(tmp_path)])
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["cv_grid_SVMLinearClassifier.png",
                       "cv_grid_SoftmaxClassifier.png", "loss_curves.png",
                       "templates.png"]
    assert all((tmp_path / name).stat().st_size > 1000 for name in written)


# --- Mistakes: one line on standard error, and an exit status -------------------


@pytest.mark.parametrize("argv, message", [
    (["--cv", "1"], "--cv 1: cross-validation needs at least 2 folds."),
    (["--cv", "two"], "argument --cv: invalid int value: 'two' (python -m "
     "sklinear --help lists the options)"),
    (["--max-train", "0"], "--max-train 0: pass a positive number of training "
     "images"),
    (["--max-train", "-3"], "--max-train -3: pass a positive number"),
    (["--n-jobs", "0"], "--n-jobs 0: pass the number of fits to run in parallel"),
    (["--random-state", "-1"], "--random-state -1: pass a seed from 0 to 4294967295."),
    (["--random-state", str(2**32)], f"--random-state {2**32}: pass a seed"),
    (["--data-home", "somewhere"], "--data-home is where --dataset cifar10 keeps "
     "the archive: add --dataset cifar10"),
    (["--data", "x", "--dataset", "cifar10"], "argument --dataset: not allowed "
     "with argument --data"),
    (["--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
    (["--ouput", "figures"], "unrecognized arguments: --ouput figures"),
    # Found once the images are loaded: digits has 10 classes, 1347 training
    # images, at most 137 of a class.
    (["--max-train", "5"], "--max-train 5: a stratified sample needs an image of "
     "each of the 10 classes: pass at least 10."),
    (["--cv", "200"], "--cv 200: n_splits=200 cannot be greater than the number "
     "of members in each class. The largest class has 137 training images: pass "
     "a smaller --cv."),
    (["--cv", "20", "--max-train", "100"], "The largest class has 10 training "
     "images: pass a smaller --cv."),
])
def test_usage_errors_are_one_line_with_status_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in _error(capsys)


def test_data_that_is_not_cifar10(tmp_path, archive, capsys):
    not_an_archive = tmp_path / "notes.txt"
    not_an_archive.write_text("not CIFAR-10")
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:-100])
    empty = tmp_path / "empty"
    empty.mkdir()
    for path, message in [
        (tmp_path / "missing.tar.gz", "No such file or folder"),
        (empty, "is not an extracted CIFAR-10 folder"),
        (not_an_archive, "is not the CIFAR-10 python version archive"),
        (truncated, "is not the CIFAR-10 python version archive"),
    ]:
        assert main(["--data", str(path)]) == 2
        error = _error(capsys)
        # load_cifar10's message, which names the path and what was expected.
        assert error.startswith("--data: ") and str(path) in error
        assert message in error


def test_output_that_cannot_take_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    a_file = tmp_path / "figures"
    a_file.write_text("")
    for output, reason in [(a_file, "File exists"),
                           (a_file / "sub", "Not a directory")]:
        assert main(["--output", str(output)]) == 2
        out, err = capsys.readouterr()
        assert err == (f"{ERROR}--output {output}: cannot write figures there "
                       f"({reason}); pass a folder you can write to, or a new one.\n")
        # Refused before the features and the fits.
        assert "features" not in out
    assert a_file.read_text() == ""


def test_offline_download_fails_at_once(tmp_path, monkeypatch, capsys):
    calls = []

    def offline(url, timeout):
        calls.append(url)
        raise URLError(socket.gaierror(-2, "Name or service not known"))

    monkeypatch.setattr(sklinear.datasets._fetch, "urlopen", offline)
    data_home = tmp_path / "data_home"
    assert main(["--dataset", "cifar10", "--data-home", str(data_home)]) == 1
    assert _error(capsys) == (
        "could not download CIFAR-10 ([Errno -2] Name or service not known): "
        "check the connection and run the command again, or download "
        "cifar-10-python.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html "
        "and pass it with --data.")
    # One try, no retries: offline, each would fail the same way, a second later.
    assert len(calls) == 1
    # Nor a partial archive left behind.
    assert not list(data_home.rglob("cifar-10-python.tar.gz*"))


def test_output_without_matplotlib(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["--output", str(tmp_path / "figures")]) == 1
    assert _error(capsys) == (
        "--output draws the figures with matplotlib, which is not installed: "
        "python -m pip install matplotlib, or leave --output out.")
    assert not (tmp_path / "figures").exists()


def test_figures_that_cannot_be_written(tmp_path, archive, monkeypatch, capsys):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.figure

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", disk_full)
    output = tmp_path / "figures"
    assert main(["--data", str(archive), "--cv", "2", "--output", str(output)]) == 1
    assert _error(capsys) == (f"could not write the figures to {output}: "
                              "[Errno 28] No space left on device")


def test_verbose_adds_the_traceback(tmp_path, capsys):
    missing = tmp_path / "missing"
    assert main(["--data", str(missing), "--verbose"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "FileNotFoundError: No such file or folder" in err
    assert err.splitlines()[-1].startswith(f"{ERROR}--data: No such file")
    # Without it, the line alone (the other tests).
    assert main(["--data", str(missing)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_an_interrupted_run(monkeypatch, capsys):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(main_module, "load_digits", interrupt)
    try:
        status = main([])
    except KeyboardInterrupt:  # which would end the test session
        pytest.fail("main let the KeyboardInterrupt through")
    assert status == 130
    out, err = capsys.readouterr()
    assert err == "python -m sklinear: interrupted.\n"
    # The step's line is ended, so that nothing runs on after it.
    assert out == "Loading the images ...\n"


def test_a_mistake_end_to_end(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sklinear", "--data", str(tmp_path / "missing")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"{ERROR}--data: No such file or folder: ")
    assert len(result.stderr.splitlines()) == 1


# --- Convergence in the report --------------------------------------------------


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16, y


@pytest.mark.parametrize("params, epochs, line", [
    # Stopped by its stopping rule: nothing to say.
    ({"alpha": 0.1}, None, None),
    ({"max_iter": 3}, "3*", "* SoftmaxClassifier ran max_iter=3 epochs without "
     "meeting the stopping rule"),
    # A step far too short: tol stops it early, and the estimator warns.
    ({"learning_rate": 1e-6}, "!", "! SoftmaxClassifier stopped after "),
])
def test_a_fit_is_marked_as_it_stopped(digits, params, epochs, line):
    clf = SoftmaxClassifier(random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none escapes: they are kept
        _, notes = main_module._fit(clf, *digits)
    marked, lines = main_module._convergence(clf, notes)
    if epochs is None:
        assert clf.stop_reason_ == "converged"
        assert marked == str(clf.n_iter_) and lines == []
        return
    assert marked == f"{clf.n_iter_}{epochs[-1]}" and marked.startswith(
        epochs[:-1])
    assert len(lines) == 1 and lines[0].startswith(line)
    if epochs.endswith("!"):
        assert clf.stop_reason_ == "converged"
        assert "is likely too short" in lines[0]


def test_the_report_marks_and_explains_each_fit(archive, monkeypatch, capsys):
    # Steps 10,000 times shorter than "auto": the refits stop by tol at once.
    monkeypatch.setattr(main_module, "STEP_MULTIPLES", (1e-4,))
    assert main(["--data", str(archive), "--cv", "2"]) == 0
    out = capsys.readouterr().out
    rows = _table(out, "Test accuracy")
    assert [row[-1][-1] for row in rows[:2]] == ["!", "!"]
    for name in ("SVMLinearClassifier", "SoftmaxClassifier"):
        assert f"\n  ! {name} stopped after " in out
    assert out.count("is likely too short") == 2


def test_the_figures_say_the_templates_are_another_model(
        tmp_path, archive, monkeypatch, capsys):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.figure

    titles = {}
    savefig = matplotlib.figure.Figure.savefig

    def spy(figure, path, **kwargs):
        titles[path.name] = figure.get_suptitle()
        savefig(figure, path, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", spy)
    assert main(["--data", str(archive), "--cv", "2", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert titles["templates.png"].startswith(
        "Templates of an extra SoftmaxClassifier on the standardised raw pixels\n"
        "(not a model of the report; test accuracy ")
    assert (f"  {tmp_path / 'templates.png'}: the weights of an extra "
            "SoftmaxClassifier fitted on the 3072 standardised pixels of each "
            "image, not on the features above: test accuracy ") in out
