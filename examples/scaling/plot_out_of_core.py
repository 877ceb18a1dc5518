"""
==============================================
Training on more images than memory holds
==============================================

``fit`` needs every training image, and every image's features, in memory at
once. ``partial_fit`` does not: :class:`~sklinear.SoftmaxClassifier` and
:class:`~sklinear.SVMLinearClassifier` learn from one chunk of images at a
time, and the feature transformers work on any batch of images, so a chunk can
be read, turned into features, learnt from and dropped before the next one is
read. This example trains that way on images stored in a ``.npy`` file opened
as a memory map (:func:`numpy.load` with ``mmap_mode="r"``), which reads from
disk only the pages of the chunk in use, and shows that the memory training
needs follows the size of the chunk, not the size of the data.

The full CIFAR-10 training set is 50,000 images; the benchmark
``benchmarks/bench_out_of_core.py`` trains on that layout (simulated from the
10,000-image subset) and measures the resident memory of each run in a fresh
process. To run in seconds, this example uses a smaller configuration: 20,000
images (10,000 and their mirror images), two epochs, and the memory that
Python's :mod:`tracemalloc` sees.
"""

# %%
# The images on disk
# ------------------
#
# CIFAR-10 through :mod:`sklinear.datasets`: the archive or folder named by the
# ``SKLINEAR_CIFAR10`` environment variable if it is set, otherwise the official
# archive, which :func:`~sklinear.datasets.fetch_cifar10` downloads once (163 MB)
# and keeps (see :ref:`examples_gallery`); the first 10,000 training and 2,000
# test images. The training images are written to one ``.npy`` file, a copy at
# a time, with :func:`numpy.lib.format.open_memmap`: the layout is never whole
# in memory, not even while it is written. Opened again with ``mmap_mode="r"``,
# the file is an array that reads its pages from disk when they are first
# touched, and that cannot be written to.
import os
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import StandardScaler
from sklearn.utils import gen_batches

from sklinear import ColorHistogram, HoG, SoftmaxClassifier
from sklinear.datasets import fetch_cifar10, load_cifar10


def load(subset):
    """CIFAR-10's ``subset``, from $SKLINEAR_CIFAR10 if set, else downloaded."""
    path = os.environ.get("SKLINEAR_CIFAR10")
    return load_cifar10(path, subset=subset) if path else fetch_cifar10(subset=subset)


train, test = load("train"), load("test")
images, y = train.images[:10_000], train.target[:10_000]
test_images, y_test = test.images[:2_000], test.target[:2_000]
copies = [images, images[:, :, ::-1]]  # as they are, and mirrored
features = FeatureUnion([("hog", HoG()), ("color", ColorHistogram())])
chunk_sizes = [500, 2000]

folder = Path(tempfile.mkdtemp(prefix="sklinear-out-of-core-"))
n_train = len(images) * len(copies)
chunk_sizes.append(n_train)  # all the images as one chunk: the in-memory case
layout = np.lib.format.open_memmap(
    folder / "images.npy", mode="w+", dtype=images.dtype,
    shape=(n_train, *images.shape[1:]),
)
for i, copy in enumerate(copies):
    layout[i * len(images):(i + 1) * len(images)] = copy
