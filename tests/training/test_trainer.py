"""compile/fit/evaluate/predict: the seed's training cells, Keras semantics, errors, learnability."""

import re

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


def mnist_model():
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")


def ticket_model(num_tags=12, num_words=100, num_departments=4):
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.LSTM(16)(layers.Embedding(num_words, 8)(title_input))
    body_features = layers.LSTM(8)(layers.Embedding(num_words, 8)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    return keras.Model(inputs=[title_input, body_input, tags_input], outputs=[priority_pred, department_pred])


def ticket_data(n=64, num_tags=12, num_words=100, num_departments=4):
    rng = np.random.default_rng(0)
    return (
        {
            "title": rng.integers(num_words, size=(n, 10)),
            "body": rng.integers(num_words, size=(n, 20)),
            "tags": rng.integers(2, size=(n, num_tags)).astype("float32"),
        },
        {"priority": rng.random(size=(n, 1)), "department": rng.integers(2, size=(n, num_departments))},
    )


def mnist_data(n=256):
    rng = np.random.default_rng(0)
    return rng.random((n, 784)).astype("float32"), rng.integers(0, 10, n)


@pytest.mark.usefixtures("tf2_dialect")
def test_seed_mnist_cell(capsys):
    x, y = mnist_data()
    model = mnist_model()
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    history = model.fit(x, y, batch_size=64, epochs=5, validation_split=0.2)
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]  # tf.keras 2's order
    assert history.epoch == [0, 1, 2, 3, 4] and all(len(v) == 5 for v in history.history.values())
    assert history.history["loss"][-1] < history.history["loss"][0]
    out = capsys.readouterr().out
    assert "Epoch 1/5" in out and "Epoch 5/5" in out
    line = re.compile(
        r"4/4 \[==============================\] - \d+s \d+(ms|us|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}"
        r" - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}"
    )
    assert len(line.findall(out)) == 5, out
    test_scores = model.evaluate(x, y, verbose=2)
    assert re.search(r"8/8 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4}\n", capsys.readouterr().out)
    assert isinstance(test_scores, list) and len(test_scores) == 2
    assert model.metrics_names == ["loss", "accuracy"]


@pytest.mark.parametrize("form", ["list", "dict"])
def test_seed_ticket_cell(form):
    model = ticket_model()
    loss = [keras.losses.BinaryCrossentropy(from_logits=True), keras.losses.CategoricalCrossentropy(from_logits=True)]
    if form == "dict":
        loss = {"priority": loss[0], "department": loss[1]}
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss=loss, loss_weights=[1.0, 0.2])
    x, y = ticket_data()
    history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    assert list(history.history) == ["department_loss", "loss", "priority_loss"]  # Keras 3 sorts logs
    h = history.history
    # The total is the weighted sum of the per-output losses (batches are equal-sized).
    np.testing.assert_allclose(h["loss"][0], h["priority_loss"][0] + 0.2 * h["department_loss"][0], rtol=1e-5)
    # Lists of inputs and targets work too (the tuple-of-lists form).
    model.fit([x["title"], x["body"], x["tags"]], [y["priority"], y["department"]], epochs=1, batch_size=32, verbose=0)
    priority, department = model.predict(x, verbose=0)
    assert priority.shape == (64, 1) and department.shape == (64, 4)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(logs) == {"loss", "priority_loss", "department_loss"}


def test_toy_resnet_cell():
    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.Conv2D(8, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(8, 3, activation="relu")(block_2_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs, name="toy_resnet")
    rng = np.random.default_rng(0)
    x_train = rng.random((40, 32, 32, 3)).astype("float32")
    y_train = keras.utils.to_categorical(rng.integers(0, 10, 40), 10)
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=["acc"],
    )
    history = model.fit(x_train, y_train, batch_size=16, epochs=1, validation_split=0.2, verbose=0)
    assert list(history.history) == ["acc", "loss", "val_acc", "val_loss"]  # Keras 3 sorts logs


def test_compile_errors():
    model = ticket_model()
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        model.compile(loss="not_a_loss")
    with pytest.raises(ValueError, match="does not correspond to any model output"):
        model.compile(loss={"priority": "mse", "nope": "mse"})
    with pytest.raises(ValueError, match="one entry per model output"):
        model.compile(loss=["mse", "mse", "mse"])
    with pytest.raises(ValueError, match="`loss_weights` must match"):
        model.compile(loss=["mse", "mse"], loss_weights=[1.0])
    with pytest.raises(ValueError, match="Unknown metric"):
        model.compile(loss="mse", metrics=["not_a_metric"])
    with pytest.raises(ValueError, match="Could not interpret optimizer"):
        model.compile(optimizer="nope", loss="mse")
    with pytest.raises(RuntimeError, match="compile"):
        mnist_model().fit(*mnist_data(8), verbose=0)


