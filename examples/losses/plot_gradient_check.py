"""
===============================
The gradient check, in practice
===============================

Training follows the analytic gradient of the loss, and a wrong gradient does
not raise an error: training just goes wrong, often only a little. The cure,
recommended by the CS231n notes on `gradient checks
<https://cs231n.github.io/neural-networks-3/#gradcheck>`_, is to compare the
analytic gradient with a numerical one, the centred difference

.. math::

    \\frac{\\partial f}{\\partial x_k} \\approx
    \\frac{f(x + h e_k) - f(x - h e_k)}{2h},

by their relative error :math:`\\lVert a - n \\rVert / (\\lVert a \\rVert +
\\lVert n \\rVert)`. This example checks the gradients of
:mod:`sklinear.losses` with :mod:`sklinear.gradient_check`, shows how a wrong
gradient gives itself away, how the step :math:`h` trades truncation error
against round-off error, and what the hinge's kinks do to the check.
"""

# %%
# The two losses
# --------------
#
# :func:`~sklinear.losses.multiclass_hinge` and
# :func:`~sklinear.losses.softmax_cross_entropy` return the loss and its
# gradient with respect to the scores;
# :func:`~sklinear.gradient_check.numerical_gradient` differentiates the loss
# alone, coordinate by coordinate, and
# :func:`~sklinear.gradient_check.relative_error` compares the two.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sklinear.gradient_check import check_gradient, numerical_gradient, relative_error
from sklinear.losses import multiclass_hinge, penalty, softmax_cross_entropy

rng = np.random.default_rng(0)
scores = rng.normal(scale=2.0, size=(8, 5))  # 8 samples, 5 classes
y = rng.integers(0, 5, size=8)

for loss in (multiclass_hinge, softmax_cross_entropy):
    _, analytic = loss(scores, y)
    numerical = numerical_gradient(lambda s, loss=loss: loss(s, y)[0], scores)
    error = relative_error(analytic, numerical)
    print(f"{loss.__name__:22}: relative error {error:.1e}")

# %%
# Relative errors of about :math:`10^{-10}` or less: in double precision, with
# the default :math:`h = 10^{-5}`, a correct gradient agrees with the centred
# difference to 1e-7 or better. The notes' rule of thumb: above 1e-2 the
# gradient is probably wrong; between 1e-2 and 1e-4, suspicious; below 1e-4
# acceptable for an objective with kinks, below 1e-7 good. The hinge passes
# too: it is piecewise linear and none of its kinks lies within :math:`h` of
# these scores (more on kinks below).
#
# The penalties
# -------------
#
# :func:`~sklinear.losses.penalty` returns the regularisation term and its
# (sub)gradient. With ``l1_ratio`` :math:`\rho`, it is
# :math:`\alpha (\rho \lVert W \rVert_1 + \frac{1 - \rho}{2} \lVert W
# \rVert_F^2)`, whose gradient is :math:`\alpha (\rho\, \mathrm{sign}(W) + (1
# - \rho) W)`.
W = rng.normal(size=(5, 12))
for name in ("l2", "l1", "elasticnet"):
    _, analytic = penalty(W, penalty=name, alpha=0.1)
    numerical = numerical_gradient(
        lambda w, name=name: penalty(w, penalty=name, alpha=0.1)[0], W
    )
    error = relative_error(analytic, numerical)
    print(f"penalty={name!r:12}: relative error {error:.1e}")

# %%
# The whole objective, on a sample of coordinates
# -----------------------------------------------
#
# What training descends is the objective of the weights :math:`W` (and of
# the intercept :math:`b`, left out here), not of the scores. By the chain
# rule through :math:`S = X W^T + b`, its gradient is :math:`G^T X` for
# :math:`W`, plus the penalty's, where :math:`G` is the gradient with respect
# to the scores (and the column sums of :math:`G` for :math:`b`). On
# :func:`~sklearn.datasets.load_digits` (64 features, 10 classes) :math:`W` has
# 640 entries, and a full numerical
# gradient costs two evaluations of the objective per entry: 1,280 passes over
# the data. :func:`~sklinear.gradient_check.check_gradient` compares a random
# sample of coordinates instead, as the notes' ``grad_check_sparse`` does.
X, target = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
n_classes, alpha = 10, 1e-2


