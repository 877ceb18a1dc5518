"""Load CIFAR-10 from its official "python version" archive or extracted folder.

The batches of that format are Python pickles. A pickle can run any callable it
names, so they are read with :class:`_CIFAR10Unpickler`, which only rebuilds
the few numpy objects a batch holds and refuses every other global.
"""

import codecs
import gzip
import io
import os
import pickle
import tarfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

__all__ = ["load_cifar10"]

_FOLDER = "cifar-10-batches-py"
_META = "batches.meta"
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCHES = ("test_batch",)
_SUBSETS = {
    "train": _TRAIN_BATCHES,
    "test": _TEST_BATCHES,
    "all": _TRAIN_BATCHES + _TEST_BATCHES,
}
_N_CLASSES = 10
_SIDE = 32
_N_PIXELS = 3 * _SIDE * _SIDE

# Taken from a live array rather than imported by name: the official batches
# name it ``numpy.core.multiarray._reconstruct`` (numpy 1.x), newer pickles
# ``numpy._core.multiarray._reconstruct``; importing the first warns under numpy
# 2 and the second does not exist under numpy 1.x. Both resolve to this one.
_reconstruct = np.empty(0).__reduce__()[0]

# Everything a pickled uint8 array and a dict of lists, bytes and ints can need.
# ``_codecs.encode`` is how Python 3 writes ``bytes`` at protocol 2.
_SAFE_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,
}


class _CIFAR10Unpickler(pickle.Unpickler):
    """Unpickler that rebuilds numpy arrays and plain data, and nothing else."""

    def find_class(self, module, name):
        try:
            return _SAFE_GLOBALS[module, name]
        except KeyError:
            raise pickle.UnpicklingError(
                f"load_cifar10 refuses to load global {module}.{name}: a CIFAR-10 "
                "batch only holds numpy arrays, lists, bytes and integers"
            ) from None


def _unpickle(file, source):
    """Read one pickled batch from the binary file object ``file``."""
    try:
        # encoding="bytes" keeps the Python 2 ``str`` keys and array buffers of
        # the official batches as bytes, as the format's own loader does.
        return _CIFAR10Unpickler(file, encoding="bytes").load()
    except Exception as exc:
        # A malformed pickle can fail in many ways (truncated stream, unknown
        # opcode, numpy refusing a state); they all mean the same thing here.
        raise ValueError(
            f"{source} is not a CIFAR-10 batch: unpickling it failed ({exc})."
        ) from exc


def _get(batch, key, source):
    """``batch[key]``, the key bytes (as in the official files) or str (a re-pickle)."""
    if not isinstance(batch, dict):
        raise ValueError(
            f"{source} is not a CIFAR-10 batch: expected a pickled dict, "
            f"got {type(batch).__name__}."
        )
    for candidate in (key.encode(), key):
        if candidate in batch:
            return batch[candidate]
    raise ValueError(
        f"{source} is not a CIFAR-10 batch: expected a dict with key b{key!r}, "
        f"got keys {sorted(map(repr, batch))}."
    )


def _check_batch(batch, source):
    """The images (n, 32, 32, 3) as a view, and the labels, of one data batch."""
    data = _get(batch, "data", source)
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != _N_PIXELS
    ):
        found = (
            f"an array of shape {data.shape} and dtype {data.dtype}"
            if isinstance(data, np.ndarray)
            else type(data).__name__
        )
        raise ValueError(
            f"{source} is not a CIFAR-10 batch: expected its data to be a uint8 "
            f"array of shape (n_images, {_N_PIXELS}), got {found}."
        )
    labels = np.asarray(_get(batch, "labels", source))
    if labels.ndim != 1 or (labels.size and labels.dtype.kind not in "iu"):
        raise ValueError(
            f"{source} is not a CIFAR-10 batch: expected its labels to be a list "
            f"of integers, got an array of shape {labels.shape} and dtype "
            f"{labels.dtype}."
        )
    if len(labels) != len(data):
        raise ValueError(
            f"{source} is not a CIFAR-10 batch: it holds {len(data)} images but "
            f"{len(labels)} labels."
        )
    if labels.size and (labels.min() < 0 or labels.max() >= _N_CLASSES):
        raise ValueError(
            f"{source} is not a CIFAR-10 batch: expected labels in 0..{_N_CLASSES - 1}"
            f", got labels from {labels.min()} to {labels.max()}."
        )
    # Each row is the red plane, then the green, then the blue, each row-major.
    images = data.reshape(-1, 3, _SIDE, _SIDE).transpose(0, 2, 3, 1)
    return images, labels.astype(np.int64)


