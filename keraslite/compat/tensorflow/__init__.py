"""The TensorFlow shim: what `import tensorflow as tf` gives under `keraslite run`.

`tf.keras` is keraslite; dtypes, `tf.TensorShape`, the tensor functions tutorials call
inside layers (`tf.matmul`, `tf.zeros`, `tf.stack`, `tf.reduce_*`, `tf.nn.*`, ...) and
`tf.GradientTape` work on torch tensors (and on KerasTensors, recording op nodes). Any
other name raises an error naming the `keras.ops` equivalent.

Importing the shim makes symbolic shapes and dtypes print as TensorFlow printed them
(`TensorShape([None, 784])`, `tf.float32`).
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import sys

import torch

import keraslite as keras  # (tf.keras)
from keraslite.compat.aliases import aliases_installed
from keraslite.compat.tensorflow import audio as audio
from keraslite.compat.tensorflow import compat as compat
from keraslite.compat.tensorflow import config as config
from keraslite.compat.tensorflow import data as data
from keraslite.compat.tensorflow import debugging as debugging
from keraslite.compat.tensorflow import distribute as distribute
from keraslite.compat.tensorflow import dtypes as dtypes
from keraslite.compat.tensorflow import errors as errors
from keraslite.compat.tensorflow import feature_column as feature_column
from keraslite.compat.tensorflow import image as image
from keraslite.compat.tensorflow import io as io
from keraslite.compat.tensorflow import linalg as linalg
from keraslite.compat.tensorflow import math as math
from keraslite.compat.tensorflow import nn as nn
from keraslite.compat.tensorflow import random as random
from keraslite.compat.tensorflow import saved_model as saved_model
from keraslite.compat.tensorflow import signal as signal
from keraslite.compat.tensorflow import sparse as sparse
from keraslite.compat.tensorflow import strings as strings
from keraslite.compat.tensorflow import summary as summary
from keraslite.compat.tensorflow import test as test
from keraslite.compat.tensorflow import train as train
from keraslite.compat.tensorflow import version as version
from keraslite.compat.tensorflow.array_ops import *  # noqa: F401,F403  (tf.zeros, tf.stack, ...)
from keraslite.compat.tensorflow.array_ops import range as range  # noqa: A004
from keraslite.compat.tensorflow.dtypes import DType as DType
from keraslite.compat.tensorflow.dtypes import as_dtype as as_dtype
from keraslite.compat.tensorflow.dtypes import (  # noqa: F401
    bfloat16,
    bool,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
)
from keraslite.compat.tensorflow.eager import Tensor as Tensor
from keraslite.compat.tensorflow.eager import wrap as _wrap
from keraslite.compat.tensorflow.eager import wrap_outputs as _wrap_outputs
from keraslite.compat.tensorflow.function import TensorSpec as TensorSpec
from keraslite.compat.tensorflow.function import autograph as autograph
from keraslite.compat.tensorflow.function import function as function
from keraslite.compat.tensorflow.gradient_tape import GradientTape as GradientTape
from keraslite.compat.tensorflow.gradient_tape import UnconnectedGradients as UnconnectedGradients
from keraslite.compat.tensorflow.math_ops import *  # noqa: F401,F403  (tf.reduce_sum, tf.square, ...)
from keraslite.compat.tensorflow.missing import module_getattr as _module_getattr
from keraslite.compat.tensorflow.module import Module as Module
from keraslite.compat.tensorflow.sparse import SparseTensor as SparseTensor
from keraslite.compat.tensorflow.tensor_array import TensorArray as TensorArray
from keraslite.compat.tensorflow.tensor_shape import TensorShape as TensorShape
from keraslite.compat.tensorflow.variables import Variable as Variable
from keraslite.graph import call_context as _call_context
from keraslite.graph import display as _display
from keraslite.ops.dispatch import to_tensor as _to_tensor

__version__ = version.VERSION  # the tf.keras API generation the shim follows (Keras 3 behind tf.keras)
VERSION = __version__
newaxis = None

# TensorFlow 2's short names for Keras namespaces, and TF1-style initializer names.
losses = keras.losses
metrics = keras.metrics
optimizers = keras.optimizers
initializers = keras.initializers
random_normal_initializer = keras.initializers.RandomNormal
random_uniform_initializer = keras.initializers.RandomUniform
truncated_normal_initializer = keras.initializers.TruncatedNormal
constant_initializer = keras.initializers.Constant
zeros_initializer = keras.initializers.Zeros
ones_initializer = keras.initializers.Ones
glorot_uniform_initializer = keras.initializers.GlorotUniform
glorot_normal_initializer = keras.initializers.GlorotNormal
variance_scaling_initializer = keras.initializers.VarianceScaling


def _on_alias_import() -> None:
    """Process-wide settings of the shim, applied when it is imported as `tensorflow`."""
    _display.set_display_types(TensorShape, DType)
    # What `model(x)` returns to TF-2-era code behaves as TensorFlow's eager tensors.
    _call_context.set_outermost_output_wrapper(_wrap_outputs)
    # `tf.keras.layers.experimental.preprocessing.X` is read as an attribute path, which
    # exists once the alias module has been imported under its TensorFlow name.
    if aliases_installed():
        importlib.import_module("tensorflow.keras.layers.experimental")


_display.set_display_types(TensorShape, DType)
__getattr__ = _module_getattr("tf")


def py_function(func, inp, Tout, name=None):  # noqa: N803
    """`tf.py_function`: calls `func(*inp)` (everything runs eagerly here)."""
    return func(*inp)


def numpy_function(func, inp, Tout, stateful=True, name=None):  # noqa: N803
    """`tf.numpy_function`: calls `func` on the inputs' NumPy values."""
    values = [v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else v for v in inp]
    return func(*values)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """`tf.cond`: on a concrete predicate, the branch it selects; on symbolic tensors,
    `keras.ops.cond`."""
    return keras.ops.cond(pred, true_fn, false_fn)


def group(*inputs, name=None):
    """`tf.group`: nothing to wait for in eager code."""
    return None


def complex(real, imag, name=None):  # noqa: A001
    return _wrap(torch.complex(_to_tensor(real), _to_tensor(imag)))


def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    return _wrap(keras.ops.repeat(input, repeats, axis=axis))


def print(*inputs, output_stream=sys.stderr, summarize=None, sep=" ", end="\n", name=None):  # noqa: A001
    """`tf.print`: values printed in full (tensors as their values)."""

    def show(value):
        if isinstance(value, torch.Tensor):
            return str(value.detach().cpu().numpy())
        return str(value)

    stream = output_stream if hasattr(output_stream, "write") else sys.stderr
    builtins.print(*[show(v) for v in inputs], sep=sep, end=end, file=stream)


def no_op(name=None):
    """`tf.no_op`: does nothing."""
    return None


def device(device_name):
    """`with tf.device(...)`: accepted; placement follows `keras.backend.get_device()`."""
    return contextlib.nullcontext()
