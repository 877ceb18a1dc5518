"""Training out of core: partial_fit over chunks of images read from a
memory-mapped .npy file or from any iterator of batches, with the features
extracted chunk by chunk.

The pattern under test is the one of ``examples/scaling/plot_out_of_core.py``
and ``benchmarks/bench_out_of_core.py``: the feature transformers are fitted
once (they learn nothing but the image shape, or a codebook), a
``StandardScaler`` learns the feature statistics by ``partial_fit`` over a first
pass, and the classifier learns by ``partial_fit`` over every chunk of every
epoch. Whatever the chunks are read from, the result must be the one of the
same chunks held in memory, bit for bit.
"""

import hashlib

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import StandardScaler
from sklearn.utils import gen_batches

from sklinear import (
    BagOfVisualWords,
    ColorHistogram,
    HoG,
    SoftmaxClassifier,
    SVMLinearClassifier,
)

N_IMAGES = 300
CHUNK = 64  # 300 images: four chunks of 64 and a last one of 44
CLASSES = np.arange(3)

CLASSIFIERS = [
    SoftmaxClassifier(batch_size=32, random_state=0),
    SVMLinearClassifier(batch_size=32, random_state=0),
]
ids = ["softmax", "svm"]


def make_striped_images(n_images, size=16, random_state=0):
    """Colour images whose class (0, 1 or 2) is the direction of faint stripes
    (horizontal, vertical, diagonal) under noise: HoG can learn it."""
    rng = np.random.default_rng(random_state)
    y = rng.integers(0, len(CLASSES), n_images)
    rows, cols = np.mgrid[:size, :size]
    stripes = np.stack([np.sin(rows), np.sin(cols), np.sin((rows + cols) / 1.4)])
    pixels = 0.3 * stripes[y, :, :, np.newaxis] + rng.random((n_images, size, size, 3))
    pixels = (pixels - pixels.min()) / (pixels.max() - pixels.min())
    return np.round(255 * pixels).astype(np.uint8), y


def make_features():
    return FeatureUnion([
        ("hog", HoG(pixels_per_cell=4, cells_per_block=2)),
        ("color", ColorHistogram(bins=4)),
    ])


def train_by_chunks(batches, classifier, n_epochs=2):
    """Fit features, scaler and classifier from ``batches()``, a function that
    returns a fresh iterable of ``(images, y)`` chunks for each pass."""
    first_images, _ = next(iter(batches()))
    features = make_features().fit(first_images)
    scaler = StandardScaler()
    for images, _ in batches():
        scaler.partial_fit(features.transform(images))
    for _ in range(n_epochs):
        for images, y in batches():
            X = scaler.transform(features.transform(images)).astype(np.float32)
            classifier.partial_fit(X, y, classes=CLASSES)
    return features, scaler, classifier


def chunks_of(images, y, chunk=CHUNK):
    """The chunks of ``(images, y)`` as a function returning a generator."""
    def batches():
        for rows in gen_batches(len(images), chunk):
            yield images[rows], y[rows]
    return batches


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def data():
    return make_striped_images(N_IMAGES)


@pytest.fixture
def npy(tmp_path, data):
    """The images and labels written to .npy files; returns their paths."""
    images, y = data
    np.save(tmp_path / "images.npy", images)
    np.save(tmp_path / "labels.npy", y)
    return tmp_path / "images.npy", tmp_path / "labels.npy"


# --- Features chunk by chunk --------------------------------------------------


@pytest.mark.parametrize(
    "transformer",
    [
        HoG(pixels_per_cell=4, cells_per_block=2),
        ColorHistogram(bins=4),
        make_features(),
        BagOfVisualWords(n_words=8, patch_size=4, n_patches=4 * N_IMAGES,
                         random_state=0),
    ],
    ids=["hog", "color", "union", "bovw"],
)
def test_features_by_chunks_equal_features_of_the_whole(transformer, npy, data):
    images, _ = data
    mapped = np.load(npy[0], mmap_mode="r")
    # HoG and ColorHistogram learn only the image shape, so one image will do;
    # BagOfVisualWords learns a codebook, so it sees all of them.
    learns = isinstance(transformer, BagOfVisualWords)
    fitted = clone(transformer).fit(mapped if learns else mapped[:1])
    whole = fitted.transform(images)
    by_chunks = np.vstack([fitted.transform(mapped[rows])
                           for rows in gen_batches(len(mapped), CHUNK)])
    assert by_chunks.dtype == whole.dtype
    assert_array_equal(by_chunks, whole)


