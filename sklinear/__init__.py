"""sklinear: linear image classifiers for scikit-learn.

A multiclass SVM and a softmax classifier trained by minibatch SGD, their losses
and gradients as a public API, and the image features that make them work.
"""

from .feature_extraction import BagOfVisualWords, ColorHistogram, HoG, KMeansFeatures
from .linear_model import SoftmaxClassifier, SVMLinearClassifier

__version__ = "0.1.0.dev0"

__all__ = [
    "BagOfVisualWords",
    "ColorHistogram",
    "HoG",
    "KMeansFeatures",
    "SVMLinearClassifier",
    "SoftmaxClassifier",
    "__version__",
]