def test_data_errors_raise_before_training():
    model = ticket_model()
    model.compile(loss=["mse", "mse"])
    x, y = ticket_data()
    bad = dict(x)
    del bad["tags"]
    with pytest.raises(ValueError, match=r"Missing data for input\(s\) \['tags'\]"):
        model.fit(bad, y, verbose=0)
    short = dict(y, priority=y["priority"][:10])
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, short, verbose=0)
    wrong = dict(x, tags=x["tags"][:, :5])
    with pytest.raises(ValueError, match="incompatible"):
        model.fit(wrong, y, verbose=0)
    with pytest.raises(TypeError, match="string"):
        model.fit(dict(x, tags=np.array([["a"] * 12] * 64)), y, verbose=0)
    assert int(model.optimizer.iterations) == 0


def test_validation_split_takes_last_fraction_and_no_shuffle_order():
    seen = []

    class Probe(layers.Layer):
        def compute_output_shape(self, input_shape):
            return input_shape

        def call(self, inputs):
            seen.append(inputs[:, 0].detach().clone())
            return inputs

    inputs = keras.Input(shape=(1,))
    outputs = layers.Dense(1)(Probe()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(loss="mse", optimizer="sgd")
    x = np.arange(10, dtype="float32").reshape(10, 1)
    model.fit(x, x, batch_size=4, epochs=1, validation_split=0.2, shuffle=False, verbose=0)
    values = torch.cat(seen).tolist()
    assert values == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]  # 8 training samples in order, then the last 2 for validation


def test_sample_and_class_weights_and_metrics_weighting():
    inputs = keras.Input(shape=(3,))
    outputs = layers.Dense(2, activation="softmax")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(
        loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"], weighted_metrics=["accuracy"]
    )
    rng = np.random.default_rng(0)
    x, y = rng.random((8, 3)).astype("float32"), np.array([0, 1] * 4)
    zero = model.evaluate(x, y, sample_weight=np.zeros(8), verbose=0, return_dict=True)
    assert zero["loss"] == 0.0
    assert list(zero) == ["accuracy", "loss", "weighted_accuracy"]  # Keras 3 sorts logs
    before = model.get_weights()
    model.fit(x, y, class_weight={0: 0.0, 1: 0.0}, epochs=1, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)  # all-zero class weights: zero gradients


def test_regularization_constraints_and_frozen_layers():
    inputs = keras.Input(shape=(4,))
    frozen = layers.Dense(4, name="frozen")
    x = frozen(inputs)
    x = layers.Dense(
        3, kernel_regularizer=keras.regularizers.L2(10.0), kernel_constraint=keras.constraints.NonNeg(), name="reg"
    )(x)
    model = keras.Model(inputs, x)
    frozen.trainable = False
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(0.01))
    x_data = np.ones((8, 4), "float32")
    frozen_before = [w.copy() for w in frozen.get_weights()]
    plain = float(keras.losses.MeanSquaredError()(np.zeros((8, 3)), model.predict(x_data, verbose=0)))
    loss = model.evaluate(x_data, np.zeros((8, 3)), verbose=0)
    assert loss > plain + 1e-3  # the L2 penalty is part of the loss
    model.fit(x_data, np.zeros((8, 3)), epochs=2, verbose=0)
    for a, b in zip(frozen_before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert (model.get_layer("reg").kernel.detach().numpy() >= 0).all()


def test_train_test_predict_on_batch_and_predict_structures():
    model = mnist_model()
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="adam", metrics=["accuracy"]
    )
    x, y = mnist_data(32)
    result = model.train_on_batch(x, y)
    assert isinstance(result, list) and len(result) == 2
    assert set(model.test_on_batch(x, y, return_dict=True)) == {"loss", "accuracy"}
    assert model.predict_on_batch(x).shape == (32, 10)
    assert model.predict(x, batch_size=5, verbose=0).shape == (32, 10)
    inputs = keras.Input(shape=(3,), name="a")
    dict_model = keras.Model(inputs, {"left": layers.Dense(1)(inputs), "right": layers.Dense(2)(inputs)})
    out = dict_model.predict(np.ones((4, 3), "float32"), verbose=0)
    assert set(out) == {"left", "right"} and out["right"].shape == (4, 2)


