"""
=======================================================
One template per class: the weights learned on CIFAR-10
=======================================================

A linear classifier scores an image :math:`x` for class :math:`c` with
:math:`s_c = w_c \\cdot x + b_c`: the dot product of the image with one row
:math:`w_c` of the weights. Read that way, the classifier is *template
matching*: each row is a template with the shape of an image, and the class
whose template matches the image best wins. This example trains
:class:`~sklinear.SoftmaxClassifier` and :class:`~sklinear.SVMLinearClassifier`
on the raw pixels of real CIFAR-10 images and shows their templates with
:class:`~sklinear.inspection.WeightImageDisplay`, as in the CS231n notes on
linear classification.
"""

# %%
# The images
# ----------
#
# CIFAR-10 through :mod:`sklinear.datasets`: the archive or folder named by the
# ``SKLINEAR_CIFAR10`` environment variable if it is set, otherwise the official
# archive, which :func:`~sklinear.datasets.fetch_cifar10` downloads once (163 MB)
# and keeps (see :ref:`examples_gallery`). The first 10,000 training and 2,000
# test images: all of our 10,000-image subset, a fifth of the official archive.
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.datasets import fetch_cifar10, load_cifar10
from sklinear.inspection import WeightImageDisplay


def load(subset):
    """CIFAR-10's ``subset``, from $SKLINEAR_CIFAR10 if set, else downloaded."""
    path = os.environ.get("SKLINEAR_CIFAR10")
    return load_cifar10(path, subset=subset) if path else fetch_cifar10(subset=subset)


train, test = load("train"), load("test")
X_train, y_train = train.images[:10_000], train.target[:10_000]
X_test, y_test = test.images[:2_000], test.target[:2_000]
names = train.target_names
print(f"{len(X_train)} training and {len(X_test)} test images")
image_shape = X_train.shape[1:]

# %%
# The pixels as features
# ----------------------
#
# Each image becomes one row of its pixels in [0, 1], minus the mean training
# image: centring matters for a linear model, since the intercept can then
# stay small and the templates show what differs between classes, not the
# average image.
mean_image = X_train.reshape(len(X_train), -1).mean(axis=0) / 255


def centred_pixels(images):
    return images.reshape(len(images), -1) / 255 - mean_image


pixels = FunctionTransformer(centred_pixels)

# %%
# Training both classifiers
# -------------------------
#
# A few dozen epochs of minibatch SGD; ``alpha`` is the L2 penalty, strong
# enough to keep the templates smooth.
classifiers = {
    "softmax": make_pipeline(pixels, SoftmaxClassifier(alpha=0.1, random_state=0)),
    "SVM": make_pipeline(pixels, SVMLinearClassifier(alpha=0.1, random_state=0)),
}
for name, clf in classifiers.items():
    clf.fit(X_train, y_train)
    print(f"{name}: test accuracy {clf.score(X_test, y_test):.3f} after "
          f"{clf[-1].n_iter_} epochs")

# %%
# The templates
# -------------
#
# Each row of ``coef_``, reshaped to an image and rescaled to [0, 1] for
# display. On CIFAR-10 they are blurry averages of what each class tends to
# look like: a blue background for ships and planes, green for frogs and deer,
# a red blob for cars, and a horse template with a head on each side, since
# horses face both ways. One template must match every pose and colour of its
# class, which is why a linear classifier on pixels stays near 40%.
display = WeightImageDisplay.from_estimator(
    classifiers["softmax"], image_shape=image_shape, display_labels=names
)
display.figure_.suptitle("SoftmaxClassifier: one template per class")

# %%
# The multiclass SVM learns similar templates: the loss differs, the model and
# what it can represent do not.
display = WeightImageDisplay.from_estimator(
    classifiers["SVM"], image_shape=image_shape, display_labels=names
)
display.figure_.suptitle("SVMLinearClassifier: one template per class")

# %%
# Templates and scores
# --------------------
#
# The score of an image for a class is its dot product with that template
# (plus the intercept): the decision function is exactly the template match.
clf = classifiers["softmax"]
image = X_test[:1]
matches = centred_pixels(image) @ clf[-1].coef_.T + clf[-1].intercept_
print("template matches:", np.round(matches, 2))
print("decision_function:", np.round(clf.decision_function(image), 2))
print(f"predicted: {names[clf.predict(image)[0]]}, true: {names[y_test[0]]}")
plt.show()
