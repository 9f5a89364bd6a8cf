"""`Loss`: the base of Keras losses, with Keras 3's reductions and sample weighting."""

from __future__ import annotations

import functools

import numpy as np
import torch

from keraslite.backend import dtypes, state
from keraslite.graph import call_context
from keraslite.mixed_precision.policy import DTypePolicy

REDUCTIONS = ("sum", "sum_over_batch_size", "mean", "mean_with_sample_weight", "none", None)


class Reduction:
    """tf.keras 2's names of the reductions (`tf.keras.losses.Reduction.NONE` ...), for code
    of that era; Keras 3 takes the strings. `AUTO` meant `"sum_over_batch_size"`."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def standardize_reduction(reduction):
    if reduction == Reduction.AUTO:
        return "sum_over_batch_size"  # tf.keras 2's default
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {REDUCTIONS}. Received: reduction={reduction!r}"
        )
    return reduction


def compute_dtype_name(dtype) -> str | None:
    """A dtype, or a dtype policy (object or name such as `"mixed_float16"`), -> the dtype
    name computations use (a policy's `compute_dtype`), as Keras reads a loss's or metric's dtype."""
    if dtype is None:
        return None
    if hasattr(dtype, "compute_dtype"):
        return dtypes.standardize_dtype(dtype.compute_dtype)
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        return DTypePolicy(dtype).compute_dtype
    return dtypes.standardize_dtype(dtype)


def to_tensor(value, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Arrays, lists and numbers -> a tensor (on the default device); `dtype` if given."""
    if isinstance(value, torch.Tensor) and (dtype is None or value.dtype == dtype):
        return value  # the training step's case: nothing to do
    if not isinstance(value, torch.Tensor):
        array = np.asarray(value)
        value = torch.from_numpy(np.ascontiguousarray(array)).to(state.get_device())
    if dtype is not None and value.dtype != dtype:
        value = value.to(dtype)
    return value


def squeeze_or_expand_to_same_rank(x1: torch.Tensor, x2: torch.Tensor, expand_rank_1: bool = True):
    """Make ranks equal when they differ by one trailing unit dimension, as Keras does
    (labels `(n,)` against predictions `(n, 1)`)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            return x1, x2.unsqueeze(-1)
        return x1.squeeze(-1), x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            return x1.unsqueeze(-1), x2
        return x1, x2.squeeze(-1)
    return x1, x2


def reduce_values(values: torch.Tensor, sample_weight=None, reduction="sum_over_batch_size") -> torch.Tensor:
    if reduction is None or reduction == "none" or values.ndim == 0 or tuple(values.shape) == (0,):
        return values
    if reduction in ("sum_over_batch_size", "mean") and values.numel():
        return values.mean()  # == sum / number of elements, in one kernel
    loss = values.sum()
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = sample_weight.sum().to(loss.dtype)
        else:
            divisor = values.numel()
        # divide_no_nan: an empty batch gives 0, not NaN.
        if isinstance(divisor, torch.Tensor):
            loss = torch.where(divisor == 0, torch.zeros_like(loss), loss / divisor)
        else:
            loss = loss / divisor if divisor else torch.zeros_like(loss)
    return loss


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size"):
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, values.dtype)
    if mask is not None:
        mask = mask.to(values.dtype)
        if reduction in ("mean", "sum_over_batch_size"):
            valid = mask.sum()
            mask = mask * torch.where(valid == 0, torch.zeros_like(valid), mask.numel() / valid)
        if sample_weight is not None:
            mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
            sample_weight = sample_weight * mask
        else:
            sample_weight = mask
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def user_facing(function):
    """A loss function as `keras.losses.<name>` hands it out: called by user code (not
    inside a layer's call) its result is what the caller's dialect hands out (under the
    TensorFlow shim, an eager tensor that NumPy reductions take: `np.mean(losses.mae(a, b))`).
    The losses and metrics built on it call the function itself (`per_sample_function`), so
    training steps pay nothing for this."""

    @functools.wraps(function)
    def called_by_user(*args, **kwargs):
        return call_context.wrap_outermost_outputs(function(*args, **kwargs))

    called_by_user._keras_per_sample_function = function
    return called_by_user


def per_sample_function(function):
    """The function a `user_facing` loss function wraps (any other function as it is)."""
    return getattr(function, "_keras_per_sample_function", function)


# Loss functions whose targets are integer class labels (functions.py lists them): their
# integer targets are not cast to the loss dtype and back (see `Loss.__call__`).
INTEGER_LABEL_FUNCTIONS: list = []


class Loss:
    """Base class of losses: `loss(y_true, y_pred, sample_weight=None)` -> a scalar
    (or per-sample values with `reduction=None`/`"none"`).

    Args:
        name: name of the loss (used in metric names and configs).
        reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`,
            `"mean_with_sample_weight"`, `"none"` or `None`.
        dtype: dtype of the computation (default `floatx()`).

    Subclasses implement `call(y_true, y_pred)` returning per-sample values.
    """

    _integer_labels = False  # whether `call` takes integer class labels (see `__call__`)

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None):
        self.name = name or state.to_snake_case(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype_name = compute_dtype_name(dtype)

    @property
    def dtype(self) -> str:
        return self._dtype_name or state.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        torch_dtype = dtypes.to_torch_dtype(self._dtype_name or state.floatx())
        y_pred = to_tensor(y_pred, torch_dtype)
        if not (isinstance(y_true, torch.Tensor) and self._integer_labels and not y_true.is_floating_point()):
            y_true = to_tensor(y_true, torch_dtype)
        # else: integer labels of a sparse loss stay integers. Keras casts them to the loss
        # dtype and the loss casts them back: two kernels per batch for the same labels
        # (exact for every label below 2**24).
        in_mask = getattr(y_pred, "_keras_mask", None)
        losses = self.call(y_true, y_pred)
        out_mask = getattr(losses, "_keras_mask", None)
        mask = out_mask if in_mask is None else in_mask if out_mask is None else in_mask & out_mask
        reduced = reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask, reduction=self.reduction)
        # Called by the user (not inside a layer's call): what the caller's dialect hands out.
        return call_context.wrap_outermost_outputs(reduced)

    def call(self, y_true, y_pred):
        raise NotImplementedError(f"Loss {type(self).__name__} must implement `call(y_true, y_pred)`.")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A `Loss` made from a function `fn(y_true, y_pred, **kwargs)` returning per-sample values."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._per_sample_fn = per_sample_function(fn)
        self._fn_kwargs = kwargs
        self._integer_labels = any(self._per_sample_fn is per_sample_function(f) for f in INTEGER_LABEL_FUNCTIONS)

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self._per_sample_fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        if cls is LossFunctionWrapper:
            raise TypeError("LossFunctionWrapper cannot be rebuilt from a config without its function.")
        return cls(**config)
