"""`keras.preprocessing.sequence`."""

from keraslite.legacy.preprocessing.sequence import TimeseriesGenerator as TimeseriesGenerator
from keraslite.legacy.preprocessing.sequence import make_sampling_table as make_sampling_table
from keraslite.legacy.preprocessing.sequence import skipgrams as skipgrams
from keraslite.utils.sequence_utils import pad_sequences as pad_sequences
