"""Elementwise `keras.ops` (NumPy names), built from a table of torch functions.

Each entry is one line: the Keras name, the torch function, and whether integer inputs
compute in floatx (`sqrt` of an int tensor is a float, as in Keras).
"""

from __future__ import annotations

import torch

from keraslite.ops.dispatch import default_float, keras_op, operand, to_tensor


def _unary(name: str, torch_function, doc: str, float_result: bool = False):
    def function(x):
        x = to_tensor(x)
        return torch_function(default_float(x) if float_result else x)

    function.__name__ = function.__qualname__ = name
    function.__module__ = __name__
    function.__doc__ = doc + "\n\nArgs:\n    x: input tensor.\n"
    return keras_op(function)


def _binary(name: str, torch_function, doc: str):
    def function(x1, x2):
        x1, x2 = operand(x1, x2), operand(x2, x1)
        if not isinstance(x1, torch.Tensor):
            # A Python number on the left: a 0-d tensor, which torch promotes like a weak type.
            x1 = to_tensor(x1) if not isinstance(x2, torch.Tensor) else torch.as_tensor(x1, device=x2.device)
        return torch_function(x1, x2)

    function.__name__ = function.__qualname__ = name
    function.__module__ = __name__
    function.__doc__ = doc + "\n\nArgs:\n    x1: first input.\n    x2: second input (broadcast against `x1`).\n"
    return keras_op(function)


# ---------------------------------------------------------------- unary
abs = _unary("abs", torch.abs, "Absolute value, elementwise.")  # noqa: A001
absolute = _unary("absolute", torch.abs, "Absolute value, elementwise.")
negative = _unary("negative", torch.neg, "Numerical negative, elementwise.")
square = _unary("square", torch.square, "Square, elementwise.")
sqrt = _unary("sqrt", torch.sqrt, "Square root, elementwise.", float_result=True)
rsqrt = _unary("rsqrt", torch.rsqrt, "Reciprocal square root, elementwise.", float_result=True)
cbrt = _unary(
    "cbrt", lambda x: torch.sign(x) * torch.abs(x).pow(1.0 / 3.0), "Cube root, elementwise.", float_result=True
)
exp = _unary("exp", torch.exp, "Exponential, elementwise.", float_result=True)
exp2 = _unary("exp2", torch.exp2, "2 to the power of x, elementwise.", float_result=True)
expm1 = _unary("expm1", torch.expm1, "exp(x) - 1, elementwise.", float_result=True)
log = _unary("log", torch.log, "Natural logarithm, elementwise.", float_result=True)
log2 = _unary("log2", torch.log2, "Base-2 logarithm, elementwise.", float_result=True)
log10 = _unary("log10", torch.log10, "Base-10 logarithm, elementwise.", float_result=True)
log1p = _unary("log1p", torch.log1p, "log(1 + x), elementwise.", float_result=True)
sin = _unary("sin", torch.sin, "Sine, elementwise.", float_result=True)
cos = _unary("cos", torch.cos, "Cosine, elementwise.", float_result=True)
tan = _unary("tan", torch.tan, "Tangent, elementwise.", float_result=True)
arcsin = _unary("arcsin", torch.asin, "Inverse sine, elementwise.", float_result=True)
arccos = _unary("arccos", torch.acos, "Inverse cosine, elementwise.", float_result=True)
arctan = _unary("arctan", torch.atan, "Inverse tangent, elementwise.", float_result=True)
sinh = _unary("sinh", torch.sinh, "Hyperbolic sine, elementwise.", float_result=True)
cosh = _unary("cosh", torch.cosh, "Hyperbolic cosine, elementwise.", float_result=True)
tanh = _unary("tanh", torch.tanh, "Hyperbolic tangent, elementwise.", float_result=True)
arcsinh = _unary("arcsinh", torch.asinh, "Inverse hyperbolic sine, elementwise.", float_result=True)
arccosh = _unary("arccosh", torch.acosh, "Inverse hyperbolic cosine, elementwise.", float_result=True)
arctanh = _unary("arctanh", torch.atanh, "Inverse hyperbolic tangent, elementwise.", float_result=True)
floor = _unary("floor", lambda x: x if not x.is_floating_point() else torch.floor(x), "Floor, elementwise.")
ceil = _unary("ceil", lambda x: x if not x.is_floating_point() else torch.ceil(x), "Ceiling, elementwise.")
trunc = _unary(
    "trunc", lambda x: x if not x.is_floating_point() else torch.trunc(x), "Truncation toward zero, elementwise."
)
sign = _unary("sign", torch.sign, "Sign (-1, 0 or 1), elementwise.")
reciprocal = _unary("reciprocal", torch.reciprocal, "1 / x, elementwise.", float_result=True)
isnan = _unary("isnan", torch.isnan, "Whether each element is NaN.")
isinf = _unary("isinf", torch.isinf, "Whether each element is infinite.")
isfinite = _unary("isfinite", torch.isfinite, "Whether each element is finite.")
logical_not = _unary("logical_not", torch.logical_not, "Logical NOT, elementwise.")
signbit = _unary("signbit", torch.signbit, "Whether the sign bit is set, elementwise.")
conjugate = _unary("conjugate", torch.conj, "Complex conjugate, elementwise.")
conj = _unary("conj", torch.conj, "Complex conjugate, elementwise.")
real = _unary("real", lambda x: torch.real(x) if x.is_complex() else x, "Real part, elementwise.")
imag = _unary(
    "imag", lambda x: torch.imag(x) if x.is_complex() else torch.zeros_like(x), "Imaginary part, elementwise."
)
deg2rad = _unary("deg2rad", torch.deg2rad, "Degrees to radians.", float_result=True)
rad2deg = _unary("rad2deg", torch.rad2deg, "Radians to degrees.", float_result=True)
sinc = _unary("sinc", torch.sinc, "Normalized sinc, elementwise.", float_result=True)
copy = _unary("copy", torch.clone, "A copy of `x`.")
bitwise_not = _unary("bitwise_not", torch.bitwise_not, "Bitwise NOT, elementwise.")
bitwise_invert = _unary("bitwise_invert", torch.bitwise_not, "Bitwise NOT, elementwise.")
fabs = _unary("fabs", lambda x: torch.abs(default_float(x)), "Absolute value as a float, elementwise.")

