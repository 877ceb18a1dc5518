"""load_cifar10: the format, both kinds of source, safe unpickling, clear errors."""

import gzip
import os
import pickle
import tarfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from _cifar10_files import (
    N_PER_BATCH,
    NAMES,
    SUBSETS,
    make_batches,
    python2_pickle,
    to_images,
    write_archive,
    write_folder,
)
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.utils import Bunch

from sklinear.datasets import load_cifar10

REAL_ARCHIVE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "cifar-10-subset-python.tar.gz"
)


@pytest.fixture(scope="module")
def batches():
    return make_batches()


@pytest.fixture(scope="module")
def sources(tmp_path_factory, batches):
    """The same tiny CIFAR-10 as an archive, its folder and the folder's parent."""
    root = tmp_path_factory.mktemp("cifar")
    archive = write_archive(root / "cifar-10-python.tar.gz", batches)
    folder = write_folder(root / "extracted", batches)
    return {"archive": archive, "folder": folder, "parent": folder.parent}


# --- Reading ---------------------------------------------------------------------


@pytest.mark.parametrize("subset", ["train", "test", "all"])
@pytest.mark.parametrize("source", ["archive", "folder", "parent"])
def test_load_cifar10_reads_every_subset_from_every_source(
    sources, batches, source, subset
):
    cifar = load_cifar10(sources[source], subset=subset)

    assert isinstance(cifar, Bunch)
    names = SUBSETS[subset]
    n_images = sum(N_PER_BATCH[name] for name in names)
    expected_images = np.concatenate([to_images(batches[n][b"data"]) for n in names])
    expected_target = np.concatenate([batches[n][b"labels"] for n in names])
    assert cifar.images.shape == (n_images, 32, 32, 3)
    assert cifar.images.dtype == np.uint8
    assert cifar.images.flags.c_contiguous
    assert_array_equal(cifar.images, expected_images)
    assert cifar.target.shape == (n_images,)
    assert cifar.target.dtype == np.int64
    assert_array_equal(cifar.target, expected_target)
    assert cifar.target_names.tolist() == NAMES
    assert cifar.target_names[cifar.target].dtype.kind == "U"
    assert "Krizhevsky" in cifar.DESCR and "2009" in cifar.DESCR
    assert f"{n_images} images" in cifar.DESCR
    assert all(name in cifar.DESCR for name in names)


def test_load_cifar10_default_subset_is_train(sources):
    assert len(load_cifar10(sources["archive"]).target) == sum(
        N_PER_BATCH[name] for name in SUBSETS["train"]
    )


@pytest.mark.parametrize("source", ["archive", "folder"])
def test_load_cifar10_return_X_y(sources, source):
    images, target = load_cifar10(sources[source], subset="all", return_X_y=True)
    cifar = load_cifar10(sources[source], subset="all")
    assert_array_equal(images, cifar.images)
    assert_array_equal(target, cifar.target)


def test_load_cifar10_accepts_str_path(sources):
    images, _ = load_cifar10(str(sources["archive"]), return_X_y=True)
    assert len(images) == 3 + 4 + 5 + 6 + 7


def test_load_cifar10_pixel_layout(tmp_path):
    # Each row of data is the red plane, the green plane, then the blue plane,
    # each row-major: pixel (row r, column c) of channel k is at 1024 k + 32 r + c.
    batches = make_batches()
    data = np.zeros((3, 3072), dtype=np.uint8)
    data[1, 0 * 1024 + 32 * 0 + 31] = 11  # red, top-right
    data[1, 1 * 1024 + 32 * 2 + 5] = 22  # green, row 2, column 5
    data[1, 2 * 1024 + 32 * 31 + 0] = 33  # blue, bottom-left
    batches["test_batch"] = {b"data": data, b"labels": [0, 1, 2]}
    archive = write_archive(tmp_path / "cifar.tar.gz", batches)

    images, _ = load_cifar10(archive, subset="test", return_X_y=True)

    assert images[1, 0, 31, 0] == 11
    assert images[1, 2, 5, 1] == 22
    assert images[1, 31, 0, 2] == 33
    assert images.sum() == 11 + 22 + 33


