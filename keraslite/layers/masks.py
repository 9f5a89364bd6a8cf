"""Keras's mask propagation, for eager and symbolic calls.

A tensor (torch or symbolic) may carry `_keras_mask`. A layer whose `call` takes `mask`
receives its input's mask when the call has one tensor argument and no explicit mask; a
layer that supports masking sets `compute_mask(inputs, previous_mask)` on its outputs
(only where an output has no mask yet: an output that is the input tensor itself keeps
the input's); the others drop it, with a warning when a mask was there to drop.

As in Keras 3, a layer supports masking by default exactly when its class defines its own
`compute_mask`; `supports_masking = True` opts a layer in to passing the mask through.
"""

from __future__ import annotations

import warnings

import torch
from torch._subclasses.fake_tensor import FakeTensorMode

from keraslite.backend import dtypes, tree
from keraslite.graph import shape_inference
from keraslite.graph.keras_tensor import KerasTensor


def default_compute_mask(function):
    """Marks `Layer.compute_mask` (pass the mask through when masking is supported), so
    that `overrides_compute_mask` tells a layer's own `compute_mask` from it."""
    function._keraslite_default_compute_mask = True
    return function


def get_keras_mask(tensor):
    """The `_keras_mask` carried by a tensor (torch or KerasTensor), or None."""
    return getattr(tensor, "_keras_mask", None)


def input_masks(inputs):
    if isinstance(inputs, (torch.Tensor, KerasTensor)):
        return getattr(inputs, "_keras_mask", None)
    if isinstance(inputs, (list, tuple, dict)):
        masks = tree.map_structure(get_keras_mask, inputs)
        if any(m is not None for m in tree.flatten(masks)):
            return masks
    return None


def _has_tensor(value) -> bool:
    return any(isinstance(v, (torch.Tensor, KerasTensor)) for v in tree.flatten(value))


def resolve_mask(layer, accepts_mask, inputs, args, kwargs):
    """Fill `kwargs["mask"]` from the inputs' masks (as Keras does) and return the
    previous mask seen by `compute_mask`."""
    explicit = kwargs.get("mask")
    if explicit is not None:
        return explicit
    previous = input_masks(inputs)
    if previous is not None and accepts_mask:
        others = list(args[1:]) + [v for k, v in kwargs.items() if k not in ("mask", "training")]
        if not any(_has_tensor(v) for v in others):
            kwargs["mask"] = previous
    return previous


def overrides_compute_mask(layer) -> bool:
    cls = type(layer)
    cached = cls.__dict__.get("_keraslite_overrides_compute_mask")
    if cached is None:
        cached = not getattr(cls.compute_mask, "_keraslite_default_compute_mask", False)
        setattr(cls, "_keraslite_overrides_compute_mask", cached)
    return cached


def keep_masks(original, converted):
    """`converted` (the inputs after dtype conversion) with the masks `original` carried:
    a conversion makes new tensors, and Keras keeps the mask across it."""
    if isinstance(original, torch.Tensor):
        mask = getattr(original, "_keras_mask", None)
        if mask is not None and converted is not original:
            converted._keras_mask = mask
        return converted
    if isinstance(original, (list, tuple, dict)) and isinstance(converted, type(original)):
        for before, after in zip(tree.flatten(original), tree.flatten(converted)):
            mask = getattr(before, "_keras_mask", None)
            if mask is not None and isinstance(after, torch.Tensor) and after is not before:
                after._keras_mask = mask
    return converted


def _mask_structure(inputs, previous_mask):
    """The `previous_mask` that `compute_mask` receives: for a list/tuple/dict of inputs
    without masks Keras passes the structure of Nones (`[None, None]`), not None."""
    if previous_mask is None and isinstance(inputs, (list, tuple, dict)):
        return tree.map_structure(lambda _: None, inputs)
    return previous_mask


