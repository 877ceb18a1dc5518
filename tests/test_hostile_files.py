"""load_cifar10 on hostile files: nothing runs, nothing crashes, memory stays bounded.

Each input here was built and tried against the loader before it was
hardened (issue 10), and crashed the interpreter, took a gigabyte or more of
memory, raised a bare MemoryError or RecursionError, or loaded damaged data
without a word. They are built in the tests, never stored as files: the
compressed ones take a fraction of a second to build, however large they
decompress.
"""

import gzip
import os
import pickle
import pickletools
import subprocess
import sys
import tarfile
import textwrap
import tracemalloc
import zlib

import numpy as np
import pytest
from _cifar10_files import make_batches, python2_pickle, write_archive, write_folder

from sklinear.datasets import load_cifar10
from sklinear.datasets._cifar10 import _CIFAR10Unpickler, _opcodes

# Far above what refusing any of these inputs takes (a few MiB at most), and
# far below what they took before (a gigabyte or more).
MEMORY_BOUND = 32 << 20
MiB = 1 << 20
GiB = 1 << 30


def assert_refused(path, match, subset="test"):
    """``load_cifar10(path)`` raises a ValueError matching ``match``, cheaply."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            load_cifar10(path, subset=subset)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"refusing {path} took {peak / MiB:.0f} MiB"


def assert_refused_in_a_subprocess(path, match, subset="test"):
    """As :func:`assert_refused`, for an input that could kill the interpreter."""
    code = textwrap.dedent(
        f"""
        from sklinear.datasets import load_cifar10
        try:
            load_cifar10({str(path)!r}, subset={subset!r})
        except ValueError as exc:
            print("ValueError:", exc)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.startswith("ValueError:"), result.stdout
    assert match in result.stdout, result.stdout


class Call:
    """Pickles as a call of ``function`` on ``args``, as any pickle can ask for."""

    def __init__(self, function, *args, state=None):
        self.function = function
        self.args = args
        self.state = state

    def __reduce__(self):
        if self.state is None:
            return self.function, self.args
        return self.function, self.args, self.state


def dtype_with_state(spec, state):
    """``numpy.dtype(spec)`` as a pickle builds it, with its state set to ``state``."""
    return Call(np.dtype, spec, False, True, state=state)


def array_with_state(state):
    """An array as numpy pickles one, ``_reconstruct(...)`` then ``state``."""
    return Call(np.empty(0).__reduce__()[0], np.ndarray, (0,), b"b", state=(1, *state))


def meta_and(batch, *, meta=None):
    """The metadata and ``batch`` as the test batch, ready to write."""
    batches = make_batches()
    return {
        "batches.meta": batches["batches.meta"] if meta is None else meta,
        "test_batch": batch,
    }


# --- Building archives -----------------------------------------------------------


def member(name, data=b"", *, type=tarfile.REGTYPE, size=None, linkname="", pax=None):
    """One member of a tar stream: its header, its data and the padding."""
    info = tarfile.TarInfo(name)
    info.type = type
    info.size = len(data) if size is None else size
    info.linkname = linkname
    if pax is not None:
        info.pax_headers = pax
    header = info.tobuf(tarfile.PAX_FORMAT if pax else tarfile.GNU_FORMAT)
    return header + data + bytes(-len(data) % tarfile.BLOCKSIZE)


def cifar_members(batches=None):
    """The tar members of a tiny CIFAR-10 holding the metadata and the test batch."""
    batches = meta_and(make_batches()["test_batch"]) if batches is None else batches
    return b"".join(
        member(f"cifar-10-batches-py/{name}", pickle.dumps(batch, protocol=2))
        for name, batch in batches.items()
    )


def meta_member():
    """The tar member of the metadata alone: the test batch is up to the test."""
    return cifar_members({"batches.meta": make_batches()["batches.meta"]})


END_OF_ARCHIVE = bytes(2 * tarfile.BLOCKSIZE)


