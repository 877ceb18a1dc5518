"""ZCA whitening of descriptors, the second stage of the k-means features."""

import numpy as np
from sklearn.utils import gen_batches

__all__ = ["whiten", "zca_whitening"]


def zca_whitening(X, *, eps=0.1):
    """Learn the ZCA whitening of descriptors: their mean and whitening matrix.

    With :math:`\\Sigma = V \\Lambda V^T` the covariance of the rows of ``X``
    (normalised by :math:`n - 1`) and :math:`\\mu` their mean, the whitening
    matrix is

    .. math:: P = V (\\Lambda + \\epsilon I)^{-1/2} V^T

    and :func:`whiten` maps a descriptor :math:`x` to :math:`(x - \\mu) P`.
    With :math:`\\epsilon = 0` the whitened training descriptors have the
    identity covariance; :math:`\\epsilon > 0` shrinks the directions of
    variance below :math:`\\epsilon` instead of blowing them up, which matters
    for contrast-normalised patches: their values sum to zero, so their
    covariance is singular, and the directions of least variance hold mostly
    noise. Of all the whitening matrices, ZCA's is the symmetric one, the one
    that changes the descriptors least (Bell and Sejnowski), so that whitened
    patches still look like patches: it keeps their edges and sharpens them.

    Parameters
    ----------
    X : ndarray of shape (n_descriptors, n_features)
        The training descriptors, float32 or float64. The covariance is
        accumulated in float64 whatever their dtype.
    eps : float, default=0.1
        The regulariser :math:`\\epsilon` added to the eigenvalues, in the units
        of the variance of the descriptors. 0.1 is the value of Coates et al.
        for contrast-normalised patches, whose values have variance at most 1.

    Returns
    -------
    mean : ndarray of shape (n_features,)
        The mean descriptor :math:`\\mu`, of the dtype of ``X``.
    whitening : ndarray of shape (n_features, n_features)
        The symmetric whitening matrix :math:`P`, of the dtype of ``X``.

    Raises
    ------
    ValueError
        If ``eps`` is 0 and the covariance is singular: as
        :func:`numpy.linalg.matrix_rank` does, eigenvalues below the largest
        times ``n_features`` times float64's machine epsilon count as zero,
        whatever rounding leaves of them. Also if the covariance is not finite.

    See Also
    --------
    whiten : Apply the whitening.
    sklearn.decomposition.PCA : ``whiten=True`` whitens in the axes of the
        principal components instead (:math:`\\Lambda^{-1/2} V^T`, not rotated
        back).

    References
    ----------
    .. [1] A. J. Bell and T. J. Sejnowski, "The 'independent components' of
       natural scenes are edge filters", Vision Research 37(23), 1997.
       :doi:`10.1016/S0042-6989(97)00121-1`
    .. [2] A. Coates, H. Lee and A. Y. Ng, "An analysis of single-layer
       networks in unsupervised feature learning", AISTATS 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import whiten, zca_whitening
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(1000, 2)) @ np.array([[3.0, 0.0], [1.0, 0.5]])
    >>> mean, whitening = zca_whitening(X, eps=0.0)
    >>> np.allclose(np.cov(whiten(X, mean, whitening), rowvar=False), np.eye(2))
    True
    """
    X = np.asarray(X)
    n_descriptors = X.shape[0]
    mean = X.mean(axis=0, dtype=np.float64)
    # X^T X in float64, by blocks of rows, so that neither a float64 copy of
    # hundreds of thousands of descriptors nor float32 sums over them are needed.
    covariance = np.zeros((X.shape[1], X.shape[1]))
    with np.errstate(over="ignore", invalid="ignore"):  # refused below
        for rows in gen_batches(n_descriptors, 2**16):
            block = X[rows].astype(np.float64) - mean
            covariance += block.T @ block
    covariance /= max(n_descriptors - 1, 1)
    if not np.isfinite(covariance).all():
        raise ValueError(
            "The covariance of the descriptors is not finite; expected finite "
            "descriptors of a magnitude whose squares fit in float64."
        )
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    # Rounding leaves the zero eigenvalues of a singular covariance anywhere
    # within about this of zero, of either sign, depending on the CPU and BLAS.
    rounding = eigenvalues.max() * len(eigenvalues) * np.finfo(np.float64).eps
    nonzero = eigenvalues > rounding
    eigenvalues = np.where(nonzero, eigenvalues, 0) + eps
    if not eigenvalues.min() > 0:
        raise ValueError(
            f"The covariance of the descriptors is singular (rank "
            f"{np.count_nonzero(nonzero)} of {len(eigenvalues)}, eigenvalues "
            f"below {rounding:.3g} counting as zero) and eps=0: whitening would "
            "divide by zero. Use eps > 0 (contrast-normalised patches, whose "
            "values sum to zero, always need it)."
        )
    whitening = (eigenvectors / np.sqrt(eigenvalues)) @ eigenvectors.T
    return mean.astype(X.dtype), whitening.astype(X.dtype)


def whiten(X, mean, whitening):
    """Whiten descriptors: :math:`(x - \\mu) P` for each row :math:`x`.

    Parameters
    ----------
    X : ndarray of shape (n_descriptors, n_features)
        The descriptors, float32 or float64.
    mean : ndarray of shape (n_features,)
        The mean :math:`\\mu` from :func:`zca_whitening`.
    whitening : ndarray of shape (n_features, n_features)
        The whitening matrix :math:`P` from :func:`zca_whitening`.

    Returns
    -------
    X_white : ndarray of shape (n_descriptors, n_features)
        A new array, of the dtype of ``X``.

    See Also
    --------
    zca_whitening : Learn ``mean`` and ``whitening``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.feature_extraction import whiten
    >>> whiten(np.array([[3.0, 4.0]]), np.array([1.0, 1.0]),
    ...        np.array([[0.5, 0.0], [0.0, 2.0]]))
    array([[1., 6.]])
    """
    X_white = X - np.asarray(mean, dtype=X.dtype)
    return X_white @ np.asarray(whitening, dtype=X.dtype)

