"""Merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot)
and their functional forms (`layers.add([a, b])`, ...)."""

from __future__ import annotations

import torch

from keraslite.layers.base_layer import Layer


class _Merge(Layer):
    min_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_inputs(self, input_shape):
        if (
            not isinstance(input_shape, (list, tuple))
            or not input_shape
            or not isinstance(input_shape[0], (list, tuple))
        ):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) should be called on a list of inputs. '
                f"Received: input_shape={input_shape}"
            )
        if len(input_shape) < self.min_inputs:
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}) should be called on a list of at least '
                f"{self.min_inputs} inputs. Received {len(input_shape)} inputs (input_shape={list(input_shape)})."
            )

    def _elementwise_shape(self, shape_a, shape_b):
        if len(shape_a) != len(shape_b):
            raise ValueError(
                f'Layer "{self.name}" ({type(self).__name__}): inputs have incompatible shapes. '
                f"Received shapes {tuple(shape_a)} and {tuple(shape_b)}"
            )
        result = []
        for a, b in zip(shape_a, shape_b):
            if a is None or b is None:
                result.append(None)
            elif a == 1:
                result.append(b)
            elif b == 1:
                result.append(a)
            elif a != b:
                raise ValueError(
                    f'Layer "{self.name}" ({type(self).__name__}): inputs have incompatible shapes. '
                    f"Received shapes {tuple(shape_a)} and {tuple(shape_b)}"
                )
            else:
                result.append(a)
        return tuple(result)

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shape = tuple(input_shape[0])
        for other in input_shape[1:]:
            shape = self._elementwise_shape(shape, tuple(other))
        return shape

    # `compute_mask` gives None when no input has a mask (symbolic calls skip running it).
    _mask_only_from_input_masks = True

    def compute_mask(self, inputs, mask=None):
        # As Keras 3: the OR of the inputs' masks, and no mask if any input has none.
        if mask is None or any(m is None for m in mask):
            return None
        result = mask[0]
        for m in mask[1:]:
            result = result | m
        return result

    def call(self, inputs):
        return self._merge(list(inputs))


class Add(_Merge):
    """Sum of a list of inputs of the same shape."""

    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


class Subtract(_Merge):
    """`inputs[0] - inputs[1]`; exactly two inputs."""

    min_inputs = 2

    def _check_inputs(self, input_shape):
        super()._check_inputs(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f'Layer "{self.name}" (Subtract) should be called on exactly 2 inputs. Received: '
                f"input_shape={list(input_shape)}"
            )

    def _merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output * x
        return output


class Average(_Merge):
    """Mean of a list of inputs of the same shape."""

    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


class Maximum(_Merge):
    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = torch.maximum(output, x)
        return output


class Minimum(_Merge):
    def _merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = torch.minimum(output, x)
        return output


class Concatenate(_Merge):
    """Concatenates a list of inputs along `axis` (default -1); other dims must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [tuple(s) for s in input_shape]
        rank = len(shapes[0])
        axis = self.axis % rank if rank else 0
        mismatch = any(len(s) != rank for s in shapes)
        if not mismatch:
            for i in range(rank):
                if i == axis:
                    continue
                sizes = {s[i] for s in shapes if s[i] is not None}
                if len(sizes) > 1:
                    mismatch = True
        if mismatch:
            raise ValueError(
                f'Layer "{self.name}" (Concatenate): a `Concatenate` layer requires inputs with matching shapes '
                f"except for the concatenation axis (axis={self.axis}). Received: input_shape={shapes}"
            )
        output = list(shapes[0])
        for s in shapes:
            for i in range(rank):
                if i != axis and output[i] is None:
                    output[i] = s[i]
        sizes = [s[axis] for s in shapes]
        output[axis] = None if any(d is None for d in sizes) else sum(sizes)
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        # As Keras 3: every mask broadcast to its input's full shape, concatenated along
        # `axis`, then reduced with any() over the last axis.
        filled = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = torch.ones(x.shape, dtype=torch.bool, device=x.device)
            elif m.ndim < x.ndim:
                m = m.unsqueeze(-1).expand(x.shape)
            filled.append(m.bool())
        return torch.cat(filled, dim=self.axis).any(dim=-1)

    def _merge(self, inputs):
        return torch.cat(inputs, dim=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class Dot(_Merge):
    """Dot product of two batched inputs along `axes` (cosine proximity if `normalize`)."""

    min_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int) and not (isinstance(axes, (list, tuple)) and len(axes) == 2):
            raise ValueError(
                f"Invalid format for argument `axes`: expected an int or a list of 2 ints. Received: axes={axes!r}"
            )
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = False

    def _resolved_axes(self, rank_a, rank_b):
        axes = (self.axes, self.axes) if isinstance(self.axes, int) else tuple(self.axes)
        return axes[0] % rank_a, axes[1] % rank_b

    def compute_output_shape(self, input_shape):
        self._check_inputs(input_shape)
        a, b = (tuple(s) for s in input_shape)
        axis_a, axis_b = self._resolved_axes(len(a), len(b))
        if a[axis_a] is not None and b[axis_b] is not None and a[axis_a] != b[axis_b]:
            raise ValueError(
                f'Layer "{self.name}" (Dot): incompatible input shapes: axis values {a[axis_a]} (at axis {axis_a}) '
                f"!= {b[axis_b]} (at axis {axis_b}). Full input shapes: {a}, {b}"
            )
        out = [d for i, d in enumerate(a) if i != axis_a] + [d for i, d in enumerate(b) if i not in (0, axis_b)]
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def _merge(self, inputs):
        a, b = inputs
        axis_a, axis_b = self._resolved_axes(a.ndim, b.ndim)
        if self.normalize:
            a = torch.nn.functional.normalize(a, dim=axis_a)
            b = torch.nn.functional.normalize(b, dim=axis_b)
        a = a.movedim(axis_a, -1)
        b = b.movedim(axis_b, 1)
        rest_a, rest_b = a.shape[1:-1], b.shape[2:]
        out = torch.bmm(a.reshape(a.shape[0], -1, a.shape[-1]), b.reshape(b.shape[0], b.shape[1], -1))
        out = out.reshape((a.shape[0],) + tuple(rest_a) + tuple(rest_b))
        if out.ndim == 1:
            out = out.unsqueeze(-1)
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


def add(inputs, **kwargs):
    """Functional form of `Add`: `layers.add([a, b])`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of `Average`: `layers.average([y1, y2, y3])`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`: `layers.concatenate([a, b, c])`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
