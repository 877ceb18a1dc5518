"""Test accuracy on the CIFAR-10 subset: pixels, HoG, HoG + colour, + visual words.

For each feature set, SVMLinearClassifier and SoftmaxClassifier are tuned by
GridSearchCV (3-fold, over alpha and learning_rate) and scikit-learn's
LogisticRegression by GridSearchCV over C, each inside a pipeline with a
StandardScaler; the best of each is scored on the 2,000 test images.

Features are extracted once for the training and the test images (they are
unsupervised; the visual-word codebook is learned on the training images only),
so the search repeats only the scaler and the classifier.

Run:  python benchmarks/accuracy_cifar10.py [--data PATH] [--rows pixels,hog,...]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits

from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.datasets import load_cifar10
from sklinear.feature_extraction import BagOfVisualWords, ColorHistogram, HoG

from _data import CIFAR10


def pixels(images):
    """Raw pixels in [0, 1], one row per image."""
    return images.reshape(len(images), -1).astype(np.float32) / 255


FEATURES = {
    "pixels": lambda: FunctionTransformer(pixels),
    "hog": lambda: HoG(),
    "hog+color": lambda: FeatureUnion([("hog", HoG()), ("color", ColorHistogram())]),
    "hog+color+bovw": lambda: FeatureUnion([
        ("hog", HoG()), ("color", ColorHistogram()),
        ("bovw", BagOfVisualWords(random_state=0)),
    ]),
}


def searches(n_features):
    # learning_rate on the scale of "auto": standardised features have
    # mean squared norm n_features.
    rates = [c / n_features for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)]
    alphas = [1e-4, 1e-3, 1e-2, 1e-1]
    sgd_grid = {"clf__alpha": alphas, "clf__learning_rate": rates}
    return {
        "SVMLinearClassifier": (SVMLinearClassifier(random_state=0), sgd_grid),
        "SoftmaxClassifier": (SoftmaxClassifier(random_state=0), sgd_grid),
        "LogisticRegression": (
            LogisticRegression(max_iter=1000),
            {"clf__C": [1e-3, 1e-2, 1e-1, 1.0]},
        ),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(CIFAR10))
    parser.add_argument("--rows", default=",".join(FEATURES))
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args()
    print("BLAS:", [(i["internal_api"], i["num_threads"]) for i in threadpool_info()])

    X_train, y_train = load_cifar10(args.data, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(args.data, subset="test", return_X_y=True)
    print(f"{len(X_train)} training and {len(X_test)} test images\n")
    table = []
    for row in args.rows.split(","):
        started = time.perf_counter()
        features = FEATURES[row]().fit(X_train)
        F_train = features.transform(X_train).astype(np.float32)
        F_test = features.transform(X_test).astype(np.float32)
        seconds = time.perf_counter() - started
        print(f"{row}: {F_train.shape[1]} features in {seconds:.1f} s")
        for name, (clf, grid) in searches(F_train.shape[1]).items():
            pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])
            search = GridSearchCV(pipe, grid, cv=3, n_jobs=args.n_jobs)
            started = time.perf_counter()
            with warnings.catch_warnings(), threadpool_limits(1):
                warnings.simplefilter("ignore", ConvergenceWarning)
                search.fit(F_train, y_train)
            seconds = time.perf_counter() - started
            accuracy = search.score(F_test, y_test)
            best = {k.split("__")[1]: v for k, v in search.best_params_.items()}
            print(f"  {name:<20} test {accuracy:.4f}  cv {search.best_score_:.4f}  "
                  f"best {best}  search {seconds:.0f} s")
            table.append((row, name, accuracy))
    print("\nfeatures          " + "  ".join(f"{n:>19}" for n in searches(1)))
    for row in dict.fromkeys(r for r, _, _ in table):
        values = [a for r, _, a in table if r == row]
        print(f"{row:<17} " + "  ".join(f"{v:>19.4f}" for v in values))


if __name__ == "__main__":
    main()
