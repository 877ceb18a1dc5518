"""Does learning_rate="auto" land where the best hand-tuned step does?

On four feature sets (the main job's HoG and colour features of load_digits;
the CIFAR-10 subset's raw pixels, its HoG and colour features, and
KMeansFeatures() of it, each standardised), for each alpha in {1e-4, 1e-3,
1e-2, 1e-1}, both classifiers are fitted with learning_rate="auto" and with
fixed steps from 1/27 to 27 times the auto step (powers of 3; a number passed
as learning_rate serves the intercept too), everything else at its default.
The table gives the test accuracy of each, marks the fits that ran max_iter
epochs (*) or recovered from a diverging epoch (b), and the gap between auto
and the best fixed step. Then, with --peers, SoftmaxClassifier() against the
best LogisticRegression (lbfgs, C from a small grid) on the pixels and on the
k-means features: accuracy and fit time.

The features are computed once and kept in benchmarks/.cache (plain .npy
files, read with allow_pickle=False).

Run:  python benchmarks/bench_defaults.py [--threads 1] [--sets digits,pixels]
      [--peers]
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklinear import (
    ColorHistogram,
    HoG,
    KMeansFeatures,
    SoftmaxClassifier,
    SVMLinearClassifier,
)
from sklinear.datasets import load_cifar10

from _data import CIFAR10

CACHE = Path(__file__).parent / ".cache"
ALPHAS = (1e-4, 1e-3, 1e-2, 1e-1)
MULTIPLES = tuple(3.0**k for k in range(-3, 4))
CLASSIFIERS = {"SVMLinear": SVMLinearClassifier, "Softmax": SoftmaxClassifier}


def _digits():
    # As the main job extracts them (python -m sklinear).
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.images / 16.0, digits.target, test_size=0.25,
        stratify=digits.target, random_state=0)
    features = FeatureUnion([
        ("hog", HoG(pixels_per_cell=2, cells_per_block=2)),
        ("color", ColorHistogram(color_space="rgb")),
    ])
    return features.fit_transform(X_train), features.transform(X_test), y_train, y_test


def _cifar(kind):
    def extract():
        train = load_cifar10(CIFAR10, subset="train", return_X_y=True)
        test = load_cifar10(CIFAR10, subset="test", return_X_y=True)
        if kind == "pixels":
            return (train[0].reshape(len(train[0]), -1),
                    test[0].reshape(len(test[0]), -1), train[1], test[1])
        features = (
            FeatureUnion([("hog", HoG()), ("color", ColorHistogram())])
            if kind == "hog+colour" else KMeansFeatures(random_state=0, n_jobs=-1)
        )
        return (features.fit_transform(train[0]), features.transform(test[0]),
                train[1], test[1])
    return extract


SETS = {
    "digits": _digits,
    "pixels": _cifar("pixels"),
    "hog+colour": _cifar("hog+colour"),
    "kmeans": _cifar("kmeans"),
}


def load(name):
    """Standardised float32 features of the set ``name``, cached."""
    folder = CACHE / name.replace("+", "_")
    parts = ("X_train", "X_test", "y_train", "y_test")
    if not all((folder / f"{part}.npy").is_file() for part in parts):
        started = time.perf_counter()
        X_train, X_test, y_train, y_test = SETS[name]()
        scaler = StandardScaler().fit(X_train)
        arrays = (scaler.transform(X_train).astype(np.float32),
                  scaler.transform(X_test).astype(np.float32), y_train, y_test)
        folder.mkdir(parents=True, exist_ok=True)
        for part, array in zip(parts, arrays, strict=True):
            np.save(folder / f"{part}.npy", array, allow_pickle=False)
        seconds = time.perf_counter() - started
        print(f"   ({name}: features extracted in {seconds:.0f} s)")
    return [np.load(folder / f"{part}.npy", allow_pickle=False) for part in parts]


def fit(estimator, X, y, X_test, y_test):
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            estimator.fit(X, y)
        except ValueError:
            return None
    seconds = time.perf_counter() - started
    mark = ("*" if estimator.stop_reason_ == "max_iter"
            else "b" if estimator.n_backoffs_ else " ")
    return estimator.score(X_test, y_test), mark, estimator.n_iter_, seconds


def table(sets):
    header = " ".join(f"{'x' + format(m, '.3g'):>7}" for m in MULTIPLES)
    print(f"{'set':<11}{'classifier':<10}{'alpha':>7} {'auto':>8} {'epochs':>6} "
          f"{'time':>6} | {header} | {'auto - best':>11}")
    gaps = []
    for name in sets:
        X, X_test, y, y_test = load(name)
        for clf_name, cls in CLASSIFIERS.items():
            for alpha in ALPHAS:
                auto = cls(alpha=alpha, random_state=0)
                accuracy, mark, epochs, seconds = fit(auto, X, y, X_test, y_test)
                cells, best = [], -np.inf
                for multiple in MULTIPLES:
                    result = fit(cls(alpha=alpha, random_state=0,
                                     learning_rate=multiple * auto.learning_rate_),
                                 X, y, X_test, y_test)
                    if result is None:
                        cells.append(f"{'error':>7}")
                        continue
                    cells.append(f"{100 * result[0]:6.1f}{result[1]}")
                    best = max(best, result[0])
                gap = 100 * (accuracy - best)
                gaps.append(gap)
                print(f"{name:<11}{clf_name:<10}{alpha:>7.0e} {100 * accuracy:7.1f}"
                      f"{mark} {epochs:>6} {seconds:5.1f}s | {' '.join(cells)} | "
                      f"{gap:+11.1f}", flush=True)
    within = np.sum(np.array(gaps) >= -1)
    print(f"\nauto within 1 point of the best fixed step in {within} of {len(gaps)} "
          f"cases; largest shortfall {-min(gaps):.1f} points.")


def peers():
    print("\nSoftmaxClassifier() against the best LogisticRegression (lbfgs)")
    for name in ("pixels", "kmeans"):
        X, X_test, y, y_test = load(name)
        ours = fit(SoftmaxClassifier(random_state=0), X, y, X_test, y_test)
        best = None
        for C in (1e-4, 1e-3, 1e-2):
            result = fit_lr(LogisticRegression(C=C, max_iter=1000),
                            X, y, X_test, y_test)
            if best is None or result[0] > best[0]:
                best = (*result, C)
        print(f"   {name:<7} SoftmaxClassifier() {100 * ours[0]:.1f}% in "
              f"{ours[3]:.2f} s ({ours[2]} epochs); LogisticRegression(C={best[2]:g}) "
              f"{100 * best[0]:.1f}% in {best[1]:.2f} s: {ours[3] / best[1]:.3f} of "
              f"its time, {100 * (ours[0] - best[0]):+.1f} points")


def fit_lr(estimator, X, y, X_test, y_test):
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    return estimator.score(X_test, y_test), time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--peers", action="store_true")
    args = parser.parse_args()
    with threadpool_limits(args.threads):
        print(f"Test accuracy (%), {args.threads} BLAS thread(s); fixed steps as "
              "multiples of the auto step\n")
        table(args.sets.split(","))
        if args.peers:
            peers()


if __name__ == "__main__":
    main()
