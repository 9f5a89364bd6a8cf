"""TorchModuleWrapper: a torch.nn.Module as a layer in functional, Sequential and subclassed
models; its parameters train and are weights, its buffers non-trainable weights; `.keras`
files and weight files round-trip and cross with real Keras 3 (which saves this layer the
same way); loading the pickled module needs safe_mode=False."""

import copy
import json
import sys
import types
import zipfile

import h5py
import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.layers import TorchModuleWrapper
from keraslite.serialization import serialization_lib


def _mlp(batch_norm=True):
    layers = [torch.nn.Linear(4, 8)]
    if batch_norm:
        layers.append(torch.nn.BatchNorm1d(8))
    layers += [torch.nn.ReLU(), torch.nn.Linear(8, 2)]
    return torch.nn.Sequential(*layers)


def _data(rows=64):
    rng = np.random.RandomState(0)
    x = rng.rand(rows, 4).astype("float32")
    y = np.stack([x.sum(1), x[:, 0] - x[:, 1]], axis=1).astype("float32")
    return x, y


def _functional(module, output_shape=(None, 2)):
    inputs = keras.Input((4,))
    return keras.Model(inputs, TorchModuleWrapper(module, output_shape=output_shape)(inputs))


class TwoLayerNet(keras.Model):
    """A subclassed model mixing a wrapped module, a raw torch activation and a Keras layer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.body = TorchModuleWrapper(torch.nn.Linear(4, 16))
        self.act = torch.nn.ReLU()
        self.head = keras.layers.Dense(2)

    def call(self, x):
        return self.head(self.act(self.body(x)))


class Doubler(torch.nn.Module):
    """A module class of the test suite's own, importable where the model is loaded."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.full((3,), 2.0))

    def forward(self, x):
        return x * self.scale


