"""Coates, Lee and Ng's single-layer k-means features on the CIFAR-10 subset:
test accuracy, time and peak memory for 100, 400 and 1,600 words, with the
hard and the triangle code, in one run.

For each number of words, :class:`~sklinear.KMeansFeatures` (otherwise its
defaults: 6x6 patches at every pixel, contrast normalisation, ZCA whitening,
the four quadrants) learns its whitening and codebook on the 10,000 training
images. The encoding does not enter ``fit``, so one codebook serves both
encodings: for each, ``transform`` computes the features of the 12,000
training and test images (``--n-jobs`` threads, one BLAS thread each).

The classifier is the one of the issue, a linear SVM on standardised
features: ``Pipeline([StandardScaler(), SVMLinearClassifier()])``, the joint
multiclass hinge trained by sklinear's minibatch SGD with a step of ``6 /
n_features`` (see :func:`sgd`) and the adaptive schedule, tuned by
:class:`~sklearn.model_selection.GridSearchCV` over ``alpha`` on the training
features only, with one stratified validation split (8,000 / 2,000), then
refitted on the 10,000 training images and scored once on the 2,000 test
images. (The codebook is learned without labels on all 10,000 training
images, the validation images included, as in the paper.)

With ``--peers``, on the 1,600-word triangle features, the same search for
sklinear's other classifiers (``SVMLinearClassifier`` with the squared hinge,
ten binary squared-hinge SVMs one-vs-rest as in the paper,
``SoftmaxClassifier``) and over ``C`` for scikit-learn's
``LogisticRegression`` (lbfgs, multinomial) and ``LinearSVC`` (liblinear,
one-vs-rest squared hinge, the paper's classifier): time of the search and of
the refit on 10,000 images, and test accuracy. LinearSVC takes minutes per
fit.

Times are the wall clock of one run: on a machine shared with other work,
compare the load average printed before and after. Memory: "peak MB" is the
peak of the allocations traced by :mod:`tracemalloc` while the transformer
is fitted and transforms the 12,000 images (every numpy array, including the
12,000 x n_features float64 features themselves; not BLAS's internal buffers
or the interpreter); "max RSS" is the process's maximum resident set size
from :func:`resource.getrusage` after that row, everything included (the
data, the features kept, earlier rows).

Run:  python benchmarks/bench_bovw.py [--n-words 100 400 1600]
      [--encodings hard triangle] [--n-jobs 2] [--peers]
"""

import argparse
import os
import resource
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedShuffleSplit
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_info

from sklinear import KMeansFeatures, SoftmaxClassifier, SVMLinearClassifier
from sklinear.datasets import load_cifar10

from _data import CIFAR10

ALPHAS = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0, 3.0, 10.0]


def sgd(estimator, n_features, step):
    """An sklinear classifier with a step of ``step / n_features``.

    Standardised features have a mean squared norm of ``n_features``, and
    ``learning_rate="auto"`` takes ``0.1 / n_features``; the k-means features
    are so correlated that steps 10 to 30 times longer are stable, and needed
    to converge in 100 epochs (the largest eigenvalue of their covariance is
    about 900 of a trace of 6,400, where "auto" allows for 6,400).
    """
    return estimator.set_params(
        learning_rate=step / n_features, learning_rate_schedule="adaptive",
        tol=1e-3, max_iter=100, random_state=0,
    )


def svm(n_features):
    """The classifier of the table (see the module docstring)."""
    return sgd(SVMLinearClassifier(), n_features, 6.0)


