"""Load CIFAR-10 from its official "python version" archive or extracted folder.

The archive and the folder come from the internet or from others, so every
byte read is treated as hostile (the threat model is in SECURITY.md at the
root of the repository):

- The batches are Python pickles, and a pickle can call any function it
  names. They are read by :class:`_CIFAR10Unpickler`, whose globals resolve to
  stand-ins that check every argument, never to numpy itself, after a pass
  over the opcodes (:func:`_check_opcodes`) that refuses what would exhaust
  memory or the C stack of the unpickler.
- The archive is read through :class:`_CappedStream`, which bounds what its
  headers can make tarfile read, and to the end of the gzip stream, so that a
  damaged archive is refused on its checksum.
- Only regular files are read (no FIFO, device or link member), and no more
  than a batch can hold.
"""

import gzip
import io
import itertools
import math
import os
import pickle
import pickletools
import stat
import struct
import tarfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
from sklearn.utils import Bunch

from ..utils._fixes import StrOptions, validate_params

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

# Limits far above what the official files need, and far below what a hostile
# file could otherwise cost. An official batch is 31 MB (10,000 images); the
# same batch pickled again by Python 3 at protocol 2, as the batches of our
# subset are, is 47 MB, because that protocol writes bytes as latin-1 text.
_MAX_MEMBER_BYTES = 64 << 20
# The official archive, six batches of 31 MB, decompresses to less than 200
# MB; this leaves room for eight members at the limit above.
_MAX_ARCHIVE_BYTES = 8 * _MAX_MEMBER_BYTES
# The official archive has 8 members.
_MAX_MEMBERS = 1000
# An official batch has about 30,000 opcodes, a protocol-2 re-pickle about
# 90,000: each image costs a label and a file name. Every opcode can make an
# object of some 70 bytes, so this also bounds the memory of the objects.
_MAX_OPCODES = 500_000
# How deep tuples may nest in a pickle: numpy's own nest 2 deep.
_MAX_TUPLE_DEPTH = 32
# numpy 1.x's limit on the dimensions of an array.
_MAX_NDIM = 32
# The longest class name is "automobile".
_MAX_NAME_LENGTH = 100
_CHUNK_SIZE = 1 << 20


# --- Files ---------------------------------------------------------------------

_FILE_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _file_kind(mode):
    """What a file of ``st_mode`` ``mode`` is, when it is not a regular file."""
    return next((kind for test, kind in _FILE_KINDS if test(mode)), "a special file")


def _open_regular(path, what):
    """Open ``path`` for reading in binary if it is a regular file.

    A FIFO would block the open or the reads forever, and a device could be
    read without end, so the kind of file is checked before opening it, and
    again on the open descriptor, which O_NONBLOCK keeps from blocking if the
    name was swapped for a FIFO in between. ``what`` names the file in the
    ValueError raised for any other kind of file.
    """
    mode = os.stat(path).st_mode
    if stat.S_ISREG(mode):
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        file = open(os.open(path, flags), "rb")
        mode = os.fstat(file.fileno()).st_mode
        if stat.S_ISREG(mode):
            return file
        file.close()
    raise ValueError(f"{what} is {_file_kind(mode)}; expected a regular file.")


def _too_large(source, size):
    return ValueError(
        f"{source} is {size:,} bytes, more than the {_MAX_MEMBER_BYTES:,} bytes "
        "this loader reads for one CIFAR-10 batch (an official batch is 31 MB); "
        "it was not read."
    )


def _read_file(path, source):
    """The bytes of the regular file ``path``, if no more than a batch can hold."""
    with _open_regular(path, source) as file:
        size = os.fstat(file.fileno()).st_size
        if size > _MAX_MEMBER_BYTES:
            raise _too_large(source, size)
        raw = file.read(size)
        # A file that grows while read, or lies about its size, could go on
        # without end.
        if file.read(1):
            raise ValueError(
                f"{source} holds more than its size, {size:,} bytes, says: it "
                "changed while it was read."
            )
    return raw


# --- The archive -----------------------------------------------------------------