def gzip_with_zeros(prefix, n_zeros, suffix=b""):
    """The gzip of ``prefix``, ``n_zeros`` zero bytes and ``suffix``, built quickly.

    After a full flush, zlib compresses each chunk afresh, so every chunk of
    zeros compresses to the same bytes: one is compressed, and repeated.
    """
    chunk = bytes(MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts = [compressor.compress(prefix), compressor.flush(zlib.Z_FULL_FLUSH)]
    n_chunks, rest = divmod(n_zeros, len(chunk))
    if n_chunks:
        one = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
        parts.append(one * n_chunks)
    parts += [compressor.compress(bytes(rest) + suffix), compressor.flush()]
    crc = zlib.crc32(prefix)
    for _ in range(n_chunks):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, zlib.crc32(bytes(rest), crc))
    size = (len(prefix) + n_zeros + len(suffix)) % (1 << 32)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + size.to_bytes(4, "little")
    return header + b"".join(parts) + trailer


# --- Pickles that built arrays over arbitrary memory -----------------------------


@pytest.mark.parametrize(
    "where, key", [("batches.meta", b"label_names"), ("test_batch", b"labels")]
)
def test_object_array_over_raw_bytes_does_not_crash(tmp_path, where, key):
    # The 181-byte batches.meta of the issue: numpy.ndarray(shape, dtype('O'),
    # buffer) makes raw bytes into pointers, which reading or freeing the
    # array dereferences (a segmentation fault).
    batches = meta_and(make_batches()["test_batch"])
    batches[where] = dict(batches[where])
    batches[where][key] = Call(np.ndarray, (10,), np.dtype("O"), b"A" * 80)
    folder = write_folder(tmp_path, batches)

    assert_refused_in_a_subprocess(folder, f"{where} is not")


def test_ndarray_called_directly_is_refused(tmp_path):
    # Even with a harmless dtype: numpy's own pickles never call it.
    batch = make_batches()["test_batch"]
    batch[b"data"] = Call(np.ndarray, (8, 3072), np.dtype("u1"), bytes(8 * 3072))
    folder = write_folder(tmp_path, meta_and(batch))

    assert_refused(folder, "calls numpy.ndarray")


@pytest.mark.parametrize("n_images", [300_000, 10**7])
@pytest.mark.parametrize("buffer", ["one byte, zero strides", "none"])
def test_array_claiming_millions_of_images_is_refused(tmp_path, n_images, buffer):
    # A 301-byte batch: numpy.ndarray with zero strides over one byte, or
    # with no buffer at all (uninitialised memory), and the loader copied the
    # images out (1 GiB, or a bare MemoryError).
    uint8 = np.dtype("u1")
    if buffer == "none":
        data = Call(np.ndarray, (n_images, 3072), uint8)
        labels = Call(np.ndarray, (n_images,), uint8)
    else:
        data = Call(np.ndarray, (n_images, 3072), uint8, b"\0", 0, (0, 0))
        labels = Call(np.ndarray, (n_images,), uint8, b"\0", 0, (0,))
    folder = write_folder(tmp_path, meta_and({b"data": data, b"labels": labels}))
    assert len((folder / "test_batch").read_bytes()) < 400

    assert_refused(folder, "calls numpy.ndarray")


@pytest.mark.parametrize(
    "array, message",
    [
        # numpy's own form, with the dtypes a batch never holds.
        (array_with_state(((4,), np.dtype("O"), False, bytes(32))), "dtype 'O8'"),
        (array_with_state(((4,), np.dtype("V8"), False, bytes(32))), "dtype 'V8'"),
        (
            array_with_state(((4,), np.dtype([("a", "u1")]), False, bytes(4))),
            "dtype 'V1'",
        ),
        # A plain dtype whose state gives it fields, or the flags of objects.
        (
            array_with_state(
                (
                    (4,),
                    dtype_with_state(
                        "u1",
                        (3, "|", None, ("a",), {"a": (np.dtype("u1"), 0)}, 1, 1, 0),
                    ),
                    False,
                    bytes(4),
                )
            ),
            "only structured, sub-array or object dtypes",
        ),
        (
            array_with_state(
                (
                    (4,),
                    dtype_with_state("u8", (3, "|", None, None, None, -1, -1, 63)),
                    False,
                    bytes(32),
                )
            ),
            "only structured, sub-array or object dtypes",
        ),
        # A shape that does not match the data, either way.
        (
            array_with_state(((10**6, 3072), np.dtype("u1"), False, bytes(3072))),
            r"shape \(1000000, 3072\) .* over 3,072 bytes",
        ),
        (
            array_with_state(((1, 3072), np.dtype("u1"), False, bytes(10 * 3072))),
            r"shape \(1, 3072\) .* over 30,720 bytes",
        ),
        # _reconstruct called otherwise than numpy calls it.
        (
            Call(np.empty(0).__reduce__()[0], np.ndarray, (10**7, 3072), b"B"),
            "_reconstruct with other arguments",
        ),
    ],
)
def test_arrays_only_as_numpy_pickles_them(tmp_path, array, message):
    batch = make_batches()["test_batch"]
    batch[b"data"] = array
    folder = write_folder(tmp_path, meta_and(batch))

    assert_refused(folder, message)


