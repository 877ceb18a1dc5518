"""Pictures of fitted models, as scikit-learn Displays.

matplotlib is an optional dependency: it is imported only when a display draws,
so that this module imports without it.
"""

from ._grid_search_heatmap import GridSearchHeatmapDisplay
from ._loss_curve import LossCurveDisplay
from ._weight_image import WeightImageDisplay

__all__ = ["GridSearchHeatmapDisplay", "LossCurveDisplay", "WeightImageDisplay"]
