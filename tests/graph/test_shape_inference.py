import pytest
import torch

import keraslite as keras
from keraslite import layers


class NoShapeMethod(layers.Layer):
    def call(self, inputs):
        return torch.cat([inputs, inputs[:, :1] * 2], dim=-1).unsqueeze(1)


def test_custom_layer_output_shape_inferred_without_compute_output_shape():
    x = keras.Input(shape=(5,))
    y = NoShapeMethod()(x)
    assert y.shape == (None, 1, 6)


def test_dynamic_dims_stay_unknown():
    x = keras.Input(shape=(None, 3))
    y = NoShapeMethod()(x[:, 0])
    assert y.shape == (None, 1, 4)


class BuildsSublayers(layers.Layer):
    def __init__(self):
        super().__init__()
        self.inner = layers.Dense(7)

    def call(self, inputs):
        return self.inner(inputs) * 2


def test_sublayer_weights_are_real_after_inference():
    x = keras.Input(shape=(3,))
    layer = BuildsSublayers()
    y = layer(x)
    assert y.shape == (None, 7)
    kernel = layer.inner.kernel
    assert type(kernel.data) is torch.Tensor and kernel.device.type in ("cpu", "cuda")
    assert kernel.detach().abs().sum().item() > 0


class Broken(layers.Layer):
    def call(self, inputs):
        return inputs @ torch.ones(2, 2)


def test_error_in_call_names_layer():
    x = keras.Input(shape=(3,))
    try:
        Broken(name="broken")(x)
    except RuntimeError as error:
        assert "Broken.call()" in str(error) and "'broken'" in str(error)
    else:
        raise AssertionError("expected an error")


class _TwoArgumentError(Exception):
    """An exception type not made from a message alone (as torch's
    FakeTensorDeviceMismatchError(func, common_device, device))."""

    def __init__(self, what, where):
        super().__init__(f"{what} at {where}")


class RaisesTwoArgumentError(layers.Layer):
    def call(self, inputs):
        raise _TwoArgumentError("bad input", "call")


def test_call_error_of_a_type_without_message_constructor_keeps_its_message():
    # Re-raising it as its own type with the layer's context failed with a TypeError about
    # the type's __init__ that hid the error; Keras falls back to a RuntimeError.
    with pytest.raises(RuntimeError, match=r"(?s)RaisesTwoArgumentError\.call\(\).*bad input at call"):
        RaisesTwoArgumentError()(keras.Input((3,)))
