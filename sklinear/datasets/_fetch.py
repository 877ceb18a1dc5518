"""Download CIFAR-10 once into the scikit-learn data home, then load it from there.

The archive is cached as downloaded (``cifar-10-python.tar.gz``, 163 MB) and
never extracted: :func:`load_cifar10` reads its members directly.
"""

import hashlib
import http.client
import os
import socket
import sys
import tempfile
import time
import warnings
from collections import namedtuple
from contextlib import contextmanager
from numbers import Integral, Real
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from sklearn.datasets import get_data_home

from ..utils._fixes import Interval, StrOptions, validate_params
from ._cifar10 import _SUBSETS, _file_kind, _open_regular, load_cifar10

__all__ = ["fetch_cifar10"]

# The fields of scikit-learn's ``sklearn.datasets._base.RemoteFileMetadata``,
# defined here so as not to import a private name; the checksum is a sha256.
RemoteFileMetadata = namedtuple("RemoteFileMetadata", ["filename", "url", "checksum"])

# The dataset's page (https://www.cs.toronto.edu/~kriz/cifar.html) publishes
# only the md5 of this file, c58f30108f718f92721af3b95e74349a (torchvision's
# datasets/cifar.py checks that one). The sha256 below is the one Keras checks
# when it downloads this same URL (``file_hash`` in keras/src/datasets/cifar10.py)
# and torchvision's prototype datasets list (prototype/datasets/_builtin/cifar.py);
# it is used, as scikit-learn's fetchers use sha256, because md5 is broken for
# collisions. The file is 170,498,071 bytes.
ARCHIVE = RemoteFileMetadata(
    filename="cifar-10-python.tar.gz",
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    checksum="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
)

# The folder of the data home that holds the archive.
_CACHE_FOLDER = "cifar10"
_CHUNK_SIZE = 1 << 20
# Seconds without a byte from the server before an attempt counts as failed.
_TIMEOUT = 60


# Beside the archive, the record that it was verified: its checksum, size and
# modification time, as one line that _record writes.
_RECORD_SUFFIX = ".verified"


@contextmanager
def _new_file(path):
    """A new file beside ``path``, open for writing, that becomes ``path``.

    The file is made by :func:`tempfile.mkstemp`, which creates it exclusively
    (never an existing file, nor through a link), and written through that
    descriptor only, never opened again by name: a link put in its place
    cannot redirect the writes. It is renamed to ``path`` if the block
    succeeds, and removed if anything fails, the rename included.
    """
    descriptor, part = tempfile.mkstemp(prefix=path.name + ".part_", dir=path.parent)
    try:
        with open(descriptor, "wb") as file:
            yield file
            file.flush()
            os.replace(part, path)
            # Whoever can write to the folder could have swapped the name of
            # the file for another meanwhile; the rename then moved that one.
            if not os.path.samestat(os.lstat(path), os.fstat(file.fileno())):
                os.unlink(path)
                raise OSError(
                    f"{part} was replaced by another file while it was written; "
                    f"nothing was kept at {path}."
                )
    except BaseException:
        # Also on KeyboardInterrupt: a partial file must not stay behind.
        Path(part).unlink(missing_ok=True)
        raise


def _record(checksum, stat):
    """The line that records that a file of ``stat`` has ``checksum``."""
    return f"sha256 {checksum} size {stat.st_size} mtime_ns {stat.st_mtime_ns}\n"


def _is_recorded(path, checksum):
    """Whether ``path`` was verified to have ``checksum`` and is unchanged since.

    The record is only trusted if it is exactly the line :func:`_record`
    writes for the file as it is now: anything else (missing, damaged, not a
    regular file, longer than that line) means the file is verified again.
    """
    expected = _record(checksum, os.stat(path)).encode()
    try:
        with _open_regular(f"{path}{_RECORD_SUFFIX}", "the record") as file:
            return file.read(len(expected) + 1) == expected
    except (OSError, ValueError):
        return False


def _sha256(file):
    """The SHA256 of the open binary ``file``, read in chunks."""
    sha256 = hashlib.sha256()
    while chunk := file.read(_CHUNK_SIZE):
        sha256.update(chunk)
    return sha256.hexdigest()


def _write_record(path, checksum, stat):
    record = Path(f"{path}{_RECORD_SUFFIX}")
    try:
        with _new_file(record) as file:
            file.write(_record(checksum, stat).encode())
    except OSError:
        # The record only saves verifying the archive again on the next
        # call; in a read-only folder, every call verifies it.
        pass


def _verify(path, remote):
    """Check the SHA256 of the cached ``path``, unless recorded as verified."""
    if _is_recorded(path, remote.checksum):
        return
    with _open_regular(path, path) as file:
        # The record keys on the file as it was before reading it: if it
        # changes while being read, the next call verifies it again.
        stat = os.fstat(file.fileno())
        checksum = _sha256(file)
    if checksum != remote.checksum:
        raise OSError(
            f"The SHA256 checksum of {path} ({checksum}) differs from that of "
            f"{remote.filename} ({remote.checksum}): the file is damaged, "
            "incomplete or another file. It was left as it is; delete it, and "
            "the next call downloads the archive again."
        )
    _write_record(path, checksum, stat)


