"""Keras 3's layer members of layers/layer_state.py (path, stateless_call, the own-variables
store, torch_params, metrics, rematerialized_call ...), against real Keras where observable."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers

_PATHS_CODE = """
d = keras.layers.Dense(3, name='d')
unbuilt = d.path
d.build((None, 2))
seq = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, name='a'), keras.layers.Dense(1, name='b')], name='s')
i = keras.Input((4,), name='x')
f = keras.Model(i, keras.layers.Dense(2, name='c')(i), name='f')
class M(keras.Model):
    def __init__(self):
        super().__init__(name='m')
        self.inner = keras.layers.Dense(2, name='e')
    def call(self, x):
        return self.inner(x)
m = M(); m(np.ones((1, 3), 'float32'))
lstm = keras.layers.LSTM(2, name='l'); lstm.build((None, 3, 2))
result.update(
    unbuilt=str(unbuilt), d=d.path, dw=[v.path for v in d.weights],
    s=seq.path, sl=[l.path for l in seq.layers], sw=[v.path for v in seq.weights],
    f=f.path, fl=[str(l.path) for l in f.layers], fw=[v.path for v in f.weights],
    m=m.path, ml=m.inner.path, mw=[v.path for v in m.weights],
    lw=[v.path for v in lstm.weights],
    tp=list(seq.torch_params.keys()), dtp=list(d.torch_params.keys()),
)
"""


def _paths():
    d = layers.Dense(3, name="d")
    unbuilt = d.path
    d.build((None, 2))
    seq = keras.Sequential([keras.Input((2,)), layers.Dense(3, name="a"), layers.Dense(1, name="b")], name="s")
    i = keras.Input((4,), name="x")
    f = keras.Model(i, layers.Dense(2, name="c")(i), name="f")

    class M(keras.Model):
        def __init__(self):
            super().__init__(name="m")
            self.inner = layers.Dense(2, name="e")

        def call(self, x):
            return self.inner(x)

    m = M()
    m(np.ones((1, 3), "float32"))
    lstm = layers.LSTM(2, name="l")
    lstm.build((None, 3, 2))
    return dict(
        unbuilt=str(unbuilt),
        d=d.path,
        dw=[v.path for v in d.weights],
        s=seq.path,
        sl=[layer.path for layer in seq.layers],
        sw=[v.path for v in seq.weights],
        f=f.path,
        fl=[str(layer.path) for layer in f.layers],
        fw=[v.path for v in f.weights],
        m=m.path,
        ml=m.inner.path,
        mw=[v.path for v in m.weights],
        lw=[v.path for v in lstm.weights],
        tp=sorted(seq.torch_params.keys()),
        dtp=sorted(d.torch_params.keys()),
    )


def test_layer_and_variable_paths_match_keras(keras_oracle):
    expected = keras_oracle.run(_PATHS_CODE)
    expected["tp"], expected["dtp"] = sorted(expected["tp"]), sorted(expected["dtp"])
    assert _paths() == expected


def test_torch_params_is_a_parameter_dict_of_the_variables():
    dense = layers.Dense(2)
    dense.build((None, 3))
    params = dense.torch_params
    assert isinstance(params, torch.nn.ParameterDict)
    assert params["dense/kernel"] is dense.kernel and params["dense/bias"] is dense.bias


_STATELESS_CODE = """
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name='d'),
                          keras.layers.BatchNormalization(name='bn')])
def listed(prefix):
    return [inputs[k] for k in sorted((k for k in inputs if k.startswith(prefix)), key=lambda k: int(k[1:]))]
model.set_weights(listed('w'))
tv = [keras.ops.convert_to_tensor(v) for v in listed('t')]
ntv = [keras.ops.convert_to_tensor(v) for v in listed('n')]
out, new_ntv = model.stateless_call(tv, ntv, keras.ops.convert_to_tensor(inputs['x']), training=True)
out2, _, losses = model.stateless_call(tv, ntv, keras.ops.convert_to_tensor(inputs['x']), return_losses=True)
result.update(out=keras.ops.convert_to_numpy(out), ntv=[keras.ops.convert_to_numpy(v) for v in new_ntv],
              after=[v.numpy() for v in model.weights], out2=keras.ops.convert_to_numpy(out2), nl=len(losses))
