"""Loaders for image datasets, returning scikit-learn Bunches."""

from ._cifar10 import load_cifar10

__all__ = ["load_cifar10"]
