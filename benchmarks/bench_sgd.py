"""Training speed on CIFAR-10 pixels: sklinear's classifiers against the BLAS
floor and against scikit-learn, measured side by side in one process.

Data: the CIFAR-10 subset (10,000 training, 2,000 test images), pixels scaled
to [0, 1] and centred by the training mean, float32 (3,072 features).

1. Per-epoch time (batch 256, tol=None) of SVMLinearClassifier and
   SoftmaxClassifier against the bare matrix products of an epoch (scores =
   X_b W and gradient = X_b^T dS for each minibatch of consecutive rows,
   nothing else), and the ratio; beside them, the products of minibatches
   gathered from shuffled rows, as each epoch must. The epoch is timed around
   the optimiser's own epoch function; the whole fit divided by its epochs
   adds the work done once per fit (validation, the curvature estimate).
2. The same number of epochs of SGDClassifier (hinge and log_loss, n_jobs=1):
   time per epoch and test accuracy beside ours.
3. SoftmaxClassifier with its default stopping rule against the best
   LogisticRegression (lbfgs, C chosen from a small grid on the test set, as in
   the data's README) and LinearSVC(multi_class="crammer_singer"): fit time
   and test accuracy.
4. The peak memory fit allocates (tracemalloc), against the size of X.
5. Sparse CSR input: time per epoch and per non-zero as the density falls.

Run:  python benchmarks/bench_sgd.py [--threads 1] [--epochs 10] [--quick]
"""

import argparse
import time
import tracemalloc
import warnings
from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_info, threadpool_limits

from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.datasets import load_cifar10
from sklinear.linear_model import _sgd

from _data import CIFAR10

BATCH = 256


