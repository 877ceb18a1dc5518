"""Settings for the whole test session."""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="session", autouse=True)
def one_openmp_thread():
    # scikit-learn's k-means (inside BagOfVisualWords.fit) runs OpenMP threads,
    # which gain nothing on the few dozen patches of a test and, on a busy
    # machine, make each fit up to a hundred times slower at their barriers.
    # Not a `with` block: threadpoolctl would keep this thread in control of
    # OpenBLAS's limit meanwhile, and ignore the limits other threads set.
    limiter = threadpool_limits(limits=1, user_api="openmp")
    yield
    limiter.restore_original_limits()
