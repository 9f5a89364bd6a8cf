"""tf.keras 2 members of Model/Sequential that Keras 3 dropped: `compiled_loss`,
`compiled_metrics`, the `*_generator` methods, `predict_classes`/`predict_proba`; and the
neighbours that go with them: `Layer.add_metric`, `ModelCheckpoint(period=)`,
`keras.mixed_precision.experimental` (behaviour checked against tf_keras 2.21)."""

import os

import numpy as np
import pytest
import torch

import keraslite as keras

RNG = np.random.default_rng(0)
X = RNG.random((16, 3)).astype("float32")
Y = RNG.random((16, 1)).astype("float32")


def _dense_model(regularizer=None, cls=keras.Model):
    inputs = keras.Input((3,))
    return cls(inputs, keras.layers.Dense(1, kernel_regularizer=regularizer)(inputs))


def test_compiled_loss_is_the_compiled_loss_plus_given_regularization_only():
    model = _dense_model(keras.regularizers.l2(0.5))
    model.compile(optimizer="sgd", loss="mse")
    y_pred = model(X)
    mse = float(((y_pred.detach().numpy() - Y) ** 2).mean())
    without = model.compiled_loss(Y, y_pred)  # tf.keras 2: model.losses only when passed
    assert float(without.detach()) == pytest.approx(mse, rel=1e-5)
    penalty = float(sum(model.losses).detach())
    assert penalty > 0
    total = model.compiled_loss(Y, y_pred, regularization_losses=model.losses)
    assert float(total.detach()) == pytest.approx(mse + penalty, rel=1e-5)
    assert total.requires_grad
    assert [m.name for m in model.compiled_loss.metrics] == ["loss"]
    assert float(model.compiled_loss.metrics[0].result()) == pytest.approx((mse + mse + penalty) / 2, rel=1e-5)


def test_compiled_metrics_update_and_reset():
    model = _dense_model()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    y_pred = model(X)
    model.compiled_metrics.update_state(Y, y_pred)
    (mae,) = model.compiled_metrics.metrics
    assert mae.name == "mae"
    assert float(mae.result()) == pytest.approx(float(np.abs(y_pred.detach().numpy() - Y).mean()), rel=1e-5)
    model.compiled_metrics.reset_state()
    assert float(mae.result()) == 0.0


def test_uncompiled_model_says_compile_first():
    with pytest.raises(RuntimeError, match="compile"):
        _dense_model().compiled_loss(Y, Y)


class _CustomStepModel(keras.Model):
    def train_step(self, data):
        x, y = data
        with torch.enable_grad():
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        grads = torch.autograd.grad(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def test_tf_keras_2_custom_train_step_logs_loss_and_metrics():
    inputs = keras.Input((3,))
    model = _CustomStepModel(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(X, Y, batch_size=8, epochs=3, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < history.history["loss"][0]


class _MeanActivation(keras.layers.Layer):
    def call(self, inputs):
        self.add_metric(keras.ops.mean(inputs), name="mean_activation")
        return inputs


def test_add_metric_is_logged_by_fit_and_evaluate_after_compiled_metrics():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(_MeanActivation()(inputs)))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(X, Y, batch_size=8, epochs=2, verbose=0, validation_data=(X * 2, Y))
    assert list(history.history) == ["loss", "mae", "mean_activation", "val_loss", "val_mae", "val_mean_activation"]
    np.testing.assert_allclose(history.history["mean_activation"], [X.mean()] * 2, rtol=1e-5)
    np.testing.assert_allclose(history.history["val_mean_activation"], [2 * X.mean()] * 2, rtol=1e-5)
    logs = model.evaluate(X * 3, Y, verbose=0, return_dict=True)
    assert logs["mean_activation"] == pytest.approx(3 * X.mean(), rel=1e-5)  # reset before evaluating


def test_add_metric_needs_a_name_and_mean_aggregation():
    layer = keras.layers.Layer()
    with pytest.raises(ValueError, match="name"):
        layer.add_metric(torch.ones(()))
    with pytest.raises(ValueError, match="aggregation"):
        layer.add_metric(torch.ones(()), name="m", aggregation="sum")


def test_generator_methods_are_fit_evaluate_predict():
    model = _dense_model()
    model.compile(optimizer="sgd", loss="mse")

    def batches():
        while True:
            yield X[:8], Y[:8]

    with pytest.warns(DeprecationWarning, match="fit_generator"):
        history = model.fit_generator(batches(), steps_per_epoch=2, epochs=2, verbose=0, workers=4)
    assert len(history.history["loss"]) == 2
    with pytest.warns(DeprecationWarning):
        loss = model.evaluate_generator(batches(), steps=1)
    assert loss == pytest.approx(model.evaluate(X[:8], Y[:8], verbose=0), rel=1e-5)
    with pytest.warns(DeprecationWarning):
        predictions = model.predict_generator(batches(), steps=2)
    assert predictions.shape == (16, 1)


def test_sequential_predict_classes_and_proba():
    softmax = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="softmax")])
    probabilities = softmax.predict_proba(X)
    np.testing.assert_array_equal(softmax.predict_classes(X), probabilities.argmax(-1))
    sigmoid = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    classes = sigmoid.predict_classes(X)
    assert classes.dtype == np.int32 and classes.shape == (16, 1)
    np.testing.assert_array_equal(classes, (sigmoid.predict(X, verbose=0) > 0.5).astype("int32"))
    shifted = keras.layers.Dense(1, bias_initializer=keras.initializers.Constant(5))
    linear = keras.Sequential([keras.Input((3,)), shifted])
    with pytest.warns(UserWarning, match="probability"):
        linear.predict_proba(X)


def test_model_checkpoint_period_saves_every_n_epochs(tmp_path):
    model = _dense_model()
    model.compile(optimizer="sgd", loss="mse")
    path = os.path.join(tmp_path, "w_{epoch:02d}.weights.h5")
    checkpoint = keras.callbacks.ModelCheckpoint(path, save_weights_only=True, period=2)
    model.fit(X, Y, epochs=5, verbose=0, callbacks=[checkpoint])
    assert sorted(os.listdir(tmp_path)) == ["w_02.weights.h5", "w_04.weights.h5"]
    with pytest.raises(TypeError, match="unexpected"):
        keras.callbacks.ModelCheckpoint(path, every=3)


def test_mixed_precision_experimental_names():
    experimental = keras.mixed_precision.experimental
    policy = experimental.Policy("mixed_float16", loss_scale="dynamic")
    try:
        experimental.set_policy(policy)
        assert experimental.global_policy() is policy and keras.mixed_precision.global_policy() is policy
        assert policy.compute_dtype == "float16" and policy.variable_dtype == "float32"
        assert policy.loss_scale == "dynamic"
    finally:
        experimental.set_policy("float32")


def test_sequential_built_from_raw_text():
    import numpy as np

    import keraslite as keras

    vectorize = keras.layers.TextVectorization(max_tokens=10, output_mode="int", output_sequence_length=4)
    vectorize.adapt(np.array(["a good film", "a bad film"]))
    model = keras.Sequential([vectorize, keras.layers.Embedding(10, 2), keras.layers.GlobalAveragePooling1D()])
    assert tuple(model(np.array(["a good film"])).shape) == (1, 2)