def test_state_given_to_a_global_is_refused(tmp_path):
    # BUILD on a global: given to a function, a state would go into its
    # __dict__, there for every later load (a hazard of stand-ins that are
    # functions, which numpy's own objects were not).
    raw = b"\x80\x02cnumpy\ndtype\n}X\x05\x00\x00\x00taintK\x01sb0}."
    folder = write_folder(tmp_path, meta_and(raw))

    assert_refused(folder, "it gives a state to numpy.dtype")
    assert not any(
        "taint" in vars(stand_in)
        for stand_in in vars(_CIFAR10Unpickler).values()
        if callable(stand_in)
    )


# --- Pickles that cost far more than their size ----------------------------------


@pytest.mark.parametrize("protocol", ["python 2", 0, 1, 2, 3, 4, 5])
def test_opcode_scan_reads_the_opcodes_genops_reads(protocol):
    # The checks below run on this scan, which skips payloads where
    # pickletools.genops reads them: were it to lose its place, it would
    # check other opcodes than the unpickler runs.
    batch = make_batches()["test_batch"]
    batch.update({b"big": 10**1000, b"float": 1.5, b"text": "\u00e9\U0001f600" * 300})
    if protocol == "python 2":
        raw = python2_pickle(make_batches()["test_batch"])
    else:
        raw = pickle.dumps(batch, protocol=protocol)
    skipped = (
        pickletools.TAKEN_FROM_ARGUMENT4,
        pickletools.TAKEN_FROM_ARGUMENT4U,
        pickletools.TAKEN_FROM_ARGUMENT8U,
    )
    expected = [
        (
            opcode.name,
            None if opcode.arg is not None and opcode.arg.n in skipped else arg,
        )
        for opcode, arg, _ in pickletools.genops(raw)
    ]

    assert list(_opcodes(raw)) == expected


@pytest.mark.slow
def test_tuple_key_nested_a_million_deep_does_not_crash(tmp_path):
    # Hashing the key recurses a million deep in C: a segmentation fault
    # inside the unpickler, before any of the loader's code could run.
    key = b"K\x00" + b"\x85" * 10**6
    raw = b"\x80\x02}(" + key + b"K\x01u."
    folder = write_folder(tmp_path, meta_and(raw))

    assert_refused_in_a_subprocess(folder, "nests tuples more than 32 deep")


def test_millions_of_empty_lists_are_refused(tmp_path):
    # 2 MB of opcodes making 2 million lists took 150 MB, and as the batch
    # was otherwise valid, it loaded.
    raw = pickle.dumps(make_batches()["test_batch"], protocol=2)
    assert raw.endswith(b"u.")  # SETITEMS, STOP
    # One more item in the batch's dict, a list of the lists.
    raw = raw[:-2] + b"U\x05extra(" + b"]" * 2 * 10**6 + b"lu."
    folder = write_folder(tmp_path, meta_and(raw))

    assert_refused(folder, "more than 500,000 opcodes")


def test_huge_memo_index_is_refused(tmp_path):
    # The unpickler grows its memo table to the index it is given: 2**31
    # entries of 8 bytes, a bare MemoryError (or 16 GiB).
    raw = b"\x80\x02}r\x00\x00\x00\x80."
    folder = write_folder(tmp_path, meta_and(raw))

    assert_refused(folder, "memo entry 2,147,483,648")


def test_encoding_the_same_text_again_and_again_is_refused(tmp_path):
    # One MiB of text in the memo, encoded 100 times: 100 MiB of bytes.
    encode = b"c_codecs\nencode\nq\x01"
    text = b"X\x00\x00\x10\x00" + b"a" * MiB + b"q\x00"
    again = b"h\x01h\x00X\x06\x00\x00\x00latin1\x86R"
    raw = b"\x80\x02" + encode + text + b"0}(U\x05extra(" + again * 100 + b"lu."
    folder = write_folder(tmp_path, meta_and(raw))

    assert_refused(folder, "encodes more bytes than the pickle holds")