def test_load_cifar10_reads_only_the_batches_of_the_subset(tmp_path):
    batches = make_batches()
    del batches["data_batch_3"]
    archive = write_archive(tmp_path / "cifar.tar.gz", batches)

    assert len(load_cifar10(archive, subset="test").target) == N_PER_BATCH["test_batch"]
    with pytest.raises(ValueError, match="lacks cifar-10-batches-py/data_batch_3"):
        load_cifar10(archive, subset="train")


def test_load_cifar10_reads_numpy_1_pickles_without_warning(tmp_path):
    # The official batches name numpy.core.multiarray._reconstruct; resolving it
    # must not import numpy.core, deprecated in numpy 2.
    batches = make_batches()
    raw = {
        name: pickle.dumps(batch, protocol=2).replace(
            b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n"
        )
        for name, batch in batches.items()
    }
    assert b"cnumpy.core.multiarray\n_reconstruct" in raw["test_batch"]
    folder = write_folder(tmp_path, raw)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        images, target = load_cifar10(folder, subset="test", return_X_y=True)
    assert_array_equal(images, to_images(batches["test_batch"][b"data"]))
    assert_array_equal(target, batches["test_batch"][b"labels"])


@pytest.mark.parametrize("pickler", ["python 2", 2, 3, 4, 5])
def test_load_cifar10_reads_batches_as_every_pickler_writes_them(tmp_path, pickler):
    # The official batches were written by Python 2 and numpy 1.x; a batch
    # pickled again is written by Python 3 and numpy 1.x or 2.x (whichever
    # runs the tests), as _reconstruct and a state up to protocol 4 and as
    # _frombuffer at protocol 5 (which the loader refused before issue 10).
    batches = make_batches()
    test = batches["test_batch"]
    if pickler == "python 2":
        raw = {name: python2_pickle(batch) for name, batch in batches.items()}
    else:
        # The other forms numpy writes: arrays of labels, in another byte
        # order, and data in Fortran order.
        test = {
            **test,
            b"labels": np.asarray(test[b"labels"], dtype=">i4"),
            b"data": np.asfortranarray(test[b"data"]),
        }
        batches["test_batch"] = test
        raw = {
            name: pickle.dumps(batch, protocol=pickler)
            for name, batch in batches.items()
        }
    folder = write_folder(tmp_path, raw)

    cifar = load_cifar10(folder, subset="test")

    assert_array_equal(cifar.images, to_images(np.asarray(test[b"data"])))
    assert_array_equal(cifar.target, test[b"labels"])
    assert cifar.target.dtype == np.int64
    assert cifar.target_names.tolist() == NAMES


def test_load_cifar10_accepts_str_keys(tmp_path):
    # A Python 3 re-pickle of the batches has str keys instead of bytes ones.
    batches = {
        name: {key.decode(): value for key, value in batch.items()}
        for name, batch in make_batches().items()
    }
    folder = write_folder(tmp_path, batches)
    cifar = load_cifar10(folder, subset="test")
    assert_array_equal(cifar.target, batches["test_batch"]["labels"])
    assert cifar.target_names.tolist() == NAMES


# --- Safe unpickling -------------------------------------------------------------


class _RunsACommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'echo pwned > "{self.marker}"',)


@pytest.mark.parametrize("where", ["archive", "folder"])
@pytest.mark.parametrize("batch", ["batches.meta", "test_batch"])
def test_load_cifar10_refuses_pickles_naming_other_globals(tmp_path, where, batch):
    marker = tmp_path / "pwned"
    batches = make_batches()
    key = b"labels" if batch == "test_batch" else b"num_vis"
    batches[batch][key] = _RunsACommand(marker)
    if where == "archive":
        path = write_archive(tmp_path / "cifar.tar.gz", batches)
    else:
        path = write_folder(tmp_path, batches)

    with pytest.raises(ValueError, match=r"refuses to load global \w+\.system"):
        load_cifar10(path, subset="test")
    assert not marker.exists()


