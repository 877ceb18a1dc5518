"""``python -m sklinear``: classify images with the linear models, end to end.

Loads images, extracts HoG and colour-histogram features, standardises them,
lets GridSearchCV choose ``alpha`` and ``learning_rate`` for both classifiers by
k-fold cross-validation, and prints a report: the cross-validation table, the
test accuracy of each classifier, the accuracy per class, fit and predict times.
With no arguments it runs on scikit-learn's bundled ``load_digits``; ``--data``
takes a CIFAR-10 archive or folder, ``--dataset cifar10`` downloads it once.
``--output DIR`` writes the figures (weight templates, loss curves, the
cross-validation grids) as PNG files. ``python -m sklinear --help`` lists every
option.
"""

import argparse
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from . import ColorHistogram, HoG, SoftmaxClassifier, SVMLinearClassifier, __version__

ALPHAS = (1e-4, 1e-2, 1.0)
# Steps as multiples of the one learning_rate="auto" takes from the curvature
# of the problem (at the smallest alpha, so that the grid is the same for each).
STEP_MULTIPLES = (1 / 9, 1 / 3, 1.0, 3.0, 9.0)


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m sklinear",
        description=(
            "Classify images with sklinear's multiclass SVM and softmax "
            "classifiers on HoG and colour-histogram features, tuned by "
            "cross-validation, and report how they did."
        ),
        epilog=(
            "python -m sklinear demo starts the interactive demo of linear "
            "classification in the browser instead (python -m sklinear demo "
            "--help lists its options; needs Bokeh: the demo extra)."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--data", metavar="PATH", type=Path,
        help="a CIFAR-10 archive (cifar-10-python.tar.gz) or its extracted "
        "cifar-10-batches-py folder, in the official python format",
    )
    source.add_argument(
        "--dataset", choices=("digits", "cifar10"), default="digits",
        help="digits: scikit-learn's bundled load_digits, 8x8 images, no "
        "download (default); cifar10: download the official CIFAR-10 archive on "
        "first use, verify its checksum and cache it (see --data-home)",
    )
    parser.add_argument(
        "--data-home", metavar="DIR",
        help="where --dataset cifar10 caches the archive (default: the "
        "SCIKIT_LEARN_DATA environment variable, else ~/scikit_learn_data)",
    )
    parser.add_argument(
        "--max-train", type=int, metavar="N",
        help="use at most N training images (a stratified sample), for a quick "
        "run on the full CIFAR-10",
    )
    parser.add_argument("--cv", type=int, default=5, metavar="K",
                        help="folds of the cross-validation (default 5)")
    parser.add_argument("--n-jobs", type=int, default=None, metavar="N",
                        help="fits run in parallel by GridSearchCV (default 1)")
    parser.add_argument("--random-state", type=int, default=0, metavar="SEED",
                        help="seed of the splits and of SGD's shuffling (default 0)")
    parser.add_argument(
        "--output", metavar="DIR", type=Path,
        help="write the figures there as PNG files (needs matplotlib)",
    )
    parser.add_argument("--version", action="version",
                        version=f"sklinear {__version__}")
    return parser.parse_args(argv)


@contextmanager
def _step(message):
    """Print what is being done, then how long it took."""
    print(f"{message} ...", end="", flush=True)
    started = time.perf_counter()
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


def _load(args):
    """Training and test images, their classes, class names and a description."""
    if args.data is None and args.dataset == "digits":
        digits = load_digits()
        # 0..16 intensities; features expect float images in [0, 1].
        images = digits.images / 16.0
        X_train, X_test, y_train, y_test = train_test_split(
            images, digits.target, test_size=0.25, stratify=digits.target,
            random_state=args.random_state,
        )
        names = [str(name) for name in digits.target_names]
        return X_train, X_test, y_train, y_test, names, "load_digits"
    from .datasets import fetch_cifar10, load_cifar10

    if args.data is not None:
        train = load_cifar10(args.data, subset="train")
        test = load_cifar10(args.data, subset="test", return_X_y=True)
        source = f"CIFAR-10 from {args.data}"
    else:
        train = fetch_cifar10(data_home=args.data_home, subset="train")
        test = fetch_cifar10(data_home=args.data_home, subset="test", return_X_y=True)
        source = "CIFAR-10 (fetch_cifar10)"
    return (train.images, test[0], train.target, test[1],
            [str(name) for name in train.target_names], source)


