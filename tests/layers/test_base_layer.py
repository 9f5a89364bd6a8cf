import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


class Scale(layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        self.moving = self.add_weight(shape=(1,), initializer="zeros", trainable=False, name="moving")

    def call(self, inputs):
        return inputs * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_build_on_first_call_and_weights():
    layer = Scale()
    assert not layer.built
    out = layer(np.ones((2, 3), "float32"))
    assert layer.built and tuple(out.shape) == (2, 3)
    assert [w.name for w in layer.weights] == ["variable", "moving"]
    assert [w.name for w in layer.trainable_weights] == ["variable"]
    assert [w.name for w in layer.non_trainable_weights] == ["moving"]
    # `self.w = self.add_weight(...)` registers the parameter once, under the attribute's name.
    assert list(dict(layer.named_parameters())) == ["w", "moving"]
    assert layer.count_params() == 4


def test_freezing_empties_trainable_weights():
    layer = layers.Dense(2)
    layer.build((None, 3))
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert not any(p.requires_grad for p in layer.parameters())
    layer.trainable = True
    assert len(layer.trainable_weights) == 2


def test_get_set_weights_round_trip_and_errors():
    layer = layers.Dense(2)
    layer.build((None, 3))
    values = [np.arange(6, dtype="float32").reshape(3, 2), np.array([1.0, -1.0], "float32")]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    before = layer.get_weights()
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights(values[:1])
    with pytest.raises(ValueError, match=r"expected shape \(3, 2\), received value of shape \(2, 3\)"):
        layer.set_weights([values[0].T, values[1]])
    # A failed set_weights changes nothing.
    for got, want in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_count_params_before_build():
    with pytest.raises(ValueError, match="isn't built"):
        layers.Dense(2).count_params()


def test_sublayers_in_lists_are_tracked():
    class Stack(layers.Layer):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(3), layers.Dense(3)]

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return x

    stack = Stack()
    stack(np.ones((1, 3), "float32"))
    assert len(stack.weights) == 4 and isinstance(stack.blocks, list)
    assert len(list(stack.parameters())) == 4


def test_training_defaults_to_inference_and_propagates():
    seen = []

    class Probe(layers.Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, inputs):
            return self.probe(inputs)

    outer = Outer()
    x = torch.ones(1, 2)
    outer(x)
    outer(x, training=True)
    outer.train()
    outer(x)
    assert seen == [False, True, True]


def test_losses_collect_regularizers_and_add_loss():
    layer = layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.5), activity_regularizer="l1")
    layer(torch.ones(4, 3))
    losses = layer.losses
    assert len(losses) == 2
    expected_l2 = 0.5 * float((layer.kernel.detach() ** 2).sum())
    assert abs(float(losses[1].detach()) - expected_l2) < 1e-5


def test_input_output_and_shapes():
    x = keras.Input(shape=(3,))
    dense = layers.Dense(2)
    y = dense(x)
    assert dense.input is x and dense.output is y
    assert dense.input_shape == (None, 3) and dense.output_shape == (None, 2)
    dense(keras.Input(shape=(3,)))
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        dense.output


def test_numpy_float64_inputs_are_cast_to_float32():
    layer = layers.Dense(2)
    out = layer(np.ones((1, 3)))
    assert out.dtype == torch.float32


def test_custom_layer_without_get_config_explains_how():
    class NeedsConfig(layers.Layer):
        def __init__(self, units):
            super().__init__()
            self.units = units

    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        NeedsConfig(3).get_config()


def test_config_round_trip_of_custom_layer():
    layer = Scale(factor=3.0, name="s")
    clone = Scale.from_config(layer.get_config())
    assert clone.factor == 3.0 and clone.name == "s"


def test_layer_is_an_nn_module_on_the_default_device():
    layer = layers.Dense(2)
    layer.build((None, 3))
    assert isinstance(layer, torch.nn.Module)
    assert layer.kernel.device.type == keras.backend.get_device().type


def test_add_weight_accepts_tf2_name_first_form():
    class OldStyle(layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", shape=(input_shape[-1], 2), initializer="ones")

        def call(self, inputs):
            return inputs @ self.kernel

    layer = OldStyle()
    assert tuple(layer(np.ones((1, 3), "float32")).shape) == (1, 2)
    assert layer.weights[0].name == "kernel"


def test_mixed_precision_dtype_policies(keras_oracle):
    layer = layers.Dense(2, dtype="mixed_float16")
    assert (layer.dtype, layer.compute_dtype, layer.get_config()["dtype"]) == ("float32", "float16", "mixed_float16")
    layer.build((None, 3))
    assert layer.kernel.dtype == torch.float32
    # The config real Keras 3 writes for a mixed-precision layer builds here.
    config = keras_oracle.run("result['config'] = keras.layers.Dense(2, dtype='mixed_bfloat16').get_config()")["config"]
    rebuilt = layers.Dense.from_config(config)
    assert rebuilt.compute_dtype == "bfloat16" and rebuilt.dtype == "float32"
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        assert layers.Dense(1).compute_dtype == "float16"
    finally:
        keras.mixed_precision.set_global_policy("float32")


# ---------------------------------------------------------------------- the first call argument by keyword
class Endpoint(layers.Layer):
    """A layer whose first `call` argument is not named `inputs` (the endpoint pattern)."""

    def call(self, logits, targets=None, sample_weight=None):
        outputs = keras.ops.sigmoid(logits)
        if targets is not None:
            self.add_loss(keras.ops.mean(keras.ops.square(outputs - targets)))
        if sample_weight is not None:
            outputs = outputs * sample_weight
        return outputs


_ENDPOINT_SOURCE = """
@keras.saving.register_keras_serializable(package="call_forms")
class Endpoint(keras.layers.Layer):
    def call(self, logits, targets=None, sample_weight=None):
        outputs = keras.ops.sigmoid(logits)
        if targets is not None:
            self.add_loss(keras.ops.mean(keras.ops.square(outputs - targets)))
        if sample_weight is not None:
            outputs = outputs * sample_weight
        return outputs
"""


def _endpoint_data():
    rng = np.random.default_rng(0)
    return [rng.normal(size=(4, 3)).astype("float32") for _ in range(3)]


def test_first_call_argument_by_keyword_eager():
    logits, targets, weight = _endpoint_data()
    layer = Endpoint()
    by_keyword = layer(logits=logits, targets=targets, sample_weight=weight)
    np.testing.assert_allclose(by_keyword.numpy(), layer(logits, targets, weight).numpy())
    assert len(layer.losses) == 1
    np.testing.assert_allclose(layer(logits=logits).numpy(), 1 / (1 + np.exp(-logits)), rtol=1e-6)
    # Built-in layers too, whatever their first argument is called.
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=2)
    query, value = np.ones((2, 4, 3), "float32"), np.ones((2, 5, 3), "float32")
    np.testing.assert_allclose(
        attention(query=query, value=value).detach().numpy(), attention(query, value).detach().numpy()
    )
    assert tuple(layers.Dense(2)(inputs=logits).shape) == (4, 2)


