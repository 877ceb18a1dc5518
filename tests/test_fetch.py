"""fetch_cifar10: download once, verify, cache, then read the cache.

Nothing here touches the real URL: a tiny archive in the official format is
served from 127.0.0.1, and the fetcher's metadata is pointed at it.
"""

import hashlib
import http.server
import os
import shutil
import socket
import threading
import warnings
from pathlib import Path
from urllib.error import URLError

import pytest
from _cifar10_files import N_PER_BATCH, SUBSETS, make_batches
from _cifar10_files import write_archive as write_cifar10_archive
from numpy.testing import assert_array_equal
from sklearn.utils import Bunch

from sklinear.datasets import _fetch, fetch_cifar10, load_cifar10


def write_archive(path, seed=0):
    """A .tar.gz laid out like cifar-10-python.tar.gz."""
    return write_cifar10_archive(path, make_batches(seed))


class Server:
    """Serves one file from 127.0.0.1 and counts the requests for it.

    ``truncate`` makes that many of the next responses announce the whole file
    but send only half of it, as a connection dropped midway would.
    """

    def __init__(self, file):
        self.file = file
        self.requests = 0
        self.truncate = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                body = server.file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.truncate:
                    server.truncate -= 1
                    body = body[: len(body) // 2]
                    self.close_connection = True
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/{file.name}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.01,), daemon=True
        )
        self.thread.start()

    def stop(self):
        if not self.thread.is_alive():
            return
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def archive(tmp_path):
    (tmp_path / "source").mkdir()
    return write_archive(tmp_path / "source" / "cifar-10-python.tar.gz")


@pytest.fixture
def server(archive, monkeypatch):
    """The tiny archive served locally, and the fetcher pointed at it."""
    # A proxy configured in the environment must not see requests for 127.0.0.1.
    monkeypatch.setenv("no_proxy", "*")
    server = Server(archive)
    sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(
        _fetch, "ARCHIVE", _fetch.ARCHIVE._replace(url=server.url, checksum=sha256)
    )
    yield server
    server.stop()


def cached(data_home):
    return Path(data_home) / "cifar10" / "cifar-10-python.tar.gz"


def record(data_home):
    return Path(data_home) / "cifar10" / "cifar-10-python.tar.gz.verified"


def cache_files(data_home):
    """What a successful fetch leaves in the cache folder, sorted."""
    return sorted([cached(data_home), record(data_home)])


def assert_same_data(fetched, loaded):
    assert_array_equal(fetched.images, loaded.images)
    assert_array_equal(fetched.target, loaded.target)
    assert_array_equal(fetched.target_names, loaded.target_names)


def test_fetch_cifar10_downloads_once_then_reads_the_cache(tmp_path, archive, server):
    data_home = tmp_path / "home"

    first = fetch_cifar10(data_home=data_home)

    assert server.requests == 1
    assert cached(data_home).read_bytes() == archive.read_bytes()
    # Only the archive and the record of its verification are left: no
    # temporary file, nothing extracted.
    assert sorted(cached(data_home).parent.iterdir()) == cache_files(data_home)
    assert isinstance(first, Bunch)
    assert_same_data(first, load_cifar10(archive))
    assert str(cached(data_home)) in first.DESCR

    server.stop()  # a request now would fail, not count
    second = fetch_cifar10(data_home=data_home)

    assert server.requests == 1
    assert_same_data(second, first)


@pytest.mark.parametrize("subset", ["train", "test", "all"])
@pytest.mark.parametrize("return_X_y", [False, True])
def test_fetch_cifar10_returns_what_load_cifar10_returns(
    tmp_path, archive, server, subset, return_X_y
):
    fetched = fetch_cifar10(data_home=tmp_path, subset=subset, return_X_y=return_X_y)
    loaded = load_cifar10(archive, subset=subset, return_X_y=return_X_y)

    assert type(fetched) is type(loaded)
    if return_X_y:
        images, target = fetched
        assert_array_equal(images, loaded[0])
        assert_array_equal(target, loaded[1])
    else:
        assert_same_data(fetched, loaded)