def test_subclassed_model_fits():
    class MLP(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.out = layers.Dense(1)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

    model = MLP()
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    rng = np.random.default_rng(0)
    x, y = rng.random((32, 5)).astype("float32"), rng.random((32, 1)).astype("float32")
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert list(history.history) == ["loss", "mae"]
    assert model.predict(x, verbose=0).shape == (32, 1)


def test_learnability_teacher_network():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    teacher = rng.normal(size=(10, 3))
    x = rng.normal(size=(1024, 10)).astype("float32")
    y = np.argmax(x @ teacher, axis=1)
    inputs = keras.Input(shape=(10,))
    h = layers.Dense(32, activation="relu")(inputs)
    model = keras.Model(inputs, layers.Dense(3, activation="softmax")(h))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=10, batch_size=64, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.9


def test_set_random_seed_repeats_runs():
    results = []
    for _ in range(2):
        keras.backend.clear_session()
        keras.utils.set_random_seed(123)
        model = mnist_model()
        model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="rmsprop")
        x, y = mnist_data(64)
        results.append(model.fit(x, y, epochs=2, batch_size=16, verbose=0).history["loss"])
    assert results[0] == results[1]


def test_compile_config_round_trip():
    model = mnist_model()
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    config = model._get_compile_config()
    assert config["optimizer"]["class_name"] == "Adam" and config["optimizer"]["config"][
        "learning_rate"
    ] == pytest.approx(0.01)
    assert config["loss"]["class_name"] == "SparseCategoricalCrossentropy"
    assert config["metrics"] == ["accuracy"] and config["jit_compile"] == "auto"
    other = mnist_model()
    other._compile_from_config(config)
    assert isinstance(other.optimizer, keras.optimizers.Adam)
    other.fit(*mnist_data(16), verbose=0)


@pytest.mark.usefixtures("tf2_dialect")
def test_progress_bar_verbose_two_and_silent(capsys):
    model = mnist_model()
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(*mnist_data(64), epochs=2, batch_size=32, verbose=2)
    out = capsys.readouterr().out
    assert re.findall(r"^2/2 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4}$", out, re.M), out
    model.fit(*mnist_data(64), epochs=1, verbose=0)
    assert capsys.readouterr().out == ""


def test_jit_compile_whole_step_matches_eager_without_graph_breaks():
    import torch._dynamo

    rng = np.random.default_rng(0)
    x, y = rng.random((70, 20)).astype("float32"), rng.integers(0, 3, 70)

    def build(jit):
        keras.backend.clear_session()
        inputs = keras.Input(shape=(20,))
        model = keras.Model(inputs, layers.Dense(3)(layers.Dense(16, activation="relu")(inputs)))
        model.compile(
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            optimizer="rmsprop",
            metrics=["accuracy"],
            jit_compile=jit,
        )
        return model

    eager, compiled = build(False), build(True)
    compiled.set_weights([w.copy() for w in eager.get_weights()])
    torch._dynamo.reset()
    frames_before = torch._dynamo.utils.counters["stats"]["unique_graphs"]
    # 70 samples / batch 32: the last batch of each epoch is short (6).
    h_compiled = compiled.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0).history
    graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"] - frames_before
    h_eager = eager.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0).history
    for key in h_eager:
        np.testing.assert_allclose(h_compiled[key], h_eager[key], rtol=1e-4, err_msg=key)
    assert graphs <= 2, graphs  # the full-size batch, then one dynamic-shape graph for every other size
    runner = compiled._training_state.runner
    with torch._dynamo.config.patch(trace_autograd_ops=True):
        explanation = torch._dynamo.explain(runner._full_train_step)(
            [torch.tensor(x[:32])], [torch.tensor(y[:32])], None
        )
    assert explanation.graph_break_count == 0, [b.reason for b in explanation.break_reasons]


def test_mixed_precision_policy():
    from keraslite import mixed_precision

    try:
        mixed_precision.set_global_policy("mixed_bfloat16")
        policy = mixed_precision.global_policy()
        assert policy.compute_dtype == "bfloat16" and policy.variable_dtype == "float32"
        model = mnist_model()
        model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(*mnist_data(32), verbose=0)
        # Autocast applies on CUDA only; on CPU the step stays in float32.
        assert model._training_state.runner.autocast is None or model._device().type == "cuda"
        with pytest.raises(ValueError, match="Cannot convert"):
            mixed_precision.set_global_policy("mixed_int8")
    finally:
        mixed_precision.set_global_policy("float32")


