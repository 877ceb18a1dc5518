"""Test accuracy and fit time on standardised load_digits: sklinear's two
classifiers with their defaults beside scikit-learn's SGDClassifier and
LogisticRegression, fitted in one process on the same split.

Run:  python benchmarks/bench_digits.py [--seeds 5]
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
from threadpoolctl import threadpool_limits

from sklinear import SoftmaxClassifier, SVMLinearClassifier


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5,
                        help="train/test splits (and SGD seeds) to average over")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    results = {}
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in range(args.seeds):
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, stratify=y, random_state=seed)
            scaler = StandardScaler().fit(X_train)
            X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
            for est in (SVMLinearClassifier(random_state=seed),
                        SoftmaxClassifier(random_state=seed),
                        SGDClassifier(random_state=seed),
                        LogisticRegression(max_iter=1000)):
                started = time.perf_counter()
                est.fit(X_train, y_train)
                seconds = time.perf_counter() - started
                results.setdefault(type(est).__name__, []).append(
                    (est.score(X_test, y_test), seconds, np.max(est.n_iter_)))
    print(f"load_digits, standardised, {args.seeds} stratified 75/25 splits, "
          "one BLAS thread: mean (min) test accuracy, mean fit time, iterations")
    for name, rows in results.items():
        accuracy, seconds, n_iter = np.array(rows).T
        print(f"  {name:<22} {accuracy.mean():.4f} ({accuracy.min():.4f})  "
              f"{seconds.mean() * 1e3:7.1f} ms  {n_iter.mean():5.0f}")


if __name__ == "__main__":
    main()
