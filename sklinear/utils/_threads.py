"""Threads over parts of a batch, each with one BLAS thread."""

import threading

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

# One threaded call at a time: its one-BLAS-thread limit is process-wide, and
# calls overlapping in several threads would each restore the limit they found,
# one of them the limit another had set: BLAS would be left at one thread.
# (threadpoolctl also lets one thread at a time set OpenBLAS's limit.)
_BLAS_LIMIT_LOCK = threading.Lock()


def threads_over_parts(function, X, parts, n_jobs):
    """``function`` of each part of ``X``, concatenated, over ``n_jobs`` threads.

    The matrix products and most of numpy's element-wise work release the GIL.
    Each thread gets one BLAS thread, or the threads would compete with BLAS's
    own for the cores.

    Parameters
    ----------
    function : callable
        Maps rows of ``X`` to an array with one row per row of ``X``.
    X : ndarray
        The rows to split.
    parts : iterable of slice
        The parts of ``X``, in order; threads take them in turn as each is free.
    n_jobs : int
        The number of threads.

    Returns
    -------
    result : ndarray
        The results of the parts, concatenated along the first axis.
    """
    with _BLAS_LIMIT_LOCK, threadpool_limits(limits=1, user_api="blas"):
        results = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(function)(X[rows]) for rows in parts
        )
    return np.concatenate(results)
