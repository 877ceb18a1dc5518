"""A bag of visual words over batches of images.

The stages are plain functions, each in the module of its stage, so that each
can be reused or replaced on its own:

1. :func:`extract_patches` (dense, on a grid with a step) and
   :func:`sample_patches` (random) cut patches out of a batch of images;
2. :func:`describe_patches` turns each patch into a descriptor (its normalised
   pixels, or its HoG), which :func:`whiten` may decorrelate with the ZCA
   transform :func:`zca_whitening` learns from training descriptors;
3. :func:`encode` assigns each descriptor to the words of a codebook (hard,
   soft or "triangle");
4. :func:`pool_histograms` sums the codes of each image's patches into a
   histogram that sums to 1, and :func:`pool_regions` sums them over each
   region of a grid over the image.

:func:`bag_of_visual_words` chains them for a batch, and
:class:`BagOfVisualWords` learns the codebook and wraps the rest as a
transformer: the classic bag of words, a normalised histogram of nearest
words. The single-layer network of Coates, Lee and Ng (2011) is this pipeline
with more at each stage: whitened descriptors, the "triangle" code and pooling
over the image's quadrants, :class:`KMeansFeatures`. Both learn their codebook
on the base class of :mod:`._codebook`.
"""

import warnings
from numbers import Integral

import numpy as np

from ..utils._fixes import Hidden, Interval, StrOptions
from ._codebook import _BaseCodebookTransformer
from ._encoding import _pool_tiles, encode, pool_histograms
from ._image import _check_pair, float_dtype
from ._patches import _resolve_hog_params, describe_patches

__all__ = ["BagOfVisualWords", "bag_of_visual_words"]


def bag_of_visual_words(images, codebook, *, patch_size, step=1,
                        descriptor="pixels", encoding="hard", bandwidth=None,
                        contrast_eps=0.0, hog_params=None):
    """The bag-of-visual-words histogram of each image of a batch.

    Describes the patches on a grid (:func:`extract_patches`,
    :func:`describe_patches`), assigns them to the words of ``codebook``
    (:func:`encode`) and pools them per image (:func:`pool_histograms`). The
    patches are worked on in tiles (blocks of images, or bands of patch rows of
    a large image) whose distances to the words fit in 8 MB and whose work fits
    in half of scikit-learn's ``working_memory``, which bounds the memory
    whatever the batch and the size of its images; within a tile, each stage
    is one vectorised step over all its patches.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width[, channels])
        The images. Computed in float32 for float32 images, else in float64.
    codebook : ndarray of shape (n_words, n_descriptor_features)
        The visual words, descriptors of the kind ``descriptor`` gives.
    patch_size : int or tuple of (int, int)
        ``(patch_height, patch_width)``.
    step : int or tuple of (int, int), default=1
        The distance between neighbouring patches.
    descriptor : {"pixels", "hog"}, default="pixels"
        See :func:`describe_patches`.
    encoding : {"hard", "soft"}, default="hard"
        See :func:`encode`.
    bandwidth : float, default=None
        The bandwidth of ``"soft"``.
    contrast_eps : float, default=0.0
        The contrast regulariser of ``"pixels"``.
    hog_params : dict, default=None
        The HoG parameters of ``"hog"``.

    Returns
    -------
    histograms : ndarray of shape (n_images, n_words)
        Each row sums to 1.

    See Also
    --------
    BagOfVisualWords : Learns the codebook.
    kmeans_features : The features of Coates et al., pooled over regions.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import bag_of_visual_words
    >>> images = np.zeros((2, 4, 4))
    >>> images[1, :, 2:] = 1  # a vertical edge
    >>> codebook = np.array([[0.0, 0.0, 0.0, 0.0], [-1.0, 1.0, -1.0, 1.0]])
    >>> bag_of_visual_words(images, codebook, patch_size=2)
    array([[1.        , 0.        ],
           [0.66666667, 0.33333333]])
    """
    images = np.asarray(images)
    dtype = float_dtype(images.dtype)
    patch_size = _check_pair("patch_size", patch_size)
    step = _check_pair("step", step)
    n_words, n_features = np.shape(codebook)

    def code(patches):
        X = describe_patches(
            patches, descriptor, contrast_eps=contrast_eps, hog_params=hog_params
        )
        return encode(X, codebook, encoding, bandwidth=bandwidth)

    # Per patch, in code: its descriptor, its distances and its code; HoG's
    # work adds about 6 arrays per channel and 8 of one value per pixel of the
    # patch, in float64, as _hog counts.
    code_bytes = np.dtype(dtype).itemsize * (n_features + 2 * n_words)
    if descriptor == "hog":
        n_channels = images.shape[3] if images.ndim == 4 else 1
        code_bytes += 8 * patch_size[0] * patch_size[1] * (6 * n_channels + 8)
    pooled = _pool_tiles(images, code, patch_size=patch_size, step=step,
                         grid=(1, 1), n_words=n_words, dtype=dtype,
                         code_bytes=code_bytes)
    histograms = pool_histograms(pooled.reshape(len(images), 1, n_words))
    return histograms.astype(dtype, copy=False)


