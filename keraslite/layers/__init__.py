"""`keras.layers`: every layer class, re-exported from the module that defines it."""

from keraslite.graph.input_spec import InputSpec as InputSpec
from keraslite.layers.activation_layers import ELU as ELU
from keraslite.layers.activation_layers import LeakyReLU as LeakyReLU
from keraslite.layers.activation_layers import PReLU as PReLU
from keraslite.layers.activation_layers import ReLU as ReLU
from keraslite.layers.activation_layers import Softmax as Softmax
from keraslite.layers.attention import AdditiveAttention as AdditiveAttention
from keraslite.layers.attention import Attention as Attention
from keraslite.layers.base_layer import Layer as Layer
from keraslite.layers.conv import Conv1D as Conv1D
from keraslite.layers.conv import Conv1DTranspose as Conv1DTranspose
from keraslite.layers.conv import Conv2D as Conv2D
from keraslite.layers.conv import Conv2DTranspose as Conv2DTranspose
from keraslite.layers.conv import Conv3D as Conv3D
from keraslite.layers.conv import Conv3DTranspose as Conv3DTranspose
from keraslite.layers.conv_depthwise import DepthwiseConv1D as DepthwiseConv1D
from keraslite.layers.conv_depthwise import DepthwiseConv2D as DepthwiseConv2D
from keraslite.layers.conv_depthwise import SeparableConv1D as SeparableConv1D
from keraslite.layers.conv_depthwise import SeparableConv2D as SeparableConv2D
from keraslite.layers.core import Activation as Activation
from keraslite.layers.core import Dense as Dense
from keraslite.layers.core import Dropout as Dropout
from keraslite.layers.core import Embedding as Embedding
from keraslite.layers.core import Identity as Identity
from keraslite.layers.cropping import Cropping1D as Cropping1D
from keraslite.layers.cropping import Cropping2D as Cropping2D
from keraslite.layers.cropping import Cropping3D as Cropping3D
from keraslite.layers.einsum_dense import EinsumDense as EinsumDense
from keraslite.layers.feature_columns import DenseFeatures as DenseFeatures  # tf.keras 2
from keraslite.layers.input_layer import Input as Input
from keraslite.layers.input_layer import InputLayer as InputLayer
from keraslite.layers.jax_and_tf_layers import FlaxLayer as FlaxLayer
from keraslite.layers.jax_and_tf_layers import JaxLayer as JaxLayer
from keraslite.layers.jax_and_tf_layers import TFSMLayer as TFSMLayer
from keraslite.layers.lambda_layer import Lambda as Lambda
from keraslite.layers.layer_serialization import deserialize as deserialize
from keraslite.layers.layer_serialization import serialize as serialize
from keraslite.layers.masking import Masking as Masking
from keraslite.layers.merge import Add as Add
from keraslite.layers.merge import Average as Average
from keraslite.layers.merge import Concatenate as Concatenate
from keraslite.layers.merge import Dot as Dot
from keraslite.layers.merge import Maximum as Maximum
from keraslite.layers.merge import Minimum as Minimum
from keraslite.layers.merge import Multiply as Multiply
from keraslite.layers.merge import Subtract as Subtract
from keraslite.layers.merge import add as add
from keraslite.layers.merge import average as average
from keraslite.layers.merge import concatenate as concatenate
from keraslite.layers.merge import dot as dot
from keraslite.layers.merge import maximum as maximum
from keraslite.layers.merge import minimum as minimum
from keraslite.layers.merge import multiply as multiply
from keraslite.layers.merge import subtract as subtract
from keraslite.layers.multi_head_attention import GroupedQueryAttention as GroupedQueryAttention
from keraslite.layers.multi_head_attention import GroupQueryAttention as GroupQueryAttention
from keraslite.layers.multi_head_attention import MultiHeadAttention as MultiHeadAttention
from keraslite.layers.normalization import BatchNormalization as BatchNormalization
from keraslite.layers.normalization import GroupNormalization as GroupNormalization
from keraslite.layers.normalization import LayerNormalization as LayerNormalization
from keraslite.layers.normalization import RMSNormalization as RMSNormalization
from keraslite.layers.normalization import UnitNormalization as UnitNormalization
from keraslite.layers.pooling import AdaptiveAveragePooling1D as AdaptiveAveragePooling1D
from keraslite.layers.pooling import AdaptiveAveragePooling2D as AdaptiveAveragePooling2D
from keraslite.layers.pooling import AdaptiveAveragePooling3D as AdaptiveAveragePooling3D
from keraslite.layers.pooling import AdaptiveMaxPooling1D as AdaptiveMaxPooling1D
from keraslite.layers.pooling import AdaptiveMaxPooling2D as AdaptiveMaxPooling2D
from keraslite.layers.pooling import AdaptiveMaxPooling3D as AdaptiveMaxPooling3D
from keraslite.layers.pooling import AveragePooling1D as AveragePooling1D
from keraslite.layers.pooling import AveragePooling2D as AveragePooling2D
from keraslite.layers.pooling import AveragePooling3D as AveragePooling3D
from keraslite.layers.pooling import GlobalAveragePooling1D as GlobalAveragePooling1D
from keraslite.layers.pooling import GlobalAveragePooling2D as GlobalAveragePooling2D
from keraslite.layers.pooling import GlobalAveragePooling3D as GlobalAveragePooling3D
from keraslite.layers.pooling import GlobalMaxPooling1D as GlobalMaxPooling1D
from keraslite.layers.pooling import GlobalMaxPooling2D as GlobalMaxPooling2D
from keraslite.layers.pooling import GlobalMaxPooling3D as GlobalMaxPooling3D
from keraslite.layers.pooling import MaxPooling1D as MaxPooling1D
from keraslite.layers.pooling import MaxPooling2D as MaxPooling2D
from keraslite.layers.pooling import MaxPooling3D as MaxPooling3D
from keraslite.layers.preprocessing import AugMix as AugMix
from keraslite.layers.preprocessing import AutoContrast as AutoContrast
from keraslite.layers.preprocessing import CategoryEncoding as CategoryEncoding
from keraslite.layers.preprocessing import CenterCrop as CenterCrop
from keraslite.layers.preprocessing import (
    ContrastLimitedAdaptiveHistogramEqualization as ContrastLimitedAdaptiveHistogramEqualization,
)
from keraslite.layers.preprocessing import CutMix as CutMix
from keraslite.layers.preprocessing import Discretization as Discretization
from keraslite.layers.preprocessing import Equalization as Equalization
from keraslite.layers.preprocessing import HashedCrossing as HashedCrossing
from keraslite.layers.preprocessing import Hashing as Hashing
from keraslite.layers.preprocessing import IntegerLookup as IntegerLookup
from keraslite.layers.preprocessing import MaxNumBoundingBoxes as MaxNumBoundingBoxes
from keraslite.layers.preprocessing import MelSpectrogram as MelSpectrogram
from keraslite.layers.preprocessing import MixUp as MixUp
from keraslite.layers.preprocessing import Normalization as Normalization
from keraslite.layers.preprocessing import Pipeline as Pipeline
from keraslite.layers.preprocessing import RandAugment as RandAugment
from keraslite.layers.preprocessing import RandomBrightness as RandomBrightness
from keraslite.layers.preprocessing import RandomColorDegeneration as RandomColorDegeneration
from keraslite.layers.preprocessing import RandomColorJitter as RandomColorJitter
from keraslite.layers.preprocessing import RandomContrast as RandomContrast
from keraslite.layers.preprocessing import RandomCrop as RandomCrop
from keraslite.layers.preprocessing import RandomElasticTransform as RandomElasticTransform
from keraslite.layers.preprocessing import RandomErasing as RandomErasing
from keraslite.layers.preprocessing import RandomFlip as RandomFlip
from keraslite.layers.preprocessing import RandomGaussianBlur as RandomGaussianBlur
from keraslite.layers.preprocessing import RandomGrayscale as RandomGrayscale
from keraslite.layers.preprocessing import RandomHue as RandomHue
from keraslite.layers.preprocessing import RandomInvert as RandomInvert
from keraslite.layers.preprocessing import RandomPerspective as RandomPerspective
from keraslite.layers.preprocessing import RandomPosterization as RandomPosterization
from keraslite.layers.preprocessing import RandomRotation as RandomRotation
from keraslite.layers.preprocessing import RandomSaturation as RandomSaturation
from keraslite.layers.preprocessing import RandomSharpness as RandomSharpness
from keraslite.layers.preprocessing import RandomShear as RandomShear
from keraslite.layers.preprocessing import RandomTranslation as RandomTranslation
from keraslite.layers.preprocessing import RandomZoom as RandomZoom
from keraslite.layers.preprocessing import Rescaling as Rescaling
from keraslite.layers.preprocessing import Resizing as Resizing
from keraslite.layers.preprocessing import Solarization as Solarization
from keraslite.layers.preprocessing import STFTSpectrogram as STFTSpectrogram
from keraslite.layers.preprocessing import StringLookup as StringLookup
from keraslite.layers.preprocessing import TextVectorization as TextVectorization
from keraslite.layers.recurrent import LSTM as LSTM
from keraslite.layers.recurrent import LSTMCell as LSTMCell
from keraslite.layers.regularization import ActivityRegularization as ActivityRegularization
from keraslite.layers.regularization import AlphaDropout as AlphaDropout
from keraslite.layers.regularization import GaussianDropout as GaussianDropout
from keraslite.layers.regularization import GaussianNoise as GaussianNoise
from keraslite.layers.regularization import SpatialDropout1D as SpatialDropout1D
from keraslite.layers.regularization import SpatialDropout2D as SpatialDropout2D
from keraslite.layers.regularization import SpatialDropout3D as SpatialDropout3D
from keraslite.layers.reshaping import Flatten as Flatten
from keraslite.layers.reshaping import Permute as Permute
from keraslite.layers.reshaping import RepeatVector as RepeatVector
from keraslite.layers.reshaping import Reshape as Reshape
from keraslite.layers.reversible_embedding import ReversibleEmbedding as ReversibleEmbedding
from keraslite.layers.rnn.base import RNN as RNN
from keraslite.layers.rnn.base import StackedRNNCells as StackedRNNCells
from keraslite.layers.rnn.bidirectional import Bidirectional as Bidirectional
from keraslite.layers.rnn.conv_lstm import ConvLSTM1D as ConvLSTM1D
from keraslite.layers.rnn.conv_lstm import ConvLSTM2D as ConvLSTM2D
from keraslite.layers.rnn.conv_lstm import ConvLSTM3D as ConvLSTM3D
from keraslite.layers.rnn.gru import GRU as GRU
from keraslite.layers.rnn.gru import GRUCell as GRUCell
from keraslite.layers.rnn.simple_rnn import SimpleRNN as SimpleRNN
from keraslite.layers.rnn.simple_rnn import SimpleRNNCell as SimpleRNNCell
from keraslite.layers.rnn.time_distributed import TimeDistributed as TimeDistributed
from keraslite.layers.spectral_normalization import SpectralNormalization as SpectralNormalization
from keraslite.layers.torch_module_wrapper import TorchModuleWrapper as TorchModuleWrapper
from keraslite.layers.up_sampling import UpSampling1D as UpSampling1D
from keraslite.layers.up_sampling import UpSampling2D as UpSampling2D
from keraslite.layers.up_sampling import UpSampling3D as UpSampling3D
from keraslite.layers.wrapper import Wrapper as Wrapper
from keraslite.layers.zero_padding import ZeroPadding1D as ZeroPadding1D
from keraslite.layers.zero_padding import ZeroPadding2D as ZeroPadding2D
from keraslite.layers.zero_padding import ZeroPadding3D as ZeroPadding3D

# Keras's aliases.
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
Convolution2DTranspose = Conv2DTranspose
Convolution1DTranspose = Conv1DTranspose
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
