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

A mistake on the command line (a bad option, a number out of range, data that
is not CIFAR-10, a folder that cannot take the figures) is reported in one line
on standard error with exit status 2, argparse's for usage errors; a run that
fails for something outside the command line (the download, a missing
matplotlib, writing the figures) in one line with exit status 1. ``--verbose``
adds the traceback.
"""

import argparse
import http.client
import sys
import tempfile
import time
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from . import ColorHistogram, HoG, SoftmaxClassifier, SVMLinearClassifier, __version__

PROG = "python -m sklinear"
# Exit statuses: argparse's for a command line to change, and one for a run
# that failed for something else (as an uncaught exception would exit).
USAGE_ERROR, RUN_ERROR = 2, 1
# The errors on which fetch_cifar10 retries a download: the network's.
NETWORK_ERRORS = (URLError, TimeoutError, ConnectionError, http.client.HTTPException)
CIFAR10_PAGE = "https://www.cs.toronto.edu/~kriz/cifar.html"

ALPHAS = (1e-4, 1e-2, 1.0)
# Steps as multiples of the one learning_rate="auto" takes from the curvature
# of the problem (at the smallest alpha, so that the grid is the same for each).
STEP_MULTIPLES = (1 / 9, 1 / 3, 1.0, 3.0, 9.0)


class _Failure(Exception):
    """A mistake or failure reported in one line, with the exit status to return."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse's parser, reporting its errors as :class:`_Failure`.

    argparse prints the usage (several lines) before the error; the error alone,
    and where the options are listed, says what to do.
    """

    def error(self, message):
        raise _Failure(f"{message} ({self.prog} --help lists the options)",
                       USAGE_ERROR)


def _parse_args(argv):
    parser = _Parser(
        prog=PROG,
        description=(
            "Classify images with sklinear's multiclass SVM and softmax "
            "classifiers on HoG and colour-histogram features, tuned by "
            "cross-validation, and report how they did."
        ),
        epilog=(
            "A mistake on the command line exits with status 2, a run that "
            "fails otherwise (a download, writing the figures) with status 1, "
            "each with one line on standard error. "
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
        help="with --dataset cifar10, where it caches the archive (default: the "
        "SCIKIT_LEARN_DATA environment variable, else ~/scikit_learn_data)",
    )
    parser.add_argument(
        "--max-train", type=int, metavar="N",
        help="use at most N training images (a stratified sample), for a quick "
        "run on the full CIFAR-10",
    )
    parser.add_argument("--cv", type=int, default=5, metavar="K",
                        help="folds of the cross-validation, at least 2 (default 5)")
    parser.add_argument("--n-jobs", type=int, default=None, metavar="N",
                        help="fits run in parallel by GridSearchCV (default 1; "
                        "-1: one per core)")
    parser.add_argument("--random-state", type=int, default=0, metavar="SEED",
                        help="seed of the splits and of SGD's shuffling, from 0 "
                        "to 4294967295 (default 0)")
    parser.add_argument(
        "--output", metavar="DIR", type=Path,
        help="write the figures there as PNG files (needs matplotlib)",
    )
    parser.add_argument("--verbose", action="store_true",
                        help="on an error, print its traceback too")
    parser.add_argument("--version", action="version",
                        version=f"sklinear {__version__}")
    args = parser.parse_args(argv)
    _check_args(args)
    return args


def _check_args(args):
    """Refuse, before any work, the values that the options' types let through."""
    if args.cv < 2:
        raise _Failure(f"--cv {args.cv}: cross-validation needs at least 2 folds.",
                       USAGE_ERROR)
    if args.max_train is not None and args.max_train < 1:
        raise _Failure(
            f"--max-train {args.max_train}: pass a positive number of training "
            "images, or leave the option out to use them all.", USAGE_ERROR)
    if args.n_jobs == 0:
        raise _Failure("--n-jobs 0: pass the number of fits to run in parallel "
                       "(1 or more), or -1 for one per core.", USAGE_ERROR)
    if not 0 <= args.random_state < 2**32:
        raise _Failure(f"--random-state {args.random_state}: pass a seed from 0 to "
                       f"{2**32 - 1}.", USAGE_ERROR)
    if args.data_home is not None and args.dataset != "cifar10":
        # Otherwise the job would run on digits (or --data) and ignore it.
        raise _Failure("--data-home is where --dataset cifar10 keeps the archive: "
                       "add --dataset cifar10, or leave --data-home out.",
                       USAGE_ERROR)


