"""Where the benchmarks find the CIFAR-10 subset: ``../shared/data`` beside the
repository, or the path in the SKLINEAR_CIFAR10 environment variable."""

import os
from pathlib import Path

CIFAR10 = Path(
    os.environ.get(
        "SKLINEAR_CIFAR10",
        Path(__file__).resolve().parents[2] / "shared" / "data"
        / "cifar-10-subset-python.tar.gz",
    )
)