def objective(W):
    """The softmax objective of the weights, and its gradient."""
    loss, G = softmax_cross_entropy(X @ W.T, target)
    reg, reg_grad = penalty(W, alpha=alpha)
    return loss + reg, G.T @ X + reg_grad


W = rng.normal(scale=0.01, size=(n_classes, X.shape[1]))
_, analytic = objective(W)
error = check_gradient(
    lambda w: objective(w)[0], W, analytic, n_coords=30, random_state=0
)
print(f"objective of W, 30 coordinates of 640: relative error {error:.1e}")

# %%
# A wrong gradient gives itself away
# ----------------------------------
#
# Three classic mistakes, each checked on the same 30 coordinates:
#
# * forgetting to subtract one at the correct class in the softmax gradient,
#   :math:`p - \mathbb{1}_{y_i}`;
# * forgetting the :math:`1/n` of the mean loss in the gradient;
# * mixing up the two conventions of the L2 penalty: the
#   :math:`\lambda \lVert W \rVert^2` of the course notes has gradient
#   :math:`2 \lambda W`, sklinear's :math:`\frac{\alpha}{2} \lVert W \rVert^2`
#   has gradient :math:`\alpha W`, and mixing them doubles the penalty's
#   gradient.
n = len(X)
scores = X @ W.T
_, G = softmax_cross_entropy(scores, target)
G_no_minus_one = G.copy()
G_no_minus_one[np.arange(n), target] += 1.0 / n
wrong = {
    "softmax gradient without the -1": G_no_minus_one.T @ X + alpha * W,
    "gradient of the sum, not the mean": n * G.T @ X + alpha * W,
    "penalty gradient 2 * alpha * W": G.T @ X + 2 * alpha * W,
}
for mistake, gradient in wrong.items():
    error = check_gradient(
        lambda w: objective(w)[0], W, gradient, n_coords=30, random_state=0
    )
    print(f"{mistake:34}: relative error {error:.1e}")

# %%
# The first two are off by as much as a relative error can be. The doubled
# penalty, whose share of the gradient is small at these small weights, gives
# 1e-3: only "suspicious" by the rule of thumb, but next to the 3e-10 of the
# correct gradient, unmistakable. Comparing with a known-good value is what
# makes a gradient check conclusive.
#
# Choosing the step h
# -------------------
#
# The centred difference has two sources of error. Its truncation error, from
# the Taylor expansion, is about :math:`h^2 |f'''| / 6`: it shrinks with
# :math:`h`. Its round-off error, from subtracting two nearly equal values
# of :math:`f` each known to a relative precision
# :math:`\varepsilon \approx 10^{-16}`, is about :math:`\varepsilon |f| / h`: it
# grows as :math:`h` shrinks. Their sum is smallest near
# :math:`h \approx \varepsilon^{1/3} \approx 10^{-5}`, the default. The forward
# difference :math:`(f(x + h e_k) - f(x)) / h` has a truncation error of order
# :math:`h` instead of :math:`h^2`, so it is both less accurate and best at a
# smaller :math:`h \approx \varepsilon^{1/2}`. In single precision,
# :math:`\varepsilon \approx 10^{-7}` and the best relative error is about
# :math:`10^{-5}`: gradient checks are done in double precision.
#
# The last curve is the hinge loss at scores where one margin lies
# :math:`10^{-4}` from its kink: for :math:`h` below that distance the hinge
# is linear over the whole difference, which is then exact up to round-off;
# for larger :math:`h` the difference straddles the kink and averages the two
# slopes, and the error jumps.


def forward_gradient(f, x, h):
    """Gradient of f by forward differences (f(x + h e_k) - f(x)) / h."""
    x = np.array(x, dtype=np.float64)
    f_x = f(x)
    grad = np.empty_like(x)
    for k in np.ndindex(x.shape):
        original = x[k]
        x[k] = original + h
        grad[k] = (f(x) - f_x) / h
        x[k] = original
    return grad


scores = rng.normal(scale=2.0, size=(8, 5))


def softmax_loss(s):
    return softmax_cross_entropy(s, y)[0]


