"""
=======================================================
The multiclass hinge and the softmax loss, side by side
=======================================================

:class:`~sklinear.SVMLinearClassifier` and :class:`~sklinear.SoftmaxClassifier`
are the same linear model, scores :math:`s = x W^T + b` with one row of
:math:`W` per class, trained on different losses. This example computes both
losses with :mod:`sklinear.losses` on the worked example of the CS231n notes
on `linear classification <https://cs231n.github.io/linear-classify/>`_, where
they can be checked by hand, and then shows how differently they react when
the scores change: the hinge loss is satisfied once the correct class wins by
the margin, the softmax loss never is.
"""

# %%
# The worked example
# ------------------
#
# Three images and three classes (cat, car, frog). Each row holds the scores a
# linear classifier gave one image; the true classes are cat, car and frog.
import matplotlib.pyplot as plt
import numpy as np

from sklinear.losses import log_softmax, multiclass_hinge, softmax_cross_entropy

classes = np.array(["cat", "car", "frog"])
scores = np.array(
    [
        [3.2, 5.1, -1.7],  # a cat image, which the classifier thinks is a car
        [1.3, 4.9, 2.0],  # a car image, classified correctly
        [2.2, 2.5, -3.1],  # a frog image, with the frog's score the lowest
    ]
)
y = np.array([0, 1, 2])

# %%
# The multiclass hinge loss
# -------------------------
#
# The multiclass SVM (Weston and Watkins) wants the score of the correct class
# :math:`y_i` to exceed every other score by a margin :math:`\Delta = 1`, and
# charges each violation linearly:
#
# .. math::
#
#     L_i = \sum_{j \neq y_i} \max(0, s_j - s_{y_i} + \Delta).
#
# For the cat, :math:`\max(0, 5.1 - 3.2 + 1) + \max(0, -1.7 - 3.2 + 1) = 2.9 +
# 0 = 2.9`. :func:`~sklinear.losses.multiclass_hinge` returns the mean over
# the samples and its gradient with respect to the scores; one row at a time,
# it gives each image's loss.
hinge_losses = [multiclass_hinge(scores[[i]], y[[i]])[0] for i in range(3)]
hinge_mean, hinge_grad = multiclass_hinge(scores, y)
for name, loss in zip(classes[y], hinge_losses, strict=True):
    print(f"hinge loss of the {name:4} image: {loss:5.2f}")
print(f"mean hinge loss: {hinge_mean:.2f}")

# %%
# The car image wins by more than the margin (4.9 against 2.0 and 1.3), so it
# costs nothing. The loss of the frog image, 12.9, is large because its score
# is far below both others.
#
# The gradient is as simple: each violated margin pushes the wrong class's
# score up by one and the correct class's score down by one (times
# :math:`1/n`, since the loss is a mean; here multiplied back by :math:`n = 3`).
print(hinge_grad * 3 + 0.0)  # + 0.0 turns -0.0 into 0.0 for printing

# %%
# The softmax cross-entropy loss
# ------------------------------
#
# The softmax classifier reads the scores as unnormalised log-probabilities:
# :math:`p_j = e^{s_j} / \sum_k e^{s_k}`, and its loss is the negative
# log-probability of the correct class,
#
# .. math::
#
#     L_i = -\log p_{y_i} = \log \sum_j e^{s_j} - s_{y_i}.
#
# :func:`~sklinear.losses.log_softmax` gives the log-probabilities, computed
# after shifting each row by its maximum so that large scores do not overflow.
probabilities = np.exp(log_softmax(scores))
softmax_losses = [softmax_cross_entropy(scores[[i]], y[[i]])[0] for i in range(3)]
softmax_mean, softmax_grad = softmax_cross_entropy(scores, y)
for i, name in enumerate(classes[y]):
    print(
        f"{name:4} image: probabilities {np.round(probabilities[i], 3)}, "
        f"softmax loss {softmax_losses[i]:.2f}"
    )
print(f"mean softmax loss: {softmax_mean:.2f}")

# %%
# The cat image gets probability 0.13 for cat, so its loss is
# :math:`-\log 0.13 = 2.04`. Its gradient is :math:`p - \mathbb{1}_{y_i}`: the
# probabilities, minus one at the correct class. Unlike the hinge's, it is
# never exactly zero.
print(np.round(softmax_grad * 3, 3))

# %%
# When the correct class already wins
# -----------------------------------
#
# The CS231n notes ask what happens with three images whose correct class (the
# first) wins by a different amount each time: scores ``[10, -2, 3]``,
# ``[10, 9, 9]`` and ``[10, -100, -100]``.
question = np.array([[10.0, -2.0, 3.0], [10.0, 9.0, 9.0], [10.0, -100.0, -100.0]])
for row in question:
    hinge = multiclass_hinge(row[np.newaxis], [0])[0]
    softmax = softmax_cross_entropy(row[np.newaxis], [0])[0]
    print(f"scores {row}: hinge loss {hinge:.4f}, softmax loss {softmax:.4f}")

