"""Top-level keras.Function, StatelessScope, SymbolicScope, RematScope and remat."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite.backend import scopes


def test_function_matches_keras(keras_oracle):
    x = np.linspace(-2, 2, 12, dtype="float32").reshape(3, 4)
    expected = keras_oracle.run(
        "a, b = keras.Input((4,), name='a'), keras.Input((4,), name='b')\n"
        "fn = keras.Function({'b': b, 'a': a}, [keras.ops.relu(a) * 2, a - b])\n"
        "out = fn({'a': inputs['x'], 'b': inputs['x'] * 3})\n"
        "result['relu'] = keras.ops.convert_to_numpy(out[0])\nresult['diff'] = keras.ops.convert_to_numpy(out[1])\n",
        x=x,
    )
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    fn = keras.Function({"b": b, "a": a}, [keras.ops.relu(a) * 2, a - b])
    out = fn({"a": x, "b": x * 3})
    np.testing.assert_allclose(out[0].numpy(), expected["relu"])
    np.testing.assert_allclose(out[1].numpy(), expected["diff"])
    assert fn.inputs == [a, b] and len(fn.operations) == 3


def test_function_from_an_intermediate_tensor_and_errors():
    x = keras.Input((4,))
    dense = keras.layers.Dense(2)
    hidden = dense(x)
    out = keras.ops.relu(hidden)
    tail = keras.Function(hidden, out)
    np.testing.assert_allclose(tail(torch.tensor([[-1.0, 3.0]])).numpy(), [[0.0, 3.0]])
    whole = keras.Function(x, out)
    ones = np.ones((2, 4), "float32")
    np.testing.assert_allclose(whole(ones).detach().numpy(), torch.relu(dense(torch.ones(2, 4))).detach().numpy())
    symbolic = whole(keras.Input((4,)))
    assert isinstance(symbolic, keras.KerasTensor) and symbolic.shape == (None, 2)
    with pytest.raises(ValueError, match="not connected to `inputs`"):
        keras.Function(keras.Input((4,)), out)
    with pytest.raises(ValueError, match="expected shape \\(None, 4\\)"):
        whole(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match="invalid input structure"):
        whole([ones, ones])


def test_stateless_scope_swaps_values_and_keeps_assignments_out():
    layer = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")
    layer.build((None, 2))
    kernel = layer.kernel
    x = torch.ones(1, 2)
    with keras.StatelessScope([(kernel, np.full((2, 1), 3.0, "float32"))]) as scope:
        assert scopes.in_stateless_scope() and scopes.get_stateless_scope() is scope
        assert float(layer(x).detach()) == 6.0
        kernel.assign(np.zeros((2, 1), "float32"))
        assert float(layer(x).detach()) == 0.0
    assert float(layer(x).detach()) == 2.0 and not scopes.in_stateless_scope()
    np.testing.assert_array_equal(scope.get_current_value(kernel).numpy(), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="must be Variable instances"):
        keras.StatelessScope([(np.zeros(2), np.zeros(2))])
    with pytest.raises(ValueError, match="shape that matches"):
        keras.StatelessScope([(kernel, np.zeros(3))])


def test_symbolic_and_remat_scopes():
    with keras.SymbolicScope():
        assert scopes.in_symbolic_scope()
    assert not scopes.in_symbolic_scope()
    assert scopes.get_current_remat_mode() is None
    with keras.RematScope(mode="larger_than", output_size_threshold=10):
        with keras.RematScope(mode="list_of_layers", layer_names=["d"]):
            assert scopes.get_current_remat_mode() == ("list_of_layers", 1024, ["d"])
        assert scopes.get_current_remat_mode().mode == "larger_than"
    with pytest.raises(ValueError, match="Invalid mode 'some'"):
        keras.RematScope(mode="some")


def test_remat_recomputes_with_the_same_gradients():
    calls = []

    def block(x):
        calls.append(1)
        return torch.tanh(x) * x

    x = torch.linspace(-1, 1, 5, requires_grad=True)
    keras.remat(block)(x).sum().backward()
    grad_remat = x.grad.clone()
    assert len(calls) == 2  # forward, then again in the backward pass
    x.grad = None
    block(x).sum().backward()
    np.testing.assert_allclose(grad_remat.numpy(), x.grad.numpy(), rtol=1e-6)


def test_quantizer_base_class():
    quantizer = keras.Quantizer()
    x = torch.ones(2)
    assert quantizer(x) is x and quantizer.output_dtype == "int8"
    assert keras.Quantizer.from_config({"output_dtype": "float8"}).output_dtype == "float8"
    with pytest.raises(NotImplementedError):
        quantizer.get_config()
