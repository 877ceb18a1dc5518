"""The single-layer k-means features of Coates, Lee and Ng (2011).

The stages of the bag of visual words (:mod:`._bovw`), with the paper's choice
at each:

1. dense patches at every pixel (:func:`extract_patches`, ``step=1``);
2. each patch's contrast normalised (:func:`describe_patches`), then whitened
   by the ZCA transform learned on training patches (:func:`zca_whitening`,
   :func:`whiten`);
3. the "triangle" code of each patch against a codebook learned by k-means on
   the whitened training patches (:func:`encode`);
4. the codes summed over the four quadrants of the image
   (:func:`pool_regions`).

:func:`kmeans_features` chains them for a batch of images, and
:class:`KMeansFeatures` learns the whitening and the codebook and wraps the
rest as a transformer, on the same base as :class:`BagOfVisualWords`
(:mod:`._codebook`).
"""

from numbers import Integral, Real

import numpy as np

from ..utils._fixes import Interval, StrOptions
from ._codebook import _BaseCodebookTransformer
from ._encoding import _pool_tiles, encode
from ._image import _check_pair, float_dtype
from ._patches import describe_patches
from ._whitening import whiten, zca_whitening

__all__ = ["KMeansFeatures", "kmeans_features"]


def _check_float32_range(images):
    """Refuse float images whose pixels do not fit in float32, the type
    KMeansFeatures computes in."""
    if images.dtype.kind == "f" and images.dtype.itemsize > 4:
        largest = max(float(images.max()), -float(images.min()))
        limit = float(np.finfo(np.float32).max)
        if largest > limit:
            raise ValueError(
                f"X has pixel values of magnitude up to {largest:.3g}; "
                "KMeansFeatures computes in float32 and expects them within "
                f"{limit:.3g}. Rescale the images."
            )