def load(path):
    X_train, y_train = load_cifar10(path, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(path, subset="test", return_X_y=True)
    X_train = X_train.reshape(len(X_train), -1).astype(np.float32) / 255
    X_test = X_test.reshape(len(X_test), -1).astype(np.float32) / 255
    mean = X_train.mean(axis=0)
    return X_train - mean, y_train, X_test - mean, y_test


def bare_products(X, n_classes, repeat, order=None):
    """Best time of the two matrix products of each minibatch of an epoch;
    with ``order``, of those products and the gather of the minibatches' rows."""
    W = np.zeros((X.shape[1], n_classes), dtype=X.dtype)
    scores = np.empty((BATCH, n_classes), dtype=X.dtype)
    grad = np.empty_like(W)
    buffer = np.empty((BATCH, X.shape[1]), dtype=X.dtype)
    best = np.inf
    for _ in range(repeat):
        started = time.perf_counter()
        for start in range(0, len(X), BATCH):
            if order is None:
                X_batch = X[start:start + BATCH]
            else:
                rows = order[start:start + BATCH]
                X_batch = np.take(X, rows, axis=0, out=buffer[:len(rows)],
                                  mode="clip")
            out = scores[: len(X_batch)]
            np.dot(X_batch, W, out=out)
            np.dot(X_batch.T, out, out=grad)
        best = min(best, time.perf_counter() - started)
    return best


@contextmanager
def epoch_timer():
    """Collect the duration of each epoch the optimiser runs, in a list."""
    durations = []
    run_epoch = _sgd._run_epoch

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return run_epoch(*args, **kwargs)
        finally:
            durations.append(time.perf_counter() - started)

    _sgd._run_epoch = timed
    try:
        yield durations
    finally:
        _sgd._run_epoch = run_epoch


def timed_fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        estimator.fit(X, y)
        return time.perf_counter() - started


def per_epoch(estimator, X, y, epochs, repeat):
    """Best time per epoch over ``repeat`` fits of ``epochs`` epochs."""
    return min(timed_fit(estimator, X, y) for _ in range(repeat)) / epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(CIFAR10))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="skip LogisticRegression and LinearSVC")
    args = parser.parse_args()
    X, y, X_test, y_test = load(args.data)
    n_classes = len(np.unique(y))

    with threadpool_limits(args.threads):
        blas = [f"{i['internal_api']} {i['version']} ({i['num_threads']} threads, "
                f"{i.get('architecture')})" for i in threadpool_info()
                if i["user_api"] == "blas"]
        print(f"BLAS: {'; '.join(blas)}")
        print(f"CIFAR-10 subset: X {X.shape} {X.dtype}, {len(X_test)} test images, "
              f"batch {BATCH}, {args.epochs} epochs per fit, best of {args.repeat}\n")

        ours = {
            "SVMLinearClassifier": SVMLinearClassifier(
                batch_size=BATCH, max_iter=args.epochs, tol=None, random_state=0),
            "SoftmaxClassifier": SoftmaxClassifier(
                batch_size=BATCH, max_iter=args.epochs, tol=None, random_state=0),
        }
        peers = {
            "SGDClassifier(hinge)": SGDClassifier(
                loss="hinge", max_iter=args.epochs, tol=None, random_state=0),
            "SGDClassifier(log_loss)": SGDClassifier(
                loss="log_loss", max_iter=args.epochs, tol=None, random_state=0),
        }
        # Interleave the floors and our fits, so that all see the machine alike.
        order = np.random.RandomState(0).permutation(len(X))
        floor = gathered = np.inf
        epochs = {name: np.inf for name in ours}
        times = {name: np.inf for name in ours}
        for _ in range(args.repeat):
            floor = min(floor, bare_products(X, n_classes, 1))
            gathered = min(gathered, bare_products(X, n_classes, 1, order))
            for name, est in ours.items():
                with epoch_timer() as durations:
                    times[name] = min(times[name],
                                      per_epoch(est, X, y, args.epochs, 1))
                epochs[name] = min(epochs[name], min(durations))
        print(f"1. Per epoch: bare matrix products {floor * 1e3:.1f} ms; with the "
              f"gather of shuffled rows {gathered * 1e3:.1f} ms "
              f"({gathered / floor:.2f}x)")
        for name in ours:
            print(f"   {name:<24} epoch {epochs[name] * 1e3:6.1f} ms "
                  f"{epochs[name] / floor:.2f}x the products; "
                  f"fit / epochs {times[name] * 1e3:6.1f} ms "
                  f"{times[name] / floor:.2f}x")

        print(f"\n2. {args.epochs} epochs each: time per epoch, test accuracy")
        reference = times["SVMLinearClassifier"]
        for name, est in peers.items():
            seconds = per_epoch(est, X, y, args.epochs, 1)
            times[name] = seconds
        for name, est in {**ours, **peers}.items():
            accuracy = est.score(X_test, y_test)
            print(f"   {name:<24} {times[name] * 1e3:7.1f} ms/epoch "
                  f"({times[name] / reference:5.1f}x SVMLinearClassifier's)  "
                  f"test accuracy {accuracy:.4f}")

        print("\n3. To convergence: fit time, test accuracy")
        default = SoftmaxClassifier(random_state=0)
        seconds = timed_fit(default, X, y)
        rows = [("SoftmaxClassifier()", seconds, default.score(X_test, y_test),
                 f"{default.n_iter_} epochs")]
        if not args.quick:
            best = None
            for C in (0.001, 0.01, 0.1):
                lr = LogisticRegression(C=C, max_iter=1000)
                lr_seconds = timed_fit(lr, X, y)
                accuracy = lr.score(X_test, y_test)
                rows.append((f"LogisticRegression(C={C})", lr_seconds, accuracy,
                             f"{int(lr.n_iter_[0])} iterations"))
                if best is None or accuracy > best[2]:
                    best = rows[-1]
            svc = LinearSVC(multi_class="crammer_singer", C=0.001, random_state=0)
            rows.append(("LinearSVC(crammer_singer, C=0.001)", timed_fit(svc, X, y),
                         svc.score(X_test, y_test), f"{svc.n_iter_} iterations"))
        for name, seconds, accuracy, note in rows:
            print(f"   {name:<36} {seconds:7.2f} s  test accuracy {accuracy:.4f}  "
                  f"({note})")
        if not args.quick:
            print(f"   SoftmaxClassifier(): {rows[0][1] / best[1]:.3f} of the time of "
                  f"the best LogisticRegression, accuracy {rows[0][2] - best[2]:+.4f}")

        tracemalloc.start()
        SoftmaxClassifier(max_iter=2, tol=None, random_state=0).fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"\n4. Peak allocation of fit: {peak / 2**20:.1f} MiB, "
              f"{peak / X.nbytes:.3f} of X ({X.nbytes / 2**20:.0f} MiB)")

        print("\n5. Sparse CSR, SoftmaxClassifier, random values at a given density")
        for n_features in (3072, 100_000):
            for density in (1.0, 0.1, 0.01, 0.001):
                if len(X) * n_features * density > 4e7:
                    continue
                X_sparse = sp.random(len(X), n_features, density=density,
                                     format="csr", dtype=np.float32, random_state=0)
                est = SoftmaxClassifier(max_iter=3, tol=None, random_state=0)
                seconds = per_epoch(est, X_sparse, y, 3, 2)
                print(f"   {n_features:>7} features, density {density:<6} "
                      f"{X_sparse.nnz:>11,} non-zeros: {seconds * 1e3:7.1f} ms/epoch, "
                      f"{seconds / X_sparse.nnz * 1e9:6.1f} ns per non-zero")


if __name__ == "__main__":
    main()
