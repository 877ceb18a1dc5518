"""Loaders for image datasets, returning scikit-learn Bunches."""

from ._cifar10 import load_cifar10
from ._fetch import fetch_cifar10

__all__ = ["fetch_cifar10", "load_cifar10"]