def softmax_loss_float32(s):
    return softmax_cross_entropy(s.astype(np.float32), y)[0]


_, softmax_grad = softmax_cross_entropy(scores, y)

# Scores where the margin of class 1 for sample 0 is 1e-4 from the kink:
# s_1 - s_{y_0} + 1 = 1e-4.
kinked = scores.copy()
kinked[0, 1] = kinked[0, y[0]] - 1.0 + 1e-4
_, hinge_grad = multiclass_hinge(kinked, y)


def hinge_loss(s):
    return multiclass_hinge(s, y)[0]


steps = np.logspace(-13, 0, 40)
curves = {
    "softmax, centred (float64)": [
        relative_error(softmax_grad, numerical_gradient(softmax_loss, scores, h=h))
        for h in steps
    ],
    "softmax, forward (float64)": [
        relative_error(softmax_grad, forward_gradient(softmax_loss, scores, h))
        for h in steps
    ],
    "softmax, centred (float32)": [
        relative_error(
            softmax_grad, numerical_gradient(softmax_loss_float32, scores, h=h)
        )
        for h in steps
    ],
    "hinge 1e-4 from a kink, centred": [
        relative_error(hinge_grad, numerical_gradient(hinge_loss, kinked, h=h))
        for h in steps
    ],
}

fig, ax = plt.subplots(figsize=(8, 5))
styles = ["-", "--", "-.", ":"]
for (label, errors), style in zip(curves.items(), styles, strict=True):
    ax.loglog(steps, np.maximum(errors, 1e-15), style, label=label, linewidth=2)
ax.axvline(1e-5, color="grey", linewidth=1, label="default h = 1e-5")
ax.axvline(1e-4, color="tab:red", linewidth=1, linestyle=":",
           label="the hinge's distance to its kink")
ax.axhspan(1e-15, 1e-7, color="tab:green", alpha=0.08)
ax.text(0.98, 0.03, "relative error < 1e-7:\ngradient correct", color="tab:green",
        ha="right", transform=ax.transAxes)
ax.set_xlabel("step h")
ax.set_ylabel("relative error, analytic against numerical")
ax.set_title("Round-off error (small h) against truncation error (large h)")
ax.set_ylim(1e-15, 10)
ax.legend(loc="lower left", fontsize="small")
fig.tight_layout()

# %%
# The softmax curves have the V shape the analysis predicts: round-off on the
# left, falling as :math:`1/h`, truncation on the right, rising as :math:`h^2`
# for the centred difference and as :math:`h` for the forward one. In float32
# the round-off is :math:`10^9` times larger and the floor rises accordingly;
# below :math:`h \approx 10^{-6}` the step is lost altogether (:math:`s + h`
# rounds back to :math:`s`), the difference is zero and the error is 1.
# The hinge has no truncation error at all until :math:`h` reaches the
# distance to the kink (dotted red line), where the check fails outright.
#
# What to do about kinks
# ----------------------
#
# A kink is not a bug, so a check of a hinge objective must avoid them: at
# random scores, a margin within :math:`h` of zero is rare and the check
# passes, as above; at trained weights many margins sit exactly at the kink,
# so check at random weights, on few samples (fewer margins), and treat a
# large error on a few coordinates with suspicion rather than as proof. The
# notes suggest watching whether :math:`f(x \pm h)` crosses a kink, which for
# the hinge means a margin changing sign between the two evaluations.
margins = kinked - kinked[np.arange(len(y)), y][:, np.newaxis] + 1.0
margins[np.arange(len(y)), y] = np.inf
print(f"smallest |margin| at the kinked scores: {np.abs(margins).min():.1e}")

# %%
# Conclusion
# ----------
#
# A correct gradient agrees with the centred difference to about 1e-10 in
# double precision with the default :math:`h = 10^{-5}`, the step that
# balances truncation against round-off; a wrong one misses by orders of
# magnitude, even when the mistake touches only a small part of it.
# :func:`~sklinear.gradient_check.check_gradient` makes the check cheap on large
# weight matrices by sampling coordinates. Near the hinge's kinks the
# difference measures a different slope, so check hinge objectives away from
# them and with an :math:`h` smaller than the smallest margin.

plt.show()