class _CappedStream:
    """The decompressed stream of an archive, read by tarfile within limits.

    tarfile reads a pax or GNU long-name header whole, at the size the header
    declares, and skips a member by seeking, which in a gzip stream means
    decompressing it. Refusing any one read larger than a member, and any
    read beyond :data:`_MAX_ARCHIVE_BYTES` in all, bounds the memory and the
    work an archive can cost, whatever its headers declare.
    """

    def __init__(self, file, path):
        self._file = file
        self._path = path
        self._position = 0

    def _refuse(self, what):
        return ValueError(
            f"{self._path} is not a CIFAR-10 archive this loader reads: {what}; "
            "it was read no further."
        )

    def read(self, size=-1):
        if size is None or size < 0 or size > _MAX_MEMBER_BYTES:
            raise self._refuse(
                f"a tar header declares {size:,} bytes, more than the "
                f"{_MAX_MEMBER_BYTES:,} of the largest member it reads"
            )
        data = self._file.read(min(size, _MAX_ARCHIVE_BYTES + 1 - self._position))
        self._position += len(data)
        if self._position > _MAX_ARCHIVE_BYTES:
            raise self._refuse(
                f"it decompresses to more than {_MAX_ARCHIVE_BYTES:,} bytes (the "
                "official archive, to less than 200 MB)"
            )
        return data

    def seek(self, offset, whence=io.SEEK_SET):
        # tarfile only seeks forward, as the members are read in order; going
        # back in a gzip stream would mean decompressing it again from the start.
        if whence != io.SEEK_SET or offset < self._position:
            raise tarfile.ReadError("seeking backwards in the archive")
        if offset > _MAX_ARCHIVE_BYTES:
            raise self._refuse(
                f"a tar header declares a member ending {offset:,} bytes into the "
                f"archive, beyond the {_MAX_ARCHIVE_BYTES:,} it reads"
            )
        while self._position < offset and self.read(
            min(_CHUNK_SIZE, offset - self._position)
        ):
            pass
        return self._position

    def tell(self):
        return self._position


def _read_to_end(stream):
    # Reaching the end of the gzip stream is what makes gzip check its CRC
    # and length, against all that was decompressed.
    while stream.read(_CHUNK_SIZE):
        pass


_REGULAR_MEMBERS = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE)
_MEMBER_KINDS = {
    tarfile.SYMTYPE: "a symbolic link",
    tarfile.LNKTYPE: "a hard link",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.FIFOTYPE: "a FIFO",
    tarfile.DIRTYPE: "a directory",
}


def _member_kind(member):
    """What ``member`` is if not a regular file with its data in the archive."""
    if member.type in _REGULAR_MEMBERS and not member.issparse():
        return None
    if member.type == tarfile.GNUTYPE_SPARSE or member.issparse():
        # Its holes are filled with zeros when read: a few bytes of archive
        # can declare gigabytes.
        return "a sparse file"
    kind = _MEMBER_KINDS.get(member.type, f"a member of unknown type {member.type!r}")
    if member.issym() or member.islnk():
        kind += f" to {member.linkname[:200]!r}"
    return kind