layout.flush()
del layout, copies
np.save(folder / "labels.npy", np.tile(y, n_train // len(y)))

X_disk = np.load(folder / "images.npy", mmap_mode="r")
y_disk = np.load(folder / "labels.npy")
classes = np.unique(y_disk)
print(f"{X_disk.shape} {X_disk.dtype} memory-mapped from disk, "
      f"{X_disk.nbytes / 2**20:.0f} MiB")

# %%
# Chunks
# ------
#
# Training only ever asks for chunks of ``(images, labels)``: here slices of
# the memory map, in a new random order each pass, but any iterable of batches
# will do, such as a generator reading image files from a folder a few hundred
# at a time. Shuffling the order of the chunks, and not the images, keeps each
# read sequential on disk; each ``partial_fit`` shuffles the images of its
# chunk.


def chunks(images, labels, chunk_size, rng=None):
    """Yield ``(images, labels)`` chunks, in random order if ``rng`` is given."""
    slices = list(gen_batches(len(labels), chunk_size))
    order = rng.permutation(len(slices)) if rng is not None else range(len(slices))
    for i in order:
        yield images[slices[i]], labels[slices[i]]


# %%
# Features, scaling and training, a chunk at a time
# -------------------------------------------------
#
# HoG and colour histograms learn nothing from the images but their shape, so
# they are fitted once, on the first image. The scaler does learn: the mean and
# variance of each feature. :class:`~sklearn.preprocessing.StandardScaler`
# learns them by ``partial_fit`` over a first pass over the chunks: one more
# pass of feature extraction buys the exact statistics, where a sample would
# have to be drawn at random from the whole file to be trusted (the first
# chunk alone may be anything but typical when the data are sorted).
#
# Then each epoch is one pass over the chunks, and each chunk one call of the
# classifier's ``partial_fit``: one epoch of minibatch SGD over the chunk. A
# chunk may lack some classes, so ``classes=`` names them all. The features are
# computed in float64 and handed to the classifier as float32, which trains in
# float32 and keeps half the memory.


n_epochs = 2


def train(chunk_size):
    """Train from the memory map by chunks; the classifier and its test accuracy."""
    features.fit(X_disk[:1])
    scaler = StandardScaler()
    for chunk, _ in chunks(X_disk, y_disk, chunk_size):
        scaler.partial_fit(features.transform(chunk))

    def features_of(chunk):
        return scaler.transform(features.transform(chunk)).astype(np.float32)

    clf = SoftmaxClassifier(random_state=0)
    rng = np.random.default_rng(0)
    for _ in range(n_epochs):
        for chunk, labels in chunks(X_disk, y_disk, chunk_size, rng):
            clf.partial_fit(features_of(chunk), labels, classes=classes)
    # The test images by chunks too.
    correct = sum(np.sum(clf.predict(features_of(chunk)) == labels)
                  for chunk, labels in chunks(test_images, y_test, chunk_size))
    return clf, correct / len(y_test)


# %%
# How much memory a chunk costs
# -----------------------------
#
# :mod:`tracemalloc` records the peak of what is allocated while each
# configuration trains: the features of a chunk, their scaled copy, the
# temporaries of the transformers, the model. numpy reports its arrays to it.
# It does not count the pages of the memory-mapped file, which are the
# operating system's cache of the file rather than allocations: it brings them
# in as a chunk is read and drops them when memory runs short. The benchmark
# measures the resident memory of the whole process, those pages included.
results = {}
for chunk_size in chunk_sizes:
    started = time.perf_counter()
    tracemalloc.start()
    clf, accuracy = train(chunk_size)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    results[chunk_size] = clf, peak
    print(f"chunks of {chunk_size:>5} images: peak {peak:6.1f} MiB allocated, "
          f"test accuracy {accuracy:.3f}, {time.perf_counter() - started:.1f} s")

# %%
# The last configuration reads all the images as one chunk: it holds every
# feature in memory at once, as ``fit`` would. The peak grows with the chunk,
# by about the size of a chunk's features and their copies, while the number
# of images trained on stays the same. Learning hardly depends on the chunk size:
# each ``partial_fit`` records its training loss in ``loss_curve_``, and the
# curves, drawn against the passes over the images, fall alike: every
# configuration takes minibatch steps of 256 images over the same images, only
# grouped and ordered differently.
fig, (ax_memory, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
ax_memory.plot(chunk_sizes, [peak for _, peak in results.values()], "o-")
ax_memory.annotate("all images in one chunk", (chunk_sizes[-1], results[n_train][1]),
                   xytext=(-10, 0), textcoords="offset points", ha="right")
ax_memory.set(xlim=(0, None), ylim=(0, None), xlabel="images per chunk",
              ylabel="peak allocated while training (MiB)",
              title=f"Memory follows the chunk ({n_train} images in all)")
for chunk_size, (clf, _) in results.items():
    n_calls = len(clf.loss_curve_)  # one per chunk of each epoch
    epochs = n_epochs * (np.arange(n_calls) + 0.5) / n_calls  # mid-chunk
    ax_loss.plot(epochs, clf.loss_curve_, ".-", label=f"chunks of {chunk_size}")
ax_loss.set(xlabel="epochs", ylabel="mean training loss over each chunk",
            title="Learning does not depend on the chunk size")
ax_loss.legend()
fig.tight_layout()
plt.show()

# %%
# The temporary files go when the example ends (on Windows, a file still mapped
# cannot be removed: it is left to the system's temporary folder).
shutil.rmtree(folder, ignore_errors=True)
