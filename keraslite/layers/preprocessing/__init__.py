"""Preprocessing layers (usable inside models): numeric, image, augmentation, text and
categorical. Text layers take Python lists / NumPy arrays of str (torch has no strings)."""

from keraslite.layers.preprocessing.audio import MelSpectrogram as MelSpectrogram
from keraslite.layers.preprocessing.audio import STFTSpectrogram as STFTSpectrogram
from keraslite.layers.preprocessing.categorical import CategoryEncoding as CategoryEncoding
from keraslite.layers.preprocessing.categorical import Discretization as Discretization
from keraslite.layers.preprocessing.categorical import Hashing as Hashing
from keraslite.layers.preprocessing.hashed_crossing import HashedCrossing as HashedCrossing
from keraslite.layers.preprocessing.image import CenterCrop as CenterCrop
from keraslite.layers.preprocessing.image import Rescaling as Rescaling
from keraslite.layers.preprocessing.image import Resizing as Resizing
from keraslite.layers.preprocessing.lookup import IntegerLookup as IntegerLookup
from keraslite.layers.preprocessing.lookup import StringLookup as StringLookup
from keraslite.layers.preprocessing.normalization import Normalization as Normalization
from keraslite.layers.preprocessing.random_color import RandomBrightness as RandomBrightness
from keraslite.layers.preprocessing.random_color import RandomContrast as RandomContrast
from keraslite.layers.preprocessing.random_geometric import RandomCrop as RandomCrop
from keraslite.layers.preprocessing.random_geometric import RandomFlip as RandomFlip
from keraslite.layers.preprocessing.random_geometric import RandomRotation as RandomRotation
from keraslite.layers.preprocessing.random_geometric import RandomTranslation as RandomTranslation
from keraslite.layers.preprocessing.random_geometric import RandomZoom as RandomZoom
from keraslite.layers.preprocessing.text_vectorization import TextVectorization as TextVectorization
