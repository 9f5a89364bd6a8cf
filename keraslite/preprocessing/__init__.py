"""`keras.preprocessing`: the legacy home of `pad_sequences` (now also in `keras.utils`)."""
from keraslite.preprocessing import sequence as sequence