@contextmanager
def _step(message):
    """Print what is being done, then how long it took."""
    print(f"{message} ...", end="", flush=True)
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        # An error message starts on a line of its own.
        print(flush=True)
        raise
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
        try:
            train = load_cifar10(args.data, subset="train")
            test = load_cifar10(args.data, subset="test", return_X_y=True)
        except (OSError, ValueError) as exc:
            # Its messages name the path and what was expected there.
            raise _Failure(f"--data: {exc}", USAGE_ERROR) from exc
        source = f"CIFAR-10 from {args.data}"
    else:
        try:
            # No retries: offline, each would fail as the first did, after a
            # second's wait; a broken download is started again by running
            # the command again, as a retry would, from the first byte.
            train = fetch_cifar10(data_home=args.data_home, subset="train",
                                  n_retries=0)
            test = fetch_cifar10(data_home=args.data_home, subset="test",
                                 return_X_y=True, n_retries=0)
        except NETWORK_ERRORS as exc:
            reason = exc.reason if isinstance(exc, URLError) else exc
            raise _Failure(
                f"could not download CIFAR-10 ({reason}): check the connection "
                "and run the command again, or download cifar-10-python.tar.gz "
                f"from {CIFAR10_PAGE} and pass it with --data.", RUN_ERROR,
            ) from exc
        except (OSError, ValueError) as exc:
            raise _Failure(f"--dataset cifar10: {exc}", RUN_ERROR) from exc
        source = "CIFAR-10 (fetch_cifar10)"
    return (train.images, test[0], train.target, test[1],
            [str(name) for name in train.target_names], source)


def _sample(X_train, y_train, args):
    """At most ``--max-train`` training images (stratified), enough for ``--cv``."""
    n_classes = len(np.unique(y_train))
    if args.max_train is not None and args.max_train < n_classes:
        raise _Failure(
            f"--max-train {args.max_train}: a stratified sample needs an image of "
            f"each of the {n_classes} classes: pass at least {n_classes}.",
            USAGE_ERROR)
    if args.max_train is not None and args.max_train < len(X_train):
        try:
            X_train, _, y_train, _ = train_test_split(
                X_train, y_train, train_size=args.max_train, stratify=y_train,
                random_state=args.random_state,
            )
        except ValueError as exc:
            raise _Failure(
                f"--max-train {args.max_train}: no stratified sample of that many "
                f"of the {len(X_train)} training images: {exc}", USAGE_ERROR,
            ) from exc
    try:
        # The folds that GridSearchCV will make, tried before any fit.
        next(StratifiedKFold(args.cv).split(np.zeros(len(y_train)), y_train))
    except ValueError as exc:
        largest = np.unique(y_train, return_counts=True)[1].max()
        raise _Failure(
            f"--cv {args.cv}: {exc} The largest class has {largest} training "
            f"images: pass a smaller --cv.", USAGE_ERROR,
        ) from exc
    return X_train, y_train


def _check_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise _Failure(
            "--output draws the figures with matplotlib, which is not installed: "
            "python -m pip install matplotlib, or leave --output out.", RUN_ERROR,
        ) from exc


def _make_output(output):
    """Make the folder of the figures, and check that files can be written in it.

    Done before the job's work, so that a wrong folder is reported at once.
    """
    try:
        output.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=output):
            pass
    except OSError as exc:
        raise _Failure(
            f"--output {output}: cannot write figures there ({exc.strerror or exc}); "
            "pass a folder you can write to, or a new one.", USAGE_ERROR,
        ) from exc


