"""`keras.visualization`: pictures of models (`plot_model`, `model_to_dot`; also in `keras.utils`) and
annotated image galleries."""

from keraslite.visualization.galleries import plot_bounding_box_gallery as plot_bounding_box_gallery
from keraslite.visualization.galleries import plot_image_gallery as plot_image_gallery
from keraslite.visualization.galleries import plot_segmentation_mask_gallery as plot_segmentation_mask_gallery
from keraslite.visualization.image_annotation import draw_bounding_boxes as draw_bounding_boxes
from keraslite.visualization.image_annotation import draw_segmentation_masks as draw_segmentation_masks
from keraslite.visualization.model_visualization import model_to_dot as model_to_dot
from keraslite.visualization.model_visualization import plot_model as plot_model
