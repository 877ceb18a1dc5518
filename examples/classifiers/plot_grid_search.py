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
:class:`~sklinear.inspection.GridSearchHeatmapDisplay`, on 5,000 images of
CIFAR-10.
"""

# %%
# Features
# --------
#
# CIFAR-10 through :mod:`sklinear.datasets`: the archive or folder named by the
# ``SKLINEAR_CIFAR10`` environment variable if it is set, otherwise the official
# archive, which :func:`~sklinear.datasets.fetch_cifar10` downloads once (163 MB)
# and keeps (see :ref:`examples_gallery`). The first 5,000 training images, to
# keep the example quick: three quarters to search on, a quarter to test on.
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from sklinear import ColorHistogram, HoG, SoftmaxClassifier, SVMLinearClassifier
from sklinear.datasets import fetch_cifar10, load_cifar10
from sklinear.inspection import GridSearchHeatmapDisplay


def load(subset):
    """CIFAR-10's ``subset``, from $SKLINEAR_CIFAR10 if set, else downloaded."""
    path = os.environ.get("SKLINEAR_CIFAR10")
    return load_cifar10(path, subset=subset) if path else fetch_cifar10(subset=subset)


train = load("train")
images, y = train.images[:5_000], train.target[:5_000]
features = FeatureUnion([("hog", HoG()), ("color", ColorHistogram())])
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
# Each classifier's ``learning_rate="auto"`` takes its step from the
# curvature of the problem: that of the loss (the hinge's bound, 20 for 10
# classes, is 40 times the softmax's, 1/2) times that of the features. The grid
# of steps is built around it: one fit of the default pipeline on the
# training features gives ``learning_rate_`` (it is known before the first
# epoch, so one epoch is enough), and the candidates are 1/9 to 9 times it,
# so that the best step has room on both sides; the penalties go from
# almost none to strong. Both parameters span orders of magnitude, so the
# grid is logarithmic.
multiples = [1 / 9, 1 / 3, 1, 3, 9]
searches = {}
for clf in (SVMLinearClassifier(random_state=0), SoftmaxClassifier(random_state=0)):
    name = type(clf).__name__
    pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])
    auto = (clone(pipe).set_params(clf__max_iter=1, clf__tol=None)
            .fit(F_train, y_train)[-1].learning_rate_)
    grid = {
        "clf__alpha": [1e-4, 1e-3, 1e-2, 1e-1, 1.0],
        "clf__learning_rate": [m * auto for m in multiples],
    }
    searches[name] = GridSearchCV(pipe, grid, cv=3).fit(F_train, y_train)
    best = searches[name].best_params_
    print(f"{name}: 'auto' step {auto:.3g}; best alpha {best['clf__alpha']:g}, "
          f"learning_rate {best['clf__learning_rate']:.3g} "
          f"({best['clf__learning_rate'] / auto:.2g} x auto); cross-validation "
          f"accuracy {searches[name].best_score_:.3f}, test accuracy "
          f"{searches[name].score(F_test, y_test):.3f}")

# %%
# The heat maps
# -------------
#
# Each cell is the mean cross-validation accuracy of one pair; the outlined
# cell is the one GridSearchCV chose. With a weak penalty (the bottom rows)
# the step matters: steps shorter than "auto" do better, and the longest
# worst. A shorter step reaches the relative ``tol`` of the stopping rule
# sooner, at a higher training objective, before the model has fitted the
# noise of the training images: a regularisation of its own, like early
# stopping. A stronger penalty does that work, and the step then matters
# less: with ``alpha=0.1`` the softmax does as well at every step, and so
# does the SVM with ``alpha=1``. On CIFAR-10 the best of each grid lies
# inside it: the default step itself for the softmax, a third of it for the
# SVM. (Over
# three folds of 3,750 images, differences of a point are within the
# noise: the accuracy of a candidate varies by about a point from fold to
# fold.)
#
# Both maps share one colour scale, so that a colour means the same accuracy
# in each.
scores = [search.cv_results_["mean_test_score"] for search in searches.values()]
scale = {"vmin": min(map(min, scores)), "vmax": max(map(max, scores))}
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for ax, (name, search) in zip(axes, searches.items(), strict=True):
    GridSearchHeatmapDisplay.from_estimator(
        search, x="clf__learning_rate", y="clf__alpha", ax=ax, im_kw=scale,
        colorbar=ax is axes[-1],
    )
    ax.set_title(name)
fig.tight_layout()
plt.show()
