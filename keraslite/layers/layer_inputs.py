"""What a layer or model call receives: shapes of structures, conversion of NumPy/Python
values to torch tensors on the default device (Keras's autocast of floating inputs), and
the rules that match values to a model's inputs (by name, by shape).

The model call (`models/`) and the data adapters of `fit` (`training/`) both use these
rules, so that a value is matched and checked the same way, with the same message,
whichever way it reaches the model."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from keraslite.backend import state, tree


def is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in value)


def map_shape_structure(fn, structure):
    """Apply `fn` to every shape (a tuple of ints/None) in a structure of shapes."""
    if is_shape(structure):
        return fn(tuple(structure))
    if isinstance(structure, dict):
        return {k: map_shape_structure(fn, v) for k, v in structure.items()}
    return type(structure)(map_shape_structure(fn, v) for v in structure)


def flat_shapes(shapes) -> list:
    if is_shape(shapes):
        return [tuple(shapes)]
    if isinstance(shapes, dict):
        shapes = list(shapes.values())
    out = []
    for s in shapes:
        out.extend(flat_shapes(s))
    return out


def with_unknown_batch(shapes):
    """Build shapes seen by `build()` on an eager first call keep the batch size unknown,
    as in Keras, so that the layer accepts any batch size afterwards."""
    return map_shape_structure(lambda s: (None,) + tuple(s[1:]) if len(s) else s, shapes)


def shape_of_constant(value):
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return tuple(value.shape)
    return value


def is_string_array(array) -> bool:
    if not isinstance(array, np.ndarray):
        return False
    if array.dtype.kind in ("U", "S"):
        return True
    return array.dtype == object and array.size > 0 and isinstance(array.flat[0], (str, bytes))


def convert_inputs(inputs, float_dtype=None):
    """NumPy arrays / Python numbers / nested lists of them -> torch tensors on the default
    device; floating values take `float_dtype` (Keras's autocast)."""
    device = state.get_device()

    def convert(value):
        if isinstance(value, torch.Tensor):
            if float_dtype is not None and value.is_floating_point() and value.dtype != float_dtype:
                return value.to(float_dtype)
            return value
        if isinstance(value, (np.ndarray, np.generic, float, int, bool)) or (
            isinstance(value, list) and value and not isinstance(value[0], (torch.Tensor, np.ndarray, list, dict))
        ):
            array = np.asarray(value)
            if is_string_array(array):
                # torch has no string tensors: text reaches text layers as NumPy strings.
                return array
            if array.dtype == object:
                raise TypeError(f"Cannot convert a value of dtype object to a tensor. Received: {value!r}")
            tensor = torch.from_numpy(np.ascontiguousarray(array))
            if tensor.is_floating_point() and float_dtype is not None:
                tensor = tensor.to(float_dtype)
            return tensor.to(device, non_blocking=True)
        return value

    if isinstance(inputs, (list, tuple, dict)):
        if (
            isinstance(inputs, list)
            and inputs
            and not isinstance(inputs[0], (torch.Tensor, np.ndarray, list, tuple, dict))
        ):
            return convert(inputs)
        return tree.map_structure(convert, inputs)
    return convert(inputs)


def warn_unknown_input_keys(data: dict, names: list) -> None:
    """Keras warns (and goes on) when a dict of inputs has keys that name no input."""
    unknown = [k for k in data if k not in names]
    if unknown:
        warnings.warn(
            "The structure of `inputs` doesn't match the expected structure: the inputs have key(s) "
            f"{unknown} that name no input of the model; they are ignored.\n"
            f"Expected: inputs {list(names)}\n"
            f"Received: inputs with keys {list(data)}",
            stacklevel=4,
        )


def select_by_input_name(data: dict, names: list, where: str) -> list:
    """Values of a dict keyed by input name, in the model's input order (Keras's rule
    for dict inputs, for calls and for `fit` data alike)."""
    missing = [n for n in names if n not in data]
    if missing:
        raise ValueError(
            f"{where}: Missing data for input(s) {missing}. The model expects inputs "
            f"{names}; received a dict with keys {sorted(data)}."
        )
    return [data[n] for n in names]


def match_input_rank(value, expected: tuple):
    """Keras 3's rule for a value whose rank differs from its model input's by a trailing
    axis of size 1: one axis more, of size 1, is squeezed (`(N, 4, 1)` into `Input((4,))`);
    one axis fewer where the input's last axis is 1 is added (`(N, 28, 28)` into
    `Input((28, 28, 1))`). Any other value is returned as is, for `check_input_shape` to
    judge. Works on torch tensors and NumPy arrays (strings)."""
    rank, expected_rank = len(value.shape), len(expected)
    if rank == expected_rank + 1 and value.shape[-1] == 1:
        return value.squeeze(-1) if isinstance(value, torch.Tensor) else np.squeeze(value, axis=-1)
    if rank == expected_rank - 1 and expected_rank and expected[-1] == 1:
        return value.unsqueeze(-1) if isinstance(value, torch.Tensor) else np.expand_dims(value, -1)
    return value


def check_input_shape(
    model_name: str,
    index: int,
    input_name: str,
    expected: tuple,
    received: tuple,
    *,
    batch_axis: bool = True,
    rank_only: bool = False,
) -> None:
    """The one check of a value against a model input's shape (`None` matches any size).

    `batch_axis=False` skips axis 0 (whole datasets given to `fit`); `rank_only` checks
    the number of axes only (string inputs). Raises a ValueError naming the model, the
    input, the expected and the received shape.
    """
    expected, received = tuple(expected), tuple(received)
    mismatch = len(received) != len(expected)
    if not mismatch and not rank_only:
        start = 0 if batch_axis else 1
        mismatch = any(e is not None and r is not None and e != r for e, r in zip(expected[start:], received[start:]))
    if mismatch:
        raise ValueError(
            f'Input {index} ("{input_name}") of model "{model_name}" is incompatible with the model: '
            f"expected shape={expected}. Received: shape={received}"
        )
