"""sklinear on a Dask cluster: grid search and feature extraction through
joblib's dask backend, estimators shipped to worker processes and back, and
dask-ml's Incremental wrapper around partial_fit.

The cluster is a LocalCluster of two worker processes, started by the tests
themselves and closed at the end: what crosses to a worker is pickled, exactly
as it would be to a worker on another machine.
"""

import logging
import pickle

import numpy as np
import pytest

# Dask and dask-ml are in the "dev" extra, which the CI installs, not in the
# light "test" one.
distributed = pytest.importorskip(
    "distributed",
    reason='the Dask tests need the "dev" extra: pip install -e ".[dev]"',
)

# A cluster of worker processes: seconds to start.
pytestmark = pytest.mark.slow

import cloudpickle  # noqa: E402  (a dependency of distributed)
import joblib  # noqa: E402
from numpy.testing import assert_array_equal  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils import gen_batches  # noqa: E402

from sklinear import (  # noqa: E402
    BagOfVisualWords,
    ColorHistogram,
    HoG,
    SoftmaxClassifier,
    SVMLinearClassifier,
)

CLASSES = np.arange(3)


def make_striped_images(n_images, size=16, random_state=0):
    """Colour images whose class (0, 1 or 2) is the direction of faint stripes
    (horizontal, vertical, diagonal) under noise: HoG can learn it, not perfectly."""
    rng = np.random.default_rng(random_state)
    y = rng.integers(0, len(CLASSES), n_images)
    rows, cols = np.mgrid[:size, :size]
    stripes = np.stack([np.sin(rows), np.sin(cols), np.sin((rows + cols) / 1.4)])
    pixels = 0.1 * stripes[y, :, :, np.newaxis] + rng.random((n_images, size, size, 3))
    pixels = (pixels - pixels.min()) / (pixels.max() - pixels.min())
    return np.round(255 * pixels).astype(np.uint8), y


def make_pipeline():
    return Pipeline([
        ("hog", HoG(pixels_per_cell=4, cells_per_block=2)),
        ("scale", StandardScaler()),
        ("clf", SoftmaxClassifier(max_iter=10, tol=None, random_state=0)),
    ])


@pytest.fixture(scope="module")
def data():
    return make_striped_images(240)