@pytest.mark.parametrize(
    "payload", [print, np.load, np.int64(3), np.float32(1.0), Path("x")]
)
def test_load_cifar10_refuses_anything_beyond_arrays(tmp_path, payload):
    batches = make_batches()
    batches["test_batch"][b"filenames"] = payload
    folder = write_folder(tmp_path, batches)
    with pytest.raises(ValueError, match="refuses to load global"):
        load_cifar10(folder, subset="test")


# --- Errors ----------------------------------------------------------------------


def test_load_cifar10_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such file or folder.*nowhere"):
        load_cifar10(tmp_path / "nowhere.tar.gz")


def test_load_cifar10_folder_without_cifar(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds neither"):
        load_cifar10(tmp_path)


def test_load_cifar10_folder_missing_a_batch(tmp_path):
    batches = make_batches()
    del batches["data_batch_5"]
    folder = write_folder(tmp_path, batches)
    with pytest.raises(FileNotFoundError, match="data_batch_5 is missing"):
        load_cifar10(folder.parent, subset="all")


def test_load_cifar10_not_a_gzip_file(tmp_path):
    path = tmp_path / "cifar.tar.gz"
    path.write_bytes(b"this is not an archive")
    with pytest.raises(ValueError, match="expected a gzip-compressed tar file"):
        load_cifar10(path)


def test_load_cifar10_gzip_but_not_tar(tmp_path):
    path = tmp_path / "cifar.tar.gz"
    path.write_bytes(gzip.compress(b"this is not a tar file" * 100))
    with pytest.raises(ValueError, match="expected a gzip-compressed tar file"):
        load_cifar10(path)


def test_load_cifar10_truncated_archive(tmp_path, sources):
    path = tmp_path / "cifar.tar.gz"
    raw = sources["archive"].read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="python version archive"):
        load_cifar10(path, subset="all")


def test_load_cifar10_archive_of_something_else(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "readme.txt").write_text("hello")
    path = tmp_path / "other.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(other, arcname="other")
    with pytest.raises(ValueError, match="lacks cifar-10-batches-py/batches.meta"):
        load_cifar10(path)


def test_load_cifar10_member_not_a_pickle(tmp_path):
    batches = make_batches()
    batches["test_batch"] = b"not a pickle at all"
    archive = write_archive(tmp_path / "cifar.tar.gz", batches)
    with pytest.raises(ValueError, match="test_batch .*is not a CIFAR-10 batch"):
        load_cifar10(archive, subset="test")


def _replace(batch, **changes):
    batch = dict(batch)
    for key, value in changes.items():
        if value is None:
            del batch[key.encode()]
        else:
            batch[key.encode()] = value
    return batch


def _bad_batches():
    good = make_batches()["test_batch"]
    n = len(good[b"labels"])
    return {
        "not a dict": ([1, 2, 3], "expected a pickled dict, got list"),
        "no data": (_replace(good, data=None), "expected a dict with key b'data'"),
        "no labels": (
            _replace(good, labels=None),
            "expected a dict with key b'labels'",
        ),
        "data 1-D": (
            _replace(good, data=np.zeros(3072, dtype=np.uint8)),
            r"uint8 array of shape \(n_images, 3072\), got an array of shape \(3072,\)",
        ),
        "data 1024 wide": (
            _replace(good, data=np.zeros((n, 1024), dtype=np.uint8)),
            r"shape \(n_images, 3072\), got an array of shape \(\d+, 1024\)",
        ),
        "data float": (
            _replace(good, data=np.zeros((n, 3072))),
            "uint8 array .* dtype float64",
        ),
        "data a list": (
            _replace(good, data=[[0] * 3072] * n),
            "uint8 array .*, got list",
        ),
        "labels not integers": (
            _replace(good, labels=["cat"] * n),
            "expected its labels to be a list of integers",
        ),
        "label 10": (
            _replace(good, labels=[0] * (n - 1) + [10]),
            "expected labels in 0..9, got labels from 0 to 10",
        ),
        "label -1": (
            _replace(good, labels=[-1] + [0] * (n - 1)),
            "expected labels in 0..9, got labels from -1 to 0",
        ),
        "fewer labels": (
            _replace(good, labels=[0] * (n - 1)),
            f"holds {n} images but {n - 1} labels",
        ),
    }


