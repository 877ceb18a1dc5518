"""Linear classifiers trained jointly over all classes by minibatch SGD."""

from ._softmax import SoftmaxClassifier
from ._svm import SVMLinearClassifier

__all__ = ["SVMLinearClassifier", "SoftmaxClassifier"]
