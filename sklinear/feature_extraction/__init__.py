"""Image features as scikit-learn transformers, over batches of images.

Each feature is a plain function on a batch of images and a transformer that
wraps it; all take the input :func:`check_images` accepts. The stages of the
bag of visual words and of the k-means features are public functions too, to
build other pipelines from: patches (:func:`extract_patches`,
:func:`sample_patches`), descriptors (:func:`describe_patches`), whitening
(:func:`zca_whitening`, :func:`whiten`), encoding (:func:`encode`) and pooling
(:func:`pool_histograms`, :func:`pool_regions`).
"""

from ._bovw import BagOfVisualWords, bag_of_visual_words
from ._color import ColorHistogram, color_histogram
from ._encoding import encode, pool_histograms, pool_regions
from ._hog import HoG, hog
from ._hog_image import hog_image
from ._image import BaseImageTransformer, check_images, float_dtype
from ._kmeans_features import KMeansFeatures, kmeans_features
from ._patches import describe_patches, extract_patches, sample_patches
from ._whitening import whiten, zca_whitening

__all__ = [
    "BagOfVisualWords",
    "BaseImageTransformer",
    "ColorHistogram",
    "HoG",
    "KMeansFeatures",
    "bag_of_visual_words",
    "check_images",
    "color_histogram",
    "describe_patches",
    "encode",
    "extract_patches",
    "float_dtype",
    "hog",
    "hog_image",
    "kmeans_features",
    "pool_histograms",
    "pool_regions",
    "sample_patches",
    "whiten",
    "zca_whitening",
]
