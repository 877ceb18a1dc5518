"""
=============================================
Nearest neighbours against linear classifiers
=============================================

The CS231n course starts image classification with the `nearest neighbour
classifier <https://cs231n.github.io/classification/>`_: keep every training
image, and label a new image like the closest ones in pixel distance. It needs
no training, but it must compare each new image with all the training images,
and pixel distance says little about what an image shows. A linear classifier
is the course's answer: training compresses the data into one template per
class, and a prediction costs one score per class, however large the training
set. This example compares
:class:`~sklearn.neighbors.KNeighborsClassifier` with
:class:`~sklinear.SoftmaxClassifier` and :class:`~sklinear.SVMLinearClassifier`
on the raw pixels of CIFAR-10 images, in accuracy and in prediction time, as
the training set grows.
"""

# %%
# The data
# --------
#
# CIFAR-10 through :mod:`sklinear.datasets`: the archive or folder named by the
# ``SKLINEAR_CIFAR10`` environment variable if it is set, otherwise the official
# archive, which :func:`~sklinear.datasets.fetch_cifar10` downloads once (163 MB)
# and keeps (see :ref:`examples_gallery`). Raw pixels scaled to [0, 1], one row
# per image: 3,072 values for a 32x32 colour image. The models are trained on
# the first 500 to 5,000 training images and tested on the first 1,000 test
# images.
import os
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.datasets import fetch_cifar10, load_cifar10


def load(subset):
    """CIFAR-10's ``subset``, from $SKLINEAR_CIFAR10 if set, else downloaded."""
    path = os.environ.get("SKLINEAR_CIFAR10")
    return load_cifar10(path, subset=subset) if path else fetch_cifar10(subset=subset)


def pixels(images):
    """One row of pixels in [0, 1] per image, in float32."""
    return images.reshape(len(images), -1).astype(np.float32) / 255


train_sizes = [500, 1000, 2000, 5000]
train, test = load("train"), load("test")
n_train = train_sizes[-1]
X_train, y_train = pixels(train.images[:n_train]), train.target[:n_train]
X_test, y_test = pixels(test.images[:1000]), test.target[:1000]
print(f"up to {train_sizes[-1]} training images, {len(X_test)} test images, "
      f"{X_train.shape[1]} pixel values each")

# %%
# The classifiers
# ---------------
#
# The nearest-neighbour classifiers use the Euclidean (L2) distance between
# pixel vectors, with 1 neighbour and with a majority vote of 10, the kind of
# :math:`k` the notes find best by cross-validation. ``algorithm="brute"``
# compares a test image with every training image, which is what a k-d tree
# would end up doing anyway in 3,072 dimensions. The linear classifiers are
# trained on standardised pixels.
models = {
    "1-nearest neighbour": KNeighborsClassifier(n_neighbors=1, algorithm="brute"),
    "10-nearest neighbours": KNeighborsClassifier(n_neighbors=10,
                                                  algorithm="brute"),
    "SoftmaxClassifier": make_pipeline(
        StandardScaler(), SoftmaxClassifier(max_iter=1000, random_state=0)
    ),
    "SVMLinearClassifier": make_pipeline(
        StandardScaler(), SVMLinearClassifier(max_iter=1000, random_state=0)
    ),
}


def best_time(function, repeat=3):
    """The shortest of a few timings of function(), in seconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


results = {name: {"accuracy": [], "fit": [], "predict": []} for name in models}
for n in train_sizes:
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(X_train[:n], y_train[:n])
        results[name]["fit"].append(time.perf_counter() - start)
        results[name]["accuracy"].append(model.score(X_test, y_test))
        results[name]["predict"].append(best_time(lambda m=model: m.predict(X_test)))

for name, result in results.items():
    print(f"{name:22} trained on {train_sizes[-1]}: "
          f"accuracy {result['accuracy'][-1]:.3f}, fit {result['fit'][-1]:6.3f} s, "
          f"predicting {len(X_test)} images {result['predict'][-1]:.4f} s")

# %%
# Accuracy and prediction time
# ----------------------------
styles = {"1-nearest neighbour": "o--", "10-nearest neighbours": "s--",
          "SoftmaxClassifier": "o-", "SVMLinearClassifier": "s-"}
fig, (ax_accuracy, ax_time) = plt.subplots(1, 2, figsize=(11, 4.2))
for name, result in results.items():
    ax_accuracy.plot(train_sizes, result["accuracy"], styles[name], label=name)
    per_image = 1e3 * np.array(result["predict"]) / len(X_test)
    ax_time.plot(train_sizes, per_image, styles[name], label=name)
ax_accuracy.axhline(0.1, color="grey", linestyle=":", label="chance")
ax_accuracy.set_ylabel("test accuracy")
ax_accuracy.set_title("Accuracy on raw pixels")
ax_time.set_yscale("log")
ax_time.set_ylabel("prediction time per test image (ms, log scale)")
ax_time.set_title("Prediction time")
for ax in (ax_accuracy, ax_time):
    ax.set_xscale("log")
    ax.set_xticks(train_sizes, [str(n) for n in train_sizes])
    ax.set_xticks([], minor=True)
    ax.set_xlabel("number of training images (log scale)")
    ax.legend(fontsize="small")
fig.tight_layout()

# %%
# On CIFAR-10 the nearest neighbours stay under 30%, the linear classifiers
# reach nearly 40%. Both gain from more data, but the distance between
# raw pixel vectors mostly measures the colour of the background and the
# overall brightness, so neighbours in pixel space are often of another
# class; a linear classifier learns which pixels matter for which class.
#
# The prediction time tells the other half of the story. The nearest
# neighbours' grows in proportion to the training set, since each test image
# is compared with every training image (:math:`O(n d)` per image for
# :math:`n` images of :math:`d` pixels), and it needs all of them kept in
# memory. The linear classifiers' stays flat: a prediction is one product
# with the :math:`10 \times d` weights, :math:`O(10\, d)` per image, whatever
# :math:`n`. The cost moved to training, which is done once.
#
# Conclusion
# ----------
#
# The nearest-neighbour classifier is a useful baseline: no training, a single
# parameter :math:`k`, and good results when pixel distance means something.
# On natural images it is both less accurate and slower to use than a linear
# classifier, whose prediction cost does not depend on the size of the
# training set. This is the trade the course recommends: spend computation at
# training time, once, to make every prediction cheap.

plt.show()