# ---------------------------------------------------------------- binary
add = _binary("add", torch.add, "x1 + x2, elementwise.")
subtract = _binary("subtract", torch.sub, "x1 - x2, elementwise.")
multiply = _binary("multiply", torch.mul, "x1 * x2, elementwise.")
divide = _binary("divide", torch.true_divide, "x1 / x2 (true division), elementwise.")
true_divide = _binary("true_divide", torch.true_divide, "x1 / x2 (true division), elementwise.")
floor_divide = _binary("floor_divide", torch.floor_divide, "x1 // x2, elementwise.")
mod = _binary("mod", torch.remainder, "x1 % x2 (sign of the divisor), elementwise.")
fmod = _binary("fmod", torch.fmod, "C-style remainder (sign of the dividend), elementwise.")
power = _binary("power", torch.pow, "x1 ** x2, elementwise.")
maximum = _binary("maximum", lambda a, b: torch.maximum(*_both_tensors(a, b)), "Elementwise maximum.")
minimum = _binary("minimum", lambda a, b: torch.minimum(*_both_tensors(a, b)), "Elementwise minimum.")
fmax = _binary("fmax", lambda a, b: torch.fmax(*_both_tensors(a, b)), "Elementwise maximum ignoring NaN.")
fmin = _binary("fmin", lambda a, b: torch.fmin(*_both_tensors(a, b)), "Elementwise minimum ignoring NaN.")
arctan2 = _binary(
    "arctan2",
    lambda a, b: torch.atan2(*(default_float(t) for t in _both_tensors(a, b))),
    "arctan(x1 / x2) choosing the quadrant.",
)
hypot = _binary(
    "hypot",
    lambda a, b: torch.hypot(*(default_float(t) for t in _both_tensors(a, b))),
    "sqrt(x1**2 + x2**2), elementwise.",
)
logaddexp = _binary(
    "logaddexp",
    lambda a, b: torch.logaddexp(*(default_float(t) for t in _both_tensors(a, b))),
    "log(exp(x1) + exp(x2)), elementwise.",
)
equal = _binary("equal", torch.eq, "x1 == x2, elementwise.")
not_equal = _binary("not_equal", torch.ne, "x1 != x2, elementwise.")
greater = _binary("greater", torch.gt, "x1 > x2, elementwise.")
greater_equal = _binary("greater_equal", torch.ge, "x1 >= x2, elementwise.")
less = _binary("less", torch.lt, "x1 < x2, elementwise.")
less_equal = _binary("less_equal", torch.le, "x1 <= x2, elementwise.")
logical_and = _binary("logical_and", lambda a, b: torch.logical_and(*_both_tensors(a, b)), "Logical AND, elementwise.")
logical_or = _binary("logical_or", lambda a, b: torch.logical_or(*_both_tensors(a, b)), "Logical OR, elementwise.")
logical_xor = _binary("logical_xor", lambda a, b: torch.logical_xor(*_both_tensors(a, b)), "Logical XOR, elementwise.")
# Keras names the bitwise operands `x, y` (not `x1, x2`): keyword calls must work too.
_bitwise_and = _binary("bitwise_and", torch.bitwise_and, "").eager_function
_bitwise_or = _binary("bitwise_or", torch.bitwise_or, "").eager_function
_bitwise_xor = _binary("bitwise_xor", torch.bitwise_xor, "").eager_function


