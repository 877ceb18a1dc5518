"""The main job, ``python -m sklinear``."""

import subprocess
import sys

import pytest
from _cifar10_files import make_batches, write_archive

from sklinear.__main__ import main


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
        assert int(epochs.rstrip("*")) >= 1
    # A "*" marks a fit that ran max_iter epochs, and then the report says so.
    marked = any(epochs.endswith("*") for *_, epochs in test_rows.values())
    assert ("*: training ran max_iter epochs" in out) == marked
    per_class = _table(out, "Accuracy per class")
    assert [row[0] for row in per_class] == [str(k) for k in range(10)]


def test_main_job_on_a_cifar10_archive(tmp_path, capsys):
    archive = write_archive(tmp_path / "cifar-10-python.tar.gz", make_batches())
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


def test_help_documents_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "sklinear", "--help"],
        capture_output=True, text=True, check=True,
    )
    for option in ("--data", "--dataset", "--data-home", "--max-train", "--cv",
                   "--n-jobs", "--random-state", "--output"):
        assert option in result.stdout
