"""How far a linear model goes on the CIFAR-10 subset, step by step.

Coates, Lee and Ng's single-layer k-means features (``KMeansFeatures``), then
what each step adds: the training images' mirror images (``ImageAugmenter``),
a larger codebook, the multiclass hinge (Weston-Watkins, Crammer-Singer,
one-vs-rest), the softmax against the SVM, and averaging the scores of each
test image and its mirror image. Every classifier runs at its defaults on
standardised features (``learning_rate="auto"``); the codebook is learnt on
the 10,000 training images only, and the test images are never augmented for
training.

Printed, one row per step: test accuracy on the 2,000 test images (standard
error about 1 point), fit time, and the process's peak resident memory so
far. Features are cached under ``benchmarks/.cache/record/`` (delete it to
measure extraction again; the extraction times are printed when computed).

Run:  python benchmarks/bench_cifar_record.py [--words 1600 4000] [--n-jobs 2]
"""

import argparse
import resource
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklinear import KMeansFeatures, SoftmaxClassifier, SVMLinearClassifier
from sklinear.augmentation import flip_images, shift_images
from sklinear.datasets import load_cifar10

from _data import CIFAR10

CACHE = Path(__file__).resolve().parent / ".cache" / "record"


def peak_memory_gib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def features(n_words, batches, n_jobs):
    """KMeansFeatures of each named batch of images, the codebook learnt on
    the training images, cached as float32."""
    paths = {name: CACHE / f"{n_words}_{name}.npy" for name in batches}
    missing = [name for name, path in paths.items() if not path.exists()]
    if missing:
        CACHE.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        extractor = KMeansFeatures(n_words=n_words, random_state=0, n_jobs=n_jobs)
        extractor.fit(batches["train"])
        fitted = time.perf_counter() - started
        for name in missing:
            np.save(paths[name], extractor.transform(batches[name]).astype(np.float32))
        print(f"  KMeansFeatures(n_words={n_words}): codebook {fitted:.0f} s, "
              f"features of {', '.join(missing)} "
              f"{time.perf_counter() - started - fitted:.0f} s", flush=True)
    return {name: np.load(path) for name, path in paths.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(CIFAR10))
    parser.add_argument("--words", type=int, nargs="+", default=[1600, 4000])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--max-shift", type=int, default=0,
                        help="also train on a copy of the images and of their "
                        "mirror images shifted by up to this many pixels")
    parser.add_argument("--alpha", type=float, default=None,
                        help="every classifier's alpha (default: theirs, 1e-4)")
    args = parser.parse_args()
    images, y = load_cifar10(args.data, subset="train", return_X_y=True)
    test, y_test = load_cifar10(args.data, subset="test", return_X_y=True)
    batches = {"train": images, "train_flipped": flip_images(images),
               "test": test, "test_flipped": flip_images(test)}
    steps = {"plain": ["train"], "+ mirrored": ["train", "train_flipped"]}
    if args.max_shift:
        rng = np.random.RandomState(0)
        shifted = f"shifted{args.max_shift}"
        for name in ("train", "train_flipped"):
            batches[f"{name}_{shifted}"] = shift_images(
                batches[name], args.max_shift, random_state=rng)
        steps[f"+ mirrored + shifted by <= {args.max_shift}"] = [
            "train", "train_flipped", f"train_{shifted}", f"train_flipped_{shifted}"]
    print(f"CIFAR-10 subset: {len(images)} training, {len(test)} test images; "
          f"alpha={args.alpha or 'default'}\n")
    classifiers = {
        "SVM (Weston-Watkins)": SVMLinearClassifier(random_state=0),
        "SVM (Crammer-Singer, squared)": SVMLinearClassifier(
            multi_class="crammer_singer", loss="squared_hinge", random_state=0),
        "SVM (one-vs-rest, squared)": SVMLinearClassifier(
            multi_class="ovr", loss="squared_hinge", random_state=0),
        "Softmax": SoftmaxClassifier(random_state=0),
    }
    print(f"{'words':>5}  {'training set':<32} {'classifier':<30} {'test':>6} "
          f"{'+flip avg':>9} {'epochs':>6} {'fit':>7} {'peak':>8}")
    for n_words in args.words:
        codes = features(n_words, batches, args.n_jobs)
        for step, names in steps.items():
            X = np.concatenate([codes[name] for name in names])
            labels = np.tile(y, len(names))
            scaler = StandardScaler().fit(X)
            X = scaler.transform(X).astype(np.float32)
            X_test = scaler.transform(codes["test"]).astype(np.float32)
            X_test_flipped = scaler.transform(codes["test_flipped"]).astype(np.float32)
            for name, clf in classifiers.items():
                if args.alpha is not None:
                    clf.set_params(alpha=args.alpha)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    started = time.perf_counter()
                    clf.fit(X, labels)
                    seconds = time.perf_counter() - started
                accuracy = clf.score(X_test, y_test)
                # The scores of each test image and of its mirror image, averaged.
                scores = (clf.decision_function(X_test)
                          + clf.decision_function(X_test_flipped))
                averaged = np.mean(clf.classes_[scores.argmax(axis=1)] == y_test)
                print(f"{n_words:>5}  {f'{len(X)} ({step})':<32} {name:<30} "
                      f"{accuracy:6.1%} {averaged:9.1%} {clf.n_iter_:>6} "
                      f"{seconds:6.1f}s {peak_memory_gib():6.2f}GiB", flush=True)


if __name__ == "__main__":
    main()
