"""The computations quantized layers share: an exact int8 x int8 product, a forward whose
input gradient is given (Keras's `custom_gradient` for integer kernels), and float8's
quantize-dequantize with delayed scaling (and its variables)."""

from __future__ import annotations

import torch

from keraslite.backend import dtypes
from keraslite.graph import call_context
from keraslite.mixed_precision.dtype_policies import QuantizedFloat8DTypePolicy
from keraslite.quantizers import float8

# |sum| of K products of int8 values is at most K * 127 * 127: exact in float32 below 2**24.
_FLOAT32_EXACT_DEPTH = (2**24) // (127 * 127)


def int8_matmul(equation_or_none, left: torch.Tensor, right: torch.Tensor, depth: int) -> torch.Tensor:
    """The exact integer result of an int8 x int8 matmul (or einsum when `equation_or_none`
    is given), as float32 on the CPU (Keras computes it in int32, then casts). `depth` is the
    length of the contracted dimension. On CUDA, as Keras: float32 (torch has no int GEMM
    for these shapes)."""
    exact = torch.float32 if left.is_cuda or depth <= _FLOAT32_EXACT_DEPTH else torch.float64
    left, right = left.to(exact), right.to(exact)
    # Under mixed precision autocast would round the products to 16 bits: keep them exact.
    with torch.autocast(device_type=left.device.type, enabled=False):
        if equation_or_none is None:
            return torch.matmul(left, right).to(torch.float32)
        return torch.einsum(equation_or_none, left, right).to(torch.float32)


class _WithInputsGradient(torch.autograd.Function):
    """`forward_fn(inputs)` with the gradient `input_grad_fn(upstream)` for the inputs only:
    what autograd cannot derive through integer kernels (Keras's `custom_gradient`)."""

    @staticmethod
    def forward(ctx, inputs, forward_fn, input_grad_fn):
        ctx.input_grad_fn = input_grad_fn
        return forward_fn(inputs)

    @staticmethod
    def backward(ctx, upstream):
        return ctx.input_grad_fn(upstream), None, None


def with_inputs_gradient(inputs, forward_fn, input_grad_fn):
    return _WithInputsGradient.apply(inputs, forward_fn, input_grad_fn)


# ---------------------------------------------------------------------------- float8
def add_float8_variables(layer) -> None:
    """The six float32 scaling variables of a float8 layer (scale and amax history of the
    inputs, the kernel and the output gradient), in Keras's order and names."""
    history = getattr(layer.dtype_policy, "amax_history_length", QuantizedFloat8DTypePolicy.default_amax_history_length)
    for prefix in ("inputs", "kernel", "outputs_grad"):
        layer.add_weight(name=f"{prefix}_scale", shape=(), initializer="ones", dtype="float32", trainable=True)
        layer.add_weight(
            name=f"{prefix}_amax_history", shape=(history,), initializer="zeros", dtype="float32", trainable=True
        )


def _next_scale(amax_history, scale, quantized_dtype):
    dtype_max = torch.tensor(float8.float8_max(quantized_dtype), dtype=torch.float32, device=scale.device)
    return float8.compute_float8_scale(torch.amax(amax_history, dim=0), scale, dtype_max)


class _Float8InputsQDQ(torch.autograd.Function):
    """Quantize-dequantize to float8_e4m3fn; the gradient passes straight through. In
    training the scale and history move on (Keras overwrites them with their "gradient"
    after the step; here they are written once the forward has used the old values)."""

    @staticmethod
    def forward(ctx, x, scale, amax_history, training, compute_dtype):
        outputs = float8.quantize_and_dequantize(x, scale, "float8_e4m3fn", compute_dtype)
        if training:
            new_scale = _next_scale(amax_history, scale, "float8_e4m3fn")
            new_history = float8.compute_float8_amax_history(x, amax_history)
            scale.copy_(new_scale)
            amax_history.copy_(new_history)
        return outputs

    @staticmethod
    def backward(ctx, upstream):
        return upstream, None, None, None, None


class _Float8OutputGradientQDQ(torch.autograd.Function):
    """Identity forward; the gradient is quantize-dequantized to float8_e5m2, and the
    gradient's scale and history move on."""

    @staticmethod
    def forward(ctx, x, scale, amax_history, compute_dtype):
        ctx.state = (scale, amax_history, compute_dtype)
        return x.view_as(x)

    @staticmethod
    def backward(ctx, upstream):
        scale, amax_history, compute_dtype = ctx.state
        with torch.no_grad():
            new_scale = _next_scale(amax_history, scale, "float8_e5m2")
            result = float8.quantize_and_dequantize(upstream, scale, "float8_e5m2", compute_dtype)
            new_history = float8.compute_float8_amax_history(upstream, amax_history)
            scale.copy_(new_scale)
            amax_history.copy_(new_history)
        return result, None, None, None


def float8_forward(layer, inputs, contract, training=None):
    """`contract(qdq(inputs), qdq(kernel))` with float8 delayed scaling, then bias (rounded
    through bfloat16 under a float32 policy, as Keras does for the fused bias add). While
    `training`, the scales and histories move on."""
    compute = dtypes.standardize_dtype(layer.compute_dtype)
    if training is None:
        training = call_context.current_training()
    training = bool(layer.training if training is None else training) and torch.is_grad_enabled()
    params = layer._parameters
    x = contract(
        _Float8InputsQDQ.apply(inputs, params["inputs_scale"], params["inputs_amax_history"], training, compute),
        _Float8InputsQDQ.apply(
            params["kernel"], params["kernel_scale"], params["kernel_amax_history"], training, compute
        ),
    )
    x = _Float8OutputGradientQDQ.apply(x, params["outputs_grad_scale"], params["outputs_grad_amax_history"], compute)
    bias = params.get("bias")
    if bias is not None:
        if layer.dtype_policy.compute_dtype == "float32":
            bias = bias.to(torch.bfloat16).to(bias.dtype)
        x = x + bias
    return x