def _download(remote, folder, n_retries, delay):
    """Download ``remote`` into ``folder``, check its sha256, return its path.

    The bytes go to a temporary file of ``folder`` (see :func:`_new_file`),
    which becomes ``remote.filename`` only once its checksum matches: an
    interrupted or corrupted download never leaves a file that would pass
    for the archive.
    """
    path = folder / remote.filename
    # Unique per call, so that two processes downloading at once do not write
    # into the same file; each renames its own complete copy into place.
    with _new_file(path) as part:
        while True:
            try:
                checksum = _stream(remote.url, part, folder)
                break
            # A connection dropped midway or a garbled response is as transient
            # as a refused connection: start again from the first byte.
            except (
                URLError,
                TimeoutError,
                ConnectionError,
                http.client.HTTPException,
            ) as exc:
                # A name that does not resolve (offline, a typo) will not
                # resolve in a few seconds either: say so now.
                unresolved = isinstance(getattr(exc, "reason", None), socket.gaierror)
                if n_retries == 0 or unresolved:
                    raise
                warnings.warn(
                    f"Downloading {remote.url} failed ({exc}); retrying in {delay} s.",
                    stacklevel=2,
                )
                n_retries -= 1
                time.sleep(delay)
        if checksum != remote.checksum:
            raise OSError(
                f"The SHA256 checksum of {remote.filename} downloaded from "
                f"{remote.url} ({checksum}) differs from expected "
                f"({remote.checksum}); the download was discarded."
            )
        part.flush()
        stat = os.fstat(part.fileno())
    _write_record(path, checksum, stat)
    return path