def _features(image_shape):
    """HoG and colour histograms, with cells that suit the size of the images."""
    if min(image_shape[:2]) >= 24:
        hog = HoG()  # scikit-image's defaults: 8x8 cells, blocks of 3x3 cells
    else:
        hog = HoG(pixels_per_cell=2, cells_per_block=2)
    colour = len(image_shape) == 3 and image_shape[2] == 3
    histogram = ColorHistogram() if colour else ColorHistogram(color_space="rgb")
    return FeatureUnion([("hog", hog), ("color", histogram)])


def _cv_table(name, search, auto):
    results = search.cv_results_
    order = np.lexsort((results["param_clf__learning_rate"].astype(float),
                        results["param_clf__alpha"].astype(float)))
    lines = [f"  {name}: {search.n_splits_}-fold cross-validation accuracy",
             f"    {'alpha':>8} {'learning_rate':>14} {'x auto':>7} {'accuracy':>17} "
             f"{'fit time':>9}"]
    for i in order:
        best = "  <- best" if i == search.best_index_ else ""
        learning_rate = results["param_clf__learning_rate"][i]
        lines.append(
            f"    {results['param_clf__alpha'][i]:>8.0e} "
            f"{learning_rate:>14.2e} {learning_rate / auto:>7.3g} "
            f"{results['mean_test_score'][i]:>9.4f} "
            f"± {results['std_test_score'][i]:.4f} "
            f"{results['mean_fit_time'][i]:>8.3f}s{best}"
        )
    return "\n".join(lines)


