"""Image features as scikit-learn transformers, over batches of images.

Each feature is a plain function on a batch of images and a transformer that
wraps it; all take the input :func:`check_images` accepts.
"""

from ._bovw import BagOfVisualWords, bag_of_visual_words
from ._color import ColorHistogram, color_histogram
from ._hog import HoG, hog, hog_image
from ._image import BaseImageTransformer, check_images, float_dtype
from ._kmeans_features import KMeansFeatures, kmeans_features

__all__ = [
    "BagOfVisualWords",
    "BaseImageTransformer",
    "ColorHistogram",
    "HoG",
    "KMeansFeatures",
    "bag_of_visual_words",
    "check_images",
    "color_histogram",
    "float_dtype",
    "hog",
    "hog_image",
    "kmeans_features",
]
