"""Tensors as the shim hands them to TF-2-era code: torch tensors that behave as
TensorFlow's eager tensors.

The one mechanism (decided here, for the whole shim): `EagerTensor` is a torch tensor
subclass with `__torch_function__` disabled. What TF-2-era code touches is one -- shim
function results, and the outputs of the outermost `layer(x)` / `model(x)` call once the
shim is imported as `tensorflow` (`graph/call_context.py`) -- and so is what Python
operators and indexing on it give. It reads like TensorFlow (`x.shape` is a `TensorShape`,
`repr(x)` is `tf.Tensor(...)`, `x.device` is `/job:localhost/.../device:CPU:0`), `x.numpy()`
works whether or not it requires grad, NumPy functions take it (`np.mean(x, axis=0)`), and
lists and arrays go on either side of its operators. torch *functions* on it return plain
tensors, and layer calls inside a model see plain tensors, so the subclass never spreads
into a model's computation; under `torch.compile` results stay plain. Wrapping costs
about one small torch op.
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import dtypes
from keraslite.backend.operands import ArrayOperandsMixin
from keraslite.compat.tensorflow.tensor_shape import TensorShape
from keraslite.graph.keras_tensor import KerasTensor


class DeviceName(str):
    """A tensor's device as TensorFlow names it (`/job:localhost/replica:0/task:0/device:CPU:0`:
    what `str()`, `endswith`, `in` and `==` with a string see) that torch still reads as its
    own device string (`"cpu"`, `"cuda:0"`: the string's contents), with `torch.device`'s
    `type` and `index`."""

    def __new__(cls, device: torch.device):
        name = device.type if device.index is None else f"{device.type}:{device.index}"
        text = super().__new__(cls, name)
        kind = {"cuda": "GPU", "cpu": "CPU"}.get(device.type, device.type.upper())
        text._tf_name = f"/job:localhost/replica:0/task:0/device:{kind}:{device.index or 0}"
        text._device = device
        return text

    type = property(lambda self: self._device.type)
    index = property(lambda self: self._device.index)

    def __str__(self) -> str:
        return self._tf_name

    def __repr__(self) -> str:
        return repr(self._tf_name)

    def __format__(self, spec) -> str:
        return format(self._tf_name, spec)

    def endswith(self, suffix, *args) -> bool:
        return self._tf_name.endswith(suffix, *args)

    def startswith(self, prefix, *args) -> bool:
        return self._tf_name.startswith(prefix, *args)

    def __contains__(self, part) -> bool:
        return part in self._tf_name

    def __eq__(self, other) -> bool:
        if isinstance(other, torch.device):
            return self._device == other
        return str.__eq__(self, other) or self._tf_name == other

    __hash__ = str.__hash__


class EagerTensor(ArrayOperandsMixin, torch.Tensor):
    """A torch tensor that reads like a TensorFlow eager tensor: `.numpy()` whether or not
    it requires grad, NumPy functions on it, lists and arrays as operands, and operators and
    indexing that hand back eager tensors."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    @property
    def device(self) -> DeviceName:
        return DeviceName(torch.Tensor.device.__get__(self))

    def __getitem__(self, index):
        return wrap(tf_getitem(self, index))

    def __iter__(self):
        """Rows as eager tensors (`for row in t`, `list(t)`, matplotlib reading a sequence):
        torch's iteration gives plain tensors, which refuse `.numpy()` while they require
        grad."""
        if self.ndim == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        return iter([row.as_subclass(EagerTensor) for row in torch.Tensor.unbind(self, 0)])

    def __array__(self, dtype=None, copy=None):
        """The values as an ndarray (0-d too: `np.asarray([t0, t1])`, `plt.plot(list_of_t)`),
        taking NumPy 2's `dtype` and `copy` arguments."""
        array = torch.Tensor.numpy(torch.Tensor.cpu(torch.Tensor.detach(self).as_subclass(torch.Tensor)))
        if dtype is not None and array.dtype != dtype:
            return array.astype(dtype)
        return array.copy() if copy else array

    def __format__(self, spec: str) -> str:
        # `"{:4.1f}%".format(100 * p)`: a tensor formats as its NumPy value does.
        return format(self.numpy() if self.ndim else self.numpy().item(), spec)

    # TensorFlow's tensors are immutable: `x += y` binds a new tensor (torch would update
    # `x` in place, which fails on a watched input that requires grad).
    def __iadd__(self, other):
        return self + other

    def __isub__(self, other):
        return self - other

    def __imul__(self, other):
        return self * other

    def __itruediv__(self, other):
        return self / other

    def __neg__(self):
        return wrap(torch.Tensor.__neg__(self))

    def __abs__(self):
        return wrap(torch.Tensor.__abs__(self))

    @property
    def shape(self) -> TensorShape:
        return TensorShape(self.size())

    def get_shape(self) -> TensorShape:
        return self.shape

    def numpy(self):
        """The values as NumPy: an array, or a NumPy scalar for a 0-d tensor (hashable, as
        TensorFlow's `.numpy()` gives: `index_word[tf.argmax(p).numpy()]`)."""
        tensor = torch.Tensor.detach(self)
        array = torch.Tensor.numpy(torch.Tensor.cpu(tensor.as_subclass(torch.Tensor)))
        return array[()] if array.ndim == 0 else array

    def __repr__(self, *, tensor_contents=None) -> str:
        values = np.array2string(self.numpy(), separator=" ", threshold=1000)
        return (
            f"tf.Tensor(\n{values}, shape={self.shape}, dtype={dtypes.standardize_dtype(self.dtype)})"
            if self.ndim > 1
            else f"tf.Tensor({values}, shape={self.shape}, dtype={dtypes.standardize_dtype(self.dtype)})"
        )


def _consumed_dims(item, ndim_left: int) -> int:
    if item is None:
        return 0
    if item is Ellipsis:
        return ndim_left
    if isinstance(item, (torch.Tensor, np.ndarray)) and item.dtype in (torch.bool, np.bool_):
        return item.ndim
    return 1


def tf_getitem(tensor: torch.Tensor, index):
    """`tensor[index]` as TensorFlow and NumPy index, negative slice steps included
    (`t[::-1]`, `t[5:1:-2]`), which torch refuses: each such axis is flipped and its slice
    rewritten as the positive-step slice that picks the same elements in the same order."""
    items = index if isinstance(index, tuple) else (index,)
    if not any(isinstance(i, slice) and i.step is not None and i.step < 0 for i in items):
        return torch.Tensor.__getitem__(tensor, index)
    explicit = sum(_consumed_dims(i, 0) for i in items if i is not Ellipsis)
    flips, rewritten, dim = [], [], 0
    for item in items:
        if isinstance(item, slice) and item.step is not None and item.step < 0:
            size = tensor.shape[dim]
            picked = range(*item.indices(size))
            step = -item.step
            first = size - 1 - picked.start if len(picked) else 0
            flips.append(dim)
            item = slice(first, first + step * len(picked) if len(picked) else 0, step)
        rewritten.append(item)
        dim += _consumed_dims(item, tensor.ndim - explicit)
    flipped = torch.flip(tensor.as_subclass(torch.Tensor), flips)
    return torch.Tensor.__getitem__(flipped, tuple(rewritten))


class _TensorMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, (torch.Tensor, KerasTensor))

    def __subclasscheck__(cls, subclass) -> bool:
        return issubclass(subclass, (torch.Tensor, KerasTensor))