# %%
# All three satisfy the margin, so the hinge loss is 0 for each: the SVM does
# not care by how much the correct class wins once it wins by
# :math:`\Delta`. The softmax loss still prefers the larger gaps: 0.55 when the
# other classes are close behind, under 0.001 when they trail by 7 or more,
# and zero to double precision (the exact value is about :math:`3 \cdot
# 10^{-48}`) when they trail by 110.
#
# The loss as the correct score moves
# -----------------------------------
#
# Take the cat image and move only the cat's score, from -4 to 10, the other
# two staying at 5.1 (car) and -1.7 (frog). The hinge loss is piecewise linear:
# its slope is minus the number of violated margins, it has kinks where a
# margin becomes exactly satisfied (at :math:`s_\text{cat} = -1.7 + 1` and
# :math:`5.1 + 1`), and it is flat at zero beyond the last one. The softmax
# loss is smooth and keeps decreasing, ever more slowly, with slope
# :math:`p_\text{cat} - 1`.
cat_scores = np.linspace(-4, 10, 561)
moved = np.repeat(scores[[0]], len(cat_scores), axis=0)
moved[:, 0] = cat_scores
hinge_curve, softmax_curve = [], []
for row in moved:
    hinge_curve.append(multiclass_hinge(row[np.newaxis], [0]))
    softmax_curve.append(softmax_cross_entropy(row[np.newaxis], [0]))
hinge_values = np.array([loss for loss, _ in hinge_curve])
hinge_slopes = np.array([grad[0, 0] for _, grad in hinge_curve])
softmax_values = np.array([loss for loss, _ in softmax_curve])
softmax_slopes = np.array([grad[0, 0] for _, grad in softmax_curve])

fig, (ax_loss, ax_slope) = plt.subplots(1, 2, figsize=(11, 4), sharex=True)
ax_loss.plot(cat_scores, hinge_values, label="multiclass hinge (SVM)")
ax_loss.plot(cat_scores, softmax_values, label="softmax cross-entropy")
ax_slope.plot(cat_scores, hinge_slopes, label="multiclass hinge (SVM)")
ax_slope.plot(cat_scores, softmax_slopes, label="softmax cross-entropy")
for ax in (ax_loss, ax_slope):
    for kink, label in ((-1.7 + 1, "a margin met (hinge kink)"), (5.1 + 1, None)):
        ax.axvline(kink, color="grey", linestyle=":", linewidth=1, label=label)
    ax.axvline(3.2, color="black", linestyle="--", linewidth=1,
               label="the example, s = 3.2")
    ax.set_xlabel("score of the correct class (cat)")
    ax.legend()
ax_loss.annotate("both margins met:\nhinge loss 0", (6.1, 0), xytext=(6.6, 3),
                 arrowprops={"arrowstyle": "->"})
ax_loss.set_ylabel("loss of the cat image")
ax_loss.set_title("Loss")
ax_slope.set_ylabel("derivative with respect to the cat's score")
ax_slope.set_title("Gradient")
fig.suptitle("Cat image: scores (cat, car, frog) = (s, 5.1, -1.7)")
fig.tight_layout()

# %%
# The gradient panel shows what training does with each loss. The hinge
# stops pushing as soon as the margins are met (gradient 0), and pushes with a
# constant force before. The softmax pushes hardest on badly classified
# samples (slope near -1) and keeps pushing, more and more gently, on samples
# it already classifies well.
#
# Scaling the weights
# -------------------
#
# A consequence: if :math:`W` classifies every training image correctly, so
# does :math:`c W` for any :math:`c > 0`, and every score is multiplied by
# :math:`c`. Take the car image, correctly classified by a gap of 2.9. Once
# :math:`c` makes the gap exceed the margin (:math:`c > 1/2.9`), the hinge loss
# is 0 for every larger :math:`c`; the softmax loss keeps falling towards 0 as
# :math:`c` grows. Neither loss alone picks one scale: that is the job of the
# penalty on :math:`W` (``alpha``), which prefers the smallest weights that do
# the job.
factors = np.linspace(0, 3, 301)
car = scores[1]
hinge_scaled = [multiclass_hinge(c * car[np.newaxis], [1])[0] for c in factors]
softmax_scaled = [softmax_cross_entropy(c * car[np.newaxis], [1])[0] for c in factors]

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(factors, hinge_scaled, label="multiclass hinge (SVM)")
ax.plot(factors, softmax_scaled, label="softmax cross-entropy")
ax.axvline(1 / 2.9, color="grey", linestyle=":", linewidth=1,
           label="gap = margin (c = 1 / 2.9)")
ax.set_xlabel("scale c of the weights (scores multiplied by c)")
ax.set_ylabel("loss of the car image")
ax.set_title("Car image: scores c * (1.3, 4.9, 2.0)")
ax.legend()
fig.tight_layout()

# %%
# Conclusion
# ----------
#
# On the worked example the two losses give 5.27 (hinge, mean of 2.9, 0 and
# 12.9) and 2.04 for the first image (softmax), as the notes compute by hand.
# The hinge loss is *local*: samples that beat the margin stop contributing
# to the loss and to its gradient, so the SVM is shaped by the hard samples
# alone. The softmax loss is never satisfied: every sample keeps contributing
# a little, which is what makes its scores calibrated probabilities
# (:meth:`~sklinear.SoftmaxClassifier.predict_proba`). In practice the two
# classifiers usually reach similar accuracies.

plt.show()
