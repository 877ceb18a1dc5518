"""``python -m sklinear``: train both classifiers and report how they did.

For now the job runs on scikit-learn's bundled ``load_digits`` (8x8 images of
handwritten digits, no download): it standardises the pixels, trains
:class:`~sklinear.SVMLinearClassifier` and :class:`~sklinear.SoftmaxClassifier`,
and prints the test accuracy, the fit time and the training objective per epoch,
with scikit-learn's ``SGDClassifier`` and ``LogisticRegression`` beside them.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from . import SoftmaxClassifier, SVMLinearClassifier, __version__


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m sklinear",
        description=(
            "Train sklinear's multiclass SVM and softmax classifiers on "
            "scikit-learn's load_digits and report test accuracy, fit time and "
            "the loss per epoch, beside scikit-learn's SGDClassifier and "
            "LogisticRegression."
        ),
    )
    parser.add_argument("--test-size", type=float, default=0.25,
                        help="share of the images held out for testing (default 0.25)")
    parser.add_argument("--random-state", type=int, default=0,
                        help="seed of the split and of the SGD shuffling (default 0)")
    parser.add_argument(
        "--version", action="version", version=f"sklinear {__version__}"
    )
    return parser.parse_args(argv)


def _fit_timed(estimator, X, y):
    started = time.perf_counter()
    with warnings.catch_warnings():
        # The report shows the epochs run; a warning line adds nothing to it.
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    return time.perf_counter() - started


def _format_curve(curve, per_line=8):
    lines = []
    for start in range(0, len(curve), per_line):
        values = "  ".join(f"{v:.4f}" for v in curve[start:start + per_line])
        lines.append(f"    {start + 1:>4}: {values}")
    return "\n".join(lines)


def main(argv=None):
    args = _parse_args(argv)
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=args.random_state
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    print(
        f"load_digits: {len(X_train)} training and {len(X_test)} test images of "
        f"{X.shape[1]} pixels, {len(np.unique(y))} classes, standardised.\n"
    )

    seed = args.random_state
    estimators = {
        "sklinear SVMLinearClassifier": SVMLinearClassifier(random_state=seed),
        "sklinear SoftmaxClassifier": SoftmaxClassifier(random_state=seed),
        "sklearn SGDClassifier": SGDClassifier(random_state=seed),
        "sklearn LogisticRegression": LogisticRegression(max_iter=1000),
    }
    rows = []
    for name, estimator in estimators.items():
        seconds = _fit_timed(estimator, X_train, y_train)
        accuracy = estimator.score(X_test, y_test)
        n_iter = int(np.max(estimator.n_iter_))
        rows.append((name, accuracy, seconds, n_iter))
        if hasattr(estimator, "loss_curve_"):
            print(f"{name}: training objective per epoch")
            print(_format_curve(estimator.loss_curve_) + "\n")

    print(f"{'estimator':<30} {'test accuracy':>13} {'fit time':>9} {'epochs':>7}")
    for name, accuracy, seconds, n_iter in rows:
        print(f"{name:<30} {accuracy:>13.4f} {seconds:>8.3f}s {n_iter:>7}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
