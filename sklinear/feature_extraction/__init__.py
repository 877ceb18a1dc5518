"""Image features as scikit-learn transformers, over batches of images."""

from ._image import BaseImageTransformer, check_images

__all__ = ["BaseImageTransformer", "check_images"]