def test_codecs_other_than_latin1_are_refused(tmp_path):
    # hex_codec doubles its input: chained, a few bytes make gigabytes.
    payload = b"ab" * 1024
    for _ in range(16):
        payload = Call(__import__("codecs").encode, payload, "hex_codec")
    batch = make_batches()["test_batch"]
    batch[b"filenames"] = payload
    folder = write_folder(tmp_path, meta_and(batch))

    assert_refused(folder, r"_codecs.encode\(.*'hex_codec'\)")


# --- Labels and names ------------------------------------------------------------


class Opcodes:
    """Labels given as the pickle opcodes that build them."""

    def __init__(self, opcodes):
        self.opcodes = opcodes


# [[[...[0]...]]] nested 100,000 deep, then seven zeros: Python's pickler
# would recurse that deep, so the opcodes are written out.
NESTED = Opcodes(
    b"(" + b"]" * 100_000 + b"K\x00" + b"a" * 100_000 + b"K\x00" * 7 + b"l"
)


def pickle_batch(batch):
    """``batch`` pickled, with its labels written as opcodes if they are some."""
    labels = batch[b"labels"]
    if not isinstance(labels, Opcodes):
        return pickle.dumps(batch, protocol=2)
    marker = "the labels go here"
    raw = pickle.dumps({**batch, b"labels": marker}, protocol=2)
    string = b"X" + len(marker).to_bytes(4, "little") + marker.encode()
    assert raw.count(string) == 1
    return raw.replace(string, labels.opcodes)


@pytest.mark.parametrize(
    "labels, message",
    [
        ([[0, 1], [2]] + [0] * 6, "holding a list of length 2 at position 0"),
        (NESTED, "holding a list of length 1 at position 0"),
        ([0] * 7 + [10**5000], "from 0 to an integer of 16610 bits"),
        ([0] * 7 + [-(2**70)], "from an integer of 71 bits to 0"),
        ([0] * 7 + [True], "holding True at position 7"),
    ],
)
def test_labels_are_checked_without_numpy(tmp_path, labels, message):
    # Ragged labels gave numpy's own message, nested ones numpy's limit of 64
    # dimensions, huge integers an array of objects.
    batch = make_batches()["test_batch"]
    batch[b"labels"] = labels
    folder = write_folder(tmp_path, meta_and(pickle_batch(batch)))

    with pytest.raises(ValueError, match="test_batch is not a CIFAR-10 batch") as exc:
        load_cifar10(folder, subset="test")
    assert exc.match(message)


@pytest.mark.parametrize(
    "name, message",
    [
        (b"\xff\xfeplane", r"got b'\\xff\\xfeplane' at position 3"),
        (b"x" * 200, "got a bytes of length 200 at position 3"),
    ],
)
def test_label_names_must_be_short_utf8(tmp_path, name, message):
    names = [b"airplane"] * 10
    names[3] = name
    folder = write_folder(
        tmp_path, meta_and(make_batches()["test_batch"], meta={b"label_names": names})
    )

    with pytest.raises(
        ValueError, match="batches.meta is not the CIFAR-10 meta"
    ) as exc:
        load_cifar10(folder, subset="test")
    assert exc.match(message)


# --- Archives that decompress to far more than their size -------------------------


def test_gzip_bomb_member_is_refused_before_it_is_read(tmp_path):
    # 1 MB of gzip for a 1 GiB batch of zeros, which took 1.2 GiB.
    # The bombs are only what they claim if the helper that builds them is right.
    small = gzip_with_zeros(b"head", 3 * MiB + 5, b"tail")
    assert gzip.decompress(small) == b"head" + bytes(3 * MiB + 5) + b"tail"
    path = tmp_path / "bomb.tar.gz"
    header = member("cifar-10-batches-py/test_batch", size=GiB)
    path.write_bytes(gzip_with_zeros(meta_member() + header, GiB + 1024))
    assert path.stat().st_size < 1.2e6

    assert_refused(path, "test_batch of .* is 1,073,741,824 bytes, more than")


