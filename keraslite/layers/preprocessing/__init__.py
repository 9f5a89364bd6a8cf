"""Preprocessing layers (usable inside models): numeric, image, augmentation, text and
categorical. Text layers take Python lists / NumPy arrays of str (torch has no strings)."""

from keraslite.layers.preprocessing.audio import MelSpectrogram as MelSpectrogram
from keraslite.layers.preprocessing.audio import STFTSpectrogram as STFTSpectrogram
from keraslite.layers.preprocessing.bounding_boxes import MaxNumBoundingBoxes as MaxNumBoundingBoxes
from keraslite.layers.preprocessing.categorical import CategoryEncoding as CategoryEncoding
from keraslite.layers.preprocessing.categorical import Discretization as Discretization
from keraslite.layers.preprocessing.categorical import Hashing as Hashing
from keraslite.layers.preprocessing.hashed_crossing import HashedCrossing as HashedCrossing
from keraslite.layers.preprocessing.image import CenterCrop as CenterCrop
from keraslite.layers.preprocessing.image import Rescaling as Rescaling
from keraslite.layers.preprocessing.image import Resizing as Resizing
from keraslite.layers.preprocessing.lookup import IntegerLookup as IntegerLookup
from keraslite.layers.preprocessing.lookup import StringLookup as StringLookup
from keraslite.layers.preprocessing.mixing import CutMix as CutMix
from keraslite.layers.preprocessing.mixing import MixUp as MixUp
from keraslite.layers.preprocessing.normalization import Normalization as Normalization
from keraslite.layers.preprocessing.pipeline import Pipeline as Pipeline
from keraslite.layers.preprocessing.policies import AugMix as AugMix
from keraslite.layers.preprocessing.policies import RandAugment as RandAugment
from keraslite.layers.preprocessing.random_color import RandomBrightness as RandomBrightness
from keraslite.layers.preprocessing.random_color import RandomColorDegeneration as RandomColorDegeneration
from keraslite.layers.preprocessing.random_color import RandomContrast as RandomContrast
from keraslite.layers.preprocessing.random_color import RandomGrayscale as RandomGrayscale
from keraslite.layers.preprocessing.random_erasing import RandomErasing as RandomErasing
from keraslite.layers.preprocessing.random_filters import RandomGaussianBlur as RandomGaussianBlur
from keraslite.layers.preprocessing.random_filters import RandomSharpness as RandomSharpness
from keraslite.layers.preprocessing.random_geometric import RandomCrop as RandomCrop
from keraslite.layers.preprocessing.random_geometric import RandomFlip as RandomFlip
from keraslite.layers.preprocessing.random_geometric import RandomRotation as RandomRotation
from keraslite.layers.preprocessing.random_geometric import RandomTranslation as RandomTranslation
from keraslite.layers.preprocessing.random_geometric import RandomZoom as RandomZoom
from keraslite.layers.preprocessing.random_hsv import RandomColorJitter as RandomColorJitter
from keraslite.layers.preprocessing.random_hsv import RandomHue as RandomHue
from keraslite.layers.preprocessing.random_hsv import RandomSaturation as RandomSaturation
from keraslite.layers.preprocessing.random_warp import RandomElasticTransform as RandomElasticTransform
from keraslite.layers.preprocessing.random_warp import RandomPerspective as RandomPerspective
from keraslite.layers.preprocessing.random_warp import RandomShear as RandomShear
from keraslite.layers.preprocessing.text_vectorization import TextVectorization as TextVectorization
from keraslite.layers.preprocessing.tone_mapping import AutoContrast as AutoContrast
from keraslite.layers.preprocessing.tone_mapping import (
    ContrastLimitedAdaptiveHistogramEqualization as ContrastLimitedAdaptiveHistogramEqualization,
)
from keraslite.layers.preprocessing.tone_mapping import Equalization as Equalization
from keraslite.layers.preprocessing.tone_mapping import RandomInvert as RandomInvert
from keraslite.layers.preprocessing.tone_mapping import RandomPosterization as RandomPosterization
from keraslite.layers.preprocessing.tone_mapping import Solarization as Solarization
