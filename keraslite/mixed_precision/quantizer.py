"""`keras.Quantizer`: the base class of quantizers (a callable from a float tensor to its
quantized form, with a config). keraslite's layers do not quantize yet; subclasses define
`__call__` and `get_config`."""

from __future__ import annotations


class Quantizer:
    """Base class of quantizers.

    Args:
        output_dtype: the dtype of the quantized values (`"int8"` by default).
    """

    def __init__(self, output_dtype="int8"):
        self.output_dtype = output_dtype

    def __call__(self, x):
        """The quantized form of `x` (the base class returns `x` unchanged)."""
        return x

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} does not implement get_config()")
