"""`keras.preprocessing.image`: the image file utilities (also in `keras.utils`)."""

from keraslite.legacy.preprocessing.image import DataFrameIterator as DataFrameIterator
from keraslite.legacy.preprocessing.image import DirectoryIterator as DirectoryIterator
from keraslite.legacy.preprocessing.image import ImageDataGenerator as ImageDataGenerator
from keraslite.legacy.preprocessing.image import Iterator as Iterator
from keraslite.legacy.preprocessing.image import NumpyArrayIterator as NumpyArrayIterator
from keraslite.legacy.preprocessing.image import apply_affine_transform as apply_affine_transform
from keraslite.legacy.preprocessing.image import apply_brightness_shift as apply_brightness_shift
from keraslite.legacy.preprocessing.image import apply_channel_shift as apply_channel_shift
from keraslite.utils.image_utils import array_to_img as array_to_img
from keraslite.utils.image_utils import img_to_array as img_to_array
from keraslite.utils.image_utils import load_img as load_img
from keraslite.utils.image_utils import save_img as save_img
from keraslite.utils.image_utils import smart_resize as smart_resize
