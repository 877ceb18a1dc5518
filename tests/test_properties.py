"""Properties that must hold for any input, checked by hypothesis.

The losses and their gradients on random shapes, scores and weights: never
negative, the hinge zero exactly when every margin holds, the softmax positive
but vanishing as the true class dominates, gradients that agree with centred
differences, and weights that mean the same at any scale. The transformers on
random batches of images (sizes, colour or grayscale, uint8 or float, noise,
flat or stark): for every public transformer (``_instances.py``), features
of the number, dtype and finiteness promised, of each image alone whatever
the batch; for each, the number of features documented, and the
normalisation or pooling it promises.
"""

import warnings

import numpy as np
import pytest
from _instances import all_instances, estimator_id
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from sklinear import BagOfVisualWords, ColorHistogram, HoG, KMeansFeatures
from sklinear.feature_extraction import float_dtype
from sklinear.gradient_check import check_gradient
from sklinear.losses import multiclass_hinge, softmax_cross_entropy

# The same examples on every run (seeded from each test), so that CI is
# reproducible, and no example database written to the working directory.
PROPERTY = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Bounded, so that every loss is finite and the softmax's terms are not all
# lost to underflow.
SCORES = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
MARGINS = st.one_of(st.just(1.0), st.floats(0.01, 10.0))


@st.composite
def problems(draw, integer_scores=True):
    """``(scores, y, sample_weight)`` of random shapes and values."""
    n_samples = draw(st.integers(1, 20))
    n_classes = draw(st.integers(2, 8))
    # Whole-number scores put the hinge's margins exactly on their corners.
    elements = SCORES
    if integer_scores and draw(st.booleans()):
        elements = st.integers(-50, 50).map(float)
    scores = draw(hnp.arrays(np.float64, (n_samples, n_classes), elements=elements))
    y = draw(hnp.arrays(np.intp, n_samples, elements=st.integers(0, n_classes - 1)))
    if draw(st.booleans()):
        # Make the true class lead, so that every margin often holds.
        lead = draw(st.floats(0.0, 30.0))
        rows = np.arange(n_samples)
        scores[rows, y] = np.minimum(scores.max(axis=1) + lead, 50.0)
    weights = None
    if draw(st.booleans()):
        weights = draw(hnp.arrays(
            np.float64, n_samples,
            elements=st.one_of(st.just(0.0), st.floats(1e-3, 100.0)),
        ))
        assume(weights.sum() > 0)
    return scores, y, weights


def leads(scores, y):
    """``s_y - s_j`` for every sample and class, as the losses compute it."""
    return scores[np.arange(len(y)), y][:, np.newaxis] - scores


def hinge(margin, squared):
    def loss(scores, y, sample_weight=None):
        return multiclass_hinge(scores, y, margin=margin, squared=squared,
                                sample_weight=sample_weight)
    return loss


# --- The losses --------------------------------------------------------------------


@PROPERTY
@given(problem=problems(), margin=MARGINS)
def test_losses_are_finite_and_never_negative(problem, margin):
    scores, y, weights = problem
    for loss in (hinge(margin, False), hinge(margin, True), softmax_cross_entropy):
        value, grad = loss(scores, y, sample_weight=weights)
        assert np.isfinite(value) and value >= 0
        assert grad.shape == scores.shape and np.isfinite(grad).all()


@PROPERTY
@given(problem=problems(), margin=MARGINS, squared=st.booleans())
def test_hinge_is_zero_exactly_when_every_margin_holds(problem, margin, squared):
    scores, y, weights = problem
    n_samples, n_classes = scores.shape
    others = np.arange(n_classes) != y[:, np.newaxis]
    holds = ((leads(scores, y) >= margin) | ~others).all(axis=1)
    weights = np.ones(n_samples) if weights is None else weights
    value, grad = hinge(margin, squared)(scores, y, sample_weight=weights)
    # Zero exactly (not nearly) when every sample with a weight has all its
    # margins, positive as soon as one misses any.
    assert (value == 0.0) == holds[weights > 0].all()
    assert_array_equal((grad == 0).all(axis=1), holds | (weights == 0))
    for i in range(n_samples):
        value_i, _ = hinge(margin, squared)(scores[i:i + 1], y[i:i + 1])
        assert (value_i == 0.0) == holds[i]