class Tensor(metaclass=_TensorMeta):
    """`tf.Tensor`, for `isinstance` checks: any torch tensor or KerasTensor is one."""

    def __new__(cls, *args, **kwargs):
        raise TypeError("tf.Tensor cannot be created directly; use tf.constant(value) or tf.convert_to_tensor(value).")


def wrap(value):
    """Results of shim functions (and of operators on `EagerTensor`s): plain torch tensors
    become `EagerTensor`s."""
    if type(value) is torch.Tensor:
        if torch.compiler.is_compiling():
            return value
        return value.as_subclass(EagerTensor)
    if type(value) in (list, tuple):
        return type(value)(wrap(v) for v in value)
    return value


def wrap_outputs(outputs):
    """What a TF-2-era script gets from an outermost `layer(x)` / `model(x)`: its tensors as
    `EagerTensor`s (in lists, tuples and dicts), masks kept."""
    if type(outputs) is torch.Tensor:
        if torch.compiler.is_compiling():
            return outputs
        wrapped = outputs.as_subclass(EagerTensor)
        mask = getattr(outputs, "_keras_mask", None)
        if mask is not None:
            wrapped._keras_mask = mask
        return wrapped
    if type(outputs) in (list, tuple):
        return type(outputs)(wrap_outputs(v) for v in outputs)
    if type(outputs) is dict:
        return {k: wrap_outputs(v) for k, v in outputs.items()}
    return outputs


EagerTensor._operator_result = staticmethod(wrap)
