"""
======================================================
Decision regions during training, and L1 against L2
======================================================

On two-dimensional toy data a linear classifier can be drawn: each class
:math:`k` has a weight vector :math:`w_k` and an intercept :math:`b_k`, a
point goes to the class of the highest score :math:`w_k \\cdot x + b_k`, and
the regions where each class wins are convex polygons separated by straight
lines. This example draws them with
:class:`~sklearn.inspection.DecisionBoundaryDisplay` for
:class:`~sklinear.SVMLinearClassifier` and :class:`~sklinear.SoftmaxClassifier`
after 1, 5 and 50 epochs of training, then compares the L2 and L1 penalties:
the L1 penalty sets weights exactly to zero.
"""

# %%
# Three blobs
# -----------
#
# Three Gaussian blobs, not centred on the origin, so that the intercepts
# have to be learned too.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs
from sklearn.inspection import DecisionBoundaryDisplay
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier, SVMLinearClassifier

X, y = make_blobs(
    n_samples=300, centers=[[1, 6], [5, 1.5], [7, 7]], cluster_std=1.0,
    random_state=0,
)
classes = np.unique(y)
colors = ["tab:blue", "tab:orange", "tab:green"]

# %%
# Training, epoch by epoch
# ------------------------
#
# ``partial_fit`` runs one epoch of minibatch SGD per call, continuing from
# where the previous call stopped, so the model can be drawn after any number
# of epochs. (``warm_start=True`` with ``max_iter=1`` does the same through
# ``fit``.) Momentum is off and the learning rate is the default, to see the
# plain steps.
snapshots = [1, 5, 50]
models = {
    "SVMLinearClassifier": SVMLinearClassifier(momentum=0.0, batch_size=32,
                                               random_state=0),
    "SoftmaxClassifier": SoftmaxClassifier(momentum=0.0, batch_size=32,
                                           random_state=0),
}
fig, axes = plt.subplots(2, 3, figsize=(12, 7.5), sharex=True, sharey=True)
for row, (name, clf) in zip(axes, models.items(), strict=True):
    for epoch in range(1, snapshots[-1] + 1):
        clf.partial_fit(X, y, classes=classes)
        if epoch not in snapshots:
            continue
        ax = row[snapshots.index(epoch)]
        DecisionBoundaryDisplay.from_estimator(
            clf, X, response_method="predict", multiclass_colors=colors,
            alpha=0.3, ax=ax, xlabel="feature 0", ylabel="feature 1",
        )
        for k in classes:
            ax.scatter(*X[y == k].T, color=colors[k], edgecolor="k", s=15,
                       label=f"class {k}")
        ax.set_title(
            f"{name}\nepoch {epoch}: objective {clf.loss_curve_[-1]:.2f}, "
            f"accuracy {clf.score(X, y):.2f}",
            fontsize="medium",
        )
        if epoch != snapshots[0]:
            ax.set_ylabel("")
        if name != "SoftmaxClassifier":
            ax.set_xlabel("")
axes[0, 0].legend(loc="lower left", fontsize="small")
fig.tight_layout()
for name, clf in models.items():
    print(f"{name}: learning_rate_={clf.learning_rate_:.3g}")