def test_header_declaring_100_gib_is_refused(tmp_path):
    # 115 bytes of gzip; reading the member raised a bare MemoryError.
    path = tmp_path / "header.tar.gz"
    header = member("cifar-10-batches-py/test_batch", size=100 * GiB)
    path.write_bytes(gzip.compress(meta_member() + header))
    assert path.stat().st_size < 1000

    assert_refused(path, "is 107,374,182,400 bytes, more than")


def gnu_sparse_member(name, real_size):
    """A GNU sparse member: 512 bytes of data after ``real_size - 512`` of holes."""
    info = tarfile.TarInfo(name)
    info.size = tarfile.BLOCKSIZE
    header = bytearray(info.tobuf(tarfile.GNU_FORMAT))
    header[156:157] = tarfile.GNUTYPE_SPARSE
    # One sparse entry (offset, size), then the size once the holes are filled.
    header[386:398] = tarfile.itn(real_size - 512, 12, tarfile.GNU_FORMAT)
    header[398:410] = tarfile.itn(512, 12, tarfile.GNU_FORMAT)
    header[483:495] = tarfile.itn(real_size, 12, tarfile.GNU_FORMAT)
    header[148:156] = b" " * 8
    header[148:155] = b"%06o\0" % sum(header)
    return bytes(header) + b"\1" * tarfile.BLOCKSIZE


def pax_sparse_member(name, real_size):
    """A member made sparse by pax headers (GNU format 0.1)."""
    pax = {"GNU.sparse.size": str(real_size), "GNU.sparse.map": f"{real_size - 1},1"}
    return member(name, b"\1" * tarfile.BLOCKSIZE, pax=pax)


@pytest.mark.parametrize("sparse_member", [gnu_sparse_member, pax_sparse_member])
def test_sparse_member_is_refused(tmp_path, sparse_member):
    # A few KB of archive whose holes, filled with zeros, made 2.2 GiB.
    path = tmp_path / "sparse.tar.gz"
    batch = sparse_member("cifar-10-batches-py/test_batch", 2_200_000_000)
    path.write_bytes(gzip.compress(meta_member() + batch + END_OF_ARCHIVE))
    members = tarfile.open(path).getmembers()
    assert members[-1].issparse() and members[-1].size == 2_200_000_000

    assert_refused(path, "test_batch of .* is a sparse file; expected a regular file")


def test_pax_header_declaring_a_gigabyte_is_refused(tmp_path):
    # tarfile reads a pax header whole: 1 GiB of zeros, then loaded the batches.
    path = tmp_path / "pax.tar.gz"
    header = member("././@PaxHeader", type=tarfile.XHDTYPE, size=GiB)
    path.write_bytes(gzip_with_zeros(header, GiB, cifar_members() + END_OF_ARCHIVE))

    assert_refused(path, "a tar header declares 1,073,741,824 bytes")


def test_zeros_after_the_end_of_the_archive_are_refused(tmp_path):
    # tarfile stops at its end marker: 600 MiB of zeros after it went unread,
    # and the gzip checksum with them. Reading to the end stops at 512 MiB.
    path = tmp_path / "trailing.tar.gz"
    path.write_bytes(gzip_with_zeros(cifar_members() + END_OF_ARCHIVE, 600 * MiB))

    assert_refused(path, "decompresses to more than 536,870,912 bytes")


def test_thousands_of_members_are_refused(tmp_path):
    path = tmp_path / "members.tar.gz"
    empties = b"".join(member(f"empty_{i}") for i in range(1001))
    path.write_bytes(gzip.compress(empties + cifar_members() + END_OF_ARCHIVE))

    assert_refused(path, "more than 1,000 members")


# --- Damaged archives ------------------------------------------------------------


@pytest.fixture
def archive_bytes(tmp_path):
    """A valid tiny archive of all the batches, compressed without a file name."""
    tar = tmp_path / "cifar.tar"
    write_archive(tmp_path / "valid.tar.gz", make_batches())
    with gzip.open(tmp_path / "valid.tar.gz") as file:
        tar.write_bytes(file.read())
    return gzip.compress(tar.read_bytes(), mtime=0)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[:-8] + bytes([raw[-8] ^ 1]) + raw[-7:], "CRC check failed"),
        (lambda raw: raw[:-4] + (1).to_bytes(4, "little"), "Incorrect length"),
        (lambda raw: raw[:-5], "ended before the end-of-stream marker"),
        (lambda raw: raw + b"\0garbage", "Not a gzipped file"),
    ],
    ids=["CRC", "length", "truncated trailer", "trailing garbage"],
)
def test_damaged_gzip_trailer_is_refused(tmp_path, archive_bytes, damage, message):
    # These loaded without a word: tarfile never reads the trailer.
    path = tmp_path / "damaged.tar.gz"
    path.write_bytes(damage(archive_bytes))

    with pytest.raises(ValueError, match=rf"complete and undamaged.*{message}"):
        load_cifar10(path, subset="all")