def tuned(classifier, grid, X_train, y_train):
    """GridSearchCV on one validation split; the search's and refit's times."""
    search = GridSearchCV(
        Pipeline([("scale", StandardScaler()), ("clf", classifier)]),
        {f"clf__{name}": values for name, values in grid.items()},
        cv=StratifiedShuffleSplit(n_splits=1, test_size=2000, random_state=0),
        refit=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        search.fit(X_train, y_train)
    total = time.perf_counter() - started
    return search, search.refit_time_, total


def max_rss_mb():
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(CIFAR10))
    parser.add_argument("--n-words", type=int, nargs="+", default=[100, 400, 1600])
    parser.add_argument("--encodings", nargs="+", default=["hard", "triangle"])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--peers", action="store_true",
                        help="compare classifiers on the largest triangle features")
    args = parser.parse_args()

    X_train, y_train = load_cifar10(args.data, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(args.data, subset="test", return_X_y=True)
    images = np.concatenate([X_train, X_test])
    print("BLAS:", [(i["internal_api"], i["version"], i["num_threads"])
                    for i in threadpool_info()])
    print(f"{len(X_train)} training and {len(X_test)} test images "
          f"{X_train.shape[1:]} uint8; transform n_jobs={args.n_jobs}; "
          f"load average {os.getloadavg()[0]:.1f}\n")
    header = (f"{'words':>5} {'encoding':>8} {'features':>8} {'codebook s':>10} "
              f"{'encode s':>8} {'total s':>7} {'peak MB':>7} {'max RSS':>7} "
              f"{'alpha':>6} {'clf s':>6} {'test acc':>8}")
    print(header)
    print("-" * len(header))
    kept = None
    for n_words in args.n_words:
        transformer = KMeansFeatures(n_words, n_jobs=args.n_jobs, random_state=0)
        tracemalloc.start()
        started = time.perf_counter()
        transformer.fit(X_train)
        codebook_time = time.perf_counter() - started
        fit_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        for encoding in args.encodings:
            transformer.set_params(encoding=encoding)
            tracemalloc.start()
            started = time.perf_counter()
            features = transformer.transform(images)
            encode_time = time.perf_counter() - started
            peak = max(fit_peak, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
            F_train, F_test = features[: len(X_train)], features[len(X_train):]
            search, _, clf_time = tuned(svm(features.shape[1]),
                                        {"alpha": ALPHAS}, F_train, y_train)
            accuracy = search.score(F_test, y_test)
            alpha = search.best_params_["clf__alpha"]
            print(f"{n_words:>5} {encoding:>8} {features.shape[1]:>8} "
                  f"{codebook_time:>10.1f} {encode_time:>8.1f} "
                  f"{codebook_time + encode_time:>7.1f} {peak / 2**20:>7.0f} "
                  f"{max_rss_mb():>7.0f} {alpha:>6.0e} "
                  f"{clf_time:>6.1f} {accuracy:>8.3f}", flush=True)
            if encoding == "triangle":
                kept = F_train, F_test
            del features, F_train, F_test
    print(f"\nload average {os.getloadavg()[0]:.1f}. 'clf s': the grid over "
          f"alpha ({len(ALPHAS)} fits on 8,000 images) and the refit on 10,000.")

    if not args.peers or kept is None:
        return
    F_train, F_test = kept
    print(f"\nClassifiers on the {F_train.shape[1]} features of "
          f"{args.n_words[-1]} triangle-coded words, tuned on the validation "
          "split, refitted on 10,000 images")
    n_features = F_train.shape[1]
    peers = [
        ("SVMLinearClassifier(hinge)", svm(n_features), {"alpha": ALPHAS}),
        # The default step: too short for features this correlated.
        ("SVMLinearClassifier(lr='auto')", SVMLinearClassifier(random_state=0),
         {"alpha": ALPHAS}),
        ("OneVsRest(SVMLinear(squared_hinge))",
         OneVsRestClassifier(
             sgd(SVMLinearClassifier(loss="squared_hinge"), n_features, 2.0)),
         {"estimator__alpha": ALPHAS}),
        ("SVMLinearClassifier(squared_hinge)",
         sgd(SVMLinearClassifier(loss="squared_hinge"), n_features, 2.0),
         {"alpha": ALPHAS}),
        ("SoftmaxClassifier", sgd(SoftmaxClassifier(), n_features, 20.0),
         {"alpha": [1e-3, 3e-3, 1e-2, 3e-2]}),
        ("LogisticRegression(lbfgs)", LogisticRegression(max_iter=1000),
         {"C": [3e-3, 1e-2, 3e-2]}),
        ("LinearSVC", LinearSVC(), {"C": [3e-4, 1e-3, 3e-3]}),
    ]
    print(f"{'classifier':<36} {'best':>12} {'val acc':>7} {'search s':>8} "
          f"{'refit s':>7} {'test acc':>8}")
    for name, classifier, grid in peers:
        search, refit_time, total = tuned(classifier, grid, F_train, y_train)
        (param, value), = search.best_params_.items()
        param = param.rsplit("__", 1)[1]
        print(f"{name:<36} {param:>6}={value:<5.0e} {search.best_score_:>7.3f} "
              f"{total:>8.1f} {refit_time:>7.1f} "
              f"{search.score(F_test, y_test):>8.3f}", flush=True)


if __name__ == "__main__":
    main()
