"""`InputSpec`: what a layer accepts, checked when the layer is called (symbolically
or eagerly) so that a bad model fails while it is being built."""

from __future__ import annotations


class InputSpec:
    """Constraints on one input of a layer: dtype, exact/min/max rank, fixed axis sizes."""

    def __init__(
        self,
        dtype=None,
        shape=None,
        ndim=None,
        max_ndim=None,
        min_ndim=None,
        axes=None,
        allow_last_axis_squeeze=False,
        name=None,
        optional=False,
    ):
        self.dtype = dtype
        self.shape = tuple(shape) if shape is not None else None
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def __repr__(self):
        parts = [
            f"{k}={v}"
            for k, v in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if v is not None
        ]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self):
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
            "optional": self.optional,
        }


def assert_input_compatibility(input_spec, shapes, layer_name: str) -> None:
    """Raise a ValueError naming the layer, the expectation and the received shape."""
    if input_spec is None:
        return
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    if len(shapes) != len(specs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
            f"{len(shapes)} input tensors. Received shapes: {list(shapes)}"
        )
    for index, (spec, shape) in enumerate(zip(specs, shapes)):
        if spec is None:
            continue
        where = f'Input {index} of layer "{layer_name}" is incompatible with the layer'
        rank = len(shape)
        if spec.ndim is not None and rank != spec.ndim:
            raise ValueError(
                f"{where}: expected ndim={spec.ndim}, found ndim={rank}. Full shape received: {tuple(shape)}"
            )
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(
                f"{where}: expected max_ndim={spec.max_ndim}, found ndim={rank}. Full shape received: {tuple(shape)}"
            )
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(
                f"{where}: expected min_ndim={spec.min_ndim}, found ndim={rank}. Full shape received: {tuple(shape)}"
            )
        for axis, value in spec.axes.items():
            if value is None:
                continue
            if axis >= rank or axis < -rank:
                raise ValueError(
                    f"{where}: expected axis {axis} to exist, but the input has rank {rank}. Full shape received: "
                    f"{tuple(shape)}"
                )
            if shape[axis] is not None and shape[axis] != value:
                raise ValueError(
                    f"{where}: expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {tuple(shape)}"
                )
        if spec.shape is not None:
            for expected, got in zip(spec.shape, shape):
                if expected is not None and got is not None and expected != got:
                    raise ValueError(f"{where}: expected shape={spec.shape}, found shape={tuple(shape)}")