@keras_op
def bitwise_and(x, y):
    """Bitwise AND of integer or boolean tensors, elementwise."""
    return _bitwise_and(x, y)


@keras_op
def bitwise_or(x, y):
    """Bitwise OR of integer or boolean tensors, elementwise."""
    return _bitwise_or(x, y)


@keras_op
def bitwise_xor(x, y):
    """Bitwise XOR of integer or boolean tensors, elementwise."""
    return _bitwise_xor(x, y)


heaviside = _binary("heaviside", lambda a, b: torch.heaviside(*_both_tensors(a, b)), "Heaviside step function.")
gcd = _binary("gcd", lambda a, b: torch.gcd(*_both_tensors(a, b)), "Greatest common divisor, elementwise.")
lcm = _binary("lcm", lambda a, b: torch.lcm(*_both_tensors(a, b)), "Least common multiple, elementwise.")


def _both_tensors(a, b):
    """Two tensors of one dtype; Python numbers act as weak types (torch's 0-d promotion)."""
    if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        a = to_tensor(a)
    if not isinstance(a, torch.Tensor):
        a = torch.as_tensor(a, device=b.device)
    if not isinstance(b, torch.Tensor):
        b = torch.as_tensor(b, device=a.device)
    if a.dtype != b.dtype:
        common = torch.result_type(a, b)
        a, b = a.to(common), b.to(common)
    return a, b


@keras_op
def divide_no_nan(x1, x2):
    """x1 / x2, with 0 where x2 is 0."""
    x1, x2 = _both_tensors(operand(x1, x2), operand(x2, x1))
    result = torch.true_divide(x1, x2)
    return torch.where(x2 == 0, torch.zeros_like(result), result)


@keras_op
def clip(x, x_min, x_max):
    """`x` with values clipped to `[x_min, x_max]`."""
    return torch.clamp(to_tensor(x), x_min, x_max)


@keras_op
def round(x, decimals=0):  # noqa: A001
    """Round half to even, to `decimals` places."""
    x = to_tensor(x)
    if not x.is_floating_point():
        return x
    return torch.round(x, decimals=decimals)


