"""The main job, ``python -m sklinear``."""

import subprocess
import sys

from sklinear.__main__ import main


def test_main_job_reports_accuracy_time_and_loss_curve(capsys):
    assert main(["--random-state", "1"]) == 0
    out = capsys.readouterr().out
    assert "training objective per epoch" in out
    table = out[out.index("test accuracy"):].splitlines()[1:]
    rows = {line[:30].strip(): line[30:].split() for line in table}
    assert set(rows) == {
        "sklinear SVMLinearClassifier", "sklinear SoftmaxClassifier",
        "sklearn SGDClassifier", "sklearn LogisticRegression",
    }
    for accuracy, seconds, epochs in rows.values():
        assert 0.9 < float(accuracy) <= 1.0
        assert float(seconds.rstrip("s")) > 0
        assert int(epochs) >= 1


def test_help_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "sklinear", "--help"],
        capture_output=True, text=True, check=True,
    )
    assert "--random-state" in result.stdout