@PROPERTY
@given(problem=problems(integer_scores=False))
def test_softmax_is_positive_and_vanishes_as_the_true_score_dominates(problem):
    scores, y, weights = problem
    n_samples, n_classes = scores.shape
    value, _ = softmax_cross_entropy(scores, y, sample_weight=weights)
    assert value > 0  # every class keeps some probability
    values = []
    for lead in [0.0, 1.0, 5.0, 20.0, 40.0, 80.0, 200.0, 1000.0]:
        dominated = scores.copy()
        dominated[np.arange(n_samples), y] = scores.max(axis=1) + lead
        value, _ = softmax_cross_entropy(dominated, y, sample_weight=weights)
        # L_i = log(1 + sum_j e^{s_j - s_y}) <= (n_classes - 1) e^{-lead}.
        bound = (n_classes - 1) * np.exp(-lead)
        assert value <= bound * (1 + 1e-12)
        if bound > 1e-300:
            assert value > 0
        values.append(value)
    assert np.all(np.diff(values) <= 0)
    assert values[-1] == 0.0


def _away_from_the_hinge_corners(scores, y, margin):
    # Within h of a corner, centred differences straddle it and differ from
    # the one-sided gradient: keep examples 1e-3 from any.
    distance = np.abs(margin - leads(scores, y))
    distance[np.arange(len(y)), y] = np.inf
    return distance.min() > 1e-3


@PROPERTY
@given(problem=problems(), margin=MARGINS, squared=st.booleans())
def test_hinge_gradient_check(problem, margin, squared):
    scores, y, weights = problem
    assume(_away_from_the_hinge_corners(scores, y, margin))
    loss = hinge(margin, squared)
    _, grad = loss(scores, y, sample_weight=weights)

    def f(s):
        return loss(s, y, sample_weight=weights)[0]

    assert check_gradient(f, scores, grad) < 1e-6


@PROPERTY
@given(problem=problems(integer_scores=False))
def test_softmax_gradient_check(problem):
    scores, y, weights = problem
    _, grad = softmax_cross_entropy(scores, y, sample_weight=weights)

    def f(s):
        return softmax_cross_entropy(s, y, sample_weight=weights)[0]

    assert check_gradient(f, scores, grad) < 1e-6


@PROPERTY
@given(problem=problems(), margin=MARGINS, squared=st.booleans())
def test_gradient_rows_sum_to_zero(problem, margin, squared):
    # Adding a constant to a sample's scores changes neither loss.
    scores, y, weights = problem
    weights = np.ones(len(y)) if weights is None else weights
    # Row i is w_i / sum(w) times terms of at most 1 (probabilities, or counts
    # of violated margins up to n_classes - 1 for the hinge).
    scale = weights / weights.sum() * scores.shape[1] ** 2
    for loss in (hinge(margin, squared), softmax_cross_entropy):
        _, grad = loss(scores, y, sample_weight=weights)
        if loss is not softmax_cross_entropy and squared:
            scale = scale * np.abs(leads(scores, y)).max(axis=1).clip(1) * 4
        assert np.all(np.abs(grad.sum(axis=1)) <= 1e-15 * scale)


@PROPERTY
@given(problem=problems(), margin=MARGINS, factor=st.floats(1e-3, 1e3))
def test_sample_weights_mean_the_same_at_any_scale(problem, margin, factor):
    scores, y, weights = problem
    weights = np.ones(len(y)) if weights is None else weights
    for loss in (hinge(margin, False), hinge(margin, True), softmax_cross_entropy):
        value, grad = loss(scores, y, sample_weight=weights)
        scaled_value, scaled_grad = loss(scores, y, sample_weight=factor * weights)
        assert_allclose(scaled_value, value, rtol=1e-12)
        assert_allclose(scaled_grad, grad, rtol=1e-12)
        # Unit weights are no weights, bit for bit.
        assert loss(scores, y, sample_weight=np.ones(len(y)))[0] == loss(scores, y)[0]