def _check_meta(meta, source):
    """The class names, as str, from ``batches.meta``."""
    names = _get(meta, "label_names", source)
    if (
        not isinstance(names, (list, tuple))
        or len(names) != _N_CLASSES
        or not all(isinstance(name, (bytes, str)) for name in names)
    ):
        raise ValueError(
            f"{source} is not the CIFAR-10 metadata: expected label_names to be "
            f"a list of {_N_CLASSES} names, got {names!r:.200}."
        )
    return [name.decode() if isinstance(name, bytes) else name for name in names]


def _read_archive(path, names):
    """Unpickle the members ``names`` of the .tar.gz archive at ``path``."""
    wanted = {(_FOLDER, name) for name in names}
    found = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            # One pass over the members, reading the ones wanted as the stream
            # reaches them: gzip cannot seek back without starting over. Each
            # member is read whole before unpickling, so that a damaged archive
            # is reported as such and not as a damaged pickle.
            for member in archive:
                key = PurePosixPath(member.name).parts[-2:]
                if member.isfile() and key in wanted:
                    raw = archive.extractfile(member).read()
                    source = f"Member {member.name} of {path}"
                    found[key[1]] = _unpickle(io.BytesIO(raw), source)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ValueError(
            f"{path} is not the CIFAR-10 python version archive: expected a "
            f"gzip-compressed tar file (cifar-10-python.tar.gz), but reading it "
            f"failed ({exc})."
        ) from exc
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(
            f"{path} is not the CIFAR-10 python version archive: expected members "
            f"{', '.join(f'{_FOLDER}/{name}' for name in names)}; it lacks "
            f"{', '.join(f'{_FOLDER}/{name}' for name in missing)}."
        )
    return found


def _read_folder(folder, names):
    """Unpickle the files ``names`` of the extracted folder ``folder``."""
    found = {}
    for name in names:
        file = folder / name
        if not file.is_file():
            raise FileNotFoundError(
                f"{folder} is not a complete extracted CIFAR-10 folder: expected "
                f"the files {', '.join(names)}; {name} is missing."
            )
        with open(file, "rb") as f:
            found[name] = _unpickle(f, f"File {file}")
    return found


def _describe(path, subset, names, target, target_names):
    counts = np.bincount(target, minlength=_N_CLASSES)
    per_class = (
        f"{counts[0]} per class"
        if counts.min() == counts.max()
        else f"{counts.min()} to {counts.max()} per class"
    )
    return f"""\
CIFAR-10 dataset (python version)
---------------------------------

32x32 colour images in {_N_CLASSES} classes: {", ".join(target_names)}.

Read from: {path}
Subset: {subset!r}, {len(target)} images ({per_class}) from {", ".join(names)}.

:images: uint8 array of shape ({len(target)}, 32, 32, 3), RGB, channels last.
:target: int64 array of shape ({len(target)},), indices into target_names.

The full dataset has 50000 training images (data_batch_1 to data_batch_5) and
10000 test images (test_batch), 6000 per class. It was collected by Alex
Krizhevsky, Vinod Nair and Geoffrey Hinton: https://www.cs.toronto.edu/~kriz/cifar.html

.. topic:: References

  - Alex Krizhevsky. Learning Multiple Layers of Features from Tiny Images.
    Technical report, University of Toronto, 2009.
"""