@keras_op
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN and infinities replaced by finite numbers."""
    return torch.nan_to_num(to_tensor(x), nan=nan, posinf=posinf, neginf=neginf)


@keras_op
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether `x1` and `x2` are equal within a tolerance, elementwise."""
    x1, x2 = _both_tensors(operand(x1, x2), operand(x2, x1))
    return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
    """Whether all elements are close (a host sync)."""
    x1, x2 = _both_tensors(operand(x1, x2), operand(x2, x1))
    return bool(torch.allclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


@keras_op
def where(condition, x1=None, x2=None):
    """`x1` where `condition` else `x2`; with only `condition`, the indices where it holds."""
    condition = to_tensor(condition)
    if x1 is None and x2 is None:
        return tuple(i.to(torch.int32) for i in torch.nonzero(condition, as_tuple=True))
    x1, x2 = _both_tensors(operand(x1, x2), operand(x2, x1))
    return torch.where(condition.bool(), x1, x2)


# Elementwise functions beyond the table.
@keras_op
def logaddexp2(x1, x2):
    """log2(2**x1 + 2**x2), elementwise."""
    x1, x2 = default_float(to_tensor(x1)), default_float(to_tensor(x2))
    return torch.logaddexp2(x1, x2)


@keras_op
def isneginf(x):
    """Whether each element is negative infinity."""
    return torch.isneginf(to_tensor(x))


@keras_op
def isposinf(x):
    """Whether each element is positive infinity."""
    return torch.isposinf(to_tensor(x))


@keras_op
def left_shift(x, y):
    """x << y, elementwise."""
    return torch.bitwise_left_shift(to_tensor(x), to_tensor(y) if not isinstance(y, int) else y)


@keras_op
def right_shift(x, y):
    """x >> y, elementwise."""
    return torch.bitwise_right_shift(to_tensor(x), to_tensor(y) if not isinstance(y, int) else y)


bitwise_left_shift = left_shift


bitwise_right_shift = right_shift


@keras_op
def angle(x):
    """The complex argument of each element (0 or pi for reals)."""
    return torch.angle(default_float(to_tensor(x)))


@keras_op
def isreal(x):
    """Whether each element has no imaginary part."""
    return torch.isreal(to_tensor(x))


@keras_op
def i0(x):
    """Modified Bessel function of the first kind, order 0."""
    return torch.special.i0(default_float(to_tensor(x)))


@keras_op
def ldexp(x1, x2):
    """x1 * 2**x2, elementwise."""
    return torch.ldexp(default_float(to_tensor(x1)), to_tensor(x2))


@keras_op
def nextafter(x1, x2):
    """The next representable float after `x1` in the direction of `x2`, elementwise
    (in the inputs' float dtype; integers compute in floatx)."""
    x1, x2 = to_tensor(x1), to_tensor(x2)
    dtype = torch.promote_types(default_float(x1).dtype, default_float(x2).dtype)
    return torch.nextafter(x1.to(dtype), x2.to(x1.device, dtype))


def _parse_gufunc_signature(signature: str):
    """'(m,n),(n)->(m)' -> ([("m", "n"), ("n",)], [("m",)]); outputs None for '->()'-less."""
    compact = signature.replace(" ", "")
    if compact.count("->") != 1:
        raise ValueError(f"Not a valid gufunc signature (one '->' expected). Received: signature={signature!r}")
    inputs, outputs = compact.split("->")

    def groups(text):
        if not text.startswith("(") or not text.endswith(")"):
            raise ValueError(f"Not a valid gufunc signature. Received: signature={signature!r}")
        return [tuple(d for d in group.split(",") if d) for group in text[1:-1].split("),(")]

    return groups(inputs), groups(outputs)


def vectorize(pyfunc, *, excluded=None, signature=None):
    """NumPy's `vectorize` through `torch.vmap`: the returned function maps `pyfunc`
    over the broadcast leading ("loop") axes of its arguments. Without `signature`
    `pyfunc` sees scalars; with a gufunc `signature` such as "(n),(n)->()" it sees the
    trailing core axes. `excluded` names positions or keywords passed through as is."""
    excluded = set(excluded or ())
    core_inputs = _parse_gufunc_signature(signature)[0] if signature is not None else None

    def vectorized(*args, **kwargs):
        mapped = [i for i, a in enumerate(args) if i not in excluded and a is not None]
        mapped_keys = [k for k in kwargs if k not in excluded]
        if core_inputs is not None and len(core_inputs) != len(mapped):
            raise ValueError(
                f"`vectorize` signature {signature!r} has {len(core_inputs)} inputs; the call gave "
                f"{len(mapped)} vectorized positional arguments."
            )
        tensors = [to_tensor(args[i]) for i in mapped] + [to_tensor(kwargs[k]) for k in mapped_keys]
        core = [len(c) for c in core_inputs] if core_inputs is not None else [0] * len(mapped)
        core += [0] * len(mapped_keys)
        loop_shape = torch.broadcast_shapes(*[tuple(t.shape[: t.ndim - n]) for t, n in zip(tensors, core)])
        flat = [
            t.expand(tuple(loop_shape) + tuple(t.shape[t.ndim - n :])).reshape((-1,) + tuple(t.shape[t.ndim - n :]))
            for t, n in zip(tensors, core)
        ]

        def call(*values):
            call_args, call_kwargs = list(args), dict(kwargs)
            for index, value in zip(mapped, values):
                call_args[index] = value
            for key, value in zip(mapped_keys, values[len(mapped) :]):
                call_kwargs[key] = value
            return pyfunc(*call_args, **call_kwargs)

        if not flat:
            return call()
        result = torch.vmap(call)(*flat)

        def restore(value):
            value = to_tensor(value)
            return value.reshape(tuple(loop_shape) + tuple(value.shape[1:]))

        if isinstance(result, (tuple, list)):
            return type(result)(restore(v) for v in result)
        return restore(result)

    vectorized.__name__ = getattr(pyfunc, "__name__", "vectorized")
    vectorized.__doc__ = getattr(pyfunc, "__doc__", None)
    return keras_op(vectorized)
