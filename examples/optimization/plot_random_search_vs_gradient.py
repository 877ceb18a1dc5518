"""
============================================
Random search against following the gradient
============================================

The CS231n notes on `optimisation <https://cs231n.github.io/optimization-1/>`_
introduce gradient descent by first trying two strategies that need no
gradient: *random search* (draw random weights, keep the best) and *random
local search* (perturb the current weights at random, keep the perturbation
if it lowers the loss). This example runs the three strategies on the softmax
objective of :mod:`sklinear.losses`, on the digits of
:func:`~sklearn.datasets.load_digits`, with the same budget of loss
evaluations, and compares the loss and the accuracy each reaches.
"""

# %%
# The objective
# -------------
#
# A linear classifier on standardised 8x8 digits: 64 features and a constant
# 1 appended (the *bias trick*: the last row of :math:`W` is then the
# intercept), 10 classes, so :math:`W` has :math:`65 \times 10 = 650`
# entries. The objective is the mean softmax cross-entropy of the scores
# :math:`X W` plus an L2 penalty on the weights (not on the intercept row),
# both from :mod:`sklinear.losses`; one evaluation is one pass over the 1,347
# training images.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier
from sklinear.losses import penalty, softmax_cross_entropy

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
# The bias trick: a constant feature whose weights are the intercepts.
X_train_1 = np.hstack([X_train, np.ones((len(X_train), 1))])
X_test_1 = np.hstack([X_test, np.ones((len(X_test), 1))])
n_features, n_classes = X_train_1.shape[1], 10
alpha = 1e-3


def loss(W):
    """The training objective at W: one loss evaluation."""
    data_loss, _ = softmax_cross_entropy(X_train_1 @ W, y_train)
    return data_loss + penalty(W[:-1], alpha=alpha)[0]


def loss_and_gradient(W):
    """The objective and its gradient, by the chain rule through X W."""
    data_loss, G = softmax_cross_entropy(X_train_1 @ W, y_train)
    reg, reg_grad = penalty(W[:-1], alpha=alpha)
    grad = X_train_1.T @ G
    grad[:-1] += reg_grad
    return data_loss + reg, grad


def accuracy(W, X, y):
    return np.mean(np.argmax(X @ W, axis=1) == y)


budget = 1000  # loss evaluations per strategy
rng = np.random.default_rng(0)
print(f"W has {n_features * n_classes} entries; the loss at W = 0 is "
      f"{loss(np.zeros((n_features, n_classes))):.3f} (log 10 = {np.log(10):.3f})")

# %%
# Strategy 1: random search
# -------------------------
#
# Draw :math:`W` with independent Gaussian entries, evaluate the loss, and
# keep the best. The scale of the draws matters; 0.1 was the best of 0.001,
# 0.01, 0.1 and 1 (a choice that itself cost evaluations, not counted here, as
# for the other two strategies).
best_loss, best_W = np.inf, None
random_curve = []
for _ in range(budget):
    W = rng.normal(scale=0.1, size=(n_features, n_classes))
    value = loss(W)
    if value < best_loss:
        best_loss, best_W = value, W
    random_curve.append(best_loss)
results = {"random search": best_W}

# %%
# Strategy 2: random local search
# -------------------------------
#
# Start from :math:`W = 0` and try a random step
# :math:`W + \sigma \varepsilon`, :math:`\varepsilon` Gaussian; move there if
# the loss is lower. This is a blind descent: a random direction in 650
# dimensions is almost orthogonal to the gradient, so most steps fail, and
# the successful ones descend only a little. (Step :math:`\sigma = 0.03`, the
# best of 0.001, 0.01, 0.03 and 0.1.)
W = np.zeros((n_features, n_classes))
current = loss(W)
local_curve = [current]
for _ in range(budget - 1):
    candidate = W + rng.normal(scale=0.03, size=W.shape)
    value = loss(candidate)
    if value < current:
        W, current = candidate, value
    local_curve.append(current)
results["random local search"] = W

# %%
# Strategy 3: following the gradient
# ----------------------------------
#
# The gradient is the direction of steepest ascent, computed exactly by the
# chain rule: :math:`X^T G` plus the penalty's gradient, where :math:`G =
# (p - \mathbb{1}_y) / n` is what :func:`~sklinear.losses.softmax_cross_entropy`
# returns. A step of gradient descent is :math:`W \leftarrow W - \eta \nabla J`.
# Computing the gradient costs a second pass over the data (the product
# :math:`X^T G`, as large as :math:`X W`), so each step counts as two
# evaluations: gradient descent gets 500 steps. (Learning rate
# :math:`\eta = 1`; on this smooth, convex objective anything from 0.3 to 10
# ends within 20% of the same value.)
#
# A numerical gradient would instead cost two evaluations *per entry* of
# :math:`W`, 1,300 for a single step: more than the whole budget. The analytic
# gradient is what makes following the gradient affordable.
W = np.zeros((n_features, n_classes))
gradient_curve = []
for _ in range(budget // 2):
    value, grad = loss_and_gradient(W)
    gradient_curve += [value, value]  # two evaluations per step
    W -= 1.0 * grad
results["gradient descent"] = W

# %%
# The losses and accuracies reached
# ---------------------------------
#
# For reference, :class:`~sklinear.SoftmaxClassifier` minimises the same
# objective (its ``alpha`` multiplies the same :math:`\frac{1}{2} \lVert W
# \rVert^2`) by minibatch SGD with momentum, each epoch one pass over the
# data.
fig, ax = plt.subplots(figsize=(7, 4.5))
evaluations = np.arange(1, budget + 1)
ax.plot(evaluations, random_curve, label="random search")
ax.plot(evaluations, local_curve, label="random local search")
ax.plot(evaluations, gradient_curve, label="gradient descent")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("loss evaluations (passes over the training data)")
ax.set_ylabel("best training objective so far")
ax.set_title("Softmax objective on the digits, three optimisers")
ax.legend()
fig.tight_layout()

for name, W in results.items():
    print(f"{name:20}: objective {loss(W):.3f}, "
          f"train accuracy {accuracy(W, X_train_1, y_train):.3f}, "
          f"test accuracy {accuracy(W, X_test_1, y_test):.3f}")
clf = SoftmaxClassifier(alpha=alpha, random_state=0).fit(X_train, y_train)
W_clf = np.vstack([clf.coef_.T, clf.intercept_])
print(f"{'SoftmaxClassifier':20}: objective {loss(W_clf):.3f}, "
      f"train accuracy {clf.score(X_train, y_train):.3f}, "
      f"test accuracy {clf.score(X_test, y_test):.3f} ({clf.n_iter_} epochs)")

# %%
# Random search barely improves on guessing: its best draw has a loss of
# 2.08, not far below :math:`\log 10 \approx 2.30`, the loss of uniform
# probabilities, and an accuracy around 25% (10% is chance). The odds that a
# random point in 650 dimensions is good are tiny, and they do not improve
# with experience.
# Random local search does learn, since it keeps its progress, and reaches
# a respectable accuracy; but it needs hundreds of evaluations per unit of
# progress. Gradient descent, with half as many steps, drives the objective
# more than four times lower and classifies the test digits as well as the
# estimator, which gets there in fewer passes thanks to minibatches and
# momentum.
#
# Conclusion
# ----------
#
# As the CS231n notes put it, the gradient tells us the direction in which
# the loss decreases fastest, for the price of about one more pass over the
# data; the random strategies have to find that direction by trial and
# error, one evaluation at a time. In high dimensions trial and error loses
# badly: this is why every classifier of sklinear follows the (analytic,
# minibatch) gradient.

plt.show()
