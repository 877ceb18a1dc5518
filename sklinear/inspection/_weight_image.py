"""The weights of a linear classifier on pixels, shown as one image per class."""

import math
from numbers import Integral

import numpy as np
import scipy.sparse as sp

from ..utils._fixes import _validate_style_kwargs, check_matplotlib_support
from ._plotting import _fitted_final_estimator


def _rescale(templates, share_scale):
    """Min-max scale each template (or all of them together) to [0, 1]."""
    axis = None if share_scale else tuple(range(1, templates.ndim))
    low = templates.min(axis=axis, keepdims=True)
    span = templates.max(axis=axis, keepdims=True) - low
    # A constant template (all weights zero, say, under a strong L1 penalty) has
    # no contrast to stretch: show it mid-grey rather than divide by zero.
    flat = span == 0
    return np.where(flat, 0.5, (templates - low) / np.where(flat, 1.0, span))


class WeightImageDisplay:
    """The weights of a linear classifier on pixels, one image per class.

    A linear classifier on raw pixels scores an image by the dot product of its
    pixels with one weight vector per class; reshaped to the image, that vector
    is the class's *template*, the picture it matches best (CS231n's "one
    template per class"). For display, each template is min-max scaled to
    ``[0, 1]``, so that its most negative weight is black and its most positive
    white (in colour, per channel value); or all templates on one scale, which
    a colour bar can then read in weights.

    It is recommended to use :meth:`WeightImageDisplay.from_estimator` to create
    a :class:`WeightImageDisplay`. All parameters are stored as attributes.

    Parameters
    ----------
    templates : ndarray of shape (n_templates, height, width[, channels])
        The weights, one image per template; ``channels`` is 1 or 3 (RGB).
    display_labels : list of str, default=None
        The title of each template. None numbers them from 0.

    Attributes
    ----------
    images_ : ndarray of shape (n_templates, height, width[, 3])
        The templates as drawn, scaled to ``[0, 1]`` (a single channel
        dropped).
    im_ : ndarray of matplotlib AxesImage of shape (n_templates,)
        The image of each template.
    colorbar_ : matplotlib Colorbar or None
        The colour bar of the weights, or None when ``colorbar=False``.
    axes_ : ndarray of matplotlib Axes
        The axes of the grid, of shape ``(n_rows, n_cols)`` when created by
        :meth:`plot`, else shaped like the ``ax`` passed; all with their axis off.
    figure_ : matplotlib Figure
        The figure holding the templates.

    See Also
    --------
    WeightImageDisplay.from_estimator : The templates of a fitted classifier.
    LossCurveDisplay : The training objective per epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear.inspection import WeightImageDisplay
    >>> templates = np.stack([np.eye(8), np.fliplr(np.eye(8))])
    >>> labels = ["diagonal", "anti-diagonal"]
    >>> disp = WeightImageDisplay(templates, display_labels=labels).plot()
    >>> disp.images_.shape
    (2, 8, 8)
    """

    def __init__(self, templates, *, display_labels=None):
        self.templates = templates
        self.display_labels = display_labels

    def plot(self, ax=None, *, n_cols=5, share_scale=False, colorbar=False,
             cmap="gray", im_kw=None):
        """Draw the templates in a grid, titled, with the axes off.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            The axes to draw into, one per template (a single Axes for one
            template). None creates a figure with a grid of ``n_cols`` columns.
        n_cols : int, default=5
            The number of columns of the grid created when ``ax`` is None.
        share_scale : bool, default=False
            Scale all templates by one minimum and maximum, taken over all of
            them, instead of each by its own. Each on its own scale shows every
            template's pattern at full contrast; a shared scale also shows which
            classes have the larger weights. CS231n's notebooks use a shared
            scale.
        colorbar : bool, default=False
            Add a colour bar that reads the colours as weights, beside the
            grid. Needs ``share_scale=True`` (on a scale per template, a
            colour stands for a different weight in each) and single-channel
            templates (an RGB template's colours are its weights on three
            channels, which no bar maps).
        cmap : str or matplotlib Colormap, default="gray"
            The colour map of single-channel templates; ignored for RGB.
        im_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``imshow``.

        Returns
        -------
        display : WeightImageDisplay
            The display, with the attributes of what it drew.

        Examples
        --------
        >>> import numpy as np
        >>> from sklinear.inspection import WeightImageDisplay
        >>> templates = np.array([[[0, 1], [2, 3]], [[6, 7], [8, 10]]])
        >>> disp = WeightImageDisplay(templates).plot()
        >>> disp.images_[1].tolist()
        [[0.0, 0.25], [0.5, 1.0]]
        >>> disp = disp.plot(share_scale=True, colorbar=True)
        >>> disp.images_[1].tolist()
        [[0.6, 0.7], [0.8, 1.0]]
        >>> disp.colorbar_.mappable.get_clim()
        (0.0, 10.0)
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt

        templates = np.asarray(self.templates, dtype=float)
        if templates.ndim == 4 and templates.shape[-1] == 1:
            templates = templates[..., 0]
        if not (
            templates.ndim == 3 or (templates.ndim == 4 and templates.shape[-1] == 3)
        ):
            raise ValueError(
                "templates must have shape (n_templates, height, width) or "
                "(n_templates, height, width, channels) with 1 or 3 channels; got "
                f"shape {np.shape(self.templates)}."
            )
        if colorbar and not share_scale:
            raise ValueError(
                "colorbar=True needs share_scale=True: on a scale per template, "
                "one colour stands for a different weight in each."
            )
        if colorbar and templates.ndim == 4:
            raise ValueError(
                "colorbar=True needs single-channel templates: the colours of an "
                "RGB template are its weights on three channels, which no colour "
                "bar maps."
            )
        n_templates = len(templates)
        if self.display_labels is None:
            labels = [str(i) for i in range(n_templates)]
        else:
            labels = list(self.display_labels)
        if len(labels) != n_templates:
            raise ValueError(
                f"display_labels has {len(labels)} labels for {n_templates} "
                "templates; pass one label per template."
            )

        if ax is None:
            if not (isinstance(n_cols, Integral) and n_cols >= 1):
                raise ValueError(f"n_cols must be a positive integer; got {n_cols!r}.")
            n_cols = min(n_cols, n_templates)
            n_rows = math.ceil(n_templates / n_cols)
            figure, axes = plt.subplots(
                n_rows, n_cols, squeeze=False, layout="constrained",
                figsize=(1.6 * n_cols, 1.8 * n_rows),
            )
        else:
            axes = np.array(ax, dtype=object, ndmin=1)
            if axes.size != n_templates:
                raise ValueError(
                    f"ax has {axes.size} axes for {n_templates} templates; pass "
                    "one Axes per template, or ax=None."
                )
            figure = axes.flat[0].figure

        self.images_ = _rescale(templates, share_scale)
        im_kw = _validate_style_kwargs(
            # vmin and vmax keep imshow from stretching each image again.
            {"cmap": cmap, "vmin": 0.0, "vmax": 1.0, "interpolation": "nearest"},
            im_kw or {},
        )
        self.im_ = np.empty(n_templates, dtype=object)
        for i, (image, label) in enumerate(zip(self.images_, labels, strict=True)):
            self.im_[i] = axes.flat[i].imshow(image, **im_kw)
            axes.flat[i].set_title(label)
        # The spare cells of the grid too.
        for axis in axes.flat:
            axis.set_axis_off()

        self.colorbar_ = None
        if colorbar:
            from matplotlib.cm import ScalarMappable
            from matplotlib.colors import Normalize

            # The images are the weights mapped linearly to [0, 1], which the
            # images' norm maps to colours: the bar is that norm in weights.
            low, high = float(templates.min()), float(templates.max())
            norm = self.im_[0].norm
            weights = Normalize(low + norm.vmin * (high - low),
                                low + norm.vmax * (high - low))
            self.colorbar_ = figure.colorbar(
                ScalarMappable(weights, cmap=self.im_[0].get_cmap()),
                ax=axes.ravel().tolist(), label="Weight",
            )

        self.axes_ = axes
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        image_shape,
        display_labels=None,
        ax=None,
        n_cols=5,
        share_scale=False,
        colorbar=False,
        cmap="gray",
        im_kw=None,
    ):
        """Draw the templates of a fitted linear classifier on pixels.

        Takes ``coef_``: one template per class, in the order of ``classes_``.
        For two classes, ``coef_`` has one row, the weights of the score of
        ``classes_[1]`` against ``classes_[0]``, so one template is drawn,
        titled ``"<classes_[1]> vs <classes_[0]>"``: its bright pixels count for
        ``classes_[1]``, its dark ones for ``classes_[0]``.

        Parameters
        ----------
        estimator : estimator instance
            A fitted linear classifier (with ``coef_`` and ``classes_``, such as
            :class:`~sklinear.SoftmaxClassifier`), or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one. After a
            :class:`~sklearn.preprocessing.StandardScaler`, the templates weigh
            the standardised pixels.
        image_shape : tuple of int
            ``(height, width)`` or ``(height, width, channels)``: the shape of
            the images whose pixels, flattened in C order, are the features.
        display_labels : array-like of shape (n_classes,), default=None
            The names of the classes, in the order of ``classes_``. None uses
            ``classes_``.
        ax : matplotlib Axes or array-like of Axes, default=None
            The axes to draw into, one per template. None creates a figure.
        n_cols : int, default=5
            The number of columns of the grid created when ``ax`` is None.
        share_scale : bool, default=False
            Scale all templates together instead of each on its own.
        colorbar : bool, default=False
            Add a colour bar of the weights; needs ``share_scale=True`` and
            single-channel templates.
        cmap : str or matplotlib Colormap, default="gray"
            The colour map of single-channel templates.
        im_kw : dict, default=None
            Keyword arguments passed to matplotlib's ``imshow``.

        Returns
        -------
        display : WeightImageDisplay
            The display, drawn.

        See Also
        --------
        WeightImageDisplay.plot : Draw the templates again, differently.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklinear import SoftmaxClassifier
        >>> from sklinear.inspection import WeightImageDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = SoftmaxClassifier(max_iter=5, tol=None, random_state=0).fit(X, y)
        >>> disp = WeightImageDisplay.from_estimator(clf, image_shape=(8, 8))
        >>> disp.images_.shape
        (10, 8, 8)
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        classifier = _fitted_final_estimator(estimator)
        if not (hasattr(classifier, "coef_") and hasattr(classifier, "classes_")):
            raise ValueError(
                f"{cls.__name__} shows the weights of a linear classifier, which "
                f"has coef_ and classes_; {type(classifier).__name__} has not."
            )
        coef = classifier.coef_
        coef = coef.toarray() if sp.issparse(coef) else np.asarray(coef)
        classes = np.asarray(classifier.classes_)

        image_shape = tuple(int(size) for size in np.atleast_1d(image_shape))
        if len(image_shape) not in (2, 3):
            raise ValueError(
                "image_shape must be (height, width) or (height, width, channels); "
                f"got {image_shape}."
            )
        n_pixels = math.prod(image_shape)
        if coef.shape[1] != n_pixels:
            raise ValueError(
                f"The classifier has {coef.shape[1]} features but image_shape="
                f"{image_shape} has {n_pixels} pixel values. The weights are "
                "images (templates) only when the features are the pixels, "
                "flattened: fit the classifier on raw pixels, not on extracted "
                "features such as HoG."
            )

        if display_labels is None:
            display_labels = [str(label) for label in classes]
        else:
            display_labels = [str(label) for label in display_labels]
            if len(display_labels) != len(classes):
                raise ValueError(
                    f"display_labels has {len(display_labels)} labels for the "
                    f"{len(classes)} classes of the classifier."
                )
        if len(coef) == 1 and len(classes) == 2:
            display_labels = [f"{display_labels[1]} vs {display_labels[0]}"]

        display = cls(
            coef.reshape(len(coef), *image_shape), display_labels=display_labels
        )
        return display.plot(
            ax=ax, n_cols=n_cols, share_scale=share_scale, colorbar=colorbar,
            cmap=cmap, im_kw=im_kw,
        )
