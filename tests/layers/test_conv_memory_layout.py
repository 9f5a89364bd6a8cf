"""Convolution kernels keep Keras's shape but torch's memory layout: the property the
CPU/GPU speed of every conv net rests on (no kernel copy per call, gradients and optimizer
state in the same dense layout), and what must not change for users (shapes, values,
`get_weights`, saved files)."""

import os

import numpy as np
import pytest
import torch
from torch.profiler import ProfilerActivity, profile

import keraslite as keras
from keraslite import layers
from keraslite.layers import conv as conv_module

CHANNELS_LAST_FORMATS = {1: None, 2: torch.channels_last, 3: torch.channels_last_3d}
CASES = [
    # (class, kwargs, channels-last input shape)
    (layers.Conv1D, {"filters": 6, "kernel_size": 3}, (2, 9, 4)),
    (layers.Conv2D, {"filters": 6, "kernel_size": 3, "activation": "relu"}, (2, 7, 7, 4)),
    (layers.Conv2D, {"filters": 6, "kernel_size": 3, "groups": 2}, (2, 7, 7, 4)),
    (layers.Conv3D, {"filters": 6, "kernel_size": 2}, (2, 4, 4, 4, 4)),
    (layers.Conv2DTranspose, {"filters": 6, "kernel_size": 3, "strides": 2}, (2, 5, 5, 4)),
]


def _is_torch_native(layer):
    kernel = layer._torch_kernel()
    if layer.data_format == "channels_first":
        return kernel.is_contiguous()
    memory_format = CHANNELS_LAST_FORMATS[layer.rank]
    if memory_format is None:  # (out, in, k) read as (out, k, in) memory
        return kernel.permute(0, 2, 1).is_contiguous()
    return kernel.is_contiguous(memory_format=memory_format)


