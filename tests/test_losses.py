"""The losses and penalties: the worked example, properties, gradient checks."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklinear.gradient_check import check_gradient, numerical_gradient
from sklinear.losses import (
    log_softmax,
    multiclass_hinge,
    penalty,
    softmax_cross_entropy,
)

# The worked example of the course notes: three images scored over
# (cat, car, frog); the true classes are cat, car and frog.
SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
Y = np.array([0, 1, 2])


def per_sample(loss, scores, y, **kwargs):
    """L_i of each sample: the loss of a one-sample batch."""
    return np.array(
        [loss(scores[i:i + 1], y[i:i + 1], **kwargs)[0] for i in range(len(y))]
    )


def test_hinge_worked_example():
    assert_allclose(per_sample(multiclass_hinge, SCORES, Y), [2.9, 0.0, 12.9])
    loss, _ = multiclass_hinge(SCORES, Y)
    assert_allclose(loss, (2.9 + 0.0 + 12.9) / 3)
    assert round(loss, 2) == 5.27


def test_hinge_worked_example_by_hand():
    # max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9 + 0, and so on.
    assert_allclose(max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1), 2.9)
    assert_allclose(max(0, 2.2 + 3.1 + 1) + max(0, 2.5 + 3.1 + 1), 12.9)


def test_softmax_worked_example():
    loss, _ = softmax_cross_entropy(SCORES[:1], Y[:1])
    probabilities = np.exp(log_softmax(SCORES[:1]))[0]
    assert_allclose(probabilities, [0.13, 0.87, 0.00], atol=0.005)
    assert_allclose(loss, -np.log(probabilities[0]))
    assert round(loss, 2) == 2.04


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_equal_scores(n_classes):
    scores = np.full((4, n_classes), 0.7)
    y = np.arange(4) % n_classes
    assert_allclose(multiclass_hinge(scores, y)[0], n_classes - 1)
    assert_allclose(softmax_cross_entropy(scores, y)[0], np.log(n_classes))


def test_doubling_scores_keeps_zero_hinge_loss():
    car = SCORES[1:2]  # the car is right by more than the margin: loss 0
    assert multiclass_hinge(car, [1])[0] == 0.0
    assert multiclass_hinge(2 * car, [1])[0] == 0.0


def test_summing_over_all_classes_adds_the_margin():
    rng = np.random.default_rng(0)
    scores, y = rng.normal(size=(50, 5)), rng.integers(0, 5, size=50)
    margin = 1.7
    with_all_j = np.maximum(0, scores - scores[np.arange(50), y][:, None] + margin)
    loss, _ = multiclass_hinge(scores, y, margin=margin)
    assert_allclose(with_all_j.sum(axis=1).mean(), loss + margin)


def test_squared_hinge_squares_each_term():
    assert_allclose(
        per_sample(multiclass_hinge, SCORES, Y, squared=True),
        [2.9**2, 0.0, 6.3**2 + 6.6**2],
    )


def test_softmax_is_stable_for_huge_scores():
    scores = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    loss, grad = softmax_cross_entropy(scores, [1, 2])
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert_allclose(loss, (2000.0 + np.log1p(np.exp(-1.0)) + 1.0) / 2)
    assert_allclose(np.exp(log_softmax(scores)).sum(axis=1), 1.0)


def test_sample_weight_is_a_weighted_mean():
    rng = np.random.default_rng(1)
    scores, y = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    weights = np.array([0.0, 1.0, 2.0, 0.5, 3.0, 1.0])
    for loss in (multiclass_hinge, softmax_cross_entropy):
        value, grad = loss(scores, y, sample_weight=weights)
        losses = per_sample(loss, scores, y)
        assert_allclose(value, np.average(losses, weights=weights))
        assert_allclose(grad[0], 0.0)  # a zero weight contributes nothing
        # Integer weights are repeated samples.
        repeated = np.repeat(np.arange(6), [0, 2, 4, 1, 6, 2])
        assert_allclose(value, loss(scores[repeated], y[repeated])[0])


def test_gradient_of_softmax_is_probabilities_minus_one_hot():
    _, grad = softmax_cross_entropy(SCORES, Y)
    expected = np.exp(log_softmax(SCORES)) - np.eye(3)[Y]
    assert_allclose(grad, expected / 3)


def test_float32_stays_float32_and_input_is_not_modified():
    scores = SCORES.astype(np.float32)
    before = scores.copy()
    for loss in (multiclass_hinge, softmax_cross_entropy):
        _, grad = loss(scores, Y)
        assert grad.dtype == np.float32
        assert_allclose(scores, before)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(
    "loss, kwargs",
    [
        (multiclass_hinge, {}),
        (multiclass_hinge, {"squared": True, "margin": 0.5}),
        (multiclass_hinge, {"multi_class": "crammer_singer"}),
        (multiclass_hinge, {"multi_class": "crammer_singer", "squared": True}),
        (multiclass_hinge, {"multi_class": "ovr", "margin": 2.0}),
        (multiclass_hinge, {"multi_class": "ovr", "squared": True}),
        (softmax_cross_entropy, {}),
    ],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_gradient_check(loss, kwargs, weighted, seed):
    rng = np.random.default_rng(seed)
    n_samples, n_classes = rng.integers(1, 20), rng.integers(2, 8)
    scores = rng.normal(scale=3, size=(n_samples, n_classes))
    y = rng.integers(0, n_classes, size=n_samples)
    weights = rng.uniform(0.1, 3, size=n_samples) if weighted else None
    _, grad = loss(scores, y, sample_weight=weights, **kwargs)

    def f(s):
        return loss(s, y, sample_weight=weights, **kwargs)[0]

    assert check_gradient(f, scores, grad) < 1e-6


@pytest.mark.parametrize("name", ["l2", "l1", "elasticnet", None])
def test_penalty_value_and_gradient(name):
    rng = np.random.default_rng(0)
    W = rng.normal(size=(7, 3))
    alpha, rho = 0.3, 0.4
    value, grad = penalty(W, penalty=name, alpha=alpha, l1_ratio=rho)
    l1 = {"l2": 0.0, "l1": 1.0, "elasticnet": rho, None: 0.0}[name]
    scale = 0.0 if name is None else alpha
    assert_allclose(
        value,
        scale * (l1 * np.abs(W).sum() + (1 - l1) / 2 * (W**2).sum()),
    )
    numerical = numerical_gradient(
        lambda w: penalty(w, penalty=name, alpha=alpha, l1_ratio=rho)[0], W
    )
    assert_allclose(grad, numerical, atol=1e-8)


def test_l1_subgradient_is_sign():
    W = np.array([[-2.0, 0.0, 3.0]])
    assert_allclose(penalty(W, penalty="l1", alpha=1.0)[1], [[-1.0, 0.0, 1.0]])


@pytest.mark.parametrize(
    "scores, y, weights, message",
    [
        (np.zeros(3), [0, 1, 2], None, "2-D array"),
        (np.zeros((3, 1)), [0, 0, 0], None, "two classes"),
        (np.zeros((3, 2)), [0, 1], None, r"shape \(3,\)"),
        (np.zeros((3, 2)), [0, 1, 2], None, r"in \[0, 1\]"),
        (np.zeros((3, 2)), [0.5, 1, 0], None, "integer class indices"),
        (np.full((3, 2), np.nan), [0, 1, 0], None, "NaN or infinity"),
        (np.zeros((3, 2)), [0, 1, 0], [1, -1, 1], "non-negative"),
        (np.zeros((3, 2)), [0, 1, 0], [0, 0, 0], "all zero"),
        (np.zeros((3, 2)), [0, 1, 0], [1, 1], r"shape \(3,\)"),
        (np.zeros((3, 2)) + 1j, [0, 1, 0], None, "real numbers.*complex128"),
        (np.zeros((3, 2), dtype=object), [0, 1, 0], None, "real numbers.*object"),
        (np.array([["a", "b"]]), [0], None, "real numbers.*<U1"),
    ],
)
def test_bad_input_is_rejected_clearly(scores, y, weights, message):
    for loss in (multiclass_hinge, softmax_cross_entropy):
        with pytest.raises(ValueError, match=message):
            loss(scores, y, sample_weight=weights)


def test_unknown_penalty():
    with pytest.raises(ValueError, match="'l2', 'l1', 'elasticnet' or None"):
        penalty(np.ones(3), penalty="l3")


@pytest.mark.parametrize("loss", [multiclass_hinge, softmax_cross_entropy])
def test_weights_whose_sum_overflows_give_the_weighted_mean(loss):
    # The mean is the same for weights scaled by any factor; their sum,
    # 2e308, is not a float64.
    huge, _ = loss(SCORES, Y, sample_weight=[1e308, 1e308, 5e307])
    unit, _ = loss(SCORES, Y, sample_weight=[1.0, 1.0, 0.5])
    assert_allclose(huge, unit, rtol=1e-12)
    assert huge > 0


@pytest.mark.parametrize("margin", [0.0, -1.0, np.inf, np.nan, "1", None])
def test_hinge_margin_must_be_positive_and_finite(margin):
    with pytest.raises(ValueError, match=r"margin must be a positive finite number"):
        multiclass_hinge(SCORES, Y, margin=margin)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"alpha": -0.1}, r"alpha must be a non-negative finite number; got -0.1"),
        ({"alpha": np.nan}, r"alpha must be a non-negative finite number; got nan"),
        ({"alpha": np.inf}, r"alpha must be a non-negative finite number; got inf"),
        ({"penalty": "elasticnet", "l1_ratio": 1.5}, r"l1_ratio must be in \[0, 1\]"),
        ({"penalty": "elasticnet", "l1_ratio": -0.5}, r"l1_ratio must be in \[0, 1\]"),
        ({"penalty": "elasticnet", "l1_ratio": np.nan}, r"l1_ratio must be in"),
        # Checked whatever the penalty, as scikit-learn checks its parameters.
        ({"penalty": "l2", "l1_ratio": 2.0}, r"l1_ratio must be in \[0, 1\]"),
    ],
)
def test_penalty_refuses_bad_strengths(kwargs, message):
    with pytest.raises(ValueError, match=message):
        penalty(np.ones((2, 3)), **kwargs)


def test_log_softmax_takes_lists_and_integers():
    expected = log_softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    assert_allclose(log_softmax([[1, 2, 3], [0, 0, 0]]), expected)
    assert_allclose(log_softmax(np.array([[1, 2, 3], [0, 0, 0]])), expected)
    assert_allclose(log_softmax(np.array([[1, 2, 3], [0, 0, 0]], dtype=np.uint8)),
                    expected)


@pytest.mark.parametrize(
    "scores, message",
    [
        ([1.0, 2.0], "2-D array"),
        (np.zeros((2, 3)) + 1j, "real numbers"),
        (np.array([[np.nan, 0.0]]), "NaN or infinity"),
    ],
)
def test_log_softmax_refuses_bad_scores(scores, message):
    with pytest.raises(ValueError, match=message):
        log_softmax(scores)


def _hinge_by_hand(s, label, multi_class, margin, squared):
    """One sample's hinge, written out term by term."""
    others = [j for j in range(len(s)) if j != label]
    if multi_class == "weston_watkins":
        terms = [max(0.0, s[j] - s[label] + margin) for j in others]
    elif multi_class == "crammer_singer":
        terms = [max(0.0, max(s[j] for j in others) - s[label] + margin)]
    else:
        terms = [max(0.0, margin - (1 if j == label else -1) * s[j])
                 for j in range(len(s))]
    return sum(t * t if squared else t for t in terms)


