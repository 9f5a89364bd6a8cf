"""`keras.preprocessing`: the legacy homes of `pad_sequences` (`sequence`) and of the
image file utilities (`image`); both are also in `keras.utils`."""

from keraslite.preprocessing import image as image
from keraslite.preprocessing import sequence as sequence
