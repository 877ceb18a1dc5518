"""A tiny CIFAR-10 in the official "python version" format, for the tests."""

import pickle
import tarfile

import numpy as np

NAMES = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
]
BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
N_PER_BATCH = {name: 3 + i for i, name in enumerate(BATCHES)}  # 3, 4, ..., 8
SUBSETS = {"train": BATCHES[:5], "test": BATCHES[5:], "all": BATCHES}


def make_batches(seed=0):
    """Batches as dicts with bytes keys, like the official ones, and the meta."""
    rng = np.random.default_rng(seed)
    batches = {}
    for name, n in N_PER_BATCH.items():
        batches[name] = {
            b"batch_label": name.encode(),
            b"labels": [int(label) for label in rng.integers(0, 10, size=n)],
            b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
            b"filenames": [f"{name}_{i}.png".encode() for i in range(n)],
        }
    batches["batches.meta"] = {
        b"label_names": [name.encode() for name in NAMES],
        b"num_cases_per_batch": 8,
        b"num_vis": 3072,
    }
    return batches


def to_images(data):
    # Written out rather than reshaped, so as not to repeat the loader's code.
    n = len(data)
    images = np.empty((n, 32, 32, 3), dtype=np.uint8)
    for i in range(n):
        for k in range(3):
            images[i, :, :, k] = data[i, 1024 * k : 1024 * (k + 1)].reshape(32, 32)
    return images


def write_folder(root, batches):
    """Write ``batches`` (dicts, or raw bytes) as ``root/cifar-10-batches-py``."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    for name, batch in batches.items():
        raw = batch if isinstance(batch, bytes) else pickle.dumps(batch, protocol=2)
        (folder / name).write_bytes(raw)
    return folder


def write_archive(path, batches):
    """Write ``batches`` as a .tar.gz laid out like cifar-10-python.tar.gz."""
    folder = write_folder(path.parent / (path.name + ".d"), batches)
    with tarfile.open(path, "w:gz") as archive:
        archive.add(folder, arcname="cifar-10-batches-py")
    return path


def python2_pickle(obj):
    """``obj`` pickled as the official batches were: by Python 2 at protocol 2.

    Python 3 cannot write this format: there, the keys and the image bytes are
    Python 2 ``str`` (BINSTRING, read back as bytes), the memo counts from 1,
    and numpy 1.x gave its dtype's flags as integers. ``obj`` is a dict,
    list, bytes, int or uint8 array, or nests them.
    """
    out = [b"\x80\x02"]
    n_memo = 0

    def memoize():
        nonlocal n_memo
        n_memo += 1
        out.append(b"q" + bytes([n_memo]) if n_memo < 256 else b"r" + pack_i(n_memo))

    def pack_i(value):
        return int(value).to_bytes(4, "little", signed=True)

    def string(value):
        out.append(
            b"U" + bytes([len(value)]) + value
            if len(value) < 256
            else b"T" + pack_i(len(value)) + value
        )
        memoize()

    def integer(value):
        if 0 <= value < 256:
            out.append(b"K" + bytes([value]))
        elif 0 <= value < 65536:
            out.append(b"M" + value.to_bytes(2, "little"))
        else:
            out.append(b"J" + pack_i(value))

    def save(value):
        if isinstance(value, dict):
            out.append(b"}")
            memoize()
            out.append(b"(")
            for key, item in value.items():
                save(key)
                save(item)
            out.append(b"u")
        elif isinstance(value, list):
            out.append(b"]")
            memoize()
            # cPickle appended in batches of 1000.
            for start in range(0, len(value), 1000):
                out.append(b"(")
                for item in value[start : start + 1000]:
                    save(item)
                out.append(b"e")
        elif isinstance(value, bytes):
            string(value)
        elif isinstance(value, int):
            integer(value)
        elif isinstance(value, np.ndarray) and value.dtype == np.uint8:
            out.append(b"cnumpy.core.multiarray\n_reconstruct\n")
            memoize()
            out.append(b"cnumpy\nndarray\n")
            memoize()
            out.append(b"K\x00\x85U\x01b\x87R")
            memoize()
            # The state: (1, shape, dtype, is_fortran, data).
            out.append(b"(K\x01(")
            for n in value.shape:
                integer(n)
            out.append(b"t")
            out.append(b"cnumpy\ndtype\n")
            memoize()
            out.append(b"U\x02u1K\x00K\x01\x87R")
            memoize()
            out.append(b"(K\x03U\x01|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89")
            string(np.ascontiguousarray(value).tobytes())
            out.append(b"tb")
        else:
            raise TypeError(f"cannot pickle {type(value).__name__} as Python 2 did")

    save(obj)
    out.append(b".")
    return b"".join(out)
