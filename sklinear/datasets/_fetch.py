"""Download CIFAR-10 once into the scikit-learn data home, then load it from there.

The archive is cached as downloaded (``cifar-10-python.tar.gz``, 163 MB) and
never extracted: :func:`load_cifar10` reads its members directly.
"""

import hashlib
import http.client
import os
import sys
import tempfile
import time
import warnings
from collections import namedtuple
from numbers import Integral, Real
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from sklearn.datasets import get_data_home
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._cifar10 import _SUBSETS, load_cifar10

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


def _download(remote, folder, n_retries, delay):
    """Download ``remote`` into ``folder``, check its sha256, return its path.

    The bytes go to a temporary file of ``folder``, which is renamed to
    ``remote.filename`` only once its checksum matches: an interrupted or
    corrupted download never leaves a file that would pass for the archive.
    """
    path = folder / remote.filename
    # Unique per call, so that two processes downloading at once do not write
    # into the same file; each renames its own complete copy into place.
    with tempfile.NamedTemporaryFile(
        prefix=remote.filename + ".part_", dir=folder, delete=False
    ) as part:
        part_path = Path(part.name)
    try:
        while True:
            try:
                checksum = _stream(remote.url, part_path)
                break
            # A connection dropped midway or a garbled response is as transient
            # as a refused connection: start again from the first byte.
            except (
                URLError,
                TimeoutError,
                ConnectionError,
                http.client.HTTPException,
            ) as exc:
                if n_retries == 0:
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
    except BaseException:
        # Also on KeyboardInterrupt: a partial file must not stay behind.
        part_path.unlink(missing_ok=True)
        raise
    # Atomic, as both files are in the same folder.
    os.replace(part_path, path)
    return path


def _stream(url, path):
    """Write the body at ``url`` to ``path`` (from scratch); return its sha256."""
    sha256 = hashlib.sha256()
    with urlopen(url, timeout=_TIMEOUT) as response, open(path, "wb") as file:
        total = response.headers.get("Content-Length")
        total = int(total) if total and total.isdigit() else None
        size = f"{total / 1e6:.1f} MB" if total is not None else "unknown size"
        print(f"Downloading {url} ({size}) to {path.parent}", file=sys.stderr)
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
        OSErrors); or if the downloaded file's SHA256 checksum is not the
        published one, in which case the message gives both checksums. In
        every case, no partial or unverified file is left behind.
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
    The download goes to a temporary file beside the archive, which is
    renamed to ``cifar-10-python.tar.gz`` only once its checksum matches, so
    a file of that name is always a complete, verified archive. Its presence
    is what later calls check; to download it again, delete it.

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
    if not path.is_file():
        if not download_if_missing:
            raise OSError(
                f"Data not found and `download_if_missing` is False: {path} "
                "does not exist."
            )
        folder.mkdir(parents=True, exist_ok=True)
        path = _download(ARCHIVE, folder, n_retries=n_retries, delay=delay)
    return load_cifar10(path, subset=subset, return_X_y=return_X_y)
