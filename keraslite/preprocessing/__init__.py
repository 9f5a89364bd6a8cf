"""`keras.preprocessing`: the legacy homes of `pad_sequences` (`sequence`) and of the
image file utilities (`image`), and the dataset utilities tf.keras 2 published here; all are
also in `keras.utils`."""

from keraslite.preprocessing import image as image
from keraslite.preprocessing import sequence as sequence
from keraslite.preprocessing import text as text
from keraslite.utils.image_dataset_utils import image_dataset_from_directory as image_dataset_from_directory
from keraslite.utils.text_dataset_utils import text_dataset_from_directory as text_dataset_from_directory
from keraslite.utils.timeseries_dataset_utils import timeseries_dataset_from_array as timeseries_dataset_from_array
