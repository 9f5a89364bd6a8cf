"""`StepRunner` (training/step.py) on its own: one train/test/predict step against a
hand-written PyTorch step, the subclassed forward, the loss errors, the compiler fallback."""

import warnings

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.training.step import StepRunner, _is_compiler_error


def linear_model(optimizer=None, **compile_kwargs):
    keras.backend.clear_session()
    inputs = keras.Input(shape=(3,), name="x")
    model = keras.Model(inputs, layers.Dense(1, name="out")(inputs))
    model.compile(optimizer=optimizer or keras.optimizers.SGD(learning_rate=0.1), **compile_kwargs)
    return model


def batch(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return (
        [torch.tensor(rng.random((n, 3)), dtype=torch.float32)],
        [torch.tensor(rng.random((n, 1)), dtype=torch.float32)],
        None,
    )


def test_train_step_is_one_hand_written_sgd_step():
    model = linear_model(loss="mse")
    state = model._training_state
    x, y, sw = batch()
    kernel = model.get_layer("out").kernel.detach().clone().requires_grad_(True)
    bias = model.get_layer("out").bias.detach().clone().requires_grad_(True)
    expected_loss = torch.mean((x[0] @ kernel + bias - y[0]) ** 2)
    expected_loss.backward()
    runner = state.prepare_runner(training=True)
    loss = runner.train_step(x, y, sw)
    assert float(loss.detach()) == pytest.approx(float(expected_loss.detach()), rel=1e-6)
    np.testing.assert_allclose(
        model.get_layer("out").kernel.detach().numpy(), (kernel - 0.1 * kernel.grad).detach().numpy(), rtol=1e-6
    )
    np.testing.assert_allclose(
        model.get_layer("out").bias.detach().numpy(), (bias - 0.1 * bias.grad).detach().numpy(), rtol=1e-6
    )
    assert int(model.optimizer.iterations) == 1
    assert float(state.loss_tracker.result()) == pytest.approx(float(expected_loss.detach()), rel=1e-6)


def test_test_step_updates_trackers_not_weights():
    model = linear_model(loss="mse", metrics=["mae"])
    state = model._training_state
    x, y, sw = batch()
    state.ensure_outputs_known(state.data_structure(), (x, y, sw))
    before = [w.copy() for w in model.get_weights()]
    loss = state.prepare_runner(training=False).test_step(x, y, sw)
    prediction = model.predict(x[0].numpy(), verbose=0)
    assert float(loss) == pytest.approx(float(np.mean((prediction - y[0].numpy()) ** 2)), rel=1e-5)
    assert float(state.compile_metrics.results()["mae"]) == pytest.approx(
        float(np.mean(np.abs(prediction - y[0].numpy()))), rel=1e-5
    )
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert int(model.optimizer.iterations) == 0


def test_predict_step_returns_flat_outputs_without_grad():
    model = linear_model(loss="mse")
    outputs = StepRunner(model._training_state, False).predict_step(batch()[0])
    assert isinstance(outputs, list) and len(outputs) == 1
    assert tuple(outputs[0].shape) == (8, 1) and not outputs[0].requires_grad


def test_functional_forward_runs_the_lowered_graph():
    model = linear_model(loss="mse")
    runner = StepRunner(model._training_state, False)
    assert runner._graph_module is model.graph_module


def test_subclassed_forward_packs_inputs_in_the_data_structure():
    class TwoInputs(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, inputs):
            return self.dense(inputs["a"] + inputs["b"])

    model = TwoInputs()
    model.compile(optimizer="sgd", loss="mse")
    state = model._training_state
    assert state.signature is None
    structure = state.data_structure()
    flat = structure.flat_x({"a": np.ones((2, 3), "float32"), "b": np.ones((2, 3), "float32")})
    state.structure = structure
    runner = StepRunner(state, False)
    assert runner._graph_module is None
    outputs = runner.forward(structure.convert_x(flat, None), training=False)
    assert len(outputs) == 1 and tuple(outputs[0].shape) == (2, 1)


def test_no_loss_is_an_error_naming_compile_and_add_loss():
    model = linear_model()
    runner = model._training_state.prepare_runner(training=True)
    x, y, sw = batch()
    with pytest.raises(ValueError, match="No loss to compute.*`compile\\(\\)`.*add_loss"):
        runner.train_step(x, y, sw)


def test_regularization_losses_join_the_loss():
    keras.backend.clear_session()
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(1, kernel_regularizer=keras.regularizers.L2(1.0))(inputs))
    model.compile(optimizer="sgd", loss="mse")
    state = model._training_state
    x, y, sw = batch()
    runner = state.prepare_runner(training=False)
    assert state.may_have_losses
    _, loss = runner.forward_and_loss(x, y, sw, training=False)
    plain = torch.mean((model(x[0]) - y[0]) ** 2)
    penalty = torch.sum(model.layers[1].kernel ** 2)
    assert float(loss) == pytest.approx(float(plain + penalty), rel=1e-5)


