"""Keras 3's step-level Model members (training/step_functions.py): make_*_function,
compute_metrics, get_metrics_result, stateless_compute_loss."""

import numpy as np
import pytest

import keraslite as keras
from keraslite import layers

_CODE = """
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name='d')])
model.set_weights([inputs['k'], inputs['b']])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss='mse', metrics=['mae'])
model.make_train_function()
logs = model.train_function([(keras.ops.convert_to_tensor(inputs['x']), keras.ops.convert_to_tensor(inputs['y']))])
result['train'] = {k: float(v) for k, v in logs.items()}
result['kernel'] = model.get_weights()[0]
model.make_test_function()
logs = model.test_function([(keras.ops.convert_to_tensor(inputs['x']), keras.ops.convert_to_tensor(inputs['y']))])
result['test'] = {k: float(v) for k, v in logs.items()}
model.make_predict_function()
result['pred'] = keras.ops.convert_to_numpy(model.predict_function([keras.ops.convert_to_tensor(inputs['x'])]))
model.reset_metrics()
y_pred = model(inputs['x'])
metrics = model.compute_metrics(inputs['x'], keras.ops.convert_to_tensor(inputs['y']), y_pred)
result['compute'] = {k: float(v) for k, v in metrics.items()}
result['names'] = sorted(model.get_metrics_result())
loss, (tv, ntv, mv) = model.stateless_compute_loss(
    [keras.ops.convert_to_tensor(v) for v in [inputs['k'] * 0, inputs['b']]], [],
    [v.value for v in model.metrics_variables],
    x=inputs['x'], y=keras.ops.convert_to_tensor(inputs['y']), y_pred=keras.ops.zeros((4, 2)))
result['stateless'] = float(loss)
result['nmv'] = len(mv)
"""


def test_step_functions_and_metrics_match_keras(keras_oracle):
    rng = np.random.default_rng(1)
    k, b = rng.normal(size=(3, 2)).astype("float32"), rng.normal(size=(2,)).astype("float32")
    x, y = rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(4, 2)).astype("float32")
    expected = keras_oracle.run(_CODE, k=k, b=b, x=x, y=y)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, name="d")])
    model.set_weights([k, b])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    train = model.make_train_function()
    assert model.make_train_function() is train is model.train_function
    assert model.make_train_function(force=True) is not train
    logs = model.train_function([(x, y)])
    assert {k: float(v) for k, v in logs.items()} == pytest.approx(expected["train"], rel=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], expected["kernel"], rtol=1e-5)
    logs = model.make_test_function()([(x, y)])
    assert {k: float(v) for k, v in logs.items()} == pytest.approx(expected["test"], rel=1e-5)
    prediction = model.make_predict_function()([x])
    np.testing.assert_allclose(prediction.numpy(), expected["pred"], rtol=1e-5)
    model.reset_metrics()
    metrics = model.compute_metrics(x, y, model(x))
    # Keras updates only the compiled metrics here (the loss tracker stays reset).
    assert {k: float(v) for k, v in metrics.items()} == pytest.approx(expected["compute"], rel=1e-5, abs=1e-7)
    assert sorted(model.get_metrics_result()) == expected["names"]
    before = [v.numpy().copy() for v in model.metrics_variables]
    loss, (_, non_trainable, metric_values) = model.stateless_compute_loss(
        [k * 0, b],
        [],
        [v.detach().clone() for v in model.metrics_variables],
        x=x,
        y=y,
        y_pred=np.zeros((4, 2), "float32"),
    )
    assert float(loss) == pytest.approx(expected["stateless"], rel=1e-5)
    assert non_trainable == [] and len(metric_values) == expected["nmv"]
    for value, original in zip(model.metrics_variables, before):
        np.testing.assert_array_equal(value.numpy(), original)


def test_step_functions_refuse_steps_per_execution():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.compile(loss="mse", steps_per_execution=2)
    with pytest.raises(ValueError, match="steps_per_execution"):
        model.make_train_function()