def test_fetch_cifar10_default_subset_is_train(tmp_path, server):
    images, _ = fetch_cifar10(data_home=tmp_path, return_X_y=True)

    assert len(images) == sum(N_PER_BATCH[name] for name in SUBSETS["train"])


def test_fetch_cifar10_honours_scikit_learn_data(tmp_path, server, monkeypatch):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "env_home"))

    fetch_cifar10()

    assert cached(tmp_path / "env_home").is_file()


def test_fetch_cifar10_data_home_overrides_scikit_learn_data(
    tmp_path, server, monkeypatch
):
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "env_home"))

    fetch_cifar10(data_home=str(tmp_path / "arg_home"))

    assert cached(tmp_path / "arg_home").is_file()
    assert not cached(tmp_path / "env_home").exists()


def test_fetch_cifar10_reports_the_download_on_stderr(
    tmp_path, archive, server, capsys
):
    fetch_cifar10(data_home=tmp_path)

    err = capsys.readouterr().err
    assert server.url in err
    assert f"{archive.stat().st_size / 1e6:.1f} MB" in err


def test_fetch_cifar10_shows_a_percentage_on_a_terminal(
    tmp_path, server, capsys, monkeypatch
):
    monkeypatch.setattr(_fetch.sys.stderr, "isatty", lambda: True)

    fetch_cifar10(data_home=tmp_path)

    assert "\r100%\n" in capsys.readouterr().err


def test_fetch_cifar10_wrong_checksum_raises_and_leaves_no_file(
    tmp_path, server, monkeypatch
):
    expected = "0" * 64
    actual = _fetch.ARCHIVE.checksum
    monkeypatch.setattr(_fetch, "ARCHIVE", _fetch.ARCHIVE._replace(checksum=expected))

    with pytest.raises(
        OSError, match=rf"\({actual}\) differs from expected \({expected}\)"
    ):
        fetch_cifar10(data_home=tmp_path)

    assert server.requests == 1  # a wrong checksum is not retried
    assert list((tmp_path / "cifar10").iterdir()) == []
    with pytest.raises(OSError, match="download_if_missing"):
        fetch_cifar10(data_home=tmp_path, download_if_missing=False)


def test_fetch_cifar10_without_download_raises_oserror(tmp_path, server):
    with pytest.raises(OSError, match="Data not found and `download_if_missing` is"):
        fetch_cifar10(data_home=tmp_path, download_if_missing=False)

    assert server.requests == 0
    assert not (tmp_path / "cifar10").exists()


def test_fetch_cifar10_without_download_reads_the_cache(tmp_path, archive, server):
    fetch_cifar10(data_home=tmp_path)

    fetched = fetch_cifar10(data_home=tmp_path, download_if_missing=False)

    assert server.requests == 1
    assert_same_data(fetched, load_cifar10(archive))


def test_fetch_cifar10_retries_a_truncated_download(tmp_path, archive, server):
    server.truncate = 1

    with pytest.warns(UserWarning, match="retrying"):
        fetched = fetch_cifar10(data_home=tmp_path, delay=0)

    assert server.requests == 2
    assert cached(tmp_path).read_bytes() == archive.read_bytes()
    assert sorted((tmp_path / "cifar10").iterdir()) == cache_files(tmp_path)
    assert_same_data(fetched, load_cifar10(archive))


def test_fetch_cifar10_gives_up_after_n_retries_and_leaves_no_file(tmp_path, server):
    server.truncate = 3

    with pytest.warns(UserWarning, match="retrying"):
        with pytest.raises(OSError) as raised:
            fetch_cifar10(data_home=tmp_path, n_retries=2, delay=0)

    assert server.requests == 3
    assert not isinstance(raised.value, URLError)  # the truncation, not a refusal
    assert list((tmp_path / "cifar10").iterdir()) == []


