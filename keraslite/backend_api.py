"""`keras.backend`, the public face (as Keras's `keras.api.backend` beside `keras.src.backend`).

`keraslite/backend/` is the package's lowest layer (process state, dtypes, Variable) and
cannot import `keras.ops`, which the tf.keras 2 backend functions (`K.mean`, `K.variable`,
`K.batch_dot`, ...) need. So the name users import, `keraslite.backend` as an attribute,
`keras.backend`, `tensorflow.keras.backend` and `tf_keras.backend` (see
`compat/aliases.py`), is this module: it re-exports the internal package's public names and
the functions of `legacy/backend.py`. Package code keeps importing the internal submodules
(`from keraslite.backend.state import floatx`); an attribute this face lacks is looked up
among those submodules, so `keraslite.backend.state` still resolves.
"""

import importlib as _importlib

from keraslite.backend.dtype_promotion import result_type as result_type
from keraslite.backend.dtypes import is_float_dtype as is_float_dtype
from keraslite.backend.dtypes import is_int_dtype as is_int_dtype
from keraslite.backend.dtypes import is_keras_tensor as is_keras_tensor
from keraslite.backend.dtypes import standardize_dtype as standardize_dtype
from keraslite.backend.name_scope import name_scope as name_scope
from keraslite.backend.state import backend as backend
from keraslite.backend.state import clear_session as clear_session
from keraslite.backend.state import epsilon as epsilon
from keraslite.backend.state import floatx as floatx
from keraslite.backend.state import get_device as get_device
from keraslite.backend.state import get_uid as get_uid
from keraslite.backend.state import image_data_format as image_data_format
from keraslite.backend.state import set_device as set_device
from keraslite.backend.state import set_epsilon as set_epsilon
from keraslite.backend.state import set_floatx as set_floatx
from keraslite.backend.state import set_image_data_format as set_image_data_format
from keraslite.backend.variable import Variable as Variable
from keraslite.legacy.backend import abs as abs
from keraslite.legacy.backend import all as all
from keraslite.legacy.backend import any as any
from keraslite.legacy.backend import arange as arange
from keraslite.legacy.backend import argmax as argmax
from keraslite.legacy.backend import argmin as argmin
from keraslite.legacy.backend import batch_dot as batch_dot
from keraslite.legacy.backend import batch_flatten as batch_flatten
from keraslite.legacy.backend import batch_get_value as batch_get_value
from keraslite.legacy.backend import batch_set_value as batch_set_value
from keraslite.legacy.backend import bias_add as bias_add
from keraslite.legacy.backend import cast as cast
from keraslite.legacy.backend import cast_to_floatx as cast_to_floatx
from keraslite.legacy.backend import clip as clip
from keraslite.legacy.backend import concatenate as concatenate
from keraslite.legacy.backend import constant as constant
from keraslite.legacy.backend import cos as cos
from keraslite.legacy.backend import count_params as count_params
from keraslite.legacy.backend import cumprod as cumprod
from keraslite.legacy.backend import cumsum as cumsum
from keraslite.legacy.backend import dot as dot
from keraslite.legacy.backend import dtype as dtype
from keraslite.legacy.backend import equal as equal
from keraslite.legacy.backend import eval as eval
from keraslite.legacy.backend import exp as exp
from keraslite.legacy.backend import expand_dims as expand_dims
from keraslite.legacy.backend import eye as eye
from keraslite.legacy.backend import flatten as flatten
from keraslite.legacy.backend import function as function
from keraslite.legacy.backend import gather as gather
from keraslite.legacy.backend import get_value as get_value
from keraslite.legacy.backend import gradients as gradients
from keraslite.legacy.backend import greater as greater
from keraslite.legacy.backend import greater_equal as greater_equal
from keraslite.legacy.backend import in_test_phase as in_test_phase
from keraslite.legacy.backend import in_train_phase as in_train_phase
from keraslite.legacy.backend import int_shape as int_shape
from keraslite.legacy.backend import is_sparse as is_sparse
from keraslite.legacy.backend import l2_normalize as l2_normalize
from keraslite.legacy.backend import learning_phase as learning_phase
from keraslite.legacy.backend import learning_phase_scope as learning_phase_scope
from keraslite.legacy.backend import less as less
from keraslite.legacy.backend import less_equal as less_equal
from keraslite.legacy.backend import log as log
from keraslite.legacy.backend import manual_variable_initialization as manual_variable_initialization
from keraslite.legacy.backend import max as max
from keraslite.legacy.backend import maximum as maximum
from keraslite.legacy.backend import mean as mean
from keraslite.legacy.backend import min as min
from keraslite.legacy.backend import minimum as minimum
from keraslite.legacy.backend import moving_average_update as moving_average_update
from keraslite.legacy.backend import ndim as ndim
from keraslite.legacy.backend import not_equal as not_equal
from keraslite.legacy.backend import one_hot as one_hot
from keraslite.legacy.backend import ones as ones
from keraslite.legacy.backend import ones_like as ones_like
from keraslite.legacy.backend import permute_dimensions as permute_dimensions
from keraslite.legacy.backend import placeholder as placeholder
from keraslite.legacy.backend import pow as pow
from keraslite.legacy.backend import print_tensor as print_tensor
from keraslite.legacy.backend import prod as prod
from keraslite.legacy.backend import random_bernoulli as random_bernoulli
from keraslite.legacy.backend import random_binomial as random_binomial
from keraslite.legacy.backend import random_normal as random_normal
from keraslite.legacy.backend import random_normal_variable as random_normal_variable
from keraslite.legacy.backend import random_uniform as random_uniform
from keraslite.legacy.backend import random_uniform_variable as random_uniform_variable
from keraslite.legacy.backend import repeat as repeat
from keraslite.legacy.backend import repeat_elements as repeat_elements
from keraslite.legacy.backend import reset_uids as reset_uids
from keraslite.legacy.backend import reshape as reshape
from keraslite.legacy.backend import reverse as reverse
from keraslite.legacy.backend import round as round
from keraslite.legacy.backend import set_learning_phase as set_learning_phase
from keraslite.legacy.backend import set_value as set_value
from keraslite.legacy.backend import shape as shape
from keraslite.legacy.backend import sign as sign
from keraslite.legacy.backend import sin as sin
from keraslite.legacy.backend import sqrt as sqrt
from keraslite.legacy.backend import square as square
from keraslite.legacy.backend import squeeze as squeeze
from keraslite.legacy.backend import stack as stack
from keraslite.legacy.backend import std as std
from keraslite.legacy.backend import stop_gradient as stop_gradient
from keraslite.legacy.backend import sum as sum
from keraslite.legacy.backend import switch as switch
from keraslite.legacy.backend import tile as tile
from keraslite.legacy.backend import to_dense as to_dense
from keraslite.legacy.backend import transpose as transpose
from keraslite.legacy.backend import truncated_normal as truncated_normal
from keraslite.legacy.backend import update as update
from keraslite.legacy.backend import update_add as update_add
from keraslite.legacy.backend import update_sub as update_sub
from keraslite.legacy.backend import var as var
from keraslite.legacy.backend import variable as variable
from keraslite.legacy.backend import zeros as zeros
from keraslite.legacy.backend import zeros_like as zeros_like