def _figures(output, searches, X_train_images, y_train, names, random_state):
    import matplotlib.pyplot as plt

    from .inspection import (
        GridSearchHeatmapDisplay,
        LossCurveDisplay,
        WeightImageDisplay,
    )

    output.mkdir(parents=True, exist_ok=True)
    written = []
    # Templates are images only when the features are the pixels: a softmax
    # classifier on the standardised pixels, as in the course's figure.
    image_shape = X_train_images.shape[1:]
    pixels = X_train_images.reshape(len(X_train_images), -1)
    on_pixels = Pipeline([("scale", StandardScaler()),
                          ("clf", SoftmaxClassifier(random_state=random_state))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        on_pixels.fit(pixels, y_train)
    display = WeightImageDisplay.from_estimator(
        on_pixels, image_shape=image_shape, display_labels=names)
    written.append(_save(display.figure_, output / "templates.png"))
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, search in searches.items():
        LossCurveDisplay.from_estimator(search.best_estimator_, ax=ax, name=name)
    ax.set_title("Training objective per epoch (best of each search)")
    written.append(_save(fig, output / "loss_curves.png"))
    for name, search in searches.items():
        display = GridSearchHeatmapDisplay.from_estimator(
            search, x="clf__learning_rate", y="clf__alpha")
        display.ax_.set_title(f"{name}: cross-validation accuracy")
        written.append(_save(display.figure_, output / f"cv_grid_{name}.png"))
    plt.close("all")
    return written


def _save(figure, path):
    figure.savefig(path, dpi=120, bbox_inches="tight")
    return path


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["demo"]:
        # The interactive demo has its own options and needs Bokeh: imported
        # only when asked for.
        from .demo import main as demo_main

        return demo_main(argv[1:])
    args = _parse_args(argv)
    if args.output is not None:
        from sklearn.utils._optional_dependencies import check_matplotlib_support

        check_matplotlib_support("python -m sklinear --output")
    started = time.perf_counter()
    with _step("Loading the images"):
        X_train, X_test, y_train, y_test, names, source = _load(args)
        if args.max_train is not None and args.max_train < len(X_train):
            X_train, _, y_train, _ = train_test_split(
                X_train, y_train, train_size=args.max_train, stratify=y_train,
                random_state=args.random_state,
            )
    print(f"{source}: {len(X_train)} training and {len(X_test)} test images of "
          f"shape {X_train.shape[1:]}, {len(names)} classes.")

    features = _features(X_train.shape[1:])
    with _step("Extracting HoG and colour-histogram features"):
        F_train = features.fit_transform(X_train).astype(np.float32)
        F_test = features.transform(X_test).astype(np.float32)
    n_features = F_train.shape[1]
    print(f"{n_features} features per image: "
          + ", ".join(f"{name} {len(transformer.get_feature_names_out())}"
                      for name, transformer in features.transformer_list) + ".\n")

    cv = StratifiedKFold(args.cv, shuffle=True, random_state=args.random_state)
    estimators = {
        "SVMLinearClassifier": SVMLinearClassifier(random_state=args.random_state),
        "SoftmaxClassifier": SoftmaxClassifier(random_state=args.random_state),
    }
    searches, autos, rows = {}, {}, []
    n_candidates = len(ALPHAS) * len(STEP_MULTIPLES)
    for name, clf in estimators.items():
        pipeline = Pipeline([("scale", StandardScaler()), ("clf", clf)])
        # The step "auto" takes on these features: fitting reads it before
        # the first epoch, and one epoch is enough to get it.
        auto = (clone(pipeline).set_params(clf__alpha=min(ALPHAS), clf__max_iter=1,
                                           clf__tol=None)
                .fit(F_train, y_train)[-1].learning_rate_)
        grid = {"clf__alpha": list(ALPHAS),
                "clf__learning_rate": [m * auto for m in STEP_MULTIPLES]}
        search = GridSearchCV(pipeline, grid, cv=cv, n_jobs=args.n_jobs)
        with _step(f"Cross-validating {name} over {n_candidates} candidates x "
                   f"{args.cv} folds"), warnings.catch_warnings():
            # The report shows the epochs each fit ran.
            warnings.simplefilter("ignore", ConvergenceWarning)
            search.fit(F_train, y_train)
        predict_started = time.perf_counter()
        predicted = search.predict(F_test)
        predict_time = time.perf_counter() - predict_started
        searches[name] = search
        autos[name] = auto
        refitted = search.best_estimator_[-1]
        hit_max_iter = refitted.stop_reason_ == "max_iter"
        epochs = f"{refitted.n_iter_}{'*' if hit_max_iter else ''}"
        rows.append((name, np.mean(predicted == y_test), search.refit_time_,
                     predict_time, epochs, predicted))

    print()
    for name, search in searches.items():
        print(_cv_table(name, search, autos[name]) + "\n")
    print(f"  {'Test accuracy':<22} {'accuracy':>9} {'fit':>8} {'predict':>8} "
          f"{'epochs':>7}")
    for name, accuracy, fit_time, predict_time, epochs, _ in rows:
        print(f"  {name:<22} {accuracy:>9.4f} {fit_time:>7.3f}s "
              f"{predict_time * 1e3:>6.1f}ms {epochs:>7}")
    print("  (fit: refitting the best candidate on all training images; predict: "
          f"{len(X_test)} test images)")
    if any(row[4].endswith("*") for row in rows):
        print("  (*: training ran max_iter epochs without meeting its stopping rule)")
    print()

    print(f"  {'Accuracy per class':<22}" + "".join(f"{name:>22}"
                                                   for name, *_ in rows))
    for k, class_name in enumerate(names):
        in_class = y_test == k
        if not in_class.any():
            print(f"  {class_name:<22}" + f"{'(no test image)':>22}" * len(rows))
            continue
        print(f"  {class_name:<22}" + "".join(
            f"{np.mean(row[-1][in_class] == k):>22.3f}" for row in rows))

    if args.output is not None:
        with _step(f"\nWriting the figures to {args.output}"):
            written = _figures(args.output, searches, X_train, y_train, names,
                               args.random_state)
        for path in written:
            print(f"  {path}")
    print(f"\nDone in {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
