"""Training out of core on the 50,000-image CIFAR-10 training layout: partial_fit
over chunks of a memory-mapped .npy file, the features extracted chunk by chunk,
and the peak memory of each run measured in a fresh process.

Data: the training images as one uint8 .npy file of shape (50000, 32, 32, 3),
146 MiB, its labels, and the test images. With the full archive (--data
cifar-10-python.tar.gz) they are its images. With the 10,000-image subset (the
default) the full layout is simulated: five copies of the subset, like the five
data_batch files of the archive, the first as it is and the others flipped left
to right or shifted by two pixels (or both), so that no two are equal. The files
are written once, copy by copy, to a temporary folder (--workdir keeps them).

Each configuration trains, in a new Python process:
- HoG() and ColorHistogram() in a FeatureUnion (354 features), fitted on one
  image: they learn nothing but the image shape;
- a StandardScaler fitted by partial_fit over a first pass over the chunks: the
  exact mean and variance for one more pass of feature extraction, where a
  sample would have to be drawn at random from the whole file to be fair;
- SoftmaxClassifier(random_state=0) by partial_fit on each chunk's scaled
  float32 features, for --epochs passes over the chunks, in a new random order
  each pass (each partial_fit is one epoch of minibatch SGD over its chunk);
- the test accuracy, the test images also read by chunks.

What is measured: the process reports ``resource.getrusage(RUSAGE_SELF)
.ru_maxrss``, the kernel's high-water mark of its resident memory, once after
its imports and set-up (the baseline) and once at the end (the peak); "added" is the
difference, the most the training held at once. Resident memory counts what the
process allocates (tracemalloc sees that) and also every page of a
memory-mapped file that it has touched, for as long as that page stays mapped
(tracemalloc sees none of those). With one mapping for the whole run, a pass
touches all 146 MiB of the file and the peak grows with the data, although
those pages are clean copies of the file that the kernel drops whenever memory
runs short (the row "whole run"). The other rows map the file anew for each
chunk (np.load(..., mmap_mode="r") reads nothing, it only maps) and let the
mapping go with the chunk, so that the resident memory holds the pages of the
chunks in use and no others. Their peak counts everything the process held at
once, allocations and file pages alike: an upper bound on what training needs,
so a small number is an honest one. The rows with 10,000 images train on the
first 10,000 of the same file: the same peak as with 50,000 shows that the
memory follows the chunk, not the data. "time" is the wall-clock time of the
passes over the training chunks (the scaler's and the epochs'), "cpu" the
processor time of the same, steadier on a shared machine.

Small chunks cost some time: each transform allocates its temporaries anew,
and glibc's malloc hands blocks of a few MiB back to the system when they are
freed, so that each chunk pays page faults again (chunks of 1,000 images take
about seven times the minor page faults of chunks of 5,000, and more system
time; MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ of 256 MiB make them
as fast, at the same peak).

Run:  python benchmarks/bench_out_of_core.py [--epochs 5] [--threads 1]
      [--chunks 1000 5000 25000 50000] [--data cifar-10-python.tar.gz] [--workdir DIR]
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _data import CIFAR10

N_LAYOUT = 50_000
FILES = ("train_images.npy", "train_labels.npy", "test_images.npy", "test_labels.npy")


def shifted(images, rows, cols):
    """The images moved by (rows, cols) pixels, the border repeated."""
    pad = max(abs(rows), abs(cols))
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")
    height, width = images.shape[1:3]
    return padded[:, pad - rows:pad - rows + height, pad - cols:pad - cols + width]


# The five copies of the subset that simulate the five training batches.
COPIES = {
    "as is": lambda images: images,
    "flipped left to right": lambda images: images[:, :, ::-1],
    "shifted 2 pixels right": lambda images: shifted(images, 0, 2),
    "flipped, shifted 2 pixels down": lambda images: shifted(images[:, :, ::-1], 2, 0),
    "shifted 2 pixels up and left": lambda images: shifted(images, -2, -2),
}


def write_layout(data, folder):
    """Write the training layout and the test set as .npy files in ``folder``."""
    from sklinear.datasets import load_cifar10

    images, y = load_cifar10(data, subset="train", return_X_y=True)
    if len(images) >= N_LAYOUT:
        np.save(folder / FILES[0], images[:N_LAYOUT])
        np.save(folder / FILES[1], y[:N_LAYOUT])
        note = f"the first {N_LAYOUT} training images of {data}"
    else:
        n_copies = -(-N_LAYOUT // len(images))
        layout = np.lib.format.open_memmap(
            folder / FILES[0], mode="w+", dtype=np.uint8,
            shape=(N_LAYOUT, *images.shape[1:]),
        )
        perturbations = list(COPIES.values())
        for i, start in enumerate(range(0, N_LAYOUT, len(images))):
            stop = min(start + len(images), N_LAYOUT)
            perturb = perturbations[i % len(perturbations)]
            layout[start:stop] = perturb(images)[: stop - start]
        layout.flush()
        del layout
        np.save(folder / FILES[1], np.resize(y, N_LAYOUT))
        note = (f"simulated: {n_copies} copies of the {len(images)} training images "
                f"of {data.name} ({'; '.join(list(COPIES)[:n_copies])})")
    X_test, y_test = load_cifar10(data, subset="test", return_X_y=True)
    np.save(folder / FILES[2], X_test)
    np.save(folder / FILES[3], y_test)
    return note


def max_rss():
    """The process's peak resident memory so far, in MiB (Linux gives KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(config):
    """One configuration, in this (fresh) process; returns what it measured."""
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils import gen_batches
    from threadpoolctl import threadpool_limits

    from sklinear import ColorHistogram, HoG, SoftmaxClassifier

    folder = Path(config["workdir"])
    n_images, chunk = config["n_images"], config["chunk"]
    whole_run = config["mapping"] == "whole run"
    labels = np.load(folder / FILES[1])[:n_images]
    test_labels = np.load(folder / FILES[3])

    def read_chunks(file, y, size, rng=None):
        """(images, y) chunks from the .npy ``file``, in random order with rng."""
        slices = list(gen_batches(len(y), size))
        order = rng.permutation(len(slices)) if rng is not None else range(len(slices))
        mapped = np.load(folder / file, mmap_mode="r") if whole_run else None
        for i in order:
            images = mapped if whole_run else np.load(folder / file, mmap_mode="r")
            yield images[slices[i]], y[slices[i]]

    features = FeatureUnion([("hog", HoG()), ("color", ColorHistogram())])
    features.fit(np.load(folder / FILES[0], mmap_mode="r")[:1])
    scaler = StandardScaler()
    classifier = SoftmaxClassifier(random_state=0)
    rng = np.random.default_rng(0)
    baseline = max_rss()

    with threadpool_limits(config["threads"]):
        started, cpu = time.perf_counter(), time.process_time()
        for images, _ in read_chunks(FILES[0], labels, chunk):
            scaler.partial_fit(features.transform(images))
        for _ in range(config["epochs"]):
            for images, y in read_chunks(FILES[0], labels, chunk, rng):
                X = scaler.transform(features.transform(images)).astype(np.float32)
                classifier.partial_fit(X, y, classes=np.arange(10))
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        correct = 0
        for images, y in read_chunks(FILES[2], test_labels, chunk):
            X = scaler.transform(features.transform(images)).astype(np.float32)
            correct += int((classifier.predict(X) == y).sum())
    return {"baseline": baseline, "peak": max_rss(), "seconds": seconds,
            "cpu": cpu, "accuracy": correct / len(test_labels)}


