"""`keras.preprocessing.text` (tf.keras 2): `Tokenizer` and the word-sequence helpers."""

from keraslite.legacy.preprocessing.text import Tokenizer as Tokenizer
from keraslite.legacy.preprocessing.text import hashing_trick as hashing_trick
from keraslite.legacy.preprocessing.text import one_hot as one_hot
from keraslite.legacy.preprocessing.text import text_to_word_sequence as text_to_word_sequence
from keraslite.legacy.preprocessing.text import tokenizer_from_json as tokenizer_from_json
