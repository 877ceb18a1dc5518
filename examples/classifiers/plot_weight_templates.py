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

The CIFAR-10 subset is looked for beside the repository (``../shared/data``) or
at the path in the ``SKLINEAR_CIFAR10`` environment variable; without it the
example uses scikit-learn's 8x8 digits, whose templates are digits.
"""

# %%
# The images
# ----------
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklinear import SoftmaxClassifier, SVMLinearClassifier
from sklinear.datasets import load_cifar10
from sklinear.inspection import WeightImageDisplay


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
    X_train, y_train = load_cifar10(path, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(path, subset="test", return_X_y=True)
    names = load_cifar10(path, subset="test").target_names
    print(f"CIFAR-10 subset: {len(X_train)} training, {len(X_test)} test images")
else:
    digits = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(
        (digits.images * 16).astype(np.uint8), digits.target, random_state=0
    )
    names = [str(name) for name in digits.target_names]
    print("CIFAR-10 subset not found: using load_digits instead")
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