# ---------------------------------------------------------------------- weights and training
def test_parameters_and_buffers_are_the_layer_weights_in_state_dict_order():
    module = _mlp()
    wrapper = TorchModuleWrapper(module)
    assert wrapper.built and wrapper.module is module
    keys = list(module.state_dict())
    assert [w._keras_store_key for w in wrapper.weights] == keys
    assert [tuple(w.shape) for w in wrapper.weights] == [tuple(t.shape) for t in module.state_dict().values()]
    # Parameters are replaced in the module by Variables: one object for the module, the layer, the optimizer.
    assert all(isinstance(p, keras.Variable) for p in module.parameters())
    assert [id(w) for w in wrapper.trainable_weights] == [id(p) for p in module.parameters()]
    assert [w._keras_store_key for w in wrapper.non_trainable_weights] == [
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    assert wrapper.count_params() == 4 * 8 + 8 + 8 + 8 + 8 + 8 + 1 + 8 * 2 + 2
    # A buffer weight shares the buffer's memory both ways.
    wrapper.non_trainable_weights[0].assign(np.full(8, 3.0, "float32"))
    np.testing.assert_array_equal(module[1].running_mean.numpy(), np.full(8, 3.0))
    module[1].running_var.fill_(5.0)
    np.testing.assert_array_equal(wrapper.non_trainable_weights[1].numpy(), np.full(8, 5.0))


def test_frozen_parameters_and_trainable_flag():
    module = _mlp()
    module[0].weight.requires_grad_(False)
    wrapper = TorchModuleWrapper(module)
    assert len(wrapper.trainable_weights) == 5 and len(wrapper.non_trainable_weights) == 1 + 3
    wrapper.trainable = False
    assert wrapper.trainable_weights == [] and not any(p.requires_grad for p in module.parameters())
    wrapper.to(torch.float64)  # new buffer tensors: the layer's lists are made again
    assert [w.dtype for w in wrapper.non_trainable_weights][:4] == [torch.float64] * 4
    wrapper.trainable = True
    assert len(wrapper.trainable_weights) == 5 and not module[0].weight.requires_grad


def test_functional_model_trains_and_is_a_torch_module_with_the_modules_tensors():
    torch.manual_seed(0)
    module = _mlp()
    model = _functional(module)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x, y = _data()
    losses = model.fit(x, y, epochs=8, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert int(module[1].num_batches_tracked) == 8 * 4  # the module ran in training mode under fit
    model.predict(x[:4], verbose=0)
    assert not module.training and int(module[1].num_batches_tracked) == 8 * 4  # predict: inference mode
    state = model.state_dict()
    wrapper = model.layers[1]
    for key, tensor in module.state_dict().items():
        assert torch.equal(state[f"{wrapper.name}.module.{key}"], tensor)
    assert isinstance(model, torch.nn.Module)


def test_the_module_trains_or_infers_as_the_call_says():
    wrapper = TorchModuleWrapper(torch.nn.Dropout(0.5))
    ones = torch.ones(1, 400)
    assert torch.equal(wrapper(ones), ones) and not wrapper.module.training  # inference by default
    assert not torch.equal(wrapper(ones, training=True), ones) and wrapper.module.training
    wrapper.train()  # torch's own switch, as for every keraslite layer
    assert not torch.equal(wrapper(ones), ones)
    assert torch.equal(wrapper(ones, training=False), ones) and not wrapper.module.training


def test_subclassed_model_trains_with_fit_and_with_a_custom_loop():
    torch.manual_seed(0)
    x, y = _data()
    model = TwoLayerNet()
    # Built first: an optimizer built before the lazily built Dense exists is issue 13's item 9.
    model(x[:2])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    losses = model.fit(x, y, epochs=6, batch_size=16, verbose=0).history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert model.count_params() == 4 * 16 + 16 + 16 * 2 + 2
    assert len(model.trainable_weights) == 4

    wrapper = TorchModuleWrapper(torch.nn.Linear(4, 2))
    optimizer = keras.optimizers.SGD(0.1)
    xt, yt = torch.tensor(x), torch.tensor(y)
    losses = []
    for _ in range(20):
        loss = torch.mean((wrapper(xt, training=True) - yt) ** 2)
        grads = torch.autograd.grad(loss, wrapper.trainable_weights)
        optimizer.apply_gradients(zip(grads, wrapper.trainable_weights))
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.3 * losses[0]


def test_sequential_models_and_lazy_modules_built_on_first_call():
    model = keras.Sequential([keras.Input((4,)), TorchModuleWrapper(torch.nn.Linear(4, 3)), keras.layers.Dense(1)])
    assert model.output_shape == (None, 1) and model.count_params() == 15 + 4

    lazy = TorchModuleWrapper(torch.nn.LazyLinear(3))
    assert not lazy.built and lazy.weights == []
    eager = keras.Sequential([lazy, keras.layers.Dense(1)])
    assert tuple(eager(np.ones((2, 5), "float32")).shape) == (2, 1)
    assert lazy.built and [tuple(w.shape) for w in lazy.weights] == [(3, 5), (3,)]
    assert all(isinstance(w, keras.Variable) for w in lazy.module.parameters())

    # Symbolic: built on zeros of the input shape; the output shape found by a fake run.
    conv = TorchModuleWrapper(torch.nn.Sequential(torch.nn.LazyConv2d(4, 3), torch.nn.LazyBatchNorm2d()))
    outputs = conv(keras.Input((3, 8, 8)))
    assert tuple(outputs.shape) == (None, 4, 6, 6) and conv.count_params() == 3 * 3 * 3 * 4 + 4 + 4 * 4 + 1
    assert int(conv.module[1].num_batches_tracked) == 0  # the initializing run was in inference mode
    # Built inside the fake-tensor run that infers a subclassed model's output: real weights still.
    inner = TorchModuleWrapper(torch.nn.Sequential(torch.nn.LazyLinear(4), torch.nn.LazyBatchNorm1d()))

    class Holder(keras.Model):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def call(self, x):
            return self.inner(x)

    assert tuple(Holder()(keras.Input((3,))).shape) == (None, 4)
    assert all(type(w.data) is torch.Tensor for w in inner.weights) and len(inner.weights) == 7
    with pytest.raises(ValueError, match="lazy module LazyLinear.*input shape"):
        TorchModuleWrapper(torch.nn.LazyLinear(2)).build()


def test_output_shape_argument_and_inferred_shapes():
    fixed = TorchModuleWrapper(torch.nn.Linear(4, 2), output_shape=[None, 2])
    assert fixed.output_shape == (None, 2) and fixed.compute_output_shape((None, 4)) == (None, 2)
    inferred = TorchModuleWrapper(torch.nn.Conv1d(4, 6, 3))
    assert inferred.output_shape is None
    assert tuple(inferred(keras.Input((4, None))).shape) == (None, 6, None)
    assert inferred.compute_output_shape((None, 4, 10)) == (None, 6, 8)
    with pytest.raises(TypeError, match="must be a `torch.nn.Module`.*Received: module=3"):
        TorchModuleWrapper(3)


def test_a_copied_layer_has_its_own_weights_on_its_own_module():
    wrapper = TorchModuleWrapper(_mlp())
    copied = copy.deepcopy(wrapper)
    assert [w.name for w in copied.weights] == [w.name for w in wrapper.weights]
    assert [id(p) for p in copied.module.parameters()] == [id(w) for w in copied.trainable_weights]
    copied.non_trainable_weights[0].assign(np.ones(8, "float32"))
    assert float(copied.module[1].running_mean.sum()) == 8.0 and float(wrapper.module[1].running_mean.sum()) == 0.0


def test_buffer_weights_follow_the_module_to_another_dtype():
    module = _mlp()
    wrapper = TorchModuleWrapper(module)
    names = [w.name for w in wrapper.weights]
    wrapper.to(torch.float64)
    assert [w.dtype for w in wrapper.weights][:6] == [torch.float64] * 6
    assert [w.name for w in wrapper.weights] == names  # views made again keep their names
    wrapper.non_trainable_weights[0].assign(np.ones(8))
    assert module[1].running_mean.dtype == torch.float64 and float(module[1].running_mean.sum()) == 8.0


# ---------------------------------------------------------------------- configs and files
def test_get_config_from_config_and_safe_mode():
    wrapper = TorchModuleWrapper(Doubler(), name="twice", output_shape=(None, 3))
    config = wrapper.get_config()
    assert sorted(config) == ["dtype", "module", "name", "output_shape", "trainable"]
    json.dumps(config)
    with pytest.raises(ValueError, match=r"'twice'.*torch.load.*Doubler.*safe_mode=False"):
        TorchModuleWrapper.from_config(config)
    with pytest.raises(ValueError, match="safe_mode=False"):
        TorchModuleWrapper.from_config(config, safe_mode=True)
    rebuilt = TorchModuleWrapper.from_config(json.loads(json.dumps(config)), safe_mode=False)
    assert isinstance(rebuilt.module, Doubler) and rebuilt.module is not wrapper.module
    assert rebuilt.name == "twice" and rebuilt.output_shape == (None, 3)
    np.testing.assert_array_equal(rebuilt(np.ones((1, 3), "float32")).detach().numpy(), [[2.0, 2.0, 2.0]])


def test_enable_unsafe_deserialization_allows_from_config(monkeypatch):
    config = TorchModuleWrapper(torch.nn.Linear(2, 2)).get_config()
    monkeypatch.setattr(serialization_lib, "_UNSAFE_ENABLED", True)
    assert isinstance(TorchModuleWrapper.from_config(config).module, torch.nn.Linear)


def test_a_module_class_that_cannot_be_imported_is_named():
    fake = types.ModuleType("vanished_models")

    class Gone(torch.nn.Linear):
        pass

    Gone.__module__, Gone.__qualname__ = "vanished_models", "Gone"
    fake.Gone = Gone
    sys.modules["vanished_models"] = fake
    try:
        config = TorchModuleWrapper(Gone(2, 2), name="gone").get_config()
    finally:
        del sys.modules["vanished_models"]
    with pytest.raises(ValueError, match=r"'gone'.*vanished_models\.Gone.*must be importable"):
        TorchModuleWrapper.from_config(config, safe_mode=False)


def test_keras_file_round_trip_and_weight_files(tmp_path):
    torch.manual_seed(0)
    model = _functional(_mlp())
    model.compile(optimizer="adam", loss="mse")
    x, y = _data()
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    with pytest.raises(ValueError, match=r"torch_module_wrapper'.*BatchNorm1d.*safe_mode=False"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 8
    # The weights are stored as Keras stores this layer's: under the state_dict keys.
    with zipfile.ZipFile(path) as archive, h5py.File(archive.open("model.weights.h5"), "r") as h5:
        stored = sorted(h5["layers/torch_module_wrapper/vars"].keys())
    assert stored == sorted(model.layers[1].module.state_dict())

    # A Sequential model whose lazy module was built by its first call.
    sequential = keras.Sequential([TorchModuleWrapper(torch.nn.LazyLinear(3)), keras.layers.Dense(1)])
    sequential(x[:2])
    sequential.save(tmp_path / "s.keras")
    reloaded = keras.models.load_model(tmp_path / "s.keras", safe_mode=False)
    np.testing.assert_array_equal(reloaded.predict(x, verbose=0), sequential.predict(x, verbose=0))

    weights_path = str(tmp_path / "m.weights.h5")
    model.save_weights(weights_path)
    fresh = _functional(_mlp())
    fresh.load_weights(weights_path)
    np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))

    subclassed = TwoLayerNet()
    subclassed(x[:2])
    subclassed.save_weights(weights_path)
    other = TwoLayerNet()
    other(x[:2])
    other.load_weights(weights_path)
    np.testing.assert_array_equal(other.predict(x, verbose=0), subclassed.predict(x, verbose=0))


def test_a_weights_file_of_another_module_is_refused_naming_the_keys(tmp_path):
    path = str(tmp_path / "m.weights.h5")
    _functional(_mlp()).save_weights(path)
    other = _functional(_mlp(batch_norm=False))
    before = [w.numpy().copy() for w in other.weights]
    with pytest.raises(ValueError, match=r"missing \['2.weight', '2.bias'\], unexpected \['1.bias'"):
        other.load_weights(path)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(before, other.weights))


