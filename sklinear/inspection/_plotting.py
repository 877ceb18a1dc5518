"""What the displays share: finding the fitted model behind an estimator."""

from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


def _fitted_final_estimator(estimator):
    """The fitted model whose attributes a display shows.

    A :class:`~sklearn.pipeline.Pipeline` is checked as a whole (it is fitted
    when its last step is) and its last step returned; any other estimator is
    returned as it is. Raises :class:`~sklearn.exceptions.NotFittedError`, a
    ``ValueError``, when the estimator is not fitted.
    """
    check_is_fitted(estimator)
    if isinstance(estimator, Pipeline):
        return estimator[-1]
    return estimator
