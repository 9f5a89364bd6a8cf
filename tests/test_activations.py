import numpy as np
import pytest
import torch

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