def _features(image_shape):
    """HoG and colour histograms, with cells that suit the size of the images."""
    if min(image_shape[:2]) >= 24:
        hog = HoG()  # scikit-image's defaults: 8x8 cells, blocks of 3x3 cells
    else:
        hog = HoG(pixels_per_cell=2, cells_per_block=2)
    colour = len(image_shape) == 3 and image_shape[2] == 3
    histogram = ColorHistogram() if colour else ColorHistogram(color_space="rgb")
    return FeatureUnion([("hog", hog), ("color", histogram)])


def _fit(estimator, X, y):
    """Fit ``estimator``; return its fit time and what its ConvergenceWarnings say.

    The warnings are kept for the report rather than shown: it marks the
    epochs of such a fit and prints them under its table.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        started = time.perf_counter()
        estimator.fit(X, y)
        fit_time = time.perf_counter() - started
    notes = []
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            notes.append(str(warning.message))
        else:
            # Other warnings are shown as they would have been.
            warnings.warn_explicit(warning.message, warning.category,
                                   warning.filename, warning.lineno)
    return fit_time, notes


def _convergence(classifier, notes):
    """The epochs of a fit, marked, and the lines that explain the mark.

    ``*``: it ran ``max_iter`` epochs without meeting its stopping rule.
    ``!``: it stopped by ``tol``, but the estimator warned that the step was
    likely too short for that to be convergence (the objective barely below its
    value at zero weights, after few epochs): a test of the objective, not a
    count of epochs, since a strong penalty converges in few epochs for real.
    """
    if classifier.stop_reason_ == "max_iter":
        mark = "*"
        notes = notes or [f"{type(classifier).__name__} ran max_iter="
                          f"{classifier.n_iter_} epochs without meeting its "
                          "stopping rule."]
    elif classifier.stop_reason_ == "converged" and notes:
        mark = "!"
    else:
        mark = ""
    return f"{classifier.n_iter_}{mark}", [f"{mark or '-'} {note}" for note in notes]


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


def _figures(output, searches, refitted, X_train, X_test, y_train, y_test, names,
             random_state):
    """Write the figures; return their paths and what to say of each."""
    import matplotlib.pyplot as plt

    from .inspection import (
        GridSearchHeatmapDisplay,
        LossCurveDisplay,
        WeightImageDisplay,
    )

    written = []
    # Templates are images only when the features are the pixels: an extra
    # softmax classifier on the standardised pixels, as in the course's
    # figure, which the figure and the report say is not one of the models
    # above.
    image_shape = X_train.shape[1:]
    on_pixels = Pipeline([("scale", StandardScaler()),
                          ("clf", SoftmaxClassifier(random_state=random_state))])
    _, notes = _fit(on_pixels, X_train.reshape(len(X_train), -1), y_train)
    accuracy = on_pixels.score(X_test.reshape(len(X_test), -1), y_test)
    epochs, lines = _convergence(on_pixels[-1], notes)
    grey = len(image_shape) == 2
    # Grey templates are heat maps of weights: one scale for all of them,
    # read on a colour bar. An RGB template's colours are its weights on the
    # three channels, which no colour bar maps; each keeps its own scale.
    display = WeightImageDisplay.from_estimator(
        on_pixels, image_shape=image_shape, display_labels=names,
        share_scale=grey, colorbar=grey)
    display.figure_.suptitle(
        "Templates of an extra SoftmaxClassifier on the standardised raw pixels\n"
        f"(not a model of the report; test accuracy {accuracy:.4f})")
    written.append((_save(display.figure_, output / "templates.png"), [
        f"the weights of an extra SoftmaxClassifier fitted on the {X_train[0].size} "
        f"standardised pixels of each image, not on the features above: "
        f"test accuracy {accuracy:.4f}, {epochs} epochs", *lines]))

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, pipeline in refitted.items():
        LossCurveDisplay.from_estimator(pipeline, ax=ax, name=name)
    ax.set_title("Training objective per epoch (best of each search)")
    written.append((_save(fig, output / "loss_curves.png"), []))
    for name, search in searches.items():
        display = GridSearchHeatmapDisplay.from_estimator(
            search, x="clf__learning_rate", y="clf__alpha")
        display.ax_.set_title(
            f"{name}: {search.n_splits_}-fold cross-validation accuracy")
        written.append((_save(display.figure_, output / f"cv_grid_{name}.png"), []))
    plt.close("all")
    return written


def _save(figure, path):
    figure.savefig(path, dpi=120, bbox_inches="tight")
    return path


def _run(args):
    """The job: load, extract, cross-validate, report; return the exit status."""
    if args.output is not None:
        _check_matplotlib()
    started = time.perf_counter()
    with _step("Loading the images"):
        X_train, X_test, y_train, y_test, names, source = _load(args)
        X_train, y_train = _sample(X_train, y_train, args)
    if args.output is not None:
        _make_output(args.output)
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
    searches, refitted, autos, rows = {}, {}, {}, []
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
        # Refitted here rather than by the search, so that the warnings of
        # that one fit, which the report shows, are told from those of the
        # cross-validation's many.
        search = GridSearchCV(pipeline, grid, cv=cv, n_jobs=args.n_jobs, refit=False)
        with _step(f"Cross-validating {name} over {n_candidates} candidates x "
                   f"{args.cv} folds"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                search.fit(F_train, y_train)
            best = clone(pipeline).set_params(**search.best_params_)
            fit_time, notes = _fit(best, F_train, y_train)
        predict_started = time.perf_counter()
        predicted = best.predict(F_test)
        predict_time = time.perf_counter() - predict_started
        searches[name], refitted[name], autos[name] = search, best, auto
        epochs, lines = _convergence(best[-1], notes)
        rows.append((name, np.mean(predicted == y_test), fit_time,
                     predict_time, epochs, lines, predicted))

    print()
    for name, search in searches.items():
        print(_cv_table(name, search, autos[name]) + "\n")
    print(f"  {'Test accuracy':<22} {'accuracy':>9} {'fit':>8} {'predict':>8} "
          f"{'epochs':>7}")
    for name, accuracy, fit_time, predict_time, epochs, *_ in rows:
        print(f"  {name:<22} {accuracy:>9.4f} {fit_time:>7.3f}s "
              f"{predict_time * 1e3:>6.1f}ms {epochs:>7}")
    print("  (fit: refitting the best candidate on all training images; predict: "
          f"{len(X_test)} test images)")
    # One line per fit that warned, saying what its warning says.
    for line in (line for row in rows for line in row[5]):
        print(f"  {line}")
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
            try:
                written = _figures(args.output, searches, refitted, X_train,
                                   X_test, y_train, y_test, names,
                                   args.random_state)
            except OSError as exc:
                raise _Failure(f"could not write the figures to {args.output}: "
                               f"{exc}", RUN_ERROR) from exc
        for path, lines in written:
            print(f"  {path}" + (f": {lines[0]}" if lines else ""))
            for line in lines[1:]:
                print(f"    {line}")
    print(f"\nDone in {time.perf_counter() - started:.1f} s.")
    return 0


def main(argv=None):
    """Run the job, or the demo, on the arguments ``argv``; return the exit status.

    ``argv`` defaults to the command line's. A mistake or a failed run is one
    line on standard error (see the module's docstring), not a traceback.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["demo"]:
        # The interactive demo has its own options and needs Bokeh: imported
        # only when asked for.
        from .demo import main as demo_main

        return demo_main(argv[1:])
    args = None
    try:
        args = _parse_args(argv)
        return _run(args)
    except (_Failure, KeyboardInterrupt) as exc:
        if args is not None and args.verbose:
            traceback.print_exception(exc)
        if isinstance(exc, KeyboardInterrupt):
            # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
            print(f"{PROG}: interrupted.", file=sys.stderr)
            return 130
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.status


if __name__ == "__main__":
    raise SystemExit(main())
