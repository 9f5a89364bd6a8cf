"""Raw `torch.nn.Module` attributes in a subclassed `keras.Model` (beside lazily built
Keras layers) train as in Keras 3, and `summary()` lists them."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers

RNG = np.random.default_rng(0)
X = RNG.random((32, 4)).astype("float32")
Y = RNG.random((32, 3)).astype("float32")

NET_SOURCE = """
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.dense = keras.layers.Dense(3)

    def call(self, x):
        return self.dense(torch.relu(self.fc1(x)))
"""


def make_net():
    namespace = {"keras": keras, "torch": torch}
    exec(NET_SOURCE, namespace)
    return namespace["Net"]()


def test_fit_builds_the_optimizer_on_the_variables_of_the_first_step():
    model = make_net()
    model.compile("adam", "mse")
    before = model.fc1.weight.detach().clone()
    history = model.fit(X, Y, epochs=3, verbose=0)  # was: "Unknown variable: 'dense/kernel'"
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not torch.equal(before, model.fc1.weight.detach())  # the raw module trains too
    assert len(model.optimizer._trainable_variables) == 4


def test_training_matches_keras(keras_oracle):
    model = make_net()
    model(X[:2])
    weights = [RNG.normal(size=w.shape).astype("float32") * 0.3 for w in model.get_weights()]
    model.set_weights(weights)
    model.compile(keras.optimizers.SGD(0.1), "mse")
    history = model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    expected = keras_oracle.run(
        "import torch\n" + NET_SOURCE + "m = Net()\nm(inputs['x'][:2])\n"
        "m.set_weights([inputs[f'w{i}'] for i in range(4)])\n"
        "m.compile(keras.optimizers.SGD(0.1), 'mse')\n"
        "h = m.fit(inputs['x'], inputs['y'], batch_size=8, epochs=2, shuffle=False, verbose=0)\n"
        "result['loss'] = np.array(h.history['loss'])\n"
        "for i, w in enumerate(m.get_weights()):\n    result[f'w{i}'] = w\n",
        x=X,
        y=Y,
        **{f"w{i}": w for i, w in enumerate(weights)},
    )
    np.testing.assert_allclose(history.history["loss"], expected["loss"], rtol=1e-5)
    for i, got in enumerate(model.get_weights()):
        np.testing.assert_allclose(got, expected[f"w{i}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dialect", ["keras3", "tf2"])
def test_summary_lists_raw_torch_modules(dialect):
    model = make_net()
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=1, verbose=0)
    lines = []
    keras.config.set_dialect(dialect)
    try:
        model.summary(print_fn=lines.append)
    finally:
        keras.config.set_dialect(None)
    text = "\n".join(lines)
    assert "fc1 (Linear)" in text and "dense (Dense)" in text
    assert text.index("fc1 (Linear)") < text.index("dense (Dense)")  # attribute order
    row = next(line for line in text.splitlines() if "fc1 (Linear)" in line)
    assert "40" in row
    assert "Total params: 203" in text or "Total params: 67" in text  # Keras 3 adds the optimizer's 136


def test_summary_looks_through_containers_of_layers():
    class Stack(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = torch.nn.ModuleList([layers.Dense(4), torch.nn.Linear(4, 4)])
            self.head = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.ReLU())

        def call(self, x):
            return self.head(self.blocks[1](self.blocks[0](x)))

    model = Stack()
    model(X[:2])
    lines = []
    model.summary(print_fn=lines.append)
    text = "".join(lines)
    assert "blocks.1 (Linear)" in text and "head (Sequential)" in text and "dense" in text