def _read_archive(path, names):
    """The parsed members ``names`` of the .tar.gz archive at ``path``."""
    wanted = {(_FOLDER, name): name for name in names}
    found = {}
    with _open_regular(path, path) as file:
        try:
            with gzip.GzipFile(fileobj=file, mode="rb") as decompressed:
                stream = _CappedStream(decompressed, path)
                # One pass over the members, reading the ones wanted as the
                # stream reaches them: gzip cannot seek back without starting
                # over.
                with tarfile.open(fileobj=stream, mode="r:") as archive:
                    for count, member in enumerate(archive, start=1):
                        if count > _MAX_MEMBERS:
                            raise ValueError(
                                f"{path} is not the CIFAR-10 python version "
                                f"archive: it holds more than {_MAX_MEMBERS:,} "
                                "members, and the official one 8."
                            )
                        name = wanted.get(PurePosixPath(member.name).parts[-2:])
                        if name is None:
                            continue
                        source = f"Member {_FOLDER}/{name} of {path}"
                        if name in found:
                            raise ValueError(
                                f"{source} appears twice in the archive; expected "
                                "each batch once."
                            )
                        kind = _member_kind(member)
                        if kind is not None:
                            raise ValueError(
                                f"{source} is {kind}; expected a regular file, "
                                "a pickled CIFAR-10 batch."
                            )
                        if member.size > _MAX_MEMBER_BYTES:
                            raise _too_large(source, member.size)
                        raw = archive.extractfile(member).read()
                        try:
                            found[name] = _parse(name, raw, source)
                        except ValueError:
                            # Damage to the archive is the likeliest reason a
                            # member does not parse: if the checksum says so,
                            # that is the error to report.
                            _read_to_end(stream)
                            raise
                # The tar format ends before the gzip trailer, which tarfile
                # never reads.
                _read_to_end(stream)
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise ValueError(
                f"{path} is not the CIFAR-10 python version archive: expected a "
                f"gzip-compressed tar file (cifar-10-python.tar.gz), complete and "
                f"undamaged, but reading it failed ({exc})."
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
    """The parsed files ``names`` of the extracted folder ``folder``."""
    found = {}
    for name in names:
        file = folder / name
        source = f"File {file}"
        try:
            raw = _read_file(file, source)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{folder} is not a complete extracted CIFAR-10 folder: expected "
                f"the files {', '.join(names)}; {name} is missing."
            ) from None
        found[name] = _parse(name, raw, source)
    return found


# --- Unpickling ------------------------------------------------------------------

# The opcodes of plain data, and of calls (GLOBAL, STACK_GLOBAL, REDUCE, BUILD),
# which find_class confines to the stand-ins of _CIFAR10Unpickler. Refused, as
# no batch needs them: objects built without a call (INST, OBJ, NEWOBJ,
# NEWOBJ_EX), extension codes and persistent ids, sets, out-of-band buffers.
_LEAF_OPCODES = frozenset(
    """INT BININT BININT1 BININT2 LONG LONG1 LONG4 FLOAT BINFLOAT NONE NEWTRUE
    NEWFALSE STRING BINSTRING SHORT_BINSTRING BINBYTES SHORT_BINBYTES BINBYTES8
    BYTEARRAY8 UNICODE SHORT_BINUNICODE BINUNICODE BINUNICODE8 EMPTY_LIST
    EMPTY_DICT GLOBAL""".split()
)
_PUT_OPCODES = frozenset({"PUT", "BINPUT", "LONG_BINPUT"})
_GET_OPCODES = frozenset({"GET", "BINGET", "LONG_BINGET"})
_OPCODES = {opcode.code.encode("latin-1"): opcode for opcode in pickletools.opcodes}
# The arguments that are a payload after its length, in pickletools' terms.
_PAYLOAD_LENGTHS = {
    pickletools.TAKEN_FROM_ARGUMENT4: "<i",
    pickletools.TAKEN_FROM_ARGUMENT4U: "<I",
    pickletools.TAKEN_FROM_ARGUMENT8U: "<Q",
}


def _opcodes(raw):
    """The name and argument of each opcode of the pickle ``raw``, to STOP.

    As :func:`pickletools.genops`, except that a payload (bytes, text, a
    long integer) is skipped over, not read: genops would copy and decode
    the images of a batch, twice their size in memory and most of the time
    of loading.
    """
    file = io.BytesIO(raw)
    while True:
        opcode = _OPCODES.get(file.read(1))
        if opcode is None:
            raise pickle.UnpicklingError("it has an unknown opcode, or no STOP")
        argument = opcode.arg
        if argument is not None and argument.n in _PAYLOAD_LENGTHS:
            layout = _PAYLOAD_LENGTHS[argument.n]
            (length,) = struct.unpack(layout, file.read(struct.calcsize(layout)))
            if not 0 <= length <= len(raw) - file.tell():
                raise pickle.UnpicklingError("it ends within a payload")
            file.seek(length, io.SEEK_CUR)
            yield opcode.name, None
        else:
            yield opcode.name, None if argument is None else argument.reader(file)
        if opcode.name == "STOP":
            return