# %%
# Both start from :math:`W = 0`, where every class scores the same. After one
# epoch the SVM's regions are still far off: its default step
# (``learning_rate_``) is twelve times shorter than the softmax's.
# ``learning_rate="auto"`` divides by a bound on the loss's curvature in the
# scores: :math:`2K = 6` for the hinge of three classes, whose gradient with
# respect to a sample's correct score grows with the number of violated
# margins, against 1/2 for the softmax, whose gradient never exceeds 1. After
# five epochs both separate the blobs,
# and the remaining epochs mostly move the intercepts and grow the weights,
# which shifts and sharpens the boundaries. Each boundary is a line where two
# scores tie: :math:`(w_j - w_k) \cdot x + b_j - b_k = 0`.
#
# L1 against L2
# -------------
#
# The penalty :math:`\alpha \lVert W \rVert_F^2 / 2` (``penalty="l2"``, the
# default) shrinks all weights in proportion to their size; the penalty
# :math:`\alpha \lVert W \rVert_1` (``penalty="l1"``) pulls each weight
# towards zero by a constant amount, so that weights that do not earn their
# cost stop at exactly zero (the estimators apply it by soft thresholding,
# :math:`w \leftarrow \mathrm{sign}(w) \max(|w| - \eta \alpha, 0)`, which
# gives exact zeros where a plain subgradient step would not).
#
# To have something to select, append eight features of pure noise to the two
# informative ones, and standardise all ten.
rng = np.random.default_rng(0)
X_noisy = StandardScaler().fit_transform(
    np.hstack([X, rng.normal(size=(len(X), 8))])
)
fitted = {}
for penalty in ("l2", "l1"):
    for Classifier in (SVMLinearClassifier, SoftmaxClassifier):
        clf = Classifier(penalty=penalty, alpha=0.05, max_iter=300, random_state=0)
        clf.fit(X_noisy, y)
        fitted[Classifier.__name__, penalty] = clf
        print(f"{Classifier.__name__:19} penalty={penalty!r}: "
              f"accuracy {clf.score(X_noisy, y):.2f}, "
              f"{np.sum(clf.coef_ == 0):2} of {clf.coef_.size} weights exactly 0, "
              f"largest noise weight {np.abs(clf.coef_[:, 2:]).max():.2g}")

# %%
# The weights of the softmax classifier, one row per class, one column per
# feature:
np.set_printoptions(precision=2, suppress=True)
for penalty in ("l2", "l1"):
    print(f"penalty={penalty!r}, coef_ =")
    print(fitted["SoftmaxClassifier", penalty].coef_ + 0.0)  # no "-0."

# %%
# Drawn as an image, with the exact zeros crossed out:
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2), sharey=True,
                         layout="constrained")
limit = max(np.abs(clf.coef_).max() for clf in fitted.values())
for ax, penalty in zip(axes, ("l2", "l1"), strict=True):
    coef = fitted["SoftmaxClassifier", penalty].coef_
    image = ax.imshow(coef, cmap="RdBu_r", vmin=-limit, vmax=limit)
    rows, cols = np.nonzero(coef == 0)
    ax.scatter(cols, rows, marker="x", color="black", label="weight exactly 0")
    ax.axvline(1.5, color="black", linewidth=1)
    ax.set_xticks(range(coef.shape[1]),
                  ["x0", "x1"] + [f"noise {i}" for i in range(1, 9)],
                  rotation=45, ha="right")
    ax.set_yticks(range(3), [f"class {k}" for k in classes])
    ax.set_title(f"penalty={penalty!r}")
fig.legend(*axes[1].get_legend_handles_labels(), loc="outside lower right")
fig.colorbar(image, ax=axes, label="weight")
fig.suptitle("Weights of SoftmaxClassifier, alpha=0.05: two features and "
             "eight of noise")

# %%
# With L2 no weight is zero: the softmax classifier's noise weights reach
# about 0.15 (the SVM's 0.2), fitting the noise of these 300 samples. With L1
# most weights are exactly zero, 23 of the softmax classifier's 30: its noise
# weights are zero or within a few millionths of it (what the last steps,
# which the adaptive schedule shortened 625 times, leave), and each class
# keeps only one of the two informative features, the one that separates it
# best; the accuracy does not change. The SVM's L1 weights are sparse too but
# less so, 15 of 30, with noise weights of up to 0.05: the hinge's gradient
# jumps at its kinks, and the noise of the minibatch gradients keeps kicking
# weights off zero.
#
# Conclusion
# ----------
#
# A linear classifier's regions are convex and its boundaries straight, and
# SGD moves them into place within a few epochs on easy data, the step size
# setting the pace. The penalty decides what kind of weights it prefers: L2
# small and spread out, L1 few and exactly sparse, a built-in feature
# selection that also helps reading a model (``penalty="elasticnet"`` mixes
# the two, with ``l1_ratio``).

plt.show()