@pytest.mark.parametrize("multi_class", ["weston_watkins", "crammer_singer", "ovr"])
@pytest.mark.parametrize("squared", [False, True])
def test_each_hinge_equals_its_definition(multi_class, squared):
    rng = np.random.default_rng(0)
    scores = rng.normal(scale=2, size=(30, 4))
    y = rng.integers(0, 4, size=30)
    weights = rng.uniform(0.1, 3, size=30)
    loss, _ = multiclass_hinge(scores, y, margin=0.7, squared=squared,
                               multi_class=multi_class, sample_weight=weights)
    by_hand = [_hinge_by_hand(s, label, multi_class, 0.7, squared)
               for s, label in zip(scores, y, strict=True)]
    assert_allclose(loss, np.average(by_hand, weights=weights), rtol=1e-12)


def test_the_hinges_agree_where_they_should():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(50, 2))
    y = rng.integers(0, 2, size=50)
    # Two classes: one other class, so Weston-Watkins is Crammer-Singer.
    assert_allclose(multiclass_hinge(scores, y)[0],
                    multiclass_hinge(scores, y, multi_class="crammer_singer")[0])
    # With many classes, Crammer-Singer's one term is the largest of
    # Weston-Watkins's, so it lies between a K-1-th of the sum and the sum.
    scores = rng.normal(size=(50, 6))
    y = rng.integers(0, 6, size=50)
    ww = multiclass_hinge(scores, y)[0]
    cs = multiclass_hinge(scores, y, multi_class="crammer_singer")[0]
    assert ww / 5 <= cs <= ww


def test_unknown_multi_class_is_refused():
    with pytest.raises(ValueError, match="multi_class must be one of"):
        multiclass_hinge(np.zeros((2, 3)), [0, 1], multi_class="one_vs_one")


def test_crammer_singer_shares_its_push_among_tied_rivals():
    # At zero weights every other class ties: each gets an even share, so that
    # the first step treats them alike (and relabelling classes changes nothing).
    loss, grad = multiclass_hinge(np.zeros((1, 4)), [0], multi_class="crammer_singer")
    assert loss == 1.0
    assert_allclose(grad, [[-1.0, 1 / 3, 1 / 3, 1 / 3]])
