"""
=====================================================
Choosing the penalty and the step by cross-validation
=====================================================

Two hyper-parameters decide what minibatch SGD learns: the regularisation
strength ``alpha`` (the :math:`\\lambda` of the course notes: the penalty is
:math:`\\alpha \\lVert W \\rVert^2 / 2`, so :math:`\\alpha = 2\\lambda`) and the
step size ``learning_rate``. Neither can be read off the training data: a
larger step or a weaker penalty always fits the training images better, up to
the point where it stops generalising. This example lets
:class:`~sklearn.model_selection.GridSearchCV` choose both by k-fold
cross-validation for :class:`~sklinear.SoftmaxClassifier` and
:class:`~sklinear.SVMLinearClassifier`, on HoG and colour-histogram features,
and draws each grid with
:class:`~sklinear.inspection.GridSearchHeatmapDisplay`.

The CIFAR-10 subset is looked for beside the repository (``../shared/data``) or
at the path in the ``SKLINEAR_CIFAR10`` environment variable; without it the
example uses scikit-learn's 8x8 digits.
"""

# %%
# Features
# --------
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from sklinear import ColorHistogram, HoG, SoftmaxClassifier, SVMLinearClassifier
from sklinear.datasets import load_cifar10
from sklinear.inspection import GridSearchHeatmapDisplay


def find_cifar10():
    """The CIFAR-10 subset: $SKLINEAR_CIFAR10 if set, else shared/data/ in a
    folder above this example (the repository's ../shared/data), else None."""
    if os.environ.get("SKLINEAR_CIFAR10"):
        path = Path(os.environ["SKLINEAR_CIFAR10"])
        return path if path.exists() else None
    try:
        here = Path(__file__).resolve().parent
    except NameError:  # sphinx-gallery runs examples in their folder, no __file__
        here = Path.cwd()
    for folder in here.parents:
        path = folder / "shared" / "data" / "cifar-10-subset-python.tar.gz"
        if path.exists():
            return path
    return None


path = find_cifar10()
if path is not None:
    images, y = load_cifar10(path, subset="train", return_X_y=True)
    images, y = images[:5000], y[:5000]  # half of the subset keeps it quick
    features = FeatureUnion([("hog", HoG()), ("color", ColorHistogram())])
    print(f"CIFAR-10 subset: {len(images)} training images")
else:
    digits = load_digits()
    images, y = digits.images / 16, digits.target
    features = FeatureUnion([("hog", HoG(pixels_per_cell=2, cells_per_block=2)),
                             ("color", ColorHistogram(color_space="rgb"))])
    print("CIFAR-10 subset not found: using load_digits instead")
X_train, X_test, y_train, y_test = train_test_split(
    images, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# The features are computed once: HoG and colour histograms learn nothing from
# the training images, so computing them outside the cross-validation leaks
# nothing from one fold into another. The scaler, which does learn, stays
# inside the pipeline that is cross-validated.
F_train = features.fit_transform(X_train).astype(np.float32)
F_test = features.transform(X_test).astype(np.float32)
n_features = F_train.shape[1]
print(f"{n_features} features per image")

# %%
# The grid
# --------
#
# Standardised features have a mean squared norm equal to their number, so
# steps are best given as multiples of ``1 / n_features`` (the scale that
# ``learning_rate="auto"`` divides by). Both parameters span orders of
# magnitude, so the grid is logarithmic.
grid = {
    "clf__alpha": [1e-4, 1e-2, 1.0],
    "clf__learning_rate": [c / n_features for c in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)],
}
searches = {}
for clf in (SVMLinearClassifier(random_state=0), SoftmaxClassifier(random_state=0)):
    name = type(clf).__name__
    pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])
    searches[name] = GridSearchCV(pipe, grid, cv=3).fit(F_train, y_train)
    best = searches[name].best_params_
    print(f"{name}: best alpha {best['clf__alpha']:g}, learning_rate "
          f"{best['clf__learning_rate']:.2e}; cross-validation accuracy "
          f"{searches[name].best_score_:.3f}, test accuracy "
          f"{searches[name].score(F_test, y_test):.3f}")

# %%
# The heat maps
# -------------
#
# Each cell is the mean cross-validation accuracy of one pair; the outlined
# cell is the one GridSearchCV chose. Two things stand out. The step matters
# more than the penalty: too small and a few dozen epochs do not get far, too
# large and the noise of the minibatches dominates. And the hinge loss, whose
# gradient is as large for a badly wrong class as for a slightly wrong one,
# prefers smaller steps than the softmax.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for ax, (name, search) in zip(axes, searches.items(), strict=True):
    GridSearchHeatmapDisplay.from_estimator(
        search, x="clf__learning_rate", y="clf__alpha", ax=ax, colorbar=False
    )
    ax.set_title(name)
fig.tight_layout()
plt.show()