@pytest.fixture(scope="module")
def client():
    """A client of a LocalCluster of two single-threaded worker processes."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True,
        dashboard_address=None, silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_grid_search_on_the_cluster_equals_local(client, data):
    images, y = data
    grid = {"hog__orientations": [6, 9], "clf__alpha": [1e-4, 1e-1]}
    local = GridSearchCV(make_pipeline(), grid, cv=3).fit(images, y)
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_config(backend="dask"):
            remote = GridSearchCV(make_pipeline(), grid, cv=3, n_jobs=-1)
            remote.fit(images, y)
    assert tasks.data, "no task ran on the cluster"
    assert {task["worker"] for task in tasks.data} <= set(client.scheduler_info()
                                                          ["workers"])
    assert remote.cv_results_["params"] == local.cv_results_["params"]
    assert_array_equal(remote.cv_results_["mean_test_score"],
                       local.cv_results_["mean_test_score"])
    # The search is not trivial: the parameters make a difference.
    assert len(np.unique(local.cv_results_["mean_test_score"])) > 1
    assert remote.best_params_ == local.best_params_
    assert_array_equal(remote.predict(images), local.predict(images))


def test_feature_extraction_on_the_cluster_equals_local(client, data):
    images, _ = data
    features = FeatureUnion([("hog", HoG(pixels_per_cell=4, cells_per_block=2)),
                             ("color", ColorHistogram(bins=4))]).fit(images[:1])
    expected = features.transform(images)
    chunks = [images[rows] for rows in gen_batches(len(images), 50)]

    # Through joblib, as scikit-learn parallelises.
    with joblib.parallel_config(backend="dask"):
        parts = joblib.Parallel(n_jobs=-1)(
            joblib.delayed(features.transform)(chunk) for chunk in chunks
        )
    assert_array_equal(np.vstack(parts), expected)

    # With the client itself: the chunks scattered to the workers first.
    futures = client.map(features.transform, client.scatter(chunks))
    assert_array_equal(np.vstack(client.gather(futures)), expected)


ESTIMATORS = [
    HoG(pixels_per_cell=4, cells_per_block=2),
    ColorHistogram(bins=4),
    BagOfVisualWords(n_words=8, patch_size=4, n_patches=4 * 240, random_state=0),
    SoftmaxClassifier(max_iter=5, tol=None, random_state=0),
    SVMLinearClassifier(max_iter=5, tol=None, random_state=0),
    make_pipeline(),
]


def output(estimator, images):
    method = "transform" if hasattr(estimator, "transform") else "decision_function"
    return getattr(estimator, method)(images)


@pytest.mark.parametrize("estimator", ESTIMATORS,
                         ids=lambda estimator: type(estimator).__name__)
def test_estimators_pickle_to_workers_and_back(client, estimator, data):
    images, y = data
    if isinstance(estimator, (SoftmaxClassifier, SVMLinearClassifier)):
        images = images.reshape(len(images), -1) / 255
    fitted = clone(estimator).fit(images, y)
    expected = output(fitted, images)
    for dumps, loads in [(pickle.dumps, pickle.loads),
                         (cloudpickle.dumps, cloudpickle.loads)]:
        for state in (clone(estimator), fitted):
            assert_array_equal(output(loads(dumps(state)).fit(images, y), images),
                               expected)
        assert_array_equal(output(loads(dumps(fitted)), images), expected)
    # Fitted on a worker and sent back; used on a worker.
    from_worker = client.submit(clone(estimator).fit, images, y).result()
    assert_array_equal(output(from_worker, images), expected)
    method = "transform" if hasattr(fitted, "transform") else "decision_function"
    assert_array_equal(client.submit(getattr(fitted, method), images).result(),
                       expected)


def test_dask_ml_incremental_partial_fit(client, data):
    """dask-ml's Incremental calls partial_fit once per block of a dask array:
    the same as calling it on the blocks in order, here on the cluster."""
    pytest.importorskip(
        "dask_ml", reason='needs dask-ml, in the "dev" extra: pip install -e ".[dev]"'
    )
    import dask.array as da
    from dask_ml.wrappers import Incremental

    images, y = data
    features = make_pipeline()[:-1].fit(images)
    X = features.transform(images).astype(np.float32)
    chunk = 60

    incremental = Incremental(SoftmaxClassifier(random_state=0),
                              shuffle_blocks=False)
    for _ in range(2):  # Incremental.partial_fit is one pass over the blocks
        incremental.partial_fit(da.from_array(X, chunks=(chunk, -1)),
                                da.from_array(y, chunks=chunk), classes=CLASSES)

    reference = SoftmaxClassifier(random_state=0)
    for _ in range(2):
        for rows in gen_batches(len(X), chunk):
            reference.partial_fit(X[rows], y[rows], classes=CLASSES)
    assert_array_equal(incremental.estimator_.coef_, reference.coef_)
    assert_array_equal(incremental.estimator_.intercept_, reference.intercept_)
    predicted = incremental.predict(da.from_array(X, chunks=(chunk, -1)))
    assert_array_equal(predicted.compute(), reference.predict(X))

    # The features can come from the images by blocks too, on the workers.
    blocks = da.from_array(images, chunks=(chunk, -1, -1, -1))
    X_blocks = blocks.map_blocks(
        lambda block: features.transform(block).astype(np.float32),
        drop_axis=[2, 3], chunks=(blocks.chunks[0], (X.shape[1],)),
        dtype=np.float32,
    )
    fitted = Incremental(SoftmaxClassifier(random_state=0), shuffle_blocks=False)
    fitted.fit(X_blocks, da.from_array(y, chunks=chunk), classes=CLASSES)
    once = SoftmaxClassifier(random_state=0)
    for rows in gen_batches(len(X), chunk):
        once.partial_fit(X[rows], y[rows], classes=CLASSES)
    assert_array_equal(fitted.estimator_.coef_, once.coef_)
