"""All that sklinear takes from scikit-learn's private API, in one place.

scikit-learn may change or remove what it keeps private from one release to
the next. When it does, this is the one module to mend:
``tests/test_packaging.py`` checks that no other module of sklinear imports a
private name or module of scikit-learn. Each name here says what it is for.
"""

# Fit methods: validates the parameters once, and opens the callback context.
from sklearn.base import _fit_context

# decision_function, predict and score of a linear classifier from coef_ and
# intercept_, as scikit-learn's own linear classifiers have them.
from sklearn.linear_model._base import LinearClassifierMixin

# A clear ImportError when matplotlib is missing, in the displays' from_*.
from sklearn.utils._optional_dependencies import check_matplotlib_support

# The parameter constraints of every estimator and public function, as
# scikit-learn's own estimators declare theirs.
from sklearn.utils._param_validation import (
    Hidden,
    Interval,
    StrOptions,
    validate_params,
)

# The displays' style keywords, with matplotlib's aliases, as scikit-learn's
# displays take them.
from sklearn.utils._plotting import _validate_style_kwargs

# sample_weight of any form (None, a scalar, an array) as one float array.
from sklearn.utils.validation import _check_sample_weight

try:
    # scikit-learn's callbacks (new and experimental in 1.9).
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9 has no callback API

    class CallbackSupportMixin:
        def set_callbacks(self, *callbacks):
            """Set callbacks: needs scikit-learn >= 1.9 (``sklearn.callback``)."""
            import sklearn

            raise ImportError(
                "Callbacks use scikit-learn's callback API (sklearn.callback), new "
                f"in scikit-learn 1.9; this is scikit-learn {sklearn.__version__}. "
                "Upgrade it with: pip install -U scikit-learn"
            )

        def _init_callback_context(self, **kwargs):
            return None


__all__ = [
    "CallbackSupportMixin",
    "Hidden",
    "Interval",
    "LinearClassifierMixin",
    "StrOptions",
    "_check_sample_weight",
    "_fit_context",
    "_validate_style_kwargs",
    "check_matplotlib_support",
    "validate_params",
]
