"""Numerical gradients by centred differences, to check analytic ones.

An analytic gradient is easy to get subtly wrong and hard to test by reading.
The centred difference

.. math::

    \\frac{\\partial f}{\\partial x_k} \\approx
    \\frac{f(x + h e_k) - f(x - h e_k)}{2h}

has error :math:`O(h^2)`, so with ``h=1e-5`` in float64 a correct gradient agrees
with it to a relative error of about 1e-8 or better, away from kinks such as the
hinge's corner. :func:`check_gradient` does the comparison in one call and can
sample a few coordinates of a large array, where the full numerical gradient
would cost two evaluations of ``f`` per coordinate.
"""

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["numerical_gradient", "relative_error", "check_gradient"]


def _centred_differences(f, x, flat_indices, h):
    x = np.array(x, dtype=np.float64)  # a copy: the caller's array is never touched
    flat = x.reshape(-1)
    grad = np.empty(len(flat_indices))
    for n, k in enumerate(flat_indices):
        original = flat[k]
        flat[k] = original + h
        f_plus = f(x)
        flat[k] = original - h
        f_minus = f(x)
        flat[k] = original
        grad[n] = (f_plus - f_minus) / (2.0 * h)
    return grad


def numerical_gradient(f, x, h=1e-5):
    """Gradient of ``f`` at ``x`` by centred differences.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to a float.
    x : array-like
        Where to take the gradient. It is not modified: ``f`` receives a float64
        copy.
    h : float, default=1e-5
        The step of the differences.

    Returns
    -------
    grad : ndarray, shaped like ``x``
        :math:`(f(x + h e_k) - f(x - h e_k)) / 2h` for every coordinate :math:`k`.

    See Also
    --------
    check_gradient : Compare with an analytic gradient, on some coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.gradient_check import numerical_gradient
    >>> numerical_gradient(lambda x: np.sum(x ** 3), np.array([1.0, 2.0])).round(6)
    array([ 3., 12.])
    """
    x = np.asarray(x)
    grad = _centred_differences(f, x, np.arange(x.size), h)
    return grad.reshape(x.shape)


def relative_error(a, b):
    """Relative error between two arrays: ``||a - b|| / (||a|| + ||b||)``.

    The norms are Euclidean over all entries, so coordinates where both gradients
    are (nearly) zero do not blow the ratio up, as an entry-by-entry ratio would.
    Two zero arrays have relative error 0.

    Parameters
    ----------
    a, b : array-like of the same shape
        Typically an analytic and a numerical gradient.

    Returns
    -------
    error : float
        In ``[0, 1]``; below 1e-6 for a correct gradient in float64.

    Examples
    --------
    >>> from sklinear.gradient_check import relative_error
    >>> relative_error([1.0, 2.0], [1.0, 2.0])
    0.0
    >>> round(relative_error([1.0, 0.0], [0.0, 1.0]), 4)
    0.7071
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape; got {a.shape} and {b.shape}."
        )
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / denominator)


def check_gradient(f, x, grad, *, n_coords=None, h=1e-5, random_state=None):
    """Relative error between an analytic gradient and centred differences.

    Parameters
    ----------
    f : callable
        Maps an array shaped like ``x`` to a float.
    x : array-like
        Where the gradient was taken. Not modified.
    grad : array-like, shaped like ``x``
        The analytic gradient of ``f`` at ``x`` to check.
    n_coords : int, default=None
        Check only this many coordinates, drawn at random without replacement;
        ``None`` checks them all.
    h : float, default=1e-5
        The step of the differences.
    random_state : int, RandomState instance or None, default=None
        Chooses the coordinates when ``n_coords`` is set.

    Returns
    -------
    error : float
        :func:`relative_error` between ``grad`` and the numerical gradient on the
        checked coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.gradient_check import check_gradient
    >>> from sklinear.losses import softmax_cross_entropy
    >>> rng = np.random.default_rng(0)
    >>> scores, y = rng.normal(size=(5, 4)), np.array([0, 1, 2, 3, 0])
    >>> _, grad = softmax_cross_entropy(scores, y)
    >>> f = lambda s: softmax_cross_entropy(s, y)[0]
    >>> check_gradient(f, scores, grad, n_coords=8, random_state=0) < 1e-8
    True
    """
    x = np.asarray(x)
    grad = np.asarray(grad)
    if grad.shape != x.shape:
        raise ValueError(
            f"grad must have the shape of x, {x.shape}; got {grad.shape}."
        )
    if n_coords is None or n_coords >= x.size:
        flat_indices = np.arange(x.size)
    else:
        if n_coords < 1:
            raise ValueError(f"n_coords must be at least 1; got {n_coords}.")
        rng = check_random_state(random_state)
        flat_indices = rng.choice(x.size, size=n_coords, replace=False)
    numerical = _centred_differences(f, x, flat_indices, h)
    return relative_error(grad.reshape(-1)[flat_indices], numerical)