@pytest.mark.parametrize("where", ["archive", "folder"])
@pytest.mark.parametrize("case", list(_bad_batches()))
def test_load_cifar10_batch_not_cifar(tmp_path, where, case):
    bad, message = _bad_batches()[case]
    batches = make_batches()
    batches["test_batch"] = bad
    if where == "archive":
        path = write_archive(tmp_path / "cifar.tar.gz", batches)
    else:
        path = write_folder(tmp_path, batches)
    with pytest.raises(ValueError, match="test_batch.*is not a CIFAR-10 batch") as exc:
        load_cifar10(path, subset="test")
    assert exc.match(message)


@pytest.mark.parametrize(
    "meta, message",
    [
        ({b"num_vis": 3072}, "expected a dict with key b'label_names'"),
        ({b"label_names": [b"cat", b"dog"]}, "a list of 10 names"),
        ({b"label_names": list(range(10))}, "a list of 10 names"),
    ],
)
def test_load_cifar10_meta_not_cifar(tmp_path, meta, message):
    batches = make_batches()
    batches["batches.meta"] = meta
    folder = write_folder(tmp_path, batches)
    with pytest.raises(ValueError, match="batches.meta") as exc:
        load_cifar10(folder, subset="test")
    assert exc.match(message)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"subset": "validation"}, "'subset' parameter .* among"),
        ({"subset": "Train"}, "'subset' parameter"),
        ({"return_X_y": "yes"}, "'return_X_y' parameter"),
    ],
)
def test_load_cifar10_invalid_parameters(sources, params, message):
    with pytest.raises(ValueError, match=message):
        load_cifar10(sources["archive"], **params)


def test_load_cifar10_invalid_path_type():
    with pytest.raises(TypeError, match="'path' parameter"):
        load_cifar10(42)


# --- The real CIFAR-10 subset shipped next to the repository ---------------------


@pytest.fixture(scope="module")
def real_subset():
    if not REAL_ARCHIVE.is_file():
        pytest.skip(f"the real CIFAR-10 subset is not at {REAL_ARCHIVE}")
    train = load_cifar10(REAL_ARCHIVE, subset="train")
    test = load_cifar10(REAL_ARCHIVE, subset="test")
    return train, test


def test_load_cifar10_real_subset(real_subset):
    train, test = real_subset

    assert train.images.shape == (10_000, 32, 32, 3)
    assert test.images.shape == (2_000, 32, 32, 3)
    assert_array_equal(np.bincount(train.target, minlength=10), [1_000] * 10)
    assert_array_equal(np.bincount(test.target, minlength=10), [200] * 10)
    assert train.target_names.tolist() == NAMES
    # The subset keeps 1,000 images per class in their original order, so it
    # starts with original images 0, 2, 9, 10, 11, ...: the full set's first
    # ten (frog, truck, truck, deer, automobile, automobile, bird, horse, ship,
    # cat) do not all survive.
    assert train.target_names[train.target[:10]].tolist() == [
        "frog",
        "truck",
        "cat",
        "deer",
        "horse",
        "bird",
        "truck",
        "bird",
        "airplane",
        "deer",
    ]
    assert_allclose(
        train.images.reshape(-1, 3).mean(axis=0), [125.27, 123.10, 113.84], atol=0.01
    )
    assert_allclose(
        test.images.reshape(-1, 3).mean(axis=0), [126.19, 123.63, 114.11], atol=0.01
    )
