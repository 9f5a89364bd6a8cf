"""`keras.preprocessing.sequence`."""

from keraslite.utils.sequence_utils import pad_sequences as pad_sequences