def test_validation_freq_initial_epoch_and_generator_validation():
    model = mnist_model()
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    x, y = mnist_data(64)
    history = model.fit(x, y, epochs=4, batch_size=32, validation_data=(x, y), validation_freq=2, verbose=0)
    assert len(history.history["loss"]) == 4 and len(history.history["val_loss"]) == 2
    history = model.fit(x, y, epochs=3, initial_epoch=1, verbose=0)
    assert history.epoch == [1, 2]

    def batches():
        while True:
            yield x[:32], y[:32]

    history = model.fit(x, y, epochs=1, validation_data=batches(), validation_steps=2, verbose=0)
    assert "val_accuracy" in history.history


def test_jit_compile_falls_back_to_eager_with_one_warning(monkeypatch):
    def broken_compile(fn, **kwargs):
        def call(*args):
            raise RuntimeError("InvalidCxxCompiler: no working C++ compiler found")

        return call

    monkeypatch.setattr(torch, "compile", broken_compile)
    model = mnist_model()
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=True)
    with pytest.warns(UserWarning, match="the steps continue in eager mode") as record:
        history = model.fit(*mnist_data(96), batch_size=32, epochs=2, verbose=0)
    assert len([w for w in record if "eager mode" in str(w.message)]) == 1
    assert len(history.history["loss"]) == 2 and int(model.optimizer.iterations) == 6


def test_custom_train_step_and_test_step_as_in_the_keras_guide():
    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            return {"custom_loss": self.compute_loss(y=y, y_pred=y_pred)}

    inputs = keras.Input(shape=(32,))
    model = CustomModel(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 32)).astype("float32"), rng.random((64, 1)).astype("float32")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert list(history.history) == ["loss", "mae"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert int(model.optimizer.iterations) == 12
    assert set(model.evaluate(x, y, verbose=0, return_dict=True)) == {"custom_loss"}


class _PairTrainer(keras.Model):
    """A GAN-shaped model: two sub-models, its own compile and optimizers, its own metrics
    property and a torch-style train_step, and no `call`."""

    def __init__(self, first, second):
        super().__init__()
        self.first = first
        self.second = second
        self.first_loss = keras.metrics.Mean(name="first_loss")
        self.second_loss = keras.metrics.Mean(name="second_loss")
        self.received = []

    @property
    def metrics(self):
        return [self.first_loss, self.second_loss]

    def compile(self, first_optimizer, second_optimizer):
        super().compile()
        self.first_optimizer = first_optimizer
        self.second_optimizer = second_optimizer

    def train_step(self, data):
        self.received.append(data)
        x = data[0] if isinstance(data, tuple) else data
        for model, optimizer, tracker in (
            (self.first, self.first_optimizer, self.first_loss),
            (self.second, self.second_optimizer, self.second_loss),
        ):
            self.zero_grad()
            loss = torch.mean(model(x) ** 2)
            loss.backward()
            with torch.no_grad():
                optimizer.apply([v.value.grad for v in model.trainable_weights], model.trainable_weights)
            tracker.update_state(loss)
        return {"first_loss": self.first_loss.result(), "second_loss": self.second_loss.result()}


def _pair_trainer():
    first = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    second = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model = _PairTrainer(first, second)
    model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    return model


def test_model_without_call_trains_through_its_own_train_step():
    keras.utils.set_random_seed(0)  # the loss must fall over two epochs: no unlucky draw
    model = _pair_trainer()
    before = [w.detach().clone() for w in model.trainable_weights]
    x = np.random.default_rng(0).random((10, 3)).astype("float32")
    history = model.fit(x, epochs=2, batch_size=4, shuffle=False, verbose=0)
    assert list(history.history) == ["first_loss", "second_loss"]
    assert history.history["first_loss"][1] < history.history["first_loss"][0]
    assert int(model.first_optimizer.iterations) == int(model.second_optimizer.iterations) == 6
    assert all(not torch.equal(a, b.detach()) for a, b in zip(before, model.trainable_weights))
    # Data without targets reaches the step as `x` itself, as in Keras.
    assert all(isinstance(data, torch.Tensor) for data in model.received)
    assert model.metrics_names == ["first_loss", "second_loss"]
    with pytest.raises(NotImplementedError, match="no `call` method"):
        model.predict(x, verbose=0)


def test_custom_step_receives_the_data_as_given():
    model = _pair_trainer()
    x, y, sw = np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), np.ones((4,), "float32")
    model.fit(x, y, batch_size=4, verbose=0)
    model.fit(x, y, sample_weight=sw, batch_size=4, verbose=0)
    shapes = [tuple(tuple(v.shape) for v in d) if isinstance(d, tuple) else tuple(d.shape) for d in model.received]
    assert shapes == [((4, 3), (4, 1)), ((4, 3), (4, 1), (4,))]