class BagOfVisualWords(_BaseCodebookTransformer):
    """Bag of visual words: each image as a histogram of its patches' words.

    ``fit`` draws ``n_patches`` patches at random positions from the training
    images, describes them (:func:`describe_patches`) and clusters the
    descriptors with :class:`~sklearn.cluster.MiniBatchKMeans` into ``n_words``
    visual words, the ``codebook_``. ``transform`` describes the patches of each
    image on a grid with a ``step``, assigns each to the words (:func:`encode`:
    its nearest word, or a Gaussian kernel over all of them) and returns the
    image's histogram of words, normalised to sum to 1
    (:func:`pool_histograms`). The patches are transformed in tiles (blocks of
    images, or bands of a large image) whose memory follows scikit-learn's
    ``working_memory``, whatever the number and the size of the images.

    The defaults suit 32x32 colour images such as CIFAR-10: 6x6 patches (the
    size Coates et al. found best there) every 2 pixels give 196 patches per
    image, and 10,000 random training patches learn 100 words in about a
    second.

    Read more in the :ref:`User Guide <features>`.

    Parameters
    ----------
    n_words : int, default=100
        The number of visual words (clusters), and of output features.
    patch_size : int or tuple of (int, int), default=(6, 6)
        ``(patch_height, patch_width)`` of the patches; an int for a square.
    step : int or tuple of (int, int), default=2
        The distance in pixels between the patches of ``transform``. 1 is
        densest and slowest (the number of patches grows as ``1 / step**2``).
    n_patches : int, default=10_000
        The number of random training patches the codebook is learned from,
        drawn evenly from the training images (``ceil(n_patches / n_images)``
        from each); raised to ``n_words`` when lower, since k-means needs at
        least one training patch per word. On CIFAR-10, 3,000 to 100,000
        patches give 100 words of the same accuracy.
    descriptor : {"pixels", "hog"}, default="pixels"
        How a patch is described (see :func:`describe_patches`): its pixels
        minus their mean, divided by the square root of their variance plus
        ``contrast_eps``; or its histogram of oriented gradients.
    encoding : {"hard", "soft"}, default="hard"
        How a descriptor is assigned to words (see :func:`encode`): one-hot on
        its nearest word, or weights ``exp(-d_k^2 / 2 bandwidth^2)`` over all
        words normalised to sum to 1. ``"soft"`` keeps how close a patch is to
        the other words too, and usually classifies better.
    bandwidth : float or "auto", default="auto"
        The kernel width of ``encoding="soft"``, in the units of the
        descriptors. ``"auto"`` uses the root mean squared distance of the
        training descriptors to their nearest word: a word whose squared
        distance exceeds the nearest word's by that mean gets ``exp(-1/2) =
        0.61`` times the nearest word's weight.
    contrast_eps : float or "auto", default="auto"
        The regulariser of the contrast normalisation of ``descriptor="pixels"``,
        added to each patch's variance, in squared pixel units. ``"auto"`` is
        the mean variance of the training patches divided by 150: 10 for 6x6
        CIFAR-10 patches in 0..255, the value of Coates et al., and features
        that do not depend on the scale of the pixels (0..255 or 0..1).
    hog_params : dict, default=None
        Parameters of the HoG of ``descriptor="hog"``: ``orientations``,
        ``pixels_per_cell``, ``cells_per_block``, ``block_norm`` and
        ``transform_sqrt``. Those not given default to 9 orientations, 2x2 cells
        of half the patch and one block: 36 values per patch.
    batch_size : int, default=1024
        The minibatch size of :class:`~sklearn.cluster.MiniBatchKMeans`.
    max_iter : int, default=20
        The maximum number of passes of the clustering over the training
        patches (it usually stops sooner, when its minibatch inertia stops
        improving: after 2 to 5 passes over 10,000 CIFAR-10 patches).
    random_state : int, RandomState instance or None, default=None
        Seeds the training patches' positions and the clustering: the same seed
        gives the same codebook and features.
    n_jobs : int, default=None
        The number of threads over which each chunk of images is split in
        ``transform``, each with one BLAS thread; ``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context, -1 all processors. On two cores
        ``n_jobs=2`` transforms about a quarter faster than BLAS's own threads
        alone. The clustering uses scikit-learn's own threads.
    image_shape : tuple or list of int, default=None
        ``(height, width)`` or ``(height, width, channels)``, to take 2-D input
        as rows of flattened images.
    n_patches_per_image : int, default="deprecated"
        The number of random patches drawn from each training image; when set,
        ``n_patches`` is ignored.

        .. deprecated:: 0.1
           ``n_patches_per_image`` will be removed in 0.2. Use ``n_patches``,
           the total number of training patches.

    Attributes
    ----------
    codebook_ : ndarray of shape (n_words, n_descriptor_features)
        The visual words, the cluster centres of the training descriptors;
        float32 when fitted on float32 images, else float64.
    bandwidth_ : float
        The bandwidth of ``encoding="soft"``, ``bandwidth`` resolved (also set
        for ``"hard"``).
    contrast_eps_ : float
        ``contrast_eps`` resolved (also set for ``descriptor="hog"``).
    hog_params_ : dict or None
        The HoG parameters used, defaults filled in; None for ``"pixels"``.
    n_iter_ : int
        The number of passes over the training descriptors that the clustering
        made.
    image_shape_ : tuple of int
        ``(height, width)`` or ``(height, width, channels)`` of the training
        images; ``transform`` expects the same.

    See Also
    --------
    sklearn.cluster.MiniBatchKMeans : The clustering that learns the words.
    sklearn.feature_extraction.image.PatchExtractor : Patches of images.
    KMeansFeatures : The features of Coates et al.: whitened patches, the
        triangle code, pooled over the image's quadrants.
    sklinear.feature_extraction.bag_of_visual_words : The transform as a
        function of a codebook.

    References
    ----------
    .. [1] G. Csurka, C. R. Dance, L. Fan, J. Willamowski and C. Bray, "Visual
       categorization with bags of keypoints", ECCV Workshop on Statistical
       Learning in Computer Vision, 2004.
    .. [2] A. Coates, H. Lee and A. Y. Ng, "An analysis of single-layer networks
       in unsupervised feature learning", AISTATS 2011.
    .. [3] J. C. van Gemert, C. J. Veenman, A. W. M. Smeulders and
       J.-M. Geusebroek, "Visual word ambiguity", IEEE TPAMI 32(7), 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear import BagOfVisualWords
    >>> rng = np.random.RandomState(0)
    >>> images = rng.randint(0, 256, size=(6, 16, 16, 3), dtype=np.uint8)
    >>> bovw = BagOfVisualWords(n_words=5, random_state=0).fit(images)
    >>> bovw.codebook_.shape
    (5, 108)
    >>> features = bovw.transform(images)
    >>> features.shape
    (6, 5)
    >>> np.allclose(features.sum(axis=1), 1)
    True
    """

    _parameter_constraints: dict = {
        **_BaseCodebookTransformer._parameter_constraints,
        "descriptor": [StrOptions({"pixels", "hog"})],
        "encoding": [StrOptions({"hard", "soft"})],
        "hog_params": [dict, None],
        "n_patches_per_image": [
            Interval(Integral, 1, None, closed="left"),
            Hidden(StrOptions({"deprecated"})),
        ],
    }

    def __init__(
        self,
        n_words=100,
        *,
        patch_size=(6, 6),
        step=2,
        n_patches=10_000,
        descriptor="pixels",
        encoding="hard",
        bandwidth="auto",
        contrast_eps="auto",
        hog_params=None,
        batch_size=1024,
        max_iter=20,
        random_state=None,
        n_jobs=None,
        image_shape=None,
        n_patches_per_image="deprecated",
    ):
        self.n_words = n_words
        self.patch_size = patch_size
        self.step = step
        self.n_patches = n_patches
        self.descriptor = descriptor
        self.encoding = encoding
        self.bandwidth = bandwidth
        self.contrast_eps = contrast_eps
        self.hog_params = hog_params
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.image_shape = image_shape
        self.n_patches_per_image = n_patches_per_image

    def _n_features(self, image_shape):
        return self.n_words

    def _patches_per_image(self, n_images):
        if self.n_patches_per_image == "deprecated":
            return super()._patches_per_image(n_images)
        # fit -> _fit_images -> _training_descriptors -> here: the user's fit.
        warnings.warn(
            "n_patches_per_image was deprecated in 0.1 and will be removed in "
            "0.2; use n_patches, the total number of training patches: "
            f"n_patches={self.n_patches_per_image} * n_images draws the same "
            "patches. n_patches is ignored while n_patches_per_image is set.",
            FutureWarning,
            stacklevel=5,
        )
        return max(self.n_patches_per_image, -(-self.n_words // n_images))

    def _prepare_fit(self, images):
        self.hog_params_ = (
            _resolve_hog_params(_check_pair("patch_size", self.patch_size),
                                self.hog_params)
            if self.descriptor == "hog"
            else None
        )

    def _describe(self, patches):
        return describe_patches(
            patches,
            self.descriptor,
            contrast_eps=self.contrast_eps_,
            hog_params=self.hog_params_,
        )

    def _features(self, images):
        return bag_of_visual_words(
            images,
            self.codebook_,
            patch_size=self.patch_size,
            step=self.step,
            descriptor=self.descriptor,
            encoding=self.encoding,
            bandwidth=self.bandwidth_,
            contrast_eps=self.contrast_eps_,
            hog_params=self.hog_params_,
        )