def test_the_layers_state_dict_is_the_modules_under_module():
    x, _ = _data(8)
    first, second = _functional(_mlp()), _functional(_mlp())
    layer_state = first.layers[1].state_dict()
    assert list(layer_state) == [f"module.{key}" for key in first.layers[1].module.state_dict()]
    second.layers[1].load_state_dict(layer_state)
    np.testing.assert_array_equal(second.predict(x, verbose=0), first.predict(x, verbose=0))


# ---------------------------------------------------------------------- against real Keras
KERAS_MODELS = """
import torch
torch.manual_seed(0)
inputs = keras.Input((4,))
module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
wrapper = keras.layers.TorchModuleWrapper(module, output_shape=(None, 2))
model = keras.Model(inputs, keras.layers.Dense(1)(wrapper(inputs)))

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.body = keras.layers.TorchModuleWrapper(torch.nn.Linear(4, 16))
        self.head = keras.layers.TorchModuleWrapper(torch.nn.Linear(16, 2))
    def call(self, x):
        return self.head(torch.relu(self.body(x)))

net = Net()
net(torch.ones(2, 4))
texts = []
for m in (model, net):
    captured = []
    m.summary(print_fn=captured.append)
    texts.append(captured[0])
result["texts"] = texts
result["names"] = [[(w.name, w.path, list(w.shape), bool(w.trainable)) for w in m.weights] for m in (model, net)]
result["config_keys"] = sorted(wrapper.get_config())
import inspect
result["signature"] = str(inspect.signature(keras.layers.TorchModuleWrapper.__init__))
"""


