"""`TrainingState` (training/training_state.py): the one object that owns a compiled
model's training, and what it learns from the model's signature or from data."""

import ast
import pathlib

import numpy as np
import pytest

import keraslite as keras
from keraslite import layers
from keraslite.training.signature import ModelSignature
from keraslite.training.training_state import TrainingState


def two_output_model():
    keras.backend.clear_session()
    inputs = keras.Input(shape=(4,), name="features")
    hidden = layers.Dense(3, name="hidden")(inputs)
    model = keras.Model(
        inputs, {"score": layers.Dense(1, name="score")(hidden), "kind": layers.Dense(2, name="kind")(hidden)}, name="m"
    )
    model.compile(optimizer="sgd", loss={"score": "mse", "kind": "mse"}, metrics={"score": ["mae"]})
    return model


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.first = layers.Dense(2)
        self.second = layers.Dense(1)

    def call(self, inputs):
        return self.first(inputs), self.second(inputs)


def test_compile_makes_one_state_and_recompiling_replaces_it():
    model = two_output_model()
    state = model._training_state
    assert isinstance(state, TrainingState) and state.model is model and state.optimizer is model.optimizer
    model.compile(optimizer="adam", loss="mse")
    assert model._training_state is not state and model._training_state.optimizer is model.optimizer


def test_functional_state_knows_outputs_at_compile():
    model = two_output_model()
    state = model._training_state
    assert isinstance(state.signature, ModelSignature)
    assert state.signature.input_names == ["features"] and state.signature.output_names == ["score", "kind"]
    assert state.output_names == ["score", "kind"]
    assert model.metrics == state.metrics and model.metrics[0] is state.loss_tracker
    assert model.metrics_names == ["loss", "score_loss", "kind_loss"]


def test_subclassed_state_learns_outputs_from_the_first_batch():
    model = Subclassed()
    model.compile(optimizer="sgd", loss=["mse", "mse"])
    state = model._training_state
    assert state.signature is None and state.compile_loss is None and state.train_params is None
    x, y = np.ones((6, 3), "float32"), [np.ones((6, 2), "float32"), np.ones((6, 1), "float32")]
    model.train_on_batch(x, y)
    assert state.output_names == ["output_1", "output_2"]
    assert len(state.train_params) == 4 and state.train_params is model.optimizer._trainable_variables
    assert [type(o).__name__ for o in model.predict(x, verbose=0)] == ["ndarray", "ndarray"]


def test_runner_is_made_once_and_params_follow_trainable_changes():
    model = two_output_model()
    state = model._training_state
    runner = state.prepare_runner(training=True)
    assert state.prepare_runner(training=False) is runner and runner.state is state
    assert len(state.train_params) == 6
    model.get_layer("hidden").trainable = False
    state.prepare_runner(training=True)
    assert len(state.train_params) == 4


def test_inputs_are_checked_once_with_one_message():
    model = two_output_model()
    x = np.zeros((5, 3), "float32")
    message = (
        r'Input 0 \("features"\) of model "m" is incompatible with the model: '
        r"expected shape=\(None, 4\)\. Received: shape=\((5|2), 3\)"
    )
    with pytest.raises(ValueError, match=message):
        model.fit(x, {"score": np.zeros((5, 1)), "kind": np.zeros((5, 2))}, verbose=0)
    with pytest.raises(ValueError, match=message):
        model.predict(x, verbose=0)
    with pytest.raises(ValueError, match=message):
        model(np.zeros((2, 3), "float32"))
    assert int(model.optimizer.iterations) == 0


def test_outputs_come_back_in_the_model_structure():
    model = two_output_model()
    state = model._training_state
    packed = state.pack_outputs([np.zeros((2, 1)), np.ones((2, 2))])
    assert set(packed) == {"score", "kind"} and packed["kind"].shape == (2, 2)
    subclassed = Subclassed()
    plain = TrainingState(subclassed)
    assert plain.pack_outputs(["only"]) == "only" and plain.pack_outputs(["a", "b"]) == ["a", "b"]


def test_uncompiled_predict_leaves_no_state_behind():
    keras.backend.clear_session()
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    assert model.predict(np.ones((3, 2), "float32"), verbose=0).shape == (3, 1)
    assert model.predict_on_batch(np.ones((3, 2), "float32")).shape == (3, 1)
    assert model._training_state is None and model.metrics == [] and model.metrics_names == []


