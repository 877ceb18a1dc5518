"""Every public estimator of sklinear, with parameters sized for tests.

:func:`all_estimators` finds the estimator classes by walking the public
modules of sklinear, as scikit-learn's
:func:`sklearn.utils.discovery.all_estimators` walks scikit-learn's, and
:func:`all_instances` builds each with the parameter sets of
:data:`INIT_PARAMS`. Every common test (``test_common.py``,
``test_robustness.py``, ``test_properties.py``) draws its estimators from
here: a new public estimator is tested the day it is exported, with its
defaults until it is given test-sized parameters below.
"""

import importlib
import inspect
import pkgutil
import re

from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin

import sklinear
from sklinear import (
    BagOfVisualWords,
    ColorHistogram,
    HoG,
    KMeansFeatures,
    SoftmaxClassifier,
    SVMLinearClassifier,
)

# Parameter sets, the first of each the one a test takes when one is enough.
# Each suits a batch of at least a few 16x16 images, colour or grayscale, and
# fits in milliseconds. On the checks' data sets (at most a few dozen samples)
# the classifiers' batch_size of 256 makes them full-batch gradient descent;
# the last instance of each keeps true minibatches, so that every check also
# runs through that path.
INIT_PARAMS = {
    SVMLinearClassifier: [
        {},
        dict(loss="squared_hinge", penalty="elasticnet"),
    ],
    SoftmaxClassifier: [
        {},
        dict(penalty="l1", batch_size=4),
    ],
    HoG: [
        dict(pixels_per_cell=4, cells_per_block=2),
        dict(pixels_per_cell=4, cells_per_block=(2, 1), block_norm="L1-sqrt",
             transform_sqrt=True),
    ],
    ColorHistogram: [
        dict(bins=4),
        dict(bins=5, channels="h"),
        dict(color_space="rgb", bins=3),
    ],
    BagOfVisualWords: [
        dict(n_words=3, patch_size=4, n_patches=60, random_state=0),
        dict(n_words=8, n_patches=200, descriptor="hog", encoding="soft",
             n_jobs=2, random_state=0),
    ],
    # The paper's parameters but for the size: 1,600 words need 400,000 patches.
    KMeansFeatures: [
        dict(n_words=8, n_patches=500, random_state=0),
        dict(n_words=5, patch_size=4, step=3, n_patches=200, whiten=False,
             encoding="soft", pooling_regions=(1, 3), n_jobs=2, random_state=0),
    ],
}

_TYPE_FILTERS = {"classifier": ClassifierMixin, "transformer": TransformerMixin}


def _public_modules():
    """sklinear and every module of it whose path has no private part."""
    yield sklinear
    for module in pkgutil.walk_packages(sklinear.__path__, prefix="sklinear."):
        if not any(part.startswith("_") for part in module.name.split(".")):
            yield importlib.import_module(module.name)


def all_estimators(type_filter=None):
    """The public estimator classes of sklinear, sorted by name.

    Parameters
    ----------
    type_filter : {"classifier", "transformer"}, default=None
        Only the classifiers, or only the transformers.

    Returns
    -------
    estimators : list of (str, type)
        The name and class of each estimator: each class exported in the
        ``__all__`` of a public module that derives from scikit-learn's
        ``BaseEstimator`` and is not abstract (such as
        :class:`~sklinear.feature_extraction.BaseImageTransformer`).
    """
    classes = {
        getattr(module, name)
        for module in _public_modules()
        for name in getattr(module, "__all__", ())
    }
    estimators = [
        cls for cls in classes
        if inspect.isclass(cls) and issubclass(cls, BaseEstimator)
        and not inspect.isabstract(cls)
    ]
    if type_filter is not None:
        estimators = [cls for cls in estimators
                      if issubclass(cls, _TYPE_FILTERS[type_filter])]
    return sorted(((cls.__name__, cls) for cls in estimators), key=lambda e: e[0])


def all_instances(type_filter=None, *, all_params=True):
    """Yield an instance of every public estimator, with test-sized parameters.

    Parameters
    ----------
    type_filter : {"classifier", "transformer"}, default=None
        See :func:`all_estimators`.
    all_params : bool, default=True
        One instance per parameter set of :data:`INIT_PARAMS`; if False, only
        the first. A class without an entry gets its defaults.
    """
    for _, Estimator in all_estimators(type_filter):
        param_sets = INIT_PARAMS.get(Estimator, [{}])
        for params in param_sets if all_params else param_sets[:1]:
            yield Estimator(**params)


def estimator_id(estimator):
    """The estimator with the parameters it changes, for a test's id."""
    with config_context(print_changed_only=True):
        return re.sub(r"\s", "", str(estimator))