"""


def test_stateless_call_matches_keras_and_leaves_the_layer_unchanged(keras_oracle):
    rng = np.random.default_rng(0)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(4, name="d"), layers.BatchNormalization(name="bn")])
    weights = [rng.normal(size=w.shape).astype("float32") for w in model.get_weights()]
    weights[-1] = np.abs(weights[-1])  # a moving variance
    model.set_weights(weights)
    trainable = [rng.normal(size=v.shape).astype("float32") for v in model.trainable_variables]
    non_trainable = [np.abs(rng.normal(size=v.shape)).astype("float32") for v in model.non_trainable_variables]
    x = rng.normal(size=(5, 3)).astype("float32")
    arrays = {
        f"{prefix}{i}": v
        for prefix, values in (("w", weights), ("t", trainable), ("n", non_trainable))
        for i, v in enumerate(values)
    }
    expected = keras_oracle.run(_STATELESS_CODE, x=x, **arrays)
    before = model.get_weights()
    out, new_non_trainable = model.stateless_call(trainable, non_trainable, x, training=True)
    np.testing.assert_allclose(out.detach().numpy(), expected["out"], rtol=1e-5, atol=1e-5)
    for ours, theirs in zip(new_non_trainable, expected["ntv"]):
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-6)
    for ours, theirs, original in zip(model.get_weights(), expected["after"], before):
        np.testing.assert_array_equal(ours, original)
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    out2, _, losses = model.stateless_call(trainable, non_trainable, x, return_losses=True)
    np.testing.assert_allclose(out2.detach().numpy(), expected["out2"], rtol=1e-5, atol=1e-5)
    assert len(losses) == expected["nl"]


def test_stateless_call_errors():
    dense = layers.Dense(2)
    with pytest.raises(ValueError, match="must be built"):
        dense.stateless_call([], [], np.ones((1, 2)))
    dense.build((None, 2))
    with pytest.raises(ValueError, match="trainable_variables.*length 1, but expected 2"):
        dense.stateless_call([np.ones((2, 2))], [], np.ones((1, 2)))


def test_own_variables_store_round_trip_and_errors():
    source = layers.Dense(2)
    source.build((None, 3))
    store = {}
    source.save_own_variables(store)
    assert sorted(store) == ["0", "1"] and store["0"] is source.kernel
    target = layers.Dense(2)
    target.build((None, 3))
    target.load_own_variables({k: v.detach().numpy() for k, v in store.items()})
    np.testing.assert_array_equal(target.kernel.numpy(), source.kernel.numpy())
    with pytest.raises(ValueError, match="expected 2 variables, but received 1"):
        target.load_own_variables({"0": np.zeros((3, 2))})
    with pytest.raises(ValueError, match="was never built"):
        layers.Dense(2).load_own_variables({"0": np.zeros((3, 2))})


def test_add_variable_input_dtype_and_symbolic_call():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.scale = self.add_variable((input_shape[-1],), "ones", name="scale")

        def call(self, x):
            return x * self.scale

    layer = Scale(dtype="mixed_float16")
    layer(np.ones((2, 3), "float32"))
    assert layer.scale.path == "scale/scale" and tuple(layer.scale.shape) == (3,)
    assert layer.input_dtype == "float16" and layers.Dense(2).input_dtype == "float32"
    dense = layers.Dense(5)
    spec = dense.symbolic_call(keras.KerasTensor((None, 4)))
    assert spec.shape == (None, 5) and not dense._inbound_nodes


def test_metrics_and_metrics_variables_of_a_layer():
    class Tracked(layers.Layer):
        def __init__(self):
            super().__init__()
            self.tracker = keras.metrics.Mean(name="m")
            self.inner = layers.Dense(1)
            self.inner.counter = keras.metrics.Sum(name="s")

    layer = Tracked()
    assert [m.name for m in layer.metrics] == ["m", "s"]
    assert [v.path for v in layer.metrics_variables] == ["m/total", "m/count", "s/total"]
    assert layers.Dense(2).metrics == []


def test_rematerialized_call_follows_the_remat_scope():
    plain = layers.Dense(3)
    call = plain.call
    assert plain.rematerialized_call(call) is call
    with keras.RematScope(mode="full"):
        full = layers.Dense(3, activation="relu")
    with keras.RematScope(mode="list_of_layers", layer_names=["other"]):
        unlisted = layers.Dense(3)
    assert unlisted.rematerialized_call(unlisted.call) is not None
    x = torch.randn(4, 2)
    reference = layers.Dense(3, activation="relu")
    reference.build((None, 2))
    full.build((None, 2))
    full.set_weights(reference.get_weights())
    out = full(x, training=True)
    out.sum().backward()
    ref_out = reference(x, training=True)
    ref_out.sum().backward()
    torch.testing.assert_close(out, ref_out)
    torch.testing.assert_close(full.kernel.grad, reference.kernel.grad)
    assert full.rematerialized_call(type(full).call.__get__(full)) is not type(full).call.__get__(full)


_SMALL_MEMBERS_CODE = """
class Tracked(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.tracker = keras.metrics.Mean(name='m')
        self.inner = keras.layers.Dense(1)
        self.inner.counter = keras.metrics.Sum(name='s')
layer = Tracked()
dense = keras.layers.Dense(2, dtype='mixed_bfloat16'); dense.build((None, 3))
store = {}
dense.save_own_variables(store)
spec = keras.layers.Dense(5).symbolic_call(keras.KerasTensor((None, 4)))
result.update(metrics=[m.name for m in layer.metrics], variables=[v.path for v in layer.metrics_variables],
              store=sorted(store), shapes=[list(store[k].shape) for k in sorted(store)],
              input_dtype=dense.input_dtype, spec=list(spec.shape))
"""


def test_small_members_match_keras(keras_oracle):
    expected = keras_oracle.run(_SMALL_MEMBERS_CODE)

    class Tracked(layers.Layer):
        def __init__(self):
            super().__init__()
            self.tracker = keras.metrics.Mean(name="m")
            self.inner = layers.Dense(1)
            self.inner.counter = keras.metrics.Sum(name="s")

    layer = Tracked()
    dense = layers.Dense(2, dtype="mixed_bfloat16")
    dense.build((None, 3))
    store = {}
    dense.save_own_variables(store)
    spec = layers.Dense(5).symbolic_call(keras.KerasTensor((None, 4)))
    assert [m.name for m in layer.metrics] == expected["metrics"]
    assert [v.path for v in layer.metrics_variables] == expected["variables"]
    assert sorted(store) == expected["store"]
    assert [list(store[k].shape) for k in sorted(store)] == expected["shapes"]
    assert dense.input_dtype == expected["input_dtype"] and list(spec.shape) == expected["spec"]