# --- partial_fit over chunks ----------------------------------------------------


@pytest.mark.parametrize("classifier", CLASSIFIERS, ids=ids)
def test_partial_fit_from_memmap_equals_in_memory(classifier, npy, data):
    images, y = data
    mapped = np.load(npy[0], mmap_mode="r")
    assert isinstance(mapped, np.memmap)
    *_, from_file = train_by_chunks(chunks_of(mapped, np.load(npy[1])),
                                    clone(classifier))
    features, scaler, in_memory = train_by_chunks(chunks_of(images, y),
                                                  clone(classifier))
    assert_array_equal(from_file.coef_, in_memory.coef_)
    assert_array_equal(from_file.intercept_, in_memory.intercept_)
    assert from_file.loss_curve_ == in_memory.loss_curve_
    assert from_file.t_ == in_memory.t_ == 2 * N_IMAGES
    # It learnt the stripes.
    X = scaler.transform(features.transform(images)).astype(np.float32)
    assert from_file.score(X, y) > 0.8


def test_generator_of_batches(data):
    """Any iterable of (images, y) chunks will do, such as a generator that
    reads them from somewhere, in chunks of any sizes."""
    images, y = data
    sizes = [50, 7, 100, 143]

    def batches():
        start = 0
        for size in sizes:
            # A list of images and a list of labels, as a reader might give.
            yield list(images[start:start + size]), y[start:start + size].tolist()
            start += size

    *_, from_generator = train_by_chunks(batches, clone(CLASSIFIERS[0]))

    def the_same_chunks():
        for rows in np.split(np.arange(N_IMAGES), np.cumsum(sizes)[:-1]):
            yield images[rows], y[rows]

    *_, reference = train_by_chunks(the_same_chunks, clone(CLASSIFIERS[0]))
    assert_array_equal(from_generator.coef_, reference.coef_)
    assert_array_equal(from_generator.intercept_, reference.intercept_)


def test_chunks_may_lack_classes(data):
    """A chunk, the first one included, may hold only some of the classes:
    ``classes=`` names them all."""
    images, y = data
    order = np.argsort(y, kind="stable")  # sorted by class: the worst case
    images, y = images[order], y[order]
    _, _, classifier = train_by_chunks(chunks_of(images, y), clone(CLASSIFIERS[0]))
    assert len(np.unique(y[:CHUNK])) == 1
    assert_array_equal(classifier.classes_, CLASSES)
    assert classifier.coef_.shape[0] == len(CLASSES)


# --- The memory-mapped input is read, never written ---------------------------


@pytest.mark.parametrize("mmap_mode", ["r", "r+", "c"])
def test_memmap_is_not_modified(mmap_mode, npy):
    images_path, labels_path = npy
    before = digest(images_path), digest(labels_path)
    mapped = np.load(images_path, mmap_mode=mmap_mode)
    expected = np.array(mapped)
    assert mapped.flags.writeable == (mmap_mode != "r")
    train_by_chunks(chunks_of(mapped, np.load(labels_path, mmap_mode=mmap_mode)),
                    clone(CLASSIFIERS[0]), n_epochs=1)
    assert_array_equal(mapped, expected)
    del mapped
    assert (digest(images_path), digest(labels_path)) == before


@pytest.mark.parametrize("classifier", CLASSIFIERS, ids=ids)
def test_partial_fit_on_read_only_memmap_of_features(classifier, tmp_path, data):
    """Features computed once and stored on disk can be trained on directly."""
    images, y = data
    features = make_features().fit(images[:1])
    X = StandardScaler().fit_transform(features.transform(images)).astype(np.float32)
    np.save(tmp_path / "features.npy", X)
    before = digest(tmp_path / "features.npy")
    mapped = np.load(tmp_path / "features.npy", mmap_mode="r")
    from_file, in_memory = clone(classifier), clone(classifier)
    for rows in gen_batches(N_IMAGES, CHUNK):
        from_file.partial_fit(mapped[rows], y[rows], classes=CLASSES)
        in_memory.partial_fit(X[rows], y[rows], classes=CLASSES)
    assert_array_equal(from_file.coef_, in_memory.coef_)
    assert_array_equal(from_file.predict(mapped), in_memory.predict(X))
    del mapped
    assert digest(tmp_path / "features.npy") == before