def test_a_name_that_does_not_resolve_fails_at_once(tmp_path, monkeypatch):
    # Offline, the host's name does not resolve: retrying a few seconds later
    # would only make the user wait (the CLI reported it after 10 s).
    monkeypatch.setattr(
        _fetch, "ARCHIVE",
        _fetch.ARCHIVE._replace(url="http://cifar.invalid/cifar-10-python.tar.gz"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "retrying" warning
        with pytest.raises(URLError) as raised:
            fetch_cifar10(data_home=tmp_path, n_retries=3, delay=60)
    assert isinstance(raised.value.reason, socket.gaierror)
    assert list((tmp_path / "cifar10").iterdir()) == []


def test_fetch_cifar10_unreachable_server(tmp_path, server):
    server.stop()

    with pytest.raises(URLError):
        fetch_cifar10(data_home=tmp_path, n_retries=0)

    assert list((tmp_path / "cifar10").iterdir()) == []


def test_fetch_cifar10_interrupted_download_leaves_no_file(
    tmp_path, server, monkeypatch
):
    def interrupted(url, file, folder):
        file.write(b"the first bytes")
        raise KeyboardInterrupt

    monkeypatch.setattr(_fetch, "_stream", interrupted)

    with pytest.raises(KeyboardInterrupt):
        fetch_cifar10(data_home=tmp_path)

    assert list((tmp_path / "cifar10").iterdir()) == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"subset": "valid"}, "'subset' parameter"),
        ({"download_if_missing": "no"}, "'download_if_missing' parameter"),
        ({"n_retries": -1}, "'n_retries' parameter"),
        ({"data_home": 3}, "'data_home' parameter"),
    ],
)
def test_fetch_cifar10_invalid_parameters(tmp_path, params, message):
    with pytest.raises(ValueError, match=message):
        fetch_cifar10(**{"data_home": tmp_path, **params})


# --- The cache folder, as hostile as the archive ----------------------------------


def test_fetch_cifar10_never_writes_through_a_link_put_in_place_of_its_file(
    tmp_path, server, monkeypatch
):
    # The temporary file was opened again by name, so a link put in its place
    # made the download overwrite any file the user can write.
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    folder = tmp_path / "home" / "cifar10"
    real_urlopen = _fetch.urlopen

    def urlopen_after_a_swap(url, timeout):
        # Whoever can write to the folder swaps the temporary file for a
        # link, once it exists and before the download writes to it.
        for part in folder.glob("*.part_*"):
            part.unlink()
            part.symlink_to(victim)
        return real_urlopen(url, timeout=timeout)

    monkeypatch.setattr(_fetch, "urlopen", urlopen_after_a_swap)

    with pytest.raises(OSError, match="replaced by another file while it was written"):
        fetch_cifar10(data_home=tmp_path / "home")

    assert victim.read_text() == "precious"
    assert list(folder.iterdir()) == []


def test_fetch_cifar10_refuses_a_cached_file_with_another_checksum(tmp_path, server):
    # A file at the cache path was loaded without a checksum: here a valid
    # CIFAR-10 archive, but not the published one.
    other = write_archive(tmp_path / "other" / "cifar-10-python.tar.gz", seed=1)
    cached(tmp_path).parent.mkdir(parents=True)
    shutil.copyfile(other, cached(tmp_path))

    with pytest.raises(
        OSError,
        match=r"checksum of .*cifar-10-python.tar.gz \(\w{64}\) differs from that of "
        r"cifar-10-python.tar.gz \(\w{64}\).* left as it is; delete it",
    ):
        fetch_cifar10(data_home=tmp_path, download_if_missing=False)

    assert cached(tmp_path).read_bytes() == other.read_bytes()
    assert not record(tmp_path).exists()
    assert server.requests == 0


