"""A whole-model `.h5` file keeps the optimizer state in Keras 3's `optimizer_weights`
layout: training resumed after `load_model` equals training that never stopped."""

import h5py
import numpy as np

import keraslite as keras
from keraslite import layers


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 4)).astype("float32"), rng.normal(size=(32, 3)).astype("float32")


def _model(weights=None):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"), layers.Dense(3)], name="seq")
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.MeanSquaredError())
    return model


def test_h5_resume_equals_uninterrupted_training(tmp_path):
    x, y = _data()
    start = _model().get_weights()
    uninterrupted = _model(start)
    uninterrupted.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0)

    first_half = _model(start)
    first_half.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    first_half.save(tmp_path / "m.h5")
    resumed = keras.models.load_model(tmp_path / "m.h5")
    assert int(resumed.optimizer.iterations) == 8
    resumed.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)

    assert int(resumed.optimizer.iterations) == int(uninterrupted.optimizer.iterations) == 16
    for got, expected in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_h5_optimizer_weights_layout_is_keras3s(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as h5:
        group = h5["optimizer_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
        assert names == [v.path for v in model.optimizer.variables]
        assert names[:2] == ["adam/iteration", "adam/learning_rate"]
        assert int(group[names[0]][()]) == 4


def test_h5_without_optimizer_has_no_optimizer_weights(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5", include_optimizer=False)
    with h5py.File(tmp_path / "m.h5", "r") as h5:
        assert "optimizer_weights" not in h5 and "training_config" not in h5.attrs


def test_real_keras_state_loads_here(keras_oracle, tmp_path):
    x, y = _data()
    keras_oracle.run(
        "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation='relu'), keras.layers.Dense(3)])\n"
        "m.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.MeanSquaredError())\n"
        "m.fit(inputs['x'], inputs['y'], batch_size=8, epochs=1, shuffle=False, verbose=0)\n"
        f"m.save({str(tmp_path / 'k.h5')!r})\n"
        "result['velocity'] = keras.ops.convert_to_numpy(m.optimizer.variables[-1])\n",
        x=x,
        y=y,
    )
    loaded = keras.models.load_model(tmp_path / "k.h5")
    assert int(loaded.optimizer.iterations) == 4
    assert float(loaded.optimizer.variables[-1].detach().abs().sum()) > 0


def test_real_keras_restores_our_h5_optimizer_state(keras_oracle, tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    model.save(tmp_path / "m.h5")
    result = keras_oracle.run(
        f"m = keras.models.load_model({str(tmp_path / 'm.h5')!r})\n"
        "result['iterations'] = np.asarray(int(m.optimizer.iterations))\n"
    )
    # Keras 3.15 builds the loaded optimizer on `model._trainable_variables` (the model's
    # own, none), so of our state it restores what does not depend on the layers.
    assert int(result["iterations"]) == 4
