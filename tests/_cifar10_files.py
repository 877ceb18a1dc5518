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
