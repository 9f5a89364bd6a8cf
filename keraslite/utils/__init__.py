"""`keras.utils`."""
from keraslite.utils.archive_utils import extract_archive as extract_archive
from keraslite.utils.archive_utils import hash_file as hash_file
from keraslite.utils.archive_utils import validate_file as validate_file
from keraslite.utils.file_utils import get_file as get_file
from keraslite.utils.numerical_utils import normalize as normalize
from keraslite.utils.numerical_utils import to_categorical as to_categorical
from keraslite.utils.sequence_utils import pad_sequences as pad_sequences
