"""`model.save("m.keras")` / `keras.models.load_model` with custom objects: registered
layers (constructor arguments, sublayers made in `__init__` or `build`), classes given by
`custom_objects=` or a `custom_object_scope`, a registered subclassed model, registered
activation and loss functions. The loaded model predicts what the saved one did."""

import numpy as np
import pytest

import keraslite as keras
from keraslite import ops


@keras.saving.register_keras_serializable(package="SavingApiTest", name="Scale")
class Scale(keras.layers.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


@keras.saving.register_keras_serializable()
class TwoDense(keras.layers.Layer):
    """Sublayers made in `__init__`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.first = keras.layers.Dense(units, activation="relu")
        self.second = keras.layers.Dense(units)

    def call(self, x):
        return self.second(self.first(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="SavingApiTest")
class GatedProjection(keras.layers.Layer):
    """A sublayer and a weight made in `build`."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.projection = keras.layers.Dense(self.units)
        self.projection.build(input_shape)
        self.gate = self.add_weight(shape=(self.units,), initializer="random_normal", name="gate")

    def call(self, x):
        return self.projection(x) * self.gate

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="SavingApiTest")
class OnlyOwnConfig(keras.layers.Layer):
    """No `**kwargs`, and a config without the base layer's keys."""

    def __init__(self, offset):
        super().__init__()
        self.offset = offset

    def call(self, x):
        return x + self.offset

    def get_config(self):
        return {"offset": self.offset}


@keras.saving.register_keras_serializable(package="SavingApiTest")
class Wrapping(keras.layers.Layer):
    """Its config holds a layer object, rebuilt in `from_config`."""

    def __init__(self, wrapped, **kwargs):
        super().__init__(**kwargs)
        self.wrapped = wrapped

    def call(self, x):
        return self.wrapped(x) * 2.0

    def get_config(self):
        return {**super().get_config(), "wrapped": self.wrapped}

    @classmethod
    def from_config(cls, config):
        config["wrapped"] = keras.saving.deserialize_keras_object(config["wrapped"])
        return cls(**config)


@keras.saving.register_keras_serializable(package="SavingApiTest", name="squash")
def squash(x):
    return x * ops.sigmoid(x)


@keras.saving.register_keras_serializable(package="SavingApiTest")
def mean_fourth_power(y_true, y_pred):
    return ops.mean(ops.square(ops.square(y_true - y_pred)), axis=-1)


@keras.saving.register_keras_serializable(package="SavingApiTest")
class SmallNet(keras.Model):
    def __init__(self, hidden=6, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.body = keras.layers.Dense(hidden, activation="relu")
        self.head = keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.body(x))

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden}


class Unregistered(keras.layers.Layer):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(units)

    def call(self, x):
        return self.dense(x) + 1.0

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")


def _predict(model, x):
    return ops.convert_to_numpy(model(x))


def _reload(model, path, **kwargs):
    model.save(path)
    return keras.models.load_model(path, **kwargs)


def test_registered_layers_and_functions_round_trip(tmp_path):
    x, y = _data()
    inputs = keras.Input((4,))
    h = Scale(0.5)(inputs)
    h = TwoDense(5)(h)
    h = GatedProjection(4)(h)
    h = OnlyOwnConfig(1.5)(h)
    h = Wrapping(keras.layers.Dense(3))(h)
    outputs = keras.layers.Dense(1, activation=squash)(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss=mean_fourth_power)
    model.fit(x, y, epochs=2, verbose=0)

    restored = _reload(model, str(tmp_path / "m.keras"))
    kinds = [type(layer).__name__ for layer in restored.layers]
    assert kinds == ["InputLayer", "Scale", "TwoDense", "GatedProjection", "OnlyOwnConfig", "Wrapping", "Dense"]
    assert restored.layers[1].factor == 0.5 and restored.layers[-1].activation is squash
    np.testing.assert_allclose(_predict(restored, x), _predict(model, x), rtol=1e-6, atol=1e-6)
    assert restored.loss is mean_fourth_power
    restored.fit(x, y, epochs=1, verbose=0)  # compiled and trainable again


def test_unregistered_layer_by_custom_objects_or_scope(tmp_path):
    x, _ = _data(1)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, Unregistered(3, name="extra")(inputs))
    path = str(tmp_path / "u.keras")
    model.save(path)
    by_argument = keras.models.load_model(path, custom_objects={"Unregistered": Unregistered})
    with keras.saving.custom_object_scope({"Unregistered": Unregistered}):
        by_scope = keras.models.load_model(path)
    for restored in (by_argument, by_scope):
        assert isinstance(restored.get_layer("extra"), Unregistered)
        np.testing.assert_allclose(_predict(restored, x), _predict(model, x), rtol=1e-6)


def test_unknown_layer_error_names_the_class_and_the_remedies(tmp_path):
    inputs = keras.Input((4,))
    path = str(tmp_path / "u.keras")
    keras.Model(inputs, Unregistered(name="extra")(inputs)).save(path)
    with pytest.raises(TypeError) as info:
        keras.models.load_model(path)
    message = str(info.value)
    assert message.startswith("Could not locate class 'Unregistered', the class of 'extra'.")
    assert "custom_objects={'Unregistered': Unregistered}" in message
    assert "@keras.saving.register_keras_serializable()" in message
    assert "could not be deserialized properly" not in message


def test_registered_subclassed_model_round_trips_compiled(tmp_path):
    x, y = _data(2)
    model = SmallNet(hidden=7)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    restored = _reload(model, str(tmp_path / "net.keras"))
    assert isinstance(restored, SmallNet) and restored.hidden == 7
    np.testing.assert_allclose(_predict(restored, x), _predict(model, x), rtol=1e-6)
    restored.fit(x, y, epochs=1, verbose=0)


def test_custom_activation_by_custom_objects(tmp_path):
    def shifted_relu(x):
        return ops.relu(x - 0.1)

    x, _ = _data(3)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation=shifted_relu)(inputs))
    path = str(tmp_path / "a.keras")
    model.save(path)
    with pytest.raises(TypeError, match=r"^Could not locate function 'shifted_relu'"):
        keras.models.load_model(path)
    restored = keras.models.load_model(path, custom_objects={"shifted_relu": shifted_relu})
    np.testing.assert_allclose(_predict(restored, x), _predict(model, x), rtol=1e-6)