# The tf.keras 2 functions.
from keraslite.legacy.backend_nn import batch_normalization as batch_normalization
from keraslite.legacy.backend_nn import binary_crossentropy as binary_crossentropy
from keraslite.legacy.backend_nn import categorical_crossentropy as categorical_crossentropy
from keraslite.legacy.backend_nn import conv1d as conv1d
from keraslite.legacy.backend_nn import conv2d as conv2d
from keraslite.legacy.backend_nn import ctc_batch_cost as ctc_batch_cost
from keraslite.legacy.backend_nn import ctc_decode as ctc_decode
from keraslite.legacy.backend_nn import depthwise_conv2d as depthwise_conv2d
from keraslite.legacy.backend_nn import dropout as dropout
from keraslite.legacy.backend_nn import elu as elu
from keraslite.legacy.backend_nn import foldl as foldl
from keraslite.legacy.backend_nn import foldr as foldr
from keraslite.legacy.backend_nn import hard_sigmoid as hard_sigmoid
from keraslite.legacy.backend_nn import in_top_k as in_top_k
from keraslite.legacy.backend_nn import map_fn as map_fn
from keraslite.legacy.backend_nn import pool2d as pool2d
from keraslite.legacy.backend_nn import relu as relu
from keraslite.legacy.backend_nn import resize_images as resize_images
from keraslite.legacy.backend_nn import separable_conv2d as separable_conv2d
from keraslite.legacy.backend_nn import sigmoid as sigmoid
from keraslite.legacy.backend_nn import softmax as softmax
from keraslite.legacy.backend_nn import softplus as softplus
from keraslite.legacy.backend_nn import softsign as softsign
from keraslite.legacy.backend_nn import sparse_categorical_crossentropy as sparse_categorical_crossentropy
from keraslite.legacy.backend_nn import spatial_2d_padding as spatial_2d_padding
from keraslite.legacy.backend_nn import tanh as tanh
from keraslite.legacy.backend_nn import temporal_padding as temporal_padding


def __getattr__(name):
    # `keraslite.backend.state` and the like: the internal submodules, for code (and
    # `monkeypatch`) that reaches them by attribute through `keraslite.backend`.
    try:
        return _importlib.import_module(f"keraslite.backend.{name}")
    except ModuleNotFoundError:
        raise AttributeError(f"module 'keras.backend' has no attribute {name!r}") from None