def kmeans_features(images, codebook, *, patch_size=6, step=1, contrast_eps=0.0,
                    whitening=None, encoding="triangle", bandwidth=None,
                    pooling_regions=(2, 2), dtype=None):
    """The k-means features of each image of a batch (Coates et al.).

    Describes the patches of each image on a grid (:func:`extract_patches`,
    :func:`describe_patches`), whitens them (:func:`whiten`), encodes them
    against the words of ``codebook`` (:func:`encode`) and sums the codes over
    each region of a grid over the image (:func:`pool_regions`). The patches
    are worked on in tiles (blocks of images, or bands of patch rows of a large
    image) whose distances to the words fit in 8 MB and whose work fits in
    half of scikit-learn's ``working_memory``, which bounds the memory whatever
    the batch and the size of its images and keeps the distances in cache;
    within a tile, each stage is one vectorised step over all its patches.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width[, channels])
        The images.
    codebook : ndarray of shape (n_words, n_descriptor_features)
        The words: whitened descriptors when ``whitening`` is given.
    patch_size : int or tuple of (int, int), default=6
        ``(patch_height, patch_width)``.
    step : int or tuple of (int, int), default=1
        The distance between neighbouring patches.
    contrast_eps : float, default=0.0
        The regulariser of the contrast normalisation (see
        :func:`describe_patches`), in squared pixel units.
    whitening : tuple of (ndarray, ndarray), default=None
        The ``(mean, whitening)`` of :func:`zca_whitening`; None leaves the
        descriptors as they are.
    encoding : {"triangle", "hard", "soft"}, default="triangle"
        See :func:`encode`.
    bandwidth : float, default=None
        The bandwidth of ``"soft"``.
    pooling_regions : int or tuple of (int, int), default=(2, 2)
        The grid of regions the codes are summed over (see
        :func:`pool_regions`).
    dtype : {numpy.float32, numpy.float64}, default=None
        The float type the patches are computed in; None for float32 with
        float32 images, else float64. The sums over the regions are
        accumulated in float64 whatever it is.

    Returns
    -------
    features : ndarray of shape (n_images, pooling_regions[0] * \
pooling_regions[1] * n_words)
        The pooled codes, region by region (row-major over the grid of
        regions), each region's ``n_words`` values together; float32 for
        float32 images, else float64.

    See Also
    --------
    KMeansFeatures : Learns the whitening and the codebook.
    sklinear.feature_extraction.bag_of_visual_words : The classic bag of
        words, a normalised histogram of nearest words per image.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import kmeans_features
    >>> images = np.zeros((2, 4, 4))
    >>> images[1, :, 2:] = 1  # a vertical edge
    >>> codebook = np.array([[0.0, 0.0, 0.0, 0.0], [-1.0, 1.0, -1.0, 1.0]])

    Of the 9 patches of the second image, the 3 across the edge are the second
    word (at distance 0 from it and 2 from the first: triangle code 1), the
    others flat, the first word:

    >>> kmeans_features(images, codebook, patch_size=2, pooling_regions=1)
    array([[9., 0.],
           [6., 3.]])
    """
    images = np.asarray(images)
    features_dtype = float_dtype(images.dtype)
    dtype = np.dtype(features_dtype if dtype is None else dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(
            f"dtype must be numpy.float32 or numpy.float64; got {dtype!r}."
        )
    codebook = np.asarray(codebook, dtype=dtype)
    if whitening is not None:
        whitening = tuple(np.asarray(array, dtype=dtype) for array in whitening)
    patch_size = _check_pair("patch_size", patch_size)
    step = _check_pair("step", step)
    n_words, n_features = codebook.shape

    def code(patches):
        X = describe_patches(patches, "pixels", contrast_eps=contrast_eps)
        if whitening is not None:
            X = whiten(X, *whitening)
        return encode(X, codebook, encoding, bandwidth=bandwidth)

    # Per patch, in code: its descriptor, the whitened descriptor and a
    # temporary, and its distances, which become its code in place.
    code_bytes = np.dtype(dtype).itemsize * (3 * n_features + n_words)
    pooled = _pool_tiles(images, code, patch_size=patch_size, step=step,
                         grid=_check_pair("pooling_regions", pooling_regions),
                         n_words=n_words, dtype=dtype, code_bytes=code_bytes)
    return pooled.reshape(len(images), -1).astype(features_dtype, copy=False)


class KMeansFeatures(_BaseCodebookTransformer):
    """Single-layer k-means features of images (Coates, Lee and Ng, 2011).

    ``fit`` draws ``n_patches`` patches at random positions from the training
    images, normalises each one's contrast, learns their ZCA whitening
    (:func:`zca_whitening`) and clusters the whitened patches into ``n_words``
    centroids, the ``codebook_``, with :class:`~sklearn.cluster.MiniBatchKMeans`.
    ``transform`` takes the patches of each image at every ``step`` pixels,
    normalises and whitens them the same way, encodes each against the
    centroids (by default the "triangle" code :math:`f_k = \\max(0, \\bar{d} -
    d_k)`, with :math:`d_k` the distance to centroid :math:`k` and
    :math:`\\bar{d}` its mean over the centroids; see :func:`encode`) and sums
    the codes over each region of a ``pooling_regions`` grid over the image:
    ``pooling_regions[0] * pooling_regions[1] * n_words`` features.

    The defaults are the paper's for 32x32 colour images: 6x6 patches at every
    pixel (729 per image), whitening, 1,600 words, the triangle code and the
    four quadrants, 6,400 features. With them, 50,000 training images and a
    linear SVM, the paper reaches 77.9% on CIFAR-10 (79.6% with 4,000 words).
    Its findings on each choice, for k-means and the other single-layer
    learners it compared:

    - **number of words**: accuracy grew with the number of features all the
      way to the 1,600 of its sweep, for every learner; the best result used
      4,000. The time of ``transform`` grows linearly with it.
    - **step** (the paper's stride): the smaller the better, from 8 pixels down
      to 1, although a step of 1 costs the most (the number of patches grows
      as ``1 / step**2``).
    - **patch size** (the receptive field): 6x6 did better than 8x8 and
      12x12, and is the cheapest.
    - **whitening**: it helped every learner, and k-means the most: on raw
      patches k-means spends its centroids on smooth, strongly correlated
      patterns, on whitened patches it learns sharp, localised edges.
    - **encoding**: the triangle code did much better than the hard
      assignment of the classic bag of words.

    On the CIFAR-10 subset (10,000 training, 2,000 test images;
    ``benchmarks/bench_bovw.py``), standardised and classified by
    :class:`~sklinear.SVMLinearClassifier` tuned over ``alpha`` on a
    validation split: 61%, 64% and 68% with 100, 400 and 1,600 triangle-coded
    words, against 57%, 63% and 66% for the hard code (which needs a penalty
    ten to thirty times stronger), and 39% for a linear classifier on the
    pixels; ten binary squared-hinge SVMs one-vs-rest, the paper's classifier,
    reach 70% at 1,600 words. Fitting and transforming the 12,000 images takes
    under a minute on two cores at 1,600 words.

    Read more in the :ref:`User Guide <features>`.

    Parameters
    ----------
    n_words : int, default=1600
        The number of centroids, k of k-means; the features are
        ``n_words`` per region.
    patch_size : int or tuple of (int, int), default=(6, 6)
        ``(patch_height, patch_width)`` of the patches; an int for a square.
    step : int or tuple of (int, int), default=1
        The distance in pixels between the patches of ``transform``. The
        number of patches, and the time, grow as ``1 / step**2``.
    n_patches : int, default=400_000
        The number of random training patches the whitening and the codebook
        are learned from, drawn evenly from the training images
        (``ceil(n_patches / n_images)`` from each); raised to ``n_words`` when
        lower.
    contrast_eps : float or "auto", default="auto"
        The regulariser of the contrast normalisation, added to each patch's
        variance (in squared pixel units): it keeps nearly flat patches, whose
        variation is mostly noise, from being scaled up. ``"auto"`` is the mean
        variance of the training patches divided by 150: 10 for CIFAR-10 in
        0..255, the value of Coates et al., and features that do not depend
        on the scale of the pixels (0..255 or 0..1).
    whiten : bool, default=True
        Whiten the normalised patches by ZCA (see :func:`zca_whitening`) before
        clustering and encoding them.
    whiten_eps : float, default=0.1
        The regulariser of the whitening, added to the eigenvalues of the
        patches' covariance; the patches are normalised first, so it does not
        depend on the pixel scale. 0.1 is the paper's value.
    encoding : {"triangle", "hard", "soft"}, default="triangle"
        How a patch is encoded against the words (see :func:`encode`): the
        triangle code; one-hot on its nearest word; or Gaussian weights over
        all words that sum to 1.
    bandwidth : float or "auto", default="auto"
        The kernel width of ``encoding="soft"``, in the units of the whitened
        patches. ``"auto"`` uses the root mean squared distance of training
        patches to their nearest word.
    pooling_regions : int or tuple of (int, int), default=(2, 2)
        The grid of image regions the codes are summed over, ``(rows,
        columns)``: (2, 2) for the quadrants, 1 for the whole image. At most
        the number of patches down and across.
    batch_size : int, default=1024
        The minibatch size of :class:`~sklearn.cluster.MiniBatchKMeans`.
    max_iter : int, default=20
        The maximum number of passes of the clustering over the training
        patches (it usually stops sooner, when its minibatch inertia stops
        improving).
    random_state : int, RandomState instance or None, default=None
        Seeds the training patches' positions and the clustering: the same
        seed gives the same codebook and features.
    n_jobs : int, default=None
        The number of threads ``transform`` works with, on blocks of images,
        each with one BLAS thread; ``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context, -1 all processors. The
        clustering uses scikit-learn's own threads.
    image_shape : tuple or list of int, default=None
        ``(height, width)`` or ``(height, width, channels)``, to take 2-D input
        as rows of flattened images.

    Attributes
    ----------
    codebook_ : ndarray of shape (n_words, n_descriptor_features)
        The centroids, in the space of the whitened patches, float32.
    whitening_mean_ : ndarray of shape (n_descriptor_features,) or None
        The mean of the normalised training patches; None without whitening.
    whitening_ : ndarray of shape (n_descriptor_features, \
n_descriptor_features) or None
        The ZCA whitening matrix; None without whitening.
    contrast_eps_ : float
        ``contrast_eps`` resolved.
    bandwidth_ : float
        ``bandwidth`` resolved (also set for the other encodings).
    n_iter_ : int
        The number of passes over the training patches the clustering made.
    image_shape_ : tuple of int
        ``(height, width)`` or ``(height, width, channels)`` of the training
        images; ``transform`` expects the same.

    See Also
    --------
    BagOfVisualWords : The classic bag of words: a normalised histogram of
        nearest words per image.
    sklinear.feature_extraction.kmeans_features : The transform as a function
        of a codebook.
    sklearn.cluster.MiniBatchKMeans : The clustering that learns the words.

    Notes
    -----
    Everything is computed in float32, whatever the images' dtype: the cost is
    the distances from every patch to every word, a matrix product of 729 x
    108 by 108 x 1,600 per CIFAR-10 image, which float32 makes twice as fast
    and half as large. The features are float32 for float32 images, else
    float64, like those of the other transformers.

    ``transform`` works on tiles of patches (blocks of images, or bands of a
    large image) whose distances fit in 8 MB and whose memory follows
    scikit-learn's ``working_memory``, so that it does not grow with the
    number or the size of the images beyond the features themselves.

    Standardise the features before a linear classifier (as the paper does).
    They are strongly correlated, the largest eigenvalue of their covariance
    about a seventh of its trace, which ``learning_rate="auto"`` measures: on
    the standardised features of the CIFAR-10 subset, with its defaults,
    :class:`~sklinear.SoftmaxClassifier` reaches 68.2% in 100 epochs, 0.6
    points below its best fixed step. The hinge's ``"auto"`` step, which
    assumes every margin violated, is cautious on them:
    :class:`~sklinear.SVMLinearClassifier` reaches 65.6% with its defaults,
    and 67.0% to 67.75% with steps 3 to 27 times longer; tune its
    ``learning_rate`` in multiples of ``learning_rate_``. Ten binary
    squared-hinge SVMs
    (``OneVsRestClassifier(SVMLinearClassifier(loss="squared_hinge"))``, the
    paper's classifier) do 2 points better than the joint multiclass losses.

    References
    ----------
    .. [1] A. Coates, H. Lee and A. Y. Ng, "An analysis of single-layer networks
       in unsupervised feature learning", AISTATS 2011.
       https://proceedings.mlr.press/v15/coates11a.html
    .. [2] A. Coates and A. Y. Ng, "Learning feature representations with
       k-means", Neural Networks: Tricks of the Trade, 2nd edition, Springer,
       2012. :doi:`10.1007/978-3-642-35289-8_30`

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear import KMeansFeatures
    >>> rng = np.random.RandomState(0)
    >>> images = rng.randint(0, 256, size=(6, 16, 16, 3), dtype=np.uint8)
    >>> kmeans = KMeansFeatures(n_words=5, n_patches=100, random_state=0)
    >>> kmeans.fit(images).codebook_.shape
    (5, 108)
    >>> kmeans.transform(images).shape
    (6, 20)
    """

    _parameter_constraints: dict = {
        **_BaseCodebookTransformer._parameter_constraints,
        "whiten": ["boolean"],
        "whiten_eps": [Interval(Real, 0, None, closed="left")],
        "encoding": [StrOptions({"triangle", "hard", "soft"})],
        "pooling_regions": [Interval(Integral, 1, None, closed="left"), tuple, list],
    }

    def __init__(
        self,
        n_words=1600,
        *,
        patch_size=(6, 6),
        step=1,
        n_patches=400_000,
        contrast_eps="auto",
        whiten=True,
        whiten_eps=0.1,
        encoding="triangle",
        bandwidth="auto",
        pooling_regions=(2, 2),
        batch_size=1024,
        max_iter=20,
        random_state=None,
        n_jobs=None,
        image_shape=None,
    ):
        self.n_words = n_words
        self.patch_size = patch_size
        self.step = step
        self.n_patches = n_patches
        self.contrast_eps = contrast_eps
        self.whiten = whiten
        self.whiten_eps = whiten_eps
        self.encoding = encoding
        self.bandwidth = bandwidth
        self.pooling_regions = pooling_regions
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.image_shape = image_shape

    def _dtype(self, dtype):
        # See the Notes: the distances in float32, whatever the images.
        return np.dtype(np.float32)

    def _min_size(self):
        # Enough patches down and across for the grid of regions.
        patch = _check_pair("patch_size", self.patch_size)
        step = _check_pair("step", self.step)
        regions = _check_pair("pooling_regions", self.pooling_regions)
        return tuple(p + (r - 1) * s for p, r, s in zip(patch, regions, step,
                                                        strict=True))

    def _n_features(self, image_shape):
        regions = _check_pair("pooling_regions", self.pooling_regions)
        return regions[0] * regions[1] * self.n_words

    def _prepare_fit(self, images):
        _check_pair("pooling_regions", self.pooling_regions)
        _check_float32_range(images)

    def _describe(self, patches):
        return describe_patches(patches, "pixels", contrast_eps=self.contrast_eps_)

    def _fit_descriptors(self, X):
        if not self.whiten:
            self.whitening_mean_ = self.whitening_ = None
            return X
        self.whitening_mean_, self.whitening_ = zca_whitening(X, eps=self.whiten_eps)
        return whiten(X, self.whitening_mean_, self.whitening_)

    def _features(self, images):
        whitening = (
            None if self.whitening_ is None
            else (self.whitening_mean_, self.whitening_)
        )
        return kmeans_features(
            images,
            self.codebook_,
            patch_size=self.patch_size,
            step=self.step,
            contrast_eps=self.contrast_eps_,
            whitening=whitening,
            encoding=self.encoding,
            bandwidth=self.bandwidth_,
            pooling_regions=self.pooling_regions,
            dtype=np.float32,
        )

    def _transform_chunk(self, images):
        _check_float32_range(images)
        return super()._transform_chunk(images)
