"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax) and `Activation` with every
built-in activation: the shared harness against Keras 3."""

import numpy as np
import pytest
import torch

from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

CASES = [
    # (class, kwargs, input shape, trainable weights)
    (layers.ReLU, {}, (2, 3, 4), 0),
    (layers.ReLU, {"max_value": 6.0}, (2, 5), 0),
    (layers.ReLU, {"max_value": 0.5}, (2, 5), 0),
    (layers.ReLU, {"negative_slope": 0.1, "threshold": 0.3}, (2, 3, 4), 0),
    (layers.ReLU, {"negative_slope": 0.2, "max_value": 1.0, "threshold": 0.1}, (3, 6), 0),
    (layers.LeakyReLU, {}, (2, 3, 4), 0),
    (layers.LeakyReLU, {"negative_slope": 0.05}, (2, 5), 0),
    (layers.ELU, {}, (2, 3, 4), 0),
    (layers.ELU, {"alpha": 0.5}, (2, 5), 0),
    (layers.PReLU, {"alpha_initializer": "random_uniform"}, (2, 3, 4), 1),
    (layers.PReLU, {"alpha_initializer": "random_uniform", "shared_axes": [1, 2]}, (2, 3, 3, 4), 1),
    (layers.PReLU, {"shared_axes": 1, "alpha_initializer": "ones"}, (2, 3, 4), 1),
    (layers.Softmax, {}, (2, 3, 4), 0),
    (layers.Softmax, {"axis": 1}, (2, 3, 4), 0),
    (layers.Softmax, {"axis": [1, 2]}, (2, 3, 4), 0),
    (layers.Softmax, {"axis": [2]}, (2, 3, 4), 0),
]


@pytest.mark.parametrize("cls, kwargs, shape, n_train", CASES)
def test_activation_layer_parity(keras_oracle, cls, kwargs, shape, n_train):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=n_train,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        compare_config_keys=True,
    )


ACTIVATIONS = [
    "relu",
    "gelu",
    "silu",
    "swish",
    "selu",
    "elu",
    "softplus",
    "softsign",
    "sigmoid",
    "hard_sigmoid",
    "hard_silu",
    "tanh",
    "exponential",
    "linear",
    "softmax",
    "log_softmax",
    "mish",
    "relu6",
    "leaky_relu",
]


def test_every_activation_matches_keras(keras_oracle):
    x = np.random.default_rng(0).standard_normal((3, 7)).astype("float32") * 3
    code = """
import torch
for name in json.loads(inputs['names'].item()):
    t = torch.tensor(inputs['x'], requires_grad=True)
    y = keras.layers.Activation(name)(t)
    (y ** 2).mean().backward()
    result[name] = y.detach().numpy(); result[name + '_grad'] = t.grad.numpy()
t = torch.tensor(inputs['x'])
result['gelu_tanh'] = keras.activations.gelu(t, approximate=True).numpy()
"""
    import json

    expected = keras_oracle.run("import json\n" + code, x=x, names=np.array(json.dumps(ACTIVATIONS)))
    for name in ACTIVATIONS:
        t = torch.tensor(x, requires_grad=True)
        y = layers.Activation(name)(t)
        (y**2).mean().backward()
        np.testing.assert_allclose(y.detach().numpy(), expected[name], rtol=1e-5, atol=1e-6, err_msg=name)
        np.testing.assert_allclose(t.grad.numpy(), expected[name + "_grad"], rtol=1e-4, atol=1e-6, err_msg=name)
    from keraslite import activations

    np.testing.assert_allclose(
        activations.gelu(torch.tensor(x), approximate=True).numpy(), expected["gelu_tanh"], rtol=1e-5, atol=1e-6
    )


def test_softmax_mask_matches_keras(keras_oracle):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 4)).astype("float32")
    mask = rng.random((2, 1, 4)) > 0.4
    mask[..., 0] = True
    expected = keras_oracle.run(
        "import torch\nresult['y'] = keras.layers.Softmax()(inputs['x'], mask=torch.tensor(inputs['m'])).numpy()\n"
        "result['y1'] = keras.layers.Softmax(axis=1)(inputs['x'], mask=torch.tensor(inputs['m'])).numpy()",
        x=x,
        m=mask,
    )
    np.testing.assert_allclose(
        layers.Softmax()(torch.tensor(x), mask=torch.tensor(mask)).numpy(), expected["y"], rtol=1e-5, atol=1e-7
    )
    np.testing.assert_allclose(
        layers.Softmax(axis=1)(torch.tensor(x), mask=torch.tensor(mask)).numpy(), expected["y1"], rtol=1e-5, atol=1e-7
    )
    out = layers.Softmax()(torch.tensor(x), mask=torch.tensor(mask.astype("float32")))
    np.testing.assert_allclose(out.numpy(), expected["y"], rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="broadcastable"):
        layers.Softmax()(torch.tensor(x), mask=torch.ones(2, 3, 3, dtype=torch.bool))


def test_argument_errors():
    with pytest.raises(ValueError, match="max_value"):
        layers.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope"):
        layers.ReLU(negative_slope=-0.1)
    with pytest.raises(ValueError, match="threshold"):
        layers.ReLU(threshold=-1.0)
    with pytest.raises(ValueError, match="negative_slope"):
        layers.LeakyReLU(negative_slope=-1)
    assert layers.LeakyReLU().negative_slope == 0.3
    assert layers.LeakyReLU(alpha=0.1).negative_slope == 0.1
