"""`keras.visualization`: pictures of models (`plot_model`, `model_to_dot`; also in `keras.utils`)."""

from keraslite.visualization.model_visualization import model_to_dot as model_to_dot
from keraslite.visualization.model_visualization import plot_model as plot_model