def in_new_process(*arguments):
    """This script run with ``arguments`` in a new Python process: its output.

    The parent imports nothing heavy and leaves the writing of the files to a
    process of its own, because on Linux a child's ru_maxrss starts from the
    resident memory of its parent at the fork (the high-water mark survives
    exec), which would hide the peak of a small configuration.
    """
    result = subprocess.run(
        [sys.executable, __file__, *arguments],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=CIFAR10)
    parser.add_argument("--workdir", type=Path, default=None,
                        help="write the .npy files here and keep them")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--chunks", type=int, nargs="+",
                        default=[1000, 5000, 25000, N_LAYOUT])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--write", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run(json.loads(args.run))))
        return
    if args.write:
        print(json.dumps(write_layout(args.data, Path(args.write))))
        return

    with tempfile.TemporaryDirectory(prefix="sklinear-ooc-") as tmp:
        folder = args.workdir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if all((folder / file).exists() for file in FILES):
            note = f"the files already in {folder}"
        else:
            note = in_new_process("--data", str(args.data),
                                  "--write", str(folder))
        train = np.load(folder / FILES[0], mmap_mode="r")
        n_test = len(np.load(folder / FILES[3]))
        print(f"Training layout: {train.shape} {train.dtype}, "
              f"{train.nbytes / 2**20:.0f} MiB on disk, {note}")
        print(f"Test: {n_test} images. HoG + ColorHistogram, StandardScaler, "
              f"SoftmaxClassifier; {args.epochs} epochs, {args.threads} thread(s)\n")

        middle = sorted(args.chunks)[len(args.chunks) // 2]
        configs = [(N_LAYOUT, chunk, "per chunk") for chunk in sorted(args.chunks)]
        configs += [(10_000, chunk, "per chunk") for chunk in sorted(args.chunks)[:2]]
        configs += [(N_LAYOUT, middle, "whole run")]
        print(f"{'images':>7} {'chunk':>6} {'mapping':>10} {'baseline':>9} "
              f"{'peak':>9} {'added':>9} {'time':>8} {'cpu':>8} {'accuracy':>9}")
        for n_images, chunk, mapping in configs:
            result = in_new_process("--run", json.dumps({
                "workdir": str(folder), "n_images": n_images, "chunk": chunk,
                "mapping": mapping, "epochs": args.epochs, "threads": args.threads,
            }))
            added = result["peak"] - result["baseline"]
            print(f"{n_images:>7} {chunk:>6} {mapping:>10} "
                  f"{result['baseline']:>5.0f} MiB {result['peak']:>5.0f} MiB "
                  f"{added:>5.0f} MiB {result['seconds']:>6.1f} s "
                  f"{result['cpu']:>6.1f} s "
                  f"{result['accuracy']:>9.4f}", flush=True)


if __name__ == "__main__":
    main()