@pytest.mark.parametrize("cls, kwargs, shape", CASES)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_kernel_has_keras_shape_and_torch_layout(cls, kwargs, shape, data_format):
    layer = cls(data_format=data_format, **kwargs)
    if data_format == "channels_first":
        shape = (shape[0], shape[-1]) + shape[1:-1]
    layer(np.zeros(shape, "float32"))
    rank = layer.rank
    channels = shape[-1] if data_format == "channels_last" else shape[1]
    if layer.transpose:
        expected = layer.kernel_size + (kwargs["filters"], channels)
    else:
        expected = layer.kernel_size + (channels // kwargs.get("groups", 1), kwargs["filters"])
    assert tuple(layer.kernel.shape) == expected
    assert len(expected) == rank + 2
    assert isinstance(layer.kernel, keras.Variable)
    assert _is_torch_native(layer)
    # What users read is a plain C-ordered array, as Keras gives.
    assert layer.get_weights()[0].flags["C_CONTIGUOUS"]


def _count_copies(forward_backward):
    forward_backward()  # warm-up (oneDNN primitives)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        forward_backward()
    return sum(1 for event in prof.events() if event.name in ("aten::copy_", "aten::contiguous", "aten::clone"))


def test_no_kernel_copy_per_call():
    layer = layers.Conv2D(8, 3, padding="same", activation="relu")
    x = torch.randn(2, 6, 6, 4).requires_grad_()
    layer(x)
    # The floor: torch itself with channels_last input and weight (its backward converts
    # the weight gradient once, whatever the layout).
    weight = torch.randn(8, 3, 3, 4).permute(0, 3, 1, 2).requires_grad_()
    bias = torch.zeros(8, requires_grad=True)
    torch_copies = _count_copies(
        lambda: torch.nn.functional.conv2d(x.movedim(-1, 1), weight, bias, 1, 1).relu_().sum().backward()
    )
    assert _count_copies(lambda: layer(x).sum().backward()) == torch_copies
    # The check can fail: a kernel in Keras's own memory order is copied on every call.
    layer.kernel.grad = None
    with torch.no_grad():
        layer.kernel.data = layer.kernel.data.contiguous()
    assert _count_copies(lambda: layer(x).sum().backward()) > torch_copies


def test_gradient_and_optimizer_state_share_the_layout_after_training():
    inputs = keras.Input((6, 6, 3))
    outputs = layers.Dense(2)(layers.GlobalAveragePooling2D()(layers.Conv2D(5, 3, activation="relu")(inputs)))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2), loss="mse")
    kernel = model.layers[1].kernel
    before = kernel.detach().clone()
    strides = kernel.stride()
    x, y = np.random.default_rng(0).random((8, 6, 6, 3), "float32"), np.ones((8, 2), "float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert model.layers[1].kernel is kernel  # updated in place, still the layer's variable
    assert kernel.stride() == strides
    assert not torch.equal(kernel.detach(), before)
    slots = [v for v in model.optimizer.variables if tuple(v.shape) == tuple(kernel.shape)]
    assert slots and all(v.stride() == strides for v in slots)
    assert kernel.grad is None or kernel.grad.stride() == strides


def test_values_and_files_are_keras_layout(tmp_path):
    layer = layers.Conv2D(4, (2, 3))
    layer.build((None, 5, 5, 3))
    values = np.arange(2 * 3 * 3 * 4, dtype="float32").reshape(2, 3, 3, 4)
    layer.set_weights([values, np.zeros(4, "float32")])
    np.testing.assert_array_equal(layer.get_weights()[0], values)
    np.testing.assert_array_equal(layer.kernel.numpy(), values)
    assert _is_torch_native(layer)  # assign copies into the layout, it does not replace it
    inputs = keras.Input((5, 5, 3))
    model = keras.Model(inputs, layer(inputs))
    path = os.path.join(tmp_path, "model.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.layers[1].get_weights()[0], values)
    assert _is_torch_native(loaded.layers[1])


def test_storage_order_table():
    assert conv_module.kernel_storage_order(2, "channels_last") == (3, 0, 1, 2)
    assert conv_module.kernel_storage_order(2, "channels_first") == (3, 2, 0, 1)
    assert conv_module.kernel_storage_order(1, "channels_last") == (2, 0, 1)


def test_in_place_relu_matches_out_of_place():
    torch.manual_seed(0)
    fused = layers.Conv2D(4, 3, activation="relu")
    plain = layers.Conv2D(4, 3)
    x = torch.randn(2, 6, 6, 3)
    fused.build(x.shape)
    plain.build(x.shape)
    plain.set_weights(fused.get_weights())
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    ya, yb = fused(xa), torch.relu(plain(xb))
    torch.testing.assert_close(ya, yb)
    ya.square().sum().backward()
    yb.square().sum().backward()
    torch.testing.assert_close(xa.grad, xb.grad)
    torch.testing.assert_close(fused.kernel.grad, plain.kernel.grad)


def test_merge_without_masks_skips_mask_inference(monkeypatch):
    from keraslite.layers import masks

    def fail(*args, **kwargs):
        raise AssertionError("mask inference ran for inputs without masks")

    monkeypatch.setattr(masks, "_infer_mask_spec", fail)
    a, b = keras.Input((3,)), keras.Input((3,))
    assert getattr(layers.add([a, b]), "_keras_mask", None) is None
    tokens = keras.Input((4,), dtype="int32")
    embedded = layers.Embedding(10, 3, mask_zero=True)(tokens)
    monkeypatch.undo()
    assert layers.add([embedded, embedded])._keras_mask is not None


@pytest.mark.parametrize(
    "make",
    [
        lambda data_format: layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", data_format=data_format),
        lambda data_format: layers.SeparableConv2D(6, 3, depth_multiplier=2, data_format=data_format),
        lambda data_format: layers.SeparableConv1D(6, 3, data_format=data_format),
    ],
    ids=["depthwise2d", "separable2d", "separable1d"],
)
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_depthwise_and_pointwise_kernels_are_read_without_a_copy(make, data_format):
    """Depthwise kernels `(*k, in, mult)` lie in memory as `(in, mult, *k)`, pointwise ones as
    torch's channels_last: torch's views of them are contiguous (a copy per call otherwise),
    while shapes and values are Keras's and the outputs those of the old Keras-ordered memory."""
    layer = make(data_format)
    rank = 2 if "2D" in type(layer).__name__ else 1
    shape = (2,) + (7,) * rank + (4,)
    if data_format == "channels_first":
        shape = (2, 4) + (7,) * rank
    x = torch.randn(shape)
    expected_output = layer(x)
    depthwise = layer.depthwise_kernel if layer.separable else layer.kernel
    assert tuple(depthwise.shape) == layer.kernel_size + (4, layer.depth_multiplier)
    assert layer._depthwise_torch_kernel(depthwise).is_contiguous()
    if layer.separable:
        pointwise = layer.pointwise_kernel
        assert tuple(pointwise.shape) == (1,) * rank + (4 * layer.depth_multiplier, 6)
        assert pointwise.reshape(pointwise.shape[-2:]).T.is_contiguous()
    assert all(w.flags["C_CONTIGUOUS"] for w in layer.get_weights())
    # Keras-ordered memory (the old layout) computes the same.
    with torch.no_grad():
        for weight in layer.weights:
            weight.value.data = weight.value.data.contiguous()
    torch.testing.assert_close(layer(x), expected_output)


_SUBLAYER_MODEL_CODE = """
class KernelGen(keras.layers.Layer):
    def build(self, input_shape):
        self.gen = keras.Sequential([keras.layers.Conv2D(2, 1), keras.layers.BatchNormalization()])

    def call(self, x):
        return self.gen(x)

x = keras.Input((4, 4, 3))
model = keras.Model(x, KernelGen()(x))
model.set_weights([inputs[f'w{i}'] for i in range(6)])
result['shape'] = list(model.outputs[0].shape[1:])
result['y'] = model.predict(inputs['x'], verbose=0)
"""


class _KernelGen(layers.Layer):
    """Builds a Conv2D + BatchNormalization Sequential in `build` (involution.py's kernel
    generator): the convolution is first built while the outer layer's output shape is
    inferred under fake tensors."""

    def build(self, input_shape):
        self.gen = keras.Sequential([layers.Conv2D(2, 1), layers.BatchNormalization()])

    def call(self, x):
        return self.gen(x)


def test_conv_built_during_fake_shape_inference_keeps_a_real_kernel(keras_oracle):
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, _KernelGen()(inputs))
    conv = model.layers[1].gen.layers[0]
    # The re-layout ran for real: a meta kernel under the Parameter made the next
    # BatchNormalization fail with "found at least two devices, meta and cpu".
    assert conv.kernel.device.type == "cpu" and _is_torch_native(conv)
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(tuple(w.shape)).astype("float32") for w in model.get_weights()]
    weights[-1] = np.abs(weights[-1]) + 0.5  # moving variance
    model.set_weights(weights)
    x = rng.standard_normal((2, 4, 4, 3)).astype("float32")
    expected = keras_oracle.run(_SUBLAYER_MODEL_CODE, x=x, **{f"w{i}": w for i, w in enumerate(weights)})
    assert list(model.outputs[0].shape[1:]) == list(expected["shape"])
    np.testing.assert_allclose(model.predict(x, verbose=0), expected["y"], rtol=1e-5, atol=1e-5)
