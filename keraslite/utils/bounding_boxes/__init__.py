"""`keras.utils.bounding_boxes` (re-exports)."""

from keraslite.utils.bounding_boxes.converters import affine_transform as affine_transform
from keraslite.utils.bounding_boxes.converters import clip_to_image_size as clip_to_image_size
from keraslite.utils.bounding_boxes.converters import convert_format as convert_format
from keraslite.utils.bounding_boxes.converters import crop as crop
from keraslite.utils.bounding_boxes.converters import decode_deltas_to_boxes as decode_deltas_to_boxes
from keraslite.utils.bounding_boxes.converters import encode_box_to_deltas as encode_box_to_deltas
from keraslite.utils.bounding_boxes.converters import pad as pad
from keraslite.utils.bounding_boxes.iou import compute_ciou as compute_ciou
from keraslite.utils.bounding_boxes.iou import compute_iou as compute_iou