def _stream(url, file, folder):
    """Write the body at ``url`` to ``file`` (from scratch); return its sha256."""
    file.seek(0)
    file.truncate()
    sha256 = hashlib.sha256()
    with urlopen(url, timeout=_TIMEOUT) as response:
        total = response.headers.get("Content-Length")
        total = int(total) if total and total.isdigit() else None
        size = f"{total / 1e6:.1f} MB" if total is not None else "unknown size"
        print(f"Downloading {url} ({size}) to {folder}", file=sys.stderr)
        # The percentage is redrawn in place, which only reads well on a terminal.
        show_progress = total and sys.stderr.isatty()
        done = shown = 0
        while chunk := response.read(_CHUNK_SIZE):
            file.write(chunk)
            sha256.update(chunk)
            done += len(chunk)
            if show_progress and (percent := 100 * done // total) != shown:
                shown = percent
                print(f"\r{percent:3d}%", end="", file=sys.stderr, flush=True)
        if show_progress:
            print(file=sys.stderr)
    # http.client reads a body cut short as a normal end, without an error.
    if total is not None and done < total:
        raise ConnectionError(
            f"The connection closed after {done} of the {total} bytes of {url}."
        )
    return sha256.hexdigest()


@validate_params(
    {
        "data_home": [str, os.PathLike, None],
        "subset": [StrOptions(set(_SUBSETS))],
        "return_X_y": ["boolean"],
        "download_if_missing": ["boolean"],
        "n_retries": [Interval(Integral, 0, None, closed="left")],
        "delay": [Interval(Real, 0.0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def fetch_cifar10(
    *,
    data_home=None,
    subset="train",
    return_X_y=False,
    download_if_missing=True,
    n_retries=3,
    delay=1.0,
):
    """Load CIFAR-10, downloading the official archive on first use.

    The first call downloads ``cifar-10-python.tar.gz`` (163 MB) from
    https://www.cs.toronto.edu/~kriz/cifar.html into the folder ``cifar10`` of
    the scikit-learn data home, checks its SHA256 checksum, and keeps it
    there; later calls read that file without touching the network. The
    archive is read as :func:`load_cifar10` reads it, directly and without
    extracting it.

    =================   =======================
    Classes                                  10
    Samples per class      5000 train, 1000 test
    Samples total        50000 train, 10000 test
    Image shape                     (32, 32, 3)
    Pixels                    uint8 RGB, 0..255
    =================   =======================

    Parameters
    ----------
    data_home : str or path-like, default=None
        The scikit-learn data home, in which the archive is cached as
        ``<data_home>/cifar10/cifar-10-python.tar.gz``. If None, the
        ``SCIKIT_LEARN_DATA`` environment variable names it if set, and
        ``~/scikit_learn_data`` otherwise, as for scikit-learn's ``fetch_*``
        functions (see :func:`sklearn.datasets.get_data_home`).
    subset : {"train", "test", "all"}, default="train"
        Which images to return: the 50000 training images, the 10000 test
        images, or the training images followed by the test images.
    return_X_y : bool, default=False
        If True, return ``(images, target)`` instead of a Bunch.
    download_if_missing : bool, default=True
        If False, raise an OSError if the archive is not cached instead of
        downloading it.
    n_retries : int, default=3
        How many times to try again when the download fails for a network
        error (not for a wrong checksum).
    delay : float, default=1.0
        Seconds to wait before each new try.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        What :func:`load_cifar10` returns for the cached archive: a
        dictionary-like object with the following attributes.

        images : ndarray of shape (n_images, 32, 32, 3)
            The images, uint8 RGB with channels last.
        target : ndarray of shape (n_images,)
            The class of each image, int64 in ``0..9``.
        target_names : ndarray of shape (10,)
            The class names (``"airplane"``, ``"automobile"``, ...), as str.
        DESCR : str
            A description of the dataset, the path of the cached archive,
            and the number of images read.

    (images, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    Raises
    ------
    OSError
        If the archive is not cached and ``download_if_missing`` is False; if
        the download fails on every try for a network error (such as
        :class:`urllib.error.URLError`, :class:`TimeoutError` or
        :class:`ConnectionError` for a connection dropped midway, all
        OSErrors); if the downloaded file's SHA256 checksum is not the
        published one, in which case the message gives both checksums; if
        the cached archive's checksum is not the published one (the message
        gives both, and says to delete the file); if something other than a
        regular file (a folder) is where the archive belongs; or if the
        temporary file of the download was replaced by another while it was
        written. In every case, no partial or unverified file is left behind,
        and a cached file is never deleted.
    http.client.HTTPException
        If the server's last response is not valid HTTP.
    ValueError
        If the cached archive is not a readable CIFAR-10 archive (see
        :func:`load_cifar10`), or a parameter is not one of its options.

    See Also
    --------
    load_cifar10 : Load CIFAR-10 from an archive or folder already on disk.
    sklearn.datasets.get_data_home : The data home and how it is chosen.

    Notes
    -----
    The download goes to a temporary file beside the archive, created
    exclusively and written through its own descriptor (a link put in its
    place cannot redirect it), which is renamed to ``cifar-10-python.tar.gz``
    only once its checksum matches; it is removed if anything fails, the
    rename included.

    A file already at that path, however it got there, is verified before
    it is loaded: its SHA256 is computed once, and the verification is
    recorded beside it in ``cifar-10-python.tar.gz.verified``, keyed by the
    file's size and modification time. Later calls trust the record only if
    it is exactly the line that would be written for the file as it is now;
    otherwise (the file changed, the record is damaged, missing or not a
    regular file) the file is verified again. If its checksum is not the
    published one, the call raises an OSError and leaves the file as it is,
    as it may be one you put there; delete it to download the archive again.
    The record guards against damage and mistakes, not against someone who
    can write to your data home, who could forge it; the archive is read by
    :func:`load_cifar10`, which treats it as hostile in any case. If the
    folder is read-only, the record cannot be written and every call
    verifies the archive, a SHA256 over its 170,498,071 bytes.

    The download reports its size, and its progress on a terminal, on
    standard error.

    The SHA256 checked is ``6d958be0...b5c001ce``, which Keras checks for the
    same file; the dataset's page publishes its MD5,
    ``c58f30108f718f92721af3b95e74349a``.

    References
    ----------
    .. [1] Alex Krizhevsky. "Learning Multiple Layers of Features from Tiny
       Images." Technical report, University of Toronto, 2009.

    Examples
    --------
    >>> from sklinear.datasets import fetch_cifar10
    >>> cifar = fetch_cifar10()  # doctest: +SKIP
    >>> cifar.images.shape, cifar.images.dtype  # doctest: +SKIP
    ((50000, 32, 32, 3), dtype('uint8'))
    >>> X_test, y_test = fetch_cifar10(
    ...     subset="test", return_X_y=True
    ... )  # doctest: +SKIP
    >>> X_test.shape, y_test.shape  # doctest: +SKIP
    ((10000, 32, 32, 3), (10000,))
    """
    folder = Path(get_data_home(data_home=data_home)) / _CACHE_FOLDER
    path = folder / ARCHIVE.filename
    if path.is_file():
        _verify(path, ARCHIVE)
    elif path.exists():
        raise OSError(
            f"{path} is {_file_kind(path.stat().st_mode)}, where the cached "
            "archive, a regular file, belongs; remove it to download the archive."
        )
    elif not download_if_missing:
        raise OSError(
            f"Data not found and `download_if_missing` is False: {path} does not exist."
        )
    else:
        folder.mkdir(parents=True, exist_ok=True)
        path = _download(ARCHIVE, folder, n_retries=n_retries, delay=delay)
    return load_cifar10(path, subset=subset, return_X_y=return_X_y)