def warn_mask_dropped(layer) -> None:
    if torch.compiler.is_compiling():
        return
    warnings.warn(
        f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with a mask attached to it. "
        "However, this layer does not support masking and will therefore destroy the mask information. "
        "Downstream layers will not see the mask."
    )


def attach_masks(layer, inputs, outputs, previous_mask) -> None:
    """Set `layer.compute_mask(inputs, previous_mask)` on the eager `outputs` that carry no
    mask yet (as Keras's `_set_mask_metadata`); a list/tuple of masks goes to the flat
    outputs in order, a None entry leaves its output without one."""
    if not layer.supports_masking:
        if previous_mask is not None and any(m is not None for m in tree.flatten(previous_mask)):
            warn_mask_dropped(layer)
        return
    flat_outputs = tree.flatten(outputs)
    if all(getattr(o, "_keras_mask", None) is not None for o in flat_outputs):
        return
    masks = layer.compute_mask(inputs, _mask_structure(inputs, previous_mask))
    if masks is None:
        return
    for tensor, mask in zip(flat_outputs, tree.flatten(masks)):
        if mask is not None and isinstance(tensor, torch.Tensor) and getattr(tensor, "_keras_mask", None) is None:
            tensor._keras_mask = mask


def symbolic_output_masks(layer, inputs, outputs, previous_mask):
    """`outputs` (specs) with `_keras_mask` set from `layer.compute_mask`, computed on
    fake tensors (only shapes and dtypes) when the layer defines its own."""
    if not layer.supports_masking:
        if previous_mask is not None and any(m is not None for m in tree.flatten(previous_mask)):
            warn_mask_dropped(layer)
        return outputs
    if previous_mask is None and not overrides_compute_mask(layer):
        return outputs
    if getattr(layer, "_mask_only_from_input_masks", False) and (
        previous_mask is None or all(m is None for m in tree.flatten(previous_mask))
    ):
        # No input mask, so no output mask: skip the fake-tensor run (its first use
        # imports torch's symbolic-shape machinery, ~70 MB of resident memory).
        return outputs
    flat_outputs = tree.flatten(outputs)
    if all(o._keras_mask is not None for o in flat_outputs):
        return outputs
    if not overrides_compute_mask(layer):
        masks = previous_mask
    else:
        masks = _infer_mask_spec(layer, inputs, previous_mask)
    if masks is None:
        return outputs
    for spec, mask in zip(flat_outputs, tree.flatten(masks)):
        if (
            isinstance(spec, KerasTensor)
            and isinstance(mask, KerasTensor)
            and spec._keras_mask is None
            and spec._keras_history is None
        ):
            object.__setattr__(spec, "_keras_mask", mask)
    return outputs


def _infer_mask_spec(layer, inputs, previous_mask):
    unknown = any(isinstance(t, KerasTensor) and None in t._shape for t in tree.flatten((inputs, previous_mask)))
    runs = []
    for fill in (83, 89) if unknown else (83,):
        with FakeTensorMode(allow_non_fake_inputs=True):
            fake = tree.map_structure(
                lambda v: shape_inference._concretize(v, fill), (inputs, _mask_structure(inputs, previous_mask))
            )
            masks = layer.compute_mask(fake[0], fake[1])
            runs.append(
                tree.map_structure(
                    lambda m: (
                        (tuple(m.shape), dtypes.standardize_dtype(m.dtype)) if isinstance(m, torch.Tensor) else None
                    ),
                    masks if masks is None or isinstance(masks, torch.Tensor) else list(tree.flatten(masks)),
                )
            )
    if runs[0] is None:
        return None
    first = [runs[0]] if isinstance(runs[0], tuple) else runs[0]
    second = [runs[-1]] if isinstance(runs[-1], tuple) else runs[-1]
    specs = [
        None if a is None else KerasTensor(tuple(x if x == y else None for x, y in zip(a[0], b[0])), a[1])
        for a, b in zip(first, second)
    ]
    return specs[0] if isinstance(runs[0], tuple) else specs
