"""A layer's eager call (`Layer._eager_call` on tensors or arrays): Keras's contract around `call`.

`eager_call` is the whole contract: NumPy arguments become tensors, inputs take the compute
dtype, the layer is built on its first call (in its name scope), `training` is bound (given,
by position, inherited from an enclosing call, or the layer's mode), the inputs' masks are
passed to `call` and set on the outputs, activity regularization is added to the losses.

`plain_eager_call` is the same for the case that needs none of it, which `Layer._eager_call`
recognises in a few attribute reads: a built layer without sublayers, one tensor with no
mask and already in the compute dtype, at most `training` given, no activity regularizer,
no `compute_mask` of its own. That is every layer of a model without masks, on every batch
of `fit`, `evaluate` and `predict`, so it is kept to one call and the `training` rule.
"""

from __future__ import annotations

import inspect

import numpy as np
import torch

from keraslite.backend import tree
from keraslite.backend.name_scope import name_scope
from keraslite.graph import call_context
from keraslite.graph.input_spec import assert_input_compatibility
from keraslite.layers.layer_inputs import convert_inputs, flat_shapes, with_unknown_batch
from keraslite.layers.masks import attach_masks, keep_masks, overrides_compute_mask, resolve_mask

_ARRAYS = (np.ndarray, np.generic)


def plain_eager_call(layer, inputs: torch.Tensor, training):
    """`layer.call(inputs)` with Keras's `training` rule, for the case described above: with
    no mask on the inputs and none given, the mask machinery would pass nothing and set nothing."""
    if layer._call_signature()[0]:
        if training is None:
            training = call_context.current_training()
            if training is None:
                training = layer.training
        return call_context.wrap_outermost_outputs(layer.call(inputs, training=training))
    return call_context.wrap_outermost_outputs(layer.call(inputs))


def eager_call(layer, args: tuple, kwargs: dict):
    """The whole eager call of `layer` on `args, kwargs` (see the module docstring)."""
    float_dtype = layer._compute_torch_dtype if layer.autocast else None
    # NumPy arrays given to `call`'s other arguments (`targets=`, `mask=`) reach it as
    # tensors too, floating ones in the compute dtype, as in Keras.
    for key, value in kwargs.items():
        if isinstance(value, _ARRAYS):
            kwargs[key] = convert_inputs(value, float_dtype)
    if len(args) > 1:
        args = _arrays_to_tensors(args, float_dtype)
    inputs = args[0]
    if not isinstance(inputs, torch.Tensor):
        original = inputs
        inputs = convert_inputs(inputs, float_dtype)
        if isinstance(original, (list, tuple, dict)):
            inputs = keep_masks(original, inputs)
    elif inputs.dtype != layer._compute_torch_dtype and layer.autocast and inputs.is_floating_point():
        inputs = keep_masks(inputs, inputs.to(layer._compute_torch_dtype))
    if not layer.built:
        shapes = tree.map_structure(
            lambda t: tuple(t.shape) if isinstance(t, (torch.Tensor, np.ndarray)) else t, inputs
        )
        assert_input_compatibility(layer.input_spec, flat_shapes(shapes), layer.name)
        # The first call runs in the layer's name scope, where the sublayers that
        # `call` builds (a subclassed model's) get their paths; later calls skip this.
        with name_scope(layer.name, caller=layer):
            layer._maybe_build(with_unknown_batch(shapes))
            return layer._eager_call(inputs, *args[1:], **kwargs)
    accepts_training, accepts_mask, _ = layer._call_signature()
    if len(args) > 1 and accepts_training:
        # `layer(x, True)`: `training` given by position, as Keras binds it.
        position = training_position(type(layer))
        if position is not None and len(args) > position:
            kwargs["training"] = args[position]
            args = args[:position] + args[position + 1 :]
    training = kwargs.pop("training", None) if not accepts_training else kwargs.get("training")
    if training is None:
        training = call_context.current_training()
        if training is None:
            training = layer.training
        if accepts_training:
            kwargs["training"] = training
    if not accepts_mask and "mask" in kwargs and kwargs["mask"] is None:
        kwargs.pop("mask")
    previous_mask = resolve_mask(layer, accepts_mask, inputs, args, kwargs)
    if layer._call_losses:
        layer._call_losses.clear()
    if layer._modules:
        # Nested layers called inside `call` inherit this call's `training`.
        call_context.push_training(training)
        try:
            outputs = layer.call(inputs, *args[1:], **kwargs)
        finally:
            call_context.pop_training()
    else:
        outputs = layer.call(inputs, *args[1:], **kwargs)
    if previous_mask is not None or overrides_compute_mask(layer):
        attach_masks(layer, inputs, outputs, previous_mask)
    if layer.activity_regularizer is not None:
        for output in tree.flatten(outputs):
            if isinstance(output, torch.Tensor):
                layer.add_loss(layer.activity_regularizer(output) / output.shape[0])
    return call_context.wrap_outermost_outputs(outputs)


def _arrays_to_tensors(args: tuple, float_dtype) -> tuple:
    """`args` with the NumPy arrays after the first converted as the inputs are."""
    if not any(isinstance(value, _ARRAYS) for value in args[1:]):
        return args
    return args[:1] + tuple(
        convert_inputs(value, float_dtype) if isinstance(value, _ARRAYS) else value for value in args[1:]
    )


def training_position(cls) -> int | None:
    """The index among `cls.call`'s positional arguments (the inputs are 0) at which
    `training` may come (cached per class), or None when it cannot come by position."""
    cached = cls.__dict__.get("_keraslite_training_position", False)
    if cached is False:
        cached = None
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        parameters = [p for p in inspect.signature(cls.call).parameters.values() if p.name != "self"]
        for index, parameter in enumerate(parameters):
            if parameter.kind not in positional:
                break
            if parameter.name == "training":
                cached = index
                break
        setattr(cls, "_keraslite_training_position", cached)
    return cached