def test_custom_step_logs_naming_the_metrics_are_the_metrics_results():
    class StaleLogs(_PairTrainer):
        def train_step(self, data):
            super().train_step(data)
            # The keys of `self.metrics`: Keras reports the metrics' results, not these values.
            return {"first_loss": -1.0, "second_loss": -1.0}

    first = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model = StaleLogs(first, keras.Sequential([keras.Input((3,)), layers.Dense(1)]))
    model.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(0.0))
    history = model.fit(np.ones((8, 3), "float32"), epochs=2, batch_size=4, verbose=0)
    with torch.no_grad():
        expected = float(torch.mean(first(torch.ones(1, 3)) ** 2))
    assert history.history["first_loss"] == pytest.approx([expected, expected], rel=1e-5)


def test_compile_without_optimizer_and_metrics_held_as_attributes():
    class OwnOptimizer(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.tracker = keras.metrics.Sum(name="seen")
            self.own_optimizer = keras.optimizers.SGD(0.1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            self.zero_grad()
            loss = torch.mean(self(data) ** 2)
            loss.backward()
            with torch.no_grad():
                self.own_optimizer.apply([v.value.grad for v in self.trainable_weights], self.trainable_weights)
            self.tracker.update_state(float(data.shape[0]))
            return {"seen": self.tracker.result()}

    model = OwnOptimizer()
    model.compile(optimizer=None)
    assert model.optimizer is None
    # Metrics held as attributes are the model's metrics, reset at each epoch as in Keras.
    assert model.tracker in model.metrics
    history = model.fit(np.ones((6, 3), "float32"), epochs=2, batch_size=4, verbose=0)
    assert history.history["seen"] == [6.0, 6.0]
    assert int(model.own_optimizer.iterations) == 4


def test_predict_step_override_shapes_what_predict_returns():
    class TwoViews(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

        def predict_step(self, data):
            y = self(data)
            return {"scores": y, "label": torch.argmax(y, dim=-1)}

    model = TwoViews()
    x = np.random.default_rng(0).random((5, 3)).astype("float32")
    result = model.predict(x, batch_size=2, verbose=0)
    assert set(result) == {"scores", "label"}
    assert result["scores"].shape == (5, 2) and result["label"].shape == (5,)
    np.testing.assert_array_equal(result["label"], result["scores"].argmax(-1))


def test_compute_loss_override_is_the_loss_of_the_built_in_steps():
    class ShiftedLoss(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            self.seen_training.append(training)
            return super().compute_loss(x, y, y_pred, sample_weight) + 10.0

    inputs = keras.Input((3,))
    model = ShiftedLoss(inputs, layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.seen_training = []
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x, y = np.ones((4, 3), "float32"), np.full((4, 1), 2.0, "float32")
    history = model.fit(x, y, batch_size=4, verbose=0)
    assert history.history["loss"] == pytest.approx([14.0])
    assert model.evaluate(x, y, verbose=0) == pytest.approx(14.0)
    assert model.seen_training[-2:] == [True, False]  # Keras also calls it once while building


def test_a_single_metric_object_in_the_tf2_dialect(tf2_dialect):
    # tf.keras 2 accepted `metrics=SomeMetric()`; Keras 3 (the other dialect) asks for a list.
    import numpy as np

    import keraslite as keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=keras.metrics.BinaryAccuracy(threshold=0.0))
    logs = model.evaluate(np.ones((4, 2), "float32"), np.ones((4, 1), "float32"), verbose=0, return_dict=True)
    assert "binary_accuracy" in logs
    keras.config.set_dialect("keras3")
    with pytest.raises(TypeError, match="Expected a list or dictionary"):
        model.compile("sgd", "mse", metrics=keras.metrics.BinaryAccuracy())