def test_compute_loss_adds_model_losses():
    model = two_output_model()
    y = {"score": np.ones((2, 1), "float32"), "kind": np.zeros((2, 2), "float32")}
    x = np.ones((2, 4), "float32")
    y_pred = model(x)
    loss = model.compute_loss(x, y, y_pred)
    expected = np.mean((y_pred["score"].detach().numpy() - 1) ** 2) + np.mean(y_pred["kind"].detach().numpy() ** 2)
    assert float(loss.detach()) == pytest.approx(float(expected), rel=1e-5)


# The one kind of function-level import training/ allows: its own modules built on torch's
# DDP/FSDP, whose import takes most of a second that a one-process program never needs.
DEFERRED_IMPORTS = {"keraslite.training.distributed", "keraslite.training.model_parallel"}


def test_training_never_imports_models_or_saving():
    folder = pathlib.Path(__file__).parents[2] / "keraslite" / "training"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("keraslite.models", "keraslite.saving")), (path.name, node.module)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                nested = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
                nested = [n for n in nested if not (isinstance(n, ast.ImportFrom) and n.module in DEFERRED_IMPORTS)]
                assert not nested, f"{path.name}: function-level import in {node.name}"


class SquarePenalty(layers.Layer):
    def call(self, inputs):
        self.add_loss(keras.ops.mean(keras.ops.square(inputs)))
        return inputs


def functional_with_added_losses():
    inputs = keras.Input(shape=(3,))
    hidden = SquarePenalty()(layers.Dense(4, name="hidden")(inputs))
    return keras.Model(inputs, layers.Dense(2, activity_regularizer=keras.regularizers.L2(0.01))(hidden))


def sequential_without_input_with_added_losses():
    # No `Input`: the layers are only known to the model once the first batch builds it.
    return keras.Sequential(
        [layers.Dense(4, name="hidden"), SquarePenalty(), layers.Dense(2, activity_regularizer="l2")]
    )


@pytest.mark.parametrize("make_model", [functional_with_added_losses, sequential_without_input_with_added_losses])
@pytest.mark.parametrize("compile_kwargs", [{"loss": None}, {}], ids=["loss=None", "no-loss-argument"])
@pytest.mark.parametrize("evaluate_first", [False, True])
def test_a_model_whose_only_loss_is_added_trains_without_targets(make_model, compile_kwargs, evaluate_first):
    # The keras.io pattern: the loss comes from `add_loss` or activity regularizers,
    # `compile()` gets no loss, and `fit(x)` gets no targets.
    keras.backend.clear_session()
    model = make_model()
    model.compile(optimizer=keras.optimizers.SGD(0.1), **compile_kwargs)
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    if evaluate_first:
        assert model.evaluate(x, verbose=0) > 0
    history = model.fit(x, batch_size=8, epochs=3, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] and int(model.optimizer.iterations) == 12
    assert model.evaluate(x, verbose=0) > 0


def test_custom_train_step_gets_its_batch_as_given():
    # A triplet model: batches are (anchor, positive, negative), read by its own train_step.
    import numpy as np
    import torch

    import keraslite as keras

    a, p, n = (keras.Input((4,)) for _ in range(3))
    embed = keras.layers.Dense(2)
    network = keras.Model([a, p, n], [embed(a), embed(p), embed(n)])

    class Triplet(keras.Model):
        def __init__(self, network):
            super().__init__()
            self.network = network
            self.tracker = keras.metrics.Mean(name="loss")

        def call(self, inputs):
            return self.network(inputs)

        def train_step(self, data):
            ea, ep, en = self(data)
            loss = torch.relu(((ea - ep) ** 2).sum(-1) - ((ea - en) ** 2).sum(-1) + 0.5).mean()
            self.optimizer.zero_grad() if hasattr(self.optimizer, "zero_grad") else None
            loss.backward()
            grads = [v.grad for v in self.trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(grads, self.trainable_weights)
            for v in self.trainable_weights:
                v.grad = None
            self.tracker.update_state(loss.detach())
            return {"loss": self.tracker.result()}

    model = Triplet(network)
    model.compile(optimizer="sgd")
    data = tuple(np.random.default_rng(i).normal(size=(8, 4)).astype("float32") for i in range(3))
    from keraslite.utils.dataset import Dataset

    history = model.fit(Dataset.from_tensor_slices(data).batch(4), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1
