import numpy as np
import pytest
import torch

import keraslite
from keraslite import activations

NAMES = [
    "relu",
    "leaky_relu",
    "relu6",
    "elu",
    "selu",
    "gelu",
    "silu",
    "hard_silu",
    "mish",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "exponential",
    "linear",
    "softmax",
    "log_softmax",
]


def test_activations_match_keras(keras_oracle):
    x = np.linspace(-4, 4, 24, dtype="float32").reshape(3, 8)
    code = "\n".join(
        f"result[{n!r}] = keras.ops.convert_to_numpy(keras.activations.get({n!r})(inputs['x']))" for n in NAMES
    )
    code += "\nresult['gelu_tanh'] = keras.ops.convert_to_numpy(keras.activations.gelu(inputs['x'], approximate=True))"
    code += (
        "\nresult['relu_args'] = keras.ops.convert_to_numpy(keras.activations.relu(inputs['x'], negative_slope=0.1, "
        "max_value=2.0, threshold=0.5))"
    )
    expected = keras_oracle.run(code, x=x)
    t = torch.tensor(x)
    for name in NAMES:
        np.testing.assert_allclose(activations.get(name)(t).numpy(), expected[name], rtol=1e-5, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(
        activations.gelu(t, approximate=True).numpy(), expected["gelu_tanh"], rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        activations.relu(t, negative_slope=0.1, max_value=2.0, threshold=0.5).numpy(),
        expected["relu_args"],
        rtol=1e-5,
        atol=1e-6,
    )


def test_get_and_serialize():
    assert activations.get(None) is activations.linear
    assert activations.serialize(activations.get("swish")) == "silu"
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: 'relux'"):
        activations.get("relux")


# The activations Keras 3 added beyond tf.keras 2, with the arguments each takes.
NEWER = {
    "celu": {"alpha": 0.7},
    "glu": {"axis": -1},
    "hard_tanh": {},
    "hard_shrink": {"threshold": 0.8},
    "soft_shrink": {"threshold": 0.3},
    "tanh_shrink": {},
    "threshold": {"threshold": 0.2, "default_value": -3.0},
    "log_sigmoid": {},
    "sparse_plus": {},
    "sparse_sigmoid": {},
    "squareplus": {"b": 2},
}


def test_newer_activations_match_keras_and_serialize_by_name(keras_oracle):
    x = np.linspace(-2.5, 2.5, 24, dtype="float32").reshape(4, 6)
    x[1, 2] = 1.0  # exactly on a boundary of the piecewise functions
    code = "\n".join(
        f"result[{n!r}] = keras.ops.convert_to_numpy(keras.activations.{n}(inputs['x'], **{kw!r}))\n"
        f"result[{n + '_default'!r}] = keras.ops.convert_to_numpy(keras.activations.get({n!r})(inputs['x'], "
        f"**({{}} if {n!r} != 'threshold' else {kw!r})))\n"
        f"result[{n + '_name'!r}] = keras.activations.serialize(keras.activations.{n})"
        for n, kw in NEWER.items()
    )
    expected = keras_oracle.run(code, x=x)
    t = torch.tensor(x)
    for name, kwargs in NEWER.items():
        fn = getattr(activations, name)
        np.testing.assert_allclose(fn(t, **kwargs).numpy(), expected[name], rtol=1e-5, atol=1e-6, err_msg=name)
        default_kwargs = kwargs if name == "threshold" else {}
        np.testing.assert_allclose(
            activations.get(name)(t, **default_kwargs).numpy(), expected[name + "_default"], rtol=1e-5, atol=1e-6
        )
        assert activations.serialize(fn) == expected[name + "_name"] == name
        assert activations.deserialize(name) is fn


def test_sparsemax_matches_keras_where_keras_is_right(keras_oracle):
    # Keras 3.15.1 computes tau from the sum of the cumulative sums over the support instead of
    # the cumulative sum at its last element, which is only right when the support has one
    # element (or sums to 0); keraslite follows the definition. Compare on such inputs.
    x = np.array([[3.0, 1.0, -2.0], [-1.0, 4.0, 0.5], [0.5, -0.5, -1.5]], dtype="float32")
    expected = keras_oracle.run(
        "result['y'] = keras.ops.convert_to_numpy(keras.activations.sparsemax(inputs['x'], axis=0))", x=x
    )
    np.testing.assert_allclose(activations.sparsemax(torch.tensor(x), axis=0).numpy(), expected["y"], atol=1e-6)


def test_sparsemax_is_the_simplex_projection():
    x = torch.tensor([[1.0, 1.0, -2.0], [0.1, 0.2, 0.3], [1.85, 1.0, 0.5]])
    y = activations.sparsemax(x)
    np.testing.assert_allclose(y.sum(-1).numpy(), [1.0, 1.0, 1.0], rtol=1e-6)
    # Equal logits share the mass; below the threshold tau an entry is exactly 0.
    np.testing.assert_allclose(y[0].numpy(), [0.5, 0.5, 0.0])
    np.testing.assert_allclose(y[2].numpy(), [0.925, 0.075, 0.0], rtol=1e-5)
    np.testing.assert_allclose(activations.sparsemax(x.T, axis=0).numpy(), y.T.numpy())


def test_glu_needs_an_even_axis():
    with pytest.raises(ValueError, match="even size"):
        activations.glu(torch.zeros(2, 3))


def test_relu_of_nan_follows_the_dialect(tf2_dialect):
    # tf.keras 2's fused Dense/Conv + relu kernels give 0 for NaN; Keras 3 (torch) keeps NaN.
    x = torch.tensor([float("nan"), -1.0, 2.0])
    assert activations.relu(x).tolist() == [0.0, 0.0, 2.0]
    keraslite.config.set_dialect("keras3")
    assert torch.isnan(activations.relu(x)[0])