def test_compiler_failure_falls_back_to_eager_once_with_a_warning():
    model = linear_model(loss="mse")
    runner = StepRunner(model._training_state, True)
    calls = []

    def broken(*args):
        raise OSError("no C++ compiler found")

    def eager(*args):
        calls.append(args)
        return "eager"

    guarded = runner._guarded(broken, eager)
    with pytest.warns(UserWarning, match="jit_compile=True: torch.compile failed"):
        assert guarded(1) == "eager"
    assert runner._compile_failed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert guarded(2) == "eager"  # no second warning, no second try
    assert calls == [(1,), (2,)]


def test_only_compiler_errors_are_swallowed():
    assert _is_compiler_error(OSError("C++ compiler not found"))
    assert not _is_compiler_error(ValueError("bad shapes"))
    model = linear_model(loss="mse")
    runner = StepRunner(model._training_state, True)

    def user_bug(*args):
        raise ValueError("bad shapes")

    with pytest.raises(ValueError, match="bad shapes"):
        runner._guarded(user_bug, user_bug)()
    assert not runner._compile_failed


def test_loss_scaler_skips_an_update_on_overflow():
    class Scaler:
        def __init__(self):
            self.updates = []

        def get_scale(self):
            return 4.0

        def update_scale(self, found_inf):
            self.updates.append(found_inf)

    model = linear_model(loss="mse")
    runner = StepRunner(model._training_state, False)
    runner.grad_scaler = Scaler()
    grads = runner._unscale([torch.tensor([4.0, 8.0]), None])
    assert torch.equal(grads[0], torch.tensor([1.0, 2.0])) and grads[1] is None
    assert runner._unscale([torch.tensor([float("inf")])]) == [None]
    assert runner.grad_scaler.updates == [False, True]


def test_a_model_with_nothing_to_train_tracks_its_loss_and_warns():
    # Keras: no trainable weights (none at all, or all frozen) is not an error; the loss and
    # metrics are computed, nothing is updated, and each step warns.
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 3)).astype("float32"), rng.random((16, 3)).astype("float32")
    keras.backend.clear_session()
    inputs = keras.Input(shape=(3,))
    weightless = keras.Model(inputs, layers.Activation("relu")(inputs))
    frozen = linear_model()
    frozen.trainable = False
    for model, target in ((weightless, y), (frozen, y[:, :1])):
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        before = [w.detach().clone() for w in model.weights]
        with pytest.warns(UserWarning, match="The model does not have any trainable weights"):
            history = model.fit(x, target, batch_size=8, epochs=2, verbose=0)
        expected = float(torch.mean((model(torch.tensor(x)) - torch.tensor(target)) ** 2))
        assert history.history["loss"] == pytest.approx([expected, expected], rel=1e-5)
        assert len(history.history["mae"]) == 2
        assert all(torch.equal(a, b) for a, b in zip(before, model.weights))
        assert int(model.optimizer.iterations) == 0
        with pytest.warns(UserWarning, match="trainable weights"):
            logs = model.train_on_batch(x, target, return_dict=True)
        assert logs["loss"] == pytest.approx(expected, rel=1e-5)


def test_nothing_to_train_and_no_loss_is_still_the_no_loss_error():
    keras.backend.clear_session()
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Activation("relu")(inputs))
    model.compile(optimizer="adam")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the missing loss is reported, not the missing weights
        with pytest.raises(ValueError, match="No loss to compute"):
            model.fit(np.ones((4, 3), "float32"), np.ones((4, 3), "float32"), verbose=0)