def test_no_bit_flip_in_the_compressed_data_loads_other_data(tmp_path, archive_bytes):
    # Of 40 single-bit flips spread over the deflate data, 21 loaded, with
    # one to six pixels changed. A flip may still load if it changes no
    # decompressed byte (a padding bit after the last block), and then loads
    # the very same data.
    path = tmp_path / "flipped.tar.gz"
    path.write_bytes(archive_bytes)
    original = load_cifar10(path, subset="all", return_X_y=True)
    start, end = 10, len(archive_bytes) - 8  # the gzip header and trailer
    changed = []
    for position in np.linspace(start, end - 1, 40).astype(int):
        flipped = bytearray(archive_bytes)
        flipped[position] ^= 1 << (position % 8)
        path.write_bytes(flipped)
        try:
            images, target = load_cifar10(path, subset="all", return_X_y=True)
        except ValueError:
            continue
        if not (
            np.array_equal(images, original[0]) and np.array_equal(target, original[1])
        ):
            changed.append(position)
    assert changed == []


# --- Members and files that are not regular files --------------------------------


@pytest.mark.parametrize(
    "attributes, kind",
    [
        ({"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}, "a symbolic link"),
        (
            {"type": tarfile.LNKTYPE, "linkname": "cifar-10-batches-py/batches.meta"},
            "a hard link",
        ),
        ({"type": tarfile.CHRTYPE}, "a character device"),
        ({"type": tarfile.BLKTYPE}, "a block device"),
        ({"type": tarfile.FIFOTYPE}, "a FIFO"),
        ({"type": tarfile.DIRTYPE}, "a directory"),
        ({"type": b"Z"}, "a member of unknown type b'Z'"),
    ],
)
def test_member_of_the_wrong_type_says_so(tmp_path, attributes, kind):
    path = tmp_path / "types.tar.gz"
    wrong = member("cifar-10-batches-py/test_batch", **attributes)
    path.write_bytes(gzip.compress(meta_member() + wrong + END_OF_ARCHIVE))

    with pytest.raises(ValueError, match="test_batch of .* is " + kind):
        load_cifar10(path, subset="test")


def test_member_appearing_twice_is_refused(tmp_path):
    path = tmp_path / "twice.tar.gz"
    once = cifar_members()
    path.write_bytes(gzip.compress(once + once + END_OF_ARCHIVE))

    with pytest.raises(ValueError, match="batches.meta of .* appears twice"):
        load_cifar10(path, subset="test")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_fifo_named_like_a_batch_is_refused_without_blocking(tmp_path):
    folder = write_folder(tmp_path, {"batches.meta": make_batches()["batches.meta"]})
    os.mkfifo(folder / "test_batch")

    with pytest.raises(ValueError, match="test_batch is a FIFO; expected a regular"):
        load_cifar10(folder, subset="test")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_link_to_a_device_in_a_folder_is_refused(tmp_path):
    folder = write_folder(tmp_path, {"batches.meta": make_batches()["batches.meta"]})
    (folder / "test_batch").symlink_to("/dev/zero")

    with pytest.raises(ValueError, match="test_batch is a character device"):
        load_cifar10(folder, subset="test")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_fifo_as_the_archive_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "cifar.tar.gz")

    with pytest.raises(ValueError, match="cifar.tar.gz is a FIFO: expected the"):
        load_cifar10(tmp_path / "cifar.tar.gz")


def test_huge_file_in_a_folder_is_refused_before_it_is_read(tmp_path):
    # A sparse file of 100 GiB costs no disk; reading it was a MemoryError.
    folder = write_folder(tmp_path, {"batches.meta": make_batches()["batches.meta"]})
    with open(folder / "test_batch", "wb") as file:
        file.truncate(100 * GiB)

    assert_refused(folder, "test_batch is 107,374,182,400 bytes, more than")