@pytest.fixture
def count_checksums(monkeypatch):
    """How many times the fetcher computes the checksum of a file."""
    calls = []
    sha256 = _fetch._sha256

    def counting(file):
        calls.append(file)
        return sha256(file)

    monkeypatch.setattr(_fetch, "_sha256", counting)
    return calls


def test_fetch_cifar10_verifies_a_cached_file_once(
    tmp_path, archive, server, count_checksums
):
    # Put in the cache by hand, as when copied from another machine.
    cached(tmp_path).parent.mkdir(parents=True)
    shutil.copyfile(archive, cached(tmp_path))

    first = fetch_cifar10(data_home=tmp_path, download_if_missing=False)
    second = fetch_cifar10(data_home=tmp_path, download_if_missing=False)

    assert len(count_checksums) == 1
    assert sorted(cached(tmp_path).parent.iterdir()) == cache_files(tmp_path)
    assert_same_data(first, second)

    # A file that changed since (its modification time, here) is verified again.
    stat = cached(tmp_path).stat()
    os.utime(cached(tmp_path), ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    fetch_cifar10(data_home=tmp_path, download_if_missing=False)

    assert len(count_checksums) == 2
    assert server.requests == 0


def test_fetch_cifar10_download_records_its_verification(
    tmp_path, server, count_checksums
):
    # The download computed the checksum as it wrote: no second pass over it.
    fetch_cifar10(data_home=tmp_path)
    fetch_cifar10(data_home=tmp_path)

    assert server.requests == 1
    assert count_checksums == []
    stat = cached(tmp_path).stat()
    assert record(tmp_path).read_text() == (
        f"sha256 {_fetch.ARCHIVE.checksum} size {stat.st_size} "
        f"mtime_ns {stat.st_mtime_ns}\n"
    )


def _fifo(path, line):
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs os.mkfifo")
    os.mkfifo(path)


@pytest.mark.parametrize(
    "replace_record",
    [
        lambda path, line: path.write_bytes(line.replace(b" size ", b" size 1")),
        lambda path, line: path.write_bytes(line + b"x" * 10**7),
        lambda path, line: path.write_bytes(b"\xff" * 100),
        lambda path, line: path.write_bytes(line.upper()),
        lambda path, line: path.mkdir(),
        lambda path, line: path.symlink_to("/dev/zero"),
        _fifo,
    ],
    ids=["other size", "longer", "not text", "upper case", "folder", "device", "FIFO"],
)
def test_fetch_cifar10_verifies_again_unless_the_record_is_exact(
    tmp_path, server, count_checksums, replace_record
):
    fetch_cifar10(data_home=tmp_path)
    line = record(tmp_path).read_bytes()
    record(tmp_path).unlink()
    replace_record(record(tmp_path), line)

    fetch_cifar10(data_home=tmp_path, download_if_missing=False)

    assert len(count_checksums) == 1
    assert server.requests == 1
    # Written afresh where it could be: not over a folder.
    if record(tmp_path).is_file():
        assert record(tmp_path).read_bytes() == line
    assert not list(cached(tmp_path).parent.glob("*.part_*"))


def test_fetch_cifar10_failed_rename_leaves_no_file(tmp_path, server, monkeypatch):
    def replace(source, destination):
        raise PermissionError(13, "Permission denied", str(destination))

    monkeypatch.setattr(_fetch.os, "replace", replace)

    with pytest.raises(PermissionError):
        fetch_cifar10(data_home=tmp_path)

    assert list((tmp_path / "cifar10").iterdir()) == []


def test_fetch_cifar10_folder_in_the_way_of_the_archive(tmp_path, server):
    cached(tmp_path).mkdir(parents=True)

    with pytest.raises(OSError, match="is a directory, where the cached archive"):
        fetch_cifar10(data_home=tmp_path)

    assert server.requests == 0
    assert list((tmp_path / "cifar10").iterdir()) == [cached(tmp_path)]