def test_arrays_in_other_arguments_arrive_as_tensors():
    seen = {}

    class Recorder(layers.Layer):
        def call(self, inputs, targets=None, weights=None, rate=0.5):
            seen.update(targets=targets, weights=weights, rate=rate)
            return inputs

    Recorder()(np.ones((2, 3), "float32"), np.zeros((2, 3)), weights=np.arange(3), rate=0.25)
    # Floating arrays take the compute dtype; integer arrays keep theirs; Python numbers stay.
    assert isinstance(seen["targets"], torch.Tensor) and seen["targets"].dtype == torch.float32
    assert isinstance(seen["weights"], torch.Tensor) and seen["weights"].dtype == torch.int64
    assert seen["rate"] == 0.25


def test_missing_first_call_argument_names_it():
    with pytest.raises(TypeError, match=r"'endpoint'.*Endpoint.call\(\) takes it as `logits`.*Received: args=\(\)"):
        Endpoint()(targets=np.ones((2, 3), "float32"))
    # `inputs` is no alias for a first argument with another name (as in Keras).
    with pytest.raises(TypeError, match=r"takes it as `logits`.*kwargs=\['inputs'\]"):
        Endpoint()(inputs=np.ones((2, 3), "float32"))


def test_keyword_keras_tensors_become_the_nodes_inputs_and_lower_to_fx(tmp_path):
    logits_in, targets_in, weight_in = (keras.Input((3,), name=n) for n in ("logits", "targets", "weight"))
    outputs = Endpoint(name="endpoint")(logits=logits_in, targets=targets_in, sample_weight=weight_in)
    assert tuple(outputs.shape) == (None, 3)
    node = outputs._keras_history.layer._inbound_nodes[0]
    assert [t.name for t in node.input_tensors] == ["logits", "targets", "weight"]
    model = keras.Model([logits_in, targets_in, weight_in], outputs)
    assert "endpoint" in model.graph_module.code
    data = _endpoint_data()
    expected = Endpoint()(*data).numpy()
    np.testing.assert_allclose(model(data).detach().numpy(), expected, rtol=1e-6)
    model.save(tmp_path / "endpoint.keras")
    loaded = keras.models.load_model(tmp_path / "endpoint.keras", custom_objects={"Endpoint": Endpoint})
    np.testing.assert_allclose(loaded(data).detach().numpy(), expected, rtol=1e-6)


def test_model_of_keyword_calls_trains_on_its_added_loss():
    logits_in, targets_in = keras.Input((3,), name="x"), keras.Input((3,), name="y")
    outputs = Endpoint()(logits=layers.Dense(3)(logits_in), targets=targets_in)
    model = keras.Model([logits_in, targets_in], outputs)
    model.compile(optimizer="sgd")
    logits, targets, _ = _endpoint_data()
    history = model.fit([logits, targets], epochs=2, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()


def test_keras_file_with_first_argument_by_keyword_loads(tmp_path, keras_oracle):
    # Keras records `layer(logits=...)` with `args: []` and the tensor under `kwargs`.
    path = str(tmp_path / "from_keras.keras")
    data = _endpoint_data()
    expected = keras_oracle.run(
        _ENDPOINT_SOURCE
        + "names = ('logits', 'targets', 'weight')\n"
        + "a, b, c = (keras.Input((3,), name=n) for n in names)\n"
        + "model = keras.Model([a, b, c], Endpoint(name='endpoint')(logits=a, targets=b, sample_weight=c))\n"
        + f"model.save({path!r})\n"
        + "result['y'] = model([inputs['a'], inputs['b'], inputs['c']])\n",
        a=data[0],
        b=data[1],
        c=data[2],
    )["y"]
    loaded = keras.models.load_model(path, custom_objects={"call_forms>Endpoint": Endpoint})
    np.testing.assert_allclose(loaded(data).detach().numpy(), expected, rtol=1e-6)


def test_training_may_come_by_position():
    # Keras binds `layer(x, True)` to call(inputs, training).
    dropout = keras.layers.Dropout(0.9, seed=1)
    ones = np.ones((8, 8), "float32")
    assert (dropout(ones, True).numpy() == 0).any()
    assert (dropout(ones, False).numpy() == 1).all()
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dropout(0.9, seed=1)(inputs))
    assert (model(ones, True).numpy() == 0).any()
    assert (model(ones, False).numpy() == 1).all()