@validate_params(
    {
        "path": [str, os.PathLike],
        "subset": [StrOptions(set(_SUBSETS))],
        "return_X_y": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_cifar10(path, *, subset="train", return_X_y=False):
    """Load CIFAR-10 from its official python-version archive or folder.

    Reads the format of ``cifar-10-python.tar.gz`` from
    https://www.cs.toronto.edu/~kriz/cifar.html: pickled batches of 32x32 RGB
    images in 10 classes, 50000 for training and 10000 for testing in the full
    dataset. Nothing is downloaded and nothing is extracted to disk: the
    members are read from the archive directly. The pickles are read with an
    unpickler that only rebuilds numpy arrays and plain data, so a file that
    names any other global (such as ``os.system``) is refused, not run.

    =================   =======================
    Classes                                  10
    Samples per class      5000 train, 1000 test
    Samples total        50000 train, 10000 test
    Image shape                     (32, 32, 3)
    Pixels                    uint8 RGB, 0..255
    =================   =======================

    Parameters
    ----------
    path : str or path-like
        The ``.tar.gz`` archive, or its extracted ``cifar-10-batches-py``
        folder, or the folder that holds that one.
    subset : {"train", "test", "all"}, default="train"
        Which batches to read: ``"train"`` for ``data_batch_1`` to
        ``data_batch_5``, ``"test"`` for ``test_batch``, ``"all"`` for the
        training images followed by the test images.
    return_X_y : bool, default=False
        If True, return ``(images, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object, with the following attributes.

        images : ndarray of shape (n_images, 32, 32, 3)
            The images, uint8 RGB with channels last, C-contiguous, in the
            order of the batches.
        target : ndarray of shape (n_images,)
            The class of each image, int64 in ``0..9``.
        target_names : ndarray of shape (10,)
            The class names (``"airplane"``, ``"automobile"``, ...), as str, so
            that ``target_names[target]`` names every image.
        DESCR : str
            A description of the dataset, where it was read from, and the
            number of images read.

    (images, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist, is a folder holding neither
        ``batches.meta`` nor ``cifar-10-batches-py``, or lacks a batch file
        that ``subset`` needs.
    ValueError
        If ``path`` is not a gzip-compressed tar file, lacks a member that
        ``subset`` needs, or holds a batch that is not in the CIFAR-10 format
        (a pickled dict with a uint8 ``data`` array of shape (n, 3072) and as
        many ``labels`` in 0..9), or a pickle naming any global other than
        the numpy ones an array needs; or if ``subset`` is not one of the
        options. The message says what was expected and what was found.

    See Also
    --------
    sklearn.datasets.load_digits : Load 8x8 grayscale digit images.

    Notes
    -----
    In each batch, row ``i`` of the ``(n, 3072)`` ``data`` array holds the
    red plane of image ``i``, then its green plane, then its blue plane, each
    32x32 in row-major order. The pixel in row ``r``, column ``c`` of channel
    ``k`` is therefore ``data[i, 1024 * k + 32 * r + c]``, which this function
    returns as ``images[i, r, c, k]``.

    References
    ----------
    .. [1] Alex Krizhevsky. "Learning Multiple Layers of Features from Tiny
       Images." Technical report, University of Toronto, 2009.

    Examples
    --------
    The archive is not part of sklinear; download it from the page above.

    >>> from sklinear.datasets import load_cifar10
    >>> cifar = load_cifar10("cifar-10-python.tar.gz")  # doctest: +SKIP
    >>> cifar.images.shape, cifar.images.dtype  # doctest: +SKIP
    ((50000, 32, 32, 3), dtype('uint8'))
    >>> cifar.target_names[cifar.target[:3]]  # doctest: +SKIP
    array(['frog', 'truck', 'truck'], dtype='<U10')
    >>> X_test, y_test = load_cifar10(
    ...     "cifar-10-python.tar.gz", subset="test", return_X_y=True
    ... )  # doctest: +SKIP
    >>> X_test.shape, y_test.shape  # doctest: +SKIP
    ((10000, 32, 32, 3), (10000,))
    """
    path = Path(path)
    names = _SUBSETS[subset]
    if path.is_dir():
        folder = path if (path / _META).is_file() else path / _FOLDER
        if not folder.is_dir():
            raise FileNotFoundError(
                f"{path} is not an extracted CIFAR-10 folder: expected it to hold "
                f"{_META} (the {_FOLDER} folder itself) or a {_FOLDER} folder "
                "(its parent), and it holds neither."
            )
        batches = _read_folder(folder, (_META, *names))
        meta_source = f"File {folder / _META}"
    elif path.is_file():
        batches = _read_archive(path, (_META, *names))
        meta_source = f"Member {_FOLDER}/{_META} of {path}"
    else:
        raise FileNotFoundError(
            f"No such file or folder: {path}; expected the CIFAR-10 python "
            f"version archive (cifar-10-python.tar.gz) or its extracted {_FOLDER} "
            "folder."
        )

    target_names = np.asarray(_check_meta(batches[_META], meta_source))
    checked = [_check_batch(batches[name], f"Batch {name} of {path}") for name in names]
    target = np.concatenate([batch_target for _, batch_target in checked])
    # Filled batch by batch: one copy from the channel-first batches into a
    # C-contiguous channel-last array (np.concatenate would keep the layout of
    # its transposed inputs).
    images = np.empty((len(target), _SIDE, _SIDE, 3), dtype=np.uint8)
    start = 0
    for batch_images, _ in checked:
        images[start : start + len(batch_images)] = batch_images
        start += len(batch_images)
    if return_X_y:
        return images, target
    return Bunch(
        images=images,
        target=target,
        target_names=target_names,
        DESCR=_describe(path, subset, names, target, target_names),
    )