def test_summary_and_weight_names_match_keras(keras_oracle, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    scope = {"keras": keras, "np": np, "result": {}}
    exec(compile(KERAS_MODELS, "<keraslite side>", "exec"), scope)
    ours, theirs = scope["result"], keras_oracle.run(KERAS_MODELS)
    for our_text, their_text in zip(ours["texts"], theirs["texts"]):
        assert our_text.splitlines() == their_text.splitlines()
    assert [[list(entry) for entry in model] for model in ours["names"]] == theirs["names"]
    assert ours["config_keys"] == theirs["config_keys"]
    assert ours["signature"] == theirs["signature"]


KERAS_SAVES = """
import torch
torch.manual_seed(0)
module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
model_inputs = keras.Input((4,))
model = keras.Model(model_inputs, keras.layers.TorchModuleWrapper(module, output_shape=(None, 2))(model_inputs))
model.compile(optimizer="adam", loss="mse")
model.fit(inputs["x"], inputs["y"], epochs=2, batch_size=16, verbose=0)
model.save(path)
result["y"] = model.predict(inputs["x"], verbose=0)
"""


def test_keras_files_cross_both_ways(keras_oracle, tmp_path):
    x, y = _data()
    theirs_path, ours_path = str(tmp_path / "theirs.keras"), str(tmp_path / "ours.keras")
    expected = keras_oracle.run(f"path = {theirs_path!r}\n" + KERAS_SAVES, x=x, y=y)["y"]
    loaded = keras.models.load_model(theirs_path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-6)
    assert int(loaded.optimizer.iterations) == 8

    torch.manual_seed(1)
    model = _functional(_mlp())
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.save(ours_path)
    code = f"""
try:
    keras.models.load_model({ours_path!r})
    result['refused'] = ''
except ValueError as error:
    result['refused'] = str(error)
model = keras.models.load_model({ours_path!r}, safe_mode=False)
result['y'] = model.predict(inputs['x'], verbose=0)
result['iterations'] = int(model.optimizer.iterations)
"""
    answer = keras_oracle.run(code, x=x)
    assert "safe_mode=False" in answer["refused"]
    np.testing.assert_allclose(answer["y"], model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
    assert answer["iterations"] == 8