@PROPERTY
@given(problem=problems(), margin=MARGINS, data=st.data())
def test_integer_weights_are_repeated_samples(problem, margin, data):
    scores, y, _ = problem
    counts = data.draw(hnp.arrays(np.intp, len(y), elements=st.integers(0, 3)))
    assume(counts.sum() > 0)
    repeated = np.repeat(np.arange(len(y)), counts)
    for loss in (hinge(margin, False), hinge(margin, True), softmax_cross_entropy):
        value, grad = loss(scores, y, sample_weight=counts.astype(float))
        value_repeated, grad_repeated = loss(scores[repeated], y[repeated])
        assert_allclose(value, value_repeated, rtol=1e-12, atol=1e-300)
        summed = np.zeros_like(grad)
        np.add.at(summed, repeated, grad_repeated)
        assert_allclose(grad, summed, rtol=1e-9, atol=1e-15)


# --- The transformers --------------------------------------------------------------


@st.composite
def image_batches(draw, min_size=(8, 8), max_size=40, channels=(None, 1, 3)):
    """Random batches of images, in every form the transformers take.

    Sizes, grayscale (with or without a channel axis) or colour, uint8 or
    float pixels in [0, 1], and contents from noise to flat or stark ones.
    """
    n_images = draw(st.integers(1, 4))
    height = draw(st.integers(min_size[0], max(min_size[0], max_size)))
    width = draw(st.integers(min_size[1], max(min_size[1], max_size)))
    n_channels = draw(st.sampled_from(channels))
    dtype = draw(st.sampled_from([np.uint8, np.float32, np.float64]))
    content = draw(st.sampled_from(["noise", "flat", "black and white", "stripes"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = (n_images, height, width) + ((n_channels,) if n_channels else ())
    if content == "noise":
        pixels = rng.random(shape)
    elif content == "flat":
        pixels = np.full(shape, rng.random())
    elif content == "black and white":
        pixels = (rng.random(shape) < 0.5).astype(float)
    else:
        period = rng.integers(1, 8)
        stripes = np.arange(width) // period % 2 * 1.0
        pixels = np.broadcast_to(
            stripes[:, None] if n_channels else stripes, shape).copy()
        pixels = np.clip(pixels + 0.1 * rng.random(shape), 0, 1)
    if dtype == np.uint8:
        return np.round(pixels * 255).astype(np.uint8)
    return pixels.astype(dtype)


def _float_features(images):
    return np.float32 if images.dtype == np.float32 else np.float64


def _tolerance(images):
    return 1e-5 if images.dtype == np.float32 else 1e-12


@st.composite
def hog_cases(draw):
    orientations = draw(st.integers(1, 12))
    cell = (draw(st.integers(2, 8)), draw(st.integers(2, 8)))
    block = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    images = draw(image_batches(min_size=(cell[0] * block[0], cell[1] * block[1])))
    transform_sqrt = draw(st.booleans())
    return images, orientations, cell, block, transform_sqrt


def _blocks(features, images, orientations, cell, block):
    """The features as ``(n_images, n_blocks, values of a block)``."""
    n_blocks_row = images.shape[1] // cell[0] - block[0] + 1
    n_blocks_col = images.shape[2] // cell[1] - block[1] + 1
    block_size = block[0] * block[1] * orientations
    # The formula of hog's documentation.
    assert features.shape == (len(images), n_blocks_row * n_blocks_col * block_size)
    return features.reshape(len(images), n_blocks_row * n_blocks_col, block_size)


@PROPERTY
@given(case=hog_cases())
def test_hog_shape_and_block_normalisation(case):
    images, orientations, cell, block, transform_sqrt = case
    features = {}
    for block_norm in ["L1", "L1-sqrt", "L2", "L2-Hys"]:
        hog = HoG(orientations=orientations, pixels_per_cell=cell,
                  cells_per_block=block, block_norm=block_norm,
                  transform_sqrt=transform_sqrt)
        out = hog.fit_transform(images)
        assert out.dtype == _float_features(images)
        assert np.isfinite(out).all() and (out >= 0).all()
        features[block_norm] = _blocks(out, images, orientations, cell, block)
    tol = _tolerance(images)
    # Each block normalised as documented: by its L1 norm (plus eps), the square
    # root of that, by its L2 norm (plus eps), and that clipped at 0.2 and
    # normalised again.
    assert (features["L1"].sum(axis=2) <= 1 + tol).all()
    assert_allclose(features["L1-sqrt"], np.sqrt(features["L1"]), rtol=tol,
                    atol=tol)
    for name in ("L2", "L2-Hys", "L1-sqrt"):
        assert (np.linalg.norm(features[name], axis=2) <= 1 + tol).all()
    clipped = np.minimum(features["L2"].astype(np.float64), 0.2)
    hys = clipped / np.sqrt((clipped**2).sum(axis=2, keepdims=True) + 1e-10)
    assert_allclose(features["L2-Hys"], hys, rtol=10 * tol, atol=10 * tol)
    flat = np.ptp(images.reshape(len(images), -1), axis=1) == 0
    assert (features["L2-Hys"][flat] == 0).all()  # no gradient, no feature


@st.composite
def color_cases(draw):
    images = draw(image_batches(min_size=(1, 1)))
    colour = images.ndim == 4 and images.shape[3] == 3
    color_space = draw(st.sampled_from(["hsv", "rgb"])) if colour else "rgb"
    channels = None
    if colour and draw(st.booleans()):
        letters = draw(st.permutations(color_space))
        channels = "".join(letters[: draw(st.integers(1, 3))])
    bins = draw(st.integers(1, 32))
    return images, bins, color_space, channels


@PROPERTY
@given(case=color_cases())
def test_color_histogram_shape_and_normalisation(case):
    images, bins, color_space, channels = case
    features = ColorHistogram(bins=bins, color_space=color_space,
                              channels=channels).fit_transform(images)
    colour = images.ndim == 4 and images.shape[3] == 3
    n_channels = len(channels) if channels else (3 if colour else 1)
    assert features.shape == (len(images), bins * n_channels)
    assert features.dtype == _float_features(images)
    histograms = features.reshape(len(images), n_channels, bins)
    # Each channel's histogram is the fraction of the pixels in each bin.
    assert_allclose(histograms.sum(axis=2), 1.0, rtol=_tolerance(images))
    counts = histograms * (images.shape[1] * images.shape[2])
    assert_allclose(counts, np.round(counts), atol=1e-3)
    assert ((features >= 0) & (features <= 1)).all()


@st.composite
def bovw_cases(draw):
    patch = (draw(st.integers(2, 6)), draw(st.integers(2, 6)))
    images = draw(image_batches(min_size=patch, max_size=24, channels=(None, 3)))
    n_words = draw(st.integers(1, 6))
    step = draw(st.integers(1, 3))
    encoding = draw(st.sampled_from(["hard", "soft"]))
    descriptor = draw(st.sampled_from(["pixels", "hog"]))
    return images, patch, n_words, step, encoding, descriptor


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(PROPERTY, max_examples=30)
@given(case=bovw_cases())
def test_bag_of_visual_words_rows_sum_to_one(case):
    images, patch, n_words, step, encoding, descriptor = case
    bovw = BagOfVisualWords(n_words=n_words, patch_size=patch, step=step,
                            encoding=encoding, descriptor=descriptor,
                            random_state=0)
    features = bovw.fit_transform(images)
    assert features.shape == (len(images), n_words)
    assert features.dtype == _float_features(images)
    assert (features >= 0).all()
    assert_allclose(features.sum(axis=1), 1.0, rtol=_tolerance(images))
    if encoding == "hard":
        # One vote per patch of the grid: the histogram counts them.
        n_patches = (((images.shape[1] - patch[0]) // step + 1)
                     * ((images.shape[2] - patch[1]) // step + 1))
        counts = features * n_patches
        assert_allclose(counts, np.round(counts), atol=1e-3)


@st.composite
def kmeans_cases(draw):
    patch = draw(st.integers(2, 5))
    step = draw(st.integers(1, 3))
    regions = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    smallest = tuple(patch + (r - 1) * step for r in regions)
    images = draw(image_batches(min_size=smallest, max_size=20, channels=(None, 3)))
    params = dict(
        n_words=draw(st.integers(1, 6)),
        patch_size=patch,
        step=step,
        pooling_regions=regions,
        encoding=draw(st.sampled_from(["triangle", "hard", "soft"])),
        whiten=draw(st.booleans()),
        n_patches=50,
        random_state=0,
    )
    return images, params


def _band_sizes(n, n_bands):
    """The sizes of the bands of pool_regions: band i starts at ceil(i n / g)."""
    return np.diff(-(-np.arange(n_bands + 1) * n // n_bands))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@settings(PROPERTY, max_examples=30)
@given(case=kmeans_cases())
def test_kmeans_features_pool_the_codes_of_each_region(case):
    images, params = case
    kmeans = KMeansFeatures(**params)
    features = kmeans.fit_transform(images)
    n_words, (down, across) = params["n_words"], params["pooling_regions"]
    assert features.shape == (len(images), down * across * n_words)
    assert features.dtype == _float_features(images)
    assert np.isfinite(features).all() and (features >= 0).all()
    if params["encoding"] == "triangle":
        return
    # Hard and soft codes sum to 1 per patch: each region's features to the
    # number of its patches (computed in float32).
    patch, step = params["patch_size"], params["step"]
    n_rows = (images.shape[1] - patch) // step + 1
    n_cols = (images.shape[2] - patch) // step + 1
    counts = np.outer(_band_sizes(n_rows, down), _band_sizes(n_cols, across))
    per_region = features.reshape(len(images), down, across, n_words).sum(axis=3)
    assert_allclose(per_region, np.broadcast_to(counts, per_region.shape), rtol=1e-5)
    if params["encoding"] == "hard":
        assert_array_equal(features, np.round(features))


# --- Every public transformer -------------------------------------------------------

TRANSFORMERS = list(all_instances("transformer"))


@st.composite
def batches_for(draw, transformer):
    """Random batches of the images ``transformer`` takes, and a subset."""
    channels = (None, 1, 3)
    if getattr(transformer, "color_space", "rgb") != "rgb":
        channels = (3,)  # HSV needs colour
    images = draw(image_batches(min_size=transformer._min_size(), max_size=24,
                                channels=channels))
    subset = draw(st.lists(st.integers(0, len(images) - 1), min_size=1,
                           max_size=len(images)))
    return images, subset


@pytest.mark.parametrize("transformer", TRANSFORMERS,
                         ids=[estimator_id(t) for t in TRANSFORMERS])
@settings(PROPERTY, max_examples=15)
@given(data=st.data())
def test_every_transformer_gives_each_image_its_own_features(transformer, data):
    images, subset = data.draw(batches_for(transformer))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        est = clone(transformer).fit(images)
    # A codebook that repeats words (fitted on too few distinct patches, with
    # a warning) ties their copies, and rounding picks the nearest for a hard
    # code: a pick that the batch's size may change.
    repeats = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assume(getattr(est, "encoding", None) != "hard" or not repeats)
    features = est.transform(images)
    assert features.shape == (len(images), len(est.get_feature_names_out()))
    assert features.dtype == _float_features(images)
    assert np.isfinite(features).all()
    # An image's features do not depend on the others of its batch (its
    # size or order), up to the rounding of the matrix products, which BLAS
    # may sum in another order for another number of rows. In float32 (that
    # of KMeansFeatures whatever the images) a triangle code, a difference of
    # distances, keeps little of it.
    computed_in = getattr(est, "_dtype", float_dtype)(images.dtype)
    rtol = 1e-3 if computed_in == np.float32 else 1e-9
    scale = np.abs(features).max()
    assert_allclose(est.transform(images[subset]), features[subset], rtol=rtol,
                    atol=0.1 * rtol * scale)
