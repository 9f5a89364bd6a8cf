"""`jit_compile=True` compiles the evaluate and predict steps too (training/step.py): one
graph each, no graph break, at most one recompilation for the short last batch, and the
same results as the eager steps. Dynamo's graphs are checked with the "eager" backend
(inductor's code generation is not what is under test, and costs seconds)."""

import numpy as np
import pytest
import torch
import torch._dynamo
import torch._dynamo.testing

import keraslite as keras
from keraslite import layers
from keraslite.training.step import StepRunner


def small_model(jit_compile):
    keras.utils.set_random_seed(3)
    inputs = keras.Input(shape=(6,), name="features")
    x = layers.Dense(8, activation="relu")(inputs)
    x = layers.LayerNormalization()(x)
    x = layers.Dropout(0.3)(x)
    model = keras.Model(inputs, layers.Dense(3, name="scores")(x))
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    return model


def data(n=10):
    rng = np.random.default_rng(0)
    return rng.random((n, 6), dtype=np.float32), rng.integers(0, 3, n)


@pytest.fixture
def counter(monkeypatch):
    torch._dynamo.reset()
    backend = torch._dynamo.testing.CompileCounter()
    monkeypatch.setattr(StepRunner, "compile_backend", backend)
    yield backend
    torch._dynamo.reset()


def test_predict_compiles_once_plus_one_graph_for_the_short_last_batch(counter):
    model = small_model(jit_compile=True)
    x, _ = data(10)
    first = model.predict(x, batch_size=4, verbose=0)  # batches of 4, 4 and 2
    assert counter.frame_count == 2  # the full batch, then one dynamic-shape graph
    again = model.predict(x, batch_size=4, verbose=0)
    assert counter.frame_count == 2  # the next call reuses both
    np.testing.assert_array_equal(first, again)
    assert model._training_state.runner.jit_compile


def test_evaluate_compiles_once_plus_one_graph_for_the_short_last_batch(counter):
    model = small_model(jit_compile=True)
    x, y = data(10)
    model.evaluate(x, y, batch_size=4, verbose=0)  # the first batch builds the metrics, eagerly
    frames = counter.frame_count
    assert 1 <= frames <= 2
    model.evaluate(x, y, batch_size=4, verbose=0)
    assert counter.frame_count <= 2


def test_compiled_predict_and_evaluate_equal_the_eager_ones(counter):
    x, y = data(10)
    eager, compiled = small_model(jit_compile=False), small_model(jit_compile=True)
    compiled.set_weights(eager.get_weights())
    np.testing.assert_allclose(
        compiled.predict(x, batch_size=4, verbose=0), eager.predict(x, batch_size=4, verbose=0), rtol=1e-6
    )
    eager_logs = eager.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    compiled_logs = compiled.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    assert compiled_logs == pytest.approx(eager_logs, rel=1e-6)
    assert counter.frame_count > 0  # the compiled model did go through dynamo


def test_the_predict_and_test_steps_have_no_graph_break():
    model = small_model(jit_compile=True)
    x, y = data(8)
    model.evaluate(x, y, batch_size=8, verbose=0)  # builds the metrics
    runner = model._training_state.runner
    xs, ys = [torch.from_numpy(x)], [torch.from_numpy(y)]
    torch._dynamo.reset()
    with torch.inference_mode():
        predict_explained = torch._dynamo.explain(runner._predict_body)(xs)
    assert predict_explained.graph_break_count == 0 and predict_explained.graph_count == 1
    test_explained = torch._dynamo.explain(runner._test_body)(xs, ys, None)
    assert test_explained.graph_break_count == 0 and test_explained.graph_count == 1
    torch._dynamo.reset()


def test_eager_models_never_reach_dynamo(counter):
    model = small_model(jit_compile=False)
    x, y = data(10)
    model.predict(x, batch_size=4, verbose=0)
    model.evaluate(x, y, batch_size=4, verbose=0)
    assert counter.frame_count == 0


def test_autograd_tracing_is_on_inside_compiled_steps_and_restored_after(counter, monkeypatch):
    """dynamo traces `torch.autograd.grad` inside keraslite's compiled steps (one graph for the
    whole train step) and the user's setting is back after every step."""
    seen = []
    original = StepRunner._full_train_step

    def recording(self, *args):
        seen.append(torch._dynamo.config.trace_autograd_ops)
        return original(self, *args)

    monkeypatch.setattr(StepRunner, "_full_train_step", recording)
    x, y = data()
    model = small_model(True)
    before = torch._dynamo.config.trace_autograd_ops
    model.fit(x, y, batch_size=5, epochs=2, verbose=0)
    model.predict(x, verbose=0)
    assert seen and all(seen)  # traced with the flag on
    assert torch._dynamo.config.trace_autograd_ops == before