def _check_opcodes(raw):
    """Refuse a pickle that would exhaust memory or the C stack when run.

    The C unpickler trusts a pickle in ways that cost more than its size:
    every opcode makes an object (30 MB of opcodes making empty lists take
    gigabytes); a memo index makes it grow its memo table to that index; and
    a dict key is hashed recursively, so a key nested a million tuples deep
    overflows the C stack and kills the interpreter. This walks the opcodes
    once, before anything is built, tracking how deep each tuple nests.
    """
    stack, marks, memo = [], [], {}

    def pop_mark():
        nonlocal stack
        items, stack = stack, marks.pop()
        return items

    def push_tuple(items):
        depth = 1 + max(items, default=0)
        if depth > _MAX_TUPLE_DEPTH:
            raise pickle.UnpicklingError(
                f"it nests tuples more than {_MAX_TUPLE_DEPTH} deep"
            )
        stack.append(depth)

    try:
        for count, (name, arg) in enumerate(_opcodes(raw), start=1):
            if count > _MAX_OPCODES:
                raise pickle.UnpicklingError(
                    f"it holds more than {_MAX_OPCODES:,} opcodes (an official "
                    "batch, about 30,000)"
                )
            # The depth of a mutable container is 0: hashing one fails at
            # once, and nothing here walks nested lists or dicts.
            if name in _LEAF_OPCODES:
                stack.append(0)
            elif name == "MARK":
                marks.append(stack)
                stack = []
            elif name == "EMPTY_TUPLE":
                push_tuple([])
            elif name == "TUPLE":
                push_tuple(pop_mark())
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                push_tuple([stack.pop() for _ in range(int(name[-1]))])
            elif name in ("LIST", "DICT"):
                pop_mark()
                stack.append(0)
            elif name in ("APPENDS", "SETITEMS", "POP_MARK"):
                pop_mark()
            elif name in ("APPEND", "BUILD", "POP"):
                stack.pop()
            elif name == "SETITEM":
                stack.pop()
                stack.pop()
            elif name in ("REDUCE", "STACK_GLOBAL"):
                stack.pop()
                stack[-1] = 0
            elif name == "DUP":
                stack.append(stack[-1])
            elif name in _PUT_OPCODES:
                # Picklers number the memo from 0 (Python 2's from 1), one
                # entry per PUT: a larger index only grows the memo table.
                if not 0 <= arg <= count:
                    raise pickle.UnpicklingError(f"it stores memo entry {arg:,}")
                memo[arg] = stack[-1]
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in _GET_OPCODES:
                stack.append(memo[arg])
            elif name not in ("PROTO", "FRAME", "STOP"):
                raise pickle.UnpicklingError(
                    f"it uses the pickle opcode {name}, which no CIFAR-10 batch needs"
                )
    except (IndexError, KeyError):
        raise pickle.UnpicklingError(
            "its opcodes read beyond the stack or the memo"
        ) from None


def _show(obj):
    """``obj``, from a pickle, described briefly without walking into it."""
    if isinstance(obj, (str, bytes)) and len(obj) <= 40:
        return repr(obj)
    if type(obj) is int:
        return (
            repr(obj) if abs(obj) < 10**18 else f"an integer of {obj.bit_length()} bits"
        )
    if obj is None or type(obj) in (bool, float):
        return repr(obj)
    if isinstance(obj, np.ndarray):
        return f"an array of shape {obj.shape} and dtype {obj.dtype}"
    if isinstance(obj, (str, bytes, list, tuple, dict)):
        return f"a {type(obj).__name__} of length {len(obj):,}"
    return f"an object of type {type(obj).__name__}"


# What a CIFAR-10 batch and numpy's pickles of its arrays hold: booleans,
# integers and floats, as numpy writes their dtypes (``numpy.dtype("u1")``).
_DTYPES = frozenset("b1 i1 i2 i4 i8 u1 u2 u4 u8 f2 f4 f8".split())


