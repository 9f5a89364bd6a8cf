"""`keras.preprocessing.image`: the image file utilities (also in `keras.utils`)."""

from keraslite.utils.image_utils import array_to_img as array_to_img
from keraslite.utils.image_utils import img_to_array as img_to_array
from keraslite.utils.image_utils import load_img as load_img
from keraslite.utils.image_utils import save_img as save_img
from keraslite.utils.image_utils import smart_resize as smart_resize
