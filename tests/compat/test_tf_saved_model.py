"""`tf.saved_model.save` / `load` in keraslite's own format: modules with variables and
`tf.function` methods, signatures, Keras models, atomic writes, and the clear error on a
TensorFlow SavedModel."""

import os

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.compat.tensorflow.function import TensorSpec, function
from keraslite.compat.tensorflow.module import Module
from keraslite.compat.tensorflow.variables import Variable
from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


class Multiplier(Module):
    def __init__(self, value):
        self.weight = Variable(value)

    @function
    def multiply(self, x):
        return x * self.weight


class Scaler(Module):
    def __init__(self):
        super().__init__()
        self.scale = Variable(2.0)
        self.model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer="ones")])

    @function(input_signature=[TensorSpec(shape=[None, 3], dtype="float32")])
    def __call__(self, x):
        return self.model(x) * self.scale

    def assign_scale(self, value):
        self.scale.assign(value)


def test_module_with_tf_function_round_trips(tf, tmp_path):  # noqa: F811
    module = Multiplier(3)
    module.multiply(tf.constant([1, 2, 3]))  # a traced method: the bound Function is cached
    tf.saved_model.save(module, str(tmp_path / "saved"))
    files = sorted(os.listdir(tmp_path / "saved"))
    assert "saved_model.pb" not in files and "keraslite_object.pkl" in files
    reloaded = tf.saved_model.load(str(tmp_path / "saved"))
    assert reloaded.multiply(tf.constant([1, 2, 3])).numpy().tolist() == [3, 6, 9]
    assert isinstance(reloaded.weight, tf.Variable) and reloaded.weight.name == "Variable"
    reloaded.weight.assign(4)
    assert reloaded.multiply(tf.constant([1, 2])).numpy().tolist() == [4, 8]
    assert module.weight.numpy() == 3  # the loaded copy is independent


def test_input_signature_gives_serving_default_and_keras_models_inside(tf, tmp_path):  # noqa: F811
    module = Scaler()
    x = np.ones((2, 3), "float32")
    tf.saved_model.save(module, str(tmp_path / "m"))
    assert os.listdir(tmp_path / "m" / "keras_objects") == ["0.keras"]
    loaded = tf.saved_model.load(str(tmp_path / "m"))
    assert loaded(x).numpy().tolist() == [[6.0], [6.0]]
    outputs = loaded.signatures["serving_default"](x=tf.constant(x))
    assert list(outputs) == ["output_0"] and outputs["output_0"].numpy().tolist() == [[6.0], [6.0]]
    loaded.assign_scale(1.0)  # the same object: its variables still assign
    assert loaded(x).numpy().tolist() == [[3.0], [3.0]]


def test_keras_model_saves_and_loads_with_a_serving_signature(tf, tmp_path):  # noqa: F811
    inputs = keras.Input((3,), name="features")
    model = keras.Model(inputs, keras.layers.Dense(2, name="scores")(inputs))
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    tf.saved_model.save(model, str(tmp_path / "model"))
    loaded = tf.saved_model.load(str(tmp_path / "model"))
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), rtol=1e-6)
    outputs = loaded.signatures["serving_default"](features=x)
    np.testing.assert_allclose(list(outputs.values())[0].numpy(), model(x).numpy(), rtol=1e-6)


def test_explicit_signatures(tf, tmp_path):  # noqa: F811
    module = Multiplier(2.0)
    signature = module.multiply.get_concrete_function(TensorSpec([None], "float32"))
    tf.saved_model.save(module, str(tmp_path / "s"), signatures={"double": signature})
    loaded = tf.saved_model.load(str(tmp_path / "s"))
    assert loaded.signatures["double"](x=torch.ones(2))["output_0"].numpy().tolist() == [2.0, 2.0]


def test_failed_save_leaves_the_existing_folder_whole(tf, tmp_path):  # noqa: F811
    target = tmp_path / "keep"
    tf.saved_model.save(Multiplier(5), str(target))
    before = sorted(os.listdir(target))
    unpicklable = Multiplier(1)
    unpicklable.callback = lambda: None  # a lambda cannot be pickled
    with pytest.raises(ValueError, match="cannot be pickled"):
        tf.saved_model.save(unpicklable, str(target))
    assert sorted(os.listdir(target)) == before
    assert tf.saved_model.load(str(target)).weight.numpy() == 5
    assert [p for p in os.listdir(tmp_path) if p.startswith(".keep")] == []


def test_tensorflow_saved_models_are_refused_clearly(tf, tmp_path):  # noqa: F811
    (tmp_path / "tf_model").mkdir()
    (tmp_path / "tf_model" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError, match="TensorFlow SavedModel.*cannot read.*keras.models.load_model"):
        tf.saved_model.load(str(tmp_path / "tf_model"))
    with pytest.raises(OSError, match="No keraslite saved model"):
        tf.saved_model.load(str(tmp_path))
    assert not tf.saved_model.contains_saved_model(str(tmp_path / "tf_model"))


@function
def add_one(x):
    return x + 1


class HoldsAFunction(Module):
    def __init__(self):
        super().__init__()
        self.step = add_one


def test_module_level_tf_functions_are_saved_by_name(tf, tmp_path):  # noqa: F811
    tf.saved_model.save(HoldsAFunction(), str(tmp_path / "f"))
    loaded = tf.saved_model.load(str(tmp_path / "f"))
    assert loaded.step is add_one and loaded.step(tf.constant(1)).numpy() == 2