class _PickledDtype:
    """A numpy dtype a pickle asks for, one of :data:`_DTYPES`."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype

    def __setstate__(self, state):
        # numpy's state for such a dtype: version 3, the byte order, then no
        # subarray, no fields, no item size or alignment of its own, no flags.
        # Anything else would make a structured, sub-array or object dtype.
        if not (
            type(state) is tuple
            and len(state) == 8
            and state[0] == 3
            and state[2:] == (None, None, None, -1, -1, 0)
        ):
            raise pickle.UnpicklingError(
                "it gives a numpy dtype a state that only structured, sub-array "
                "or object dtypes have"
            )
        # Python 2 wrote the byte order as a str, read here as bytes.
        byteorder = state[1].decode() if isinstance(state[1], bytes) else state[1]
        if byteorder not in ("<", ">", "=", "|"):
            raise pickle.UnpicklingError(
                f"it gives a numpy dtype the byte order {_show(state[1])}"
            )
        self.dtype = self.dtype.newbyteorder(byteorder)


class _PickledArray:
    """A numpy array a pickle builds, held here until its state is checked.

    numpy's own ``ndarray.__setstate__`` trusts the shape, dtype and data it
    is given; this one never calls it, and builds the array with
    :func:`_array_from`. The loader takes ``array`` out of the holder.
    """

    __slots__ = ("array",)

    def __init__(self, array=None):
        self.array = array

    def __setstate__(self, state):
        if self.array is not None:
            raise pickle.UnpicklingError("it sets the state of an array twice")
        if not (
            type(state) is tuple
            and len(state) == 5
            and type(state[0]) is int
            and state[0] == 1
            and type(state[3]) is bool
            and isinstance(state[4], bytes)
        ):
            raise pickle.UnpicklingError(
                "it gives an array a state other than numpy's (1, shape, dtype, "
                "is_fortran, data)"
            )
        _, shape, dtype, fortran, data = state
        self.array = _array_from(data, dtype, shape, fortran)


def _array_from(data, dtype, shape, fortran):
    """The array of ``shape`` over the bytes ``data``, once all of it is checked.

    A view of ``data``: the array costs no memory of its own, however many
    times a pickle builds one over the same bytes.
    """
    if not isinstance(dtype, _PickledDtype):
        raise pickle.UnpicklingError(
            f"it builds an array with dtype {_show(dtype)}, not one made by numpy.dtype"
        )
    if not (
        type(shape) is tuple
        and len(shape) <= _MAX_NDIM
        and all(type(n) is int and 0 <= n <= _MAX_MEMBER_BYTES for n in shape)
    ):
        raise pickle.UnpicklingError(
            f"it builds an array whose shape is not a tuple of at most {_MAX_NDIM} "
            "sizes"
        )
    itemsize = dtype.dtype.itemsize
    # The second bound is for empty arrays, whose other dimensions numpy
    # still multiplies together.
    if (
        math.prod(shape) * itemsize != len(data)
        or math.prod(n or 1 for n in shape) * itemsize > _MAX_MEMBER_BYTES
    ):
        raise pickle.UnpicklingError(
            f"it builds an array of shape {shape} and dtype {dtype.dtype} over "
            f"{len(data):,} bytes of data"
        )
    return np.frombuffer(data, dtype.dtype).reshape(
        shape, order="F" if fortran else "C"
    )


class _Global:
    """What a global named by a pickle resolves to: a call of a stand-in."""

    __slots__ = ("name", "function")

    def __init__(self, name, function):
        self.name = name
        self.function = function

    def __call__(self, *args):
        return self.function(*args)

    def __setstate__(self, state):
        # Given to a function, a state would go into its __dict__, which
        # outlives this pickle.
        raise pickle.UnpicklingError(f"it gives a state to {self.name}")


class _CIFAR10Unpickler(pickle.Unpickler):
    """Unpickler that rebuilds numpy arrays and plain data, and nothing else.

    The globals a pickle may name resolve to the methods of this class named
    in :data:`_GLOBALS` (each wrapped in a :class:`_Global`), which accept
    only the calls numpy's and Python's own pickles make: numpy never sees a
    shape, dtype, buffer or strides that were not checked. Each array is a
    view of bytes from the pickle (see :func:`_array_from`), and
    ``_codecs.encode`` can make at most as many new bytes as the pickle holds.
    """

    # Both spellings of numpy's modules: the official batches were written
    # by numpy 1.x (``numpy.core``), newer pickles name ``numpy._core``.
    # ``_codecs.encode`` is how Python 3 writes ``bytes`` at protocol 2,
    # ``_frombuffer`` how numpy writes an array at protocol 5.
    _GLOBALS = {
        ("numpy.core.multiarray", "_reconstruct"): "_reconstruct",
        ("numpy._core.multiarray", "_reconstruct"): "_reconstruct",
        ("numpy.core.numeric", "_frombuffer"): "_frombuffer",
        ("numpy._core.numeric", "_frombuffer"): "_frombuffer",
        ("numpy", "ndarray"): "_ndarray",
        ("numpy", "dtype"): "_dtype",
        ("_codecs", "encode"): "_encode",
    }

    def __init__(self, raw):
        # encoding="bytes" keeps the Python 2 ``str`` keys and array buffers
        # of the official batches as bytes, as the format's own loader does.
        super().__init__(io.BytesIO(raw), encoding="bytes")
        # A genuine pickle encodes each bytes object once, from text it holds.
        self._bytes_left = len(raw)

    def find_class(self, module, name):
        try:
            return _Global(
                f"{module}.{name}", getattr(self, self._GLOBALS[module, name])
            )
        except KeyError:
            raise pickle.UnpicklingError(
                f"load_cifar10 refuses to load global {module}.{name}: a CIFAR-10 "
                "batch only holds numpy arrays, lists, bytes and integers"
            ) from None

    @staticmethod
    def _ndarray(*args, **kwargs):
        # Called directly, numpy.ndarray builds an array over any buffer, with
        # any strides and dtype (an object dtype reads raw bytes as pointers).
        raise pickle.UnpicklingError(
            "it calls numpy.ndarray, which numpy's own pickles only pass to "
            "_reconstruct"
        )

    def _reconstruct(self, cls, shape, typecode):
        if (
            not (isinstance(cls, _Global) and cls.function is self._ndarray)
            or shape != (0,)
            or typecode not in (b"b", "b")
        ):
            raise pickle.UnpicklingError(
                "it calls numpy's _reconstruct with other arguments than numpy's "
                "own (numpy.ndarray, (0,), b'b')"
            )
        return _PickledArray()

    def _frombuffer(self, buffer, dtype, shape, order):
        if not isinstance(buffer, (bytes, bytearray)) or order not in ("C", "F"):
            raise pickle.UnpicklingError(
                "it calls numpy's _frombuffer with other arguments than numpy's "
                "own (bytes, dtype, shape, 'C' or 'F')"
            )
        return _PickledArray(_array_from(buffer, dtype, shape, order == "F"))

    def _dtype(self, spec, align=False, copy=False):
        # align and copy change nothing for the plain dtypes allowed.
        if isinstance(spec, bytes):
            spec = spec.decode("latin-1")
        if not (isinstance(spec, str) and spec in _DTYPES):
            raise pickle.UnpicklingError(
                f"it asks for the numpy dtype {_show(spec)}, but a CIFAR-10 batch "
                "only holds arrays of booleans, integers and floats"
            )
        return _PickledDtype(np.dtype(spec))

    def _encode(self, text, encoding):
        # The one call Python makes: any other codec (hex_codec, say) turns a
        # little input into more output, again at each call.
        if type(text) is not str or encoding != "latin1":
            raise pickle.UnpicklingError(
                f"it calls _codecs.encode({_show(text)}, {_show(encoding)}); "
                "Python's own pickles only encode text as 'latin1'"
            )
        self._bytes_left -= len(text)
        if self._bytes_left < 0:
            raise pickle.UnpicklingError(
                "it encodes more bytes than the pickle holds, as only a pickle "
                "encoding the same text many times does"
            )
        return text.encode("latin-1")


def _unpickle(raw, source, expected):
    """The object pickled in ``raw``, read from ``source``, meant to be ``expected``."""
    unpickler = _CIFAR10Unpickler(raw)
    try:
        _check_opcodes(raw)
        return unpickler.load()
    except Exception as exc:
        # A malformed pickle can fail in many ways (truncated stream, unknown
        # opcode, a stand-in refusing); they all mean the same thing here.
        raise ValueError(
            f"{source} is not {expected}: unpickling it failed ({exc})."
        ) from exc
    finally:
        # The memo holds the stand-ins, bound to the unpickler: a cycle that
        # would keep every object of the pickle alive until a garbage
        # collection, the text of the images included.
        unpickler.memo.clear()


# --- Checking what was unpickled ------------------------------------------------


def _get(batch, key, source):
    """``batch[key]``, the key bytes (as in the official files) or str (a re-pickle)."""
    if not isinstance(batch, dict):
        raise ValueError(
            f"{source} is not a CIFAR-10 batch: expected a pickled dict, "
            f"got {type(batch).__name__}."
        )
    for candidate in (key.encode(), key):
        if candidate in batch:
            value = batch[candidate]
            if not isinstance(value, _PickledArray):
                return value
            if value.array is None:
                raise ValueError(
                    f"{source} is not a CIFAR-10 batch: its {key} array was "
                    "never given its data."
                )
            return value.array
    keys = sorted(_show(key) for key in itertools.islice(batch, 20))
    raise ValueError(
        f"{source} is not a CIFAR-10 batch: expected a dict with key b{key!r}, "
        f"got keys {keys}{' and more' if len(batch) > 20 else ''}."
    )


def _check_labels(labels, n_images, source):
    """The labels of a batch of ``n_images`` images, as int64 in 0..9."""
    prefix = f"{source} is not a CIFAR-10 batch"
    if isinstance(labels, (list, tuple)):
        # Checked one by one, as np.asarray would walk nested lists (to a
        # RecursionError) and turn huge integers into objects.
        position = next(
            (i for i, label in enumerate(labels) if type(label) is not int), None
        )
        if position is not None:
            raise ValueError(
                f"{prefix}: expected its labels to be a list of integers, got a "
                f"{type(labels).__name__} holding {_show(labels[position])} at "
                f"position {position}."
            )
        low, high = (min(labels), max(labels)) if labels else (0, 0)
    elif (
        isinstance(labels, np.ndarray)
        and labels.ndim == 1
        and labels.dtype.kind in "iu"
    ):
        low, high = (int(labels.min()), int(labels.max())) if labels.size else (0, 0)
    else:
        raise ValueError(
            f"{prefix}: expected its labels to be a list of integers, got "
            f"{_show(labels)}."
        )
    if len(labels) != n_images:
        raise ValueError(
            f"{prefix}: it holds {n_images} images but {len(labels)} labels."
        )
    if low < 0 or high >= _N_CLASSES:
        raise ValueError(
            f"{prefix}: expected labels in 0..{_N_CLASSES - 1}, got labels from "
            f"{_show(low)} to {_show(high)}."
        )
    return np.asarray(labels, dtype=np.int64)


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
    labels = _check_labels(_get(batch, "labels", source), len(data), source)
    # Each row is the red plane, then the green, then the blue, each row-major.
    images = data.reshape(-1, 3, _SIDE, _SIDE).transpose(0, 2, 3, 1)
    return images, labels


def _check_meta(meta, source):
    """The class names, as str, from ``batches.meta``."""
    names = _get(meta, "label_names", source)
    expected = (
        f"expected label_names to be a list of {_N_CLASSES} names (UTF-8, at most "
        f"{_MAX_NAME_LENGTH} characters)"
    )
    if not isinstance(names, (list, tuple)) or len(names) != _N_CLASSES:
        raise ValueError(
            f"{source} is not the CIFAR-10 metadata: {expected}, got {_show(names)}."
        )
    decoded = []
    for position, name in enumerate(names):
        try:
            text = name.decode("utf-8") if isinstance(name, bytes) else name
        except UnicodeDecodeError:
            text = None
        if not isinstance(text, str) or len(text) > _MAX_NAME_LENGTH:
            raise ValueError(
                f"{source} is not the CIFAR-10 metadata: {expected}, got "
                f"{_show(name)} at position {position}."
            )
        decoded.append(text)
    return decoded


def _parse(name, raw, source):
    """The checked content of the file ``name`` (the metadata, or a batch)."""
    if name == _META:
        return _check_meta(_unpickle(raw, source, "the CIFAR-10 metadata"), source)
    return _check_batch(_unpickle(raw, source, "a CIFAR-10 batch"), source)


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
    members are read from the archive directly. Every file is treated as
    hostile: nothing in it is run, and it costs bounded memory (see Notes).

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
        If ``subset`` is not one of the options, or if what ``path`` holds is
        not the CIFAR-10 python version, which includes anything a hostile
        file could try (see Notes). The message names the file, or the
        member of the archive, and says what was expected and what was
        found:

        - ``path``, or a batch of the folder, is not a regular file (a FIFO,
          a device);
        - the archive is not gzip-compressed tar, or its gzip checksum or
          length does not match (a damaged or truncated download), or it
          decompresses to more than 512 MiB or holds more than 1,000
          members;
        - a member the subset needs is missing, appears twice, or is not a
          regular file (a link, a device, a FIFO, a sparse file);
        - a batch is larger than 64 MiB, or is not a pickled dict with a
          uint8 ``data`` array of shape (n, 3072) and as many ``labels``, a
          list of integers in 0..9; or ``batches.meta`` has no
          ``label_names`` list of 10 UTF-8 names;
        - a pickle names a global other than the numpy ones an array needs
          (such as ``os.system``), builds an array or dtype otherwise than
          numpy's own pickles do (an object, void or structured dtype, or
          data that does not match the shape), or has more than 500,000
          opcodes, tuples nested more than 32 deep or opcodes that no batch
          needs.
    OSError
        If a file cannot be read (permissions, an I/O error).

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

    The archive or folder may come from anyone, so it is read as hostile. The
    batches are pickles, read by an unpickler whose only globals are
    stand-ins for the numpy functions an array needs, which check every
    argument before numpy sees it: an array is only ever a view of bytes
    from the pickle, of a boolean, integer or float dtype, whose size
    matches its shape. Before unpickling, a pass over the opcodes refuses
    what would cost more memory than the pickle's size, or overflow the
    stack. A member larger than 64 MiB (an official batch is 31 MB) is
    refused from its header, before it is read, and the whole archive may
    not decompress to more than 512 MiB (the official one, less than 200
    MB), so that memory stays within a few times 64 MiB whatever the file.
    The archive is read to the end of its gzip stream, so that its CRC is
    checked. SECURITY.md, at the root of the repository, describes the
    threat model and how to report a problem.

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
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise FileNotFoundError(
            f"No such file or folder: {path}; expected the CIFAR-10 python "
            f"version archive (cifar-10-python.tar.gz) or its extracted {_FOLDER} "
            "folder."
        ) from None
    if stat.S_ISDIR(mode):
        folder = path if os.path.lexists(path / _META) else path / _FOLDER
        if not folder.is_dir():
            raise FileNotFoundError(
                f"{path} is not an extracted CIFAR-10 folder: expected it to hold "
                f"{_META} (the {_FOLDER} folder itself) or a {_FOLDER} folder "
                "(its parent), and it holds neither."
            )
        parsed = _read_folder(folder, (_META, *names))
    elif stat.S_ISREG(mode):
        parsed = _read_archive(path, (_META, *names))
    else:
        raise ValueError(
            f"{path} is {_file_kind(mode)}: expected the CIFAR-10 python version "
            f"archive (a regular file) or its extracted {_FOLDER} folder."
        )

    target_names = np.asarray(parsed[_META])
    checked = [parsed[name] for name in names]
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
