"""model.export(format="torch"): `.pt2` programs that `torch.export.load` reads back, with a
dynamic batch; the argument checks of Keras's torch exporter."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers


def _functional():
    features = keras.Input((6,), name="features")
    return keras.Model(features, layers.Dense(3)(layers.Dense(8, activation="relu")(features)))


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs["x"]) * 2.0


def _close(actual, expected):
    np.testing.assert_allclose(actual.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_functional_program_has_a_dynamic_batch(tmp_path, capsys):
    model = _functional()
    path = tmp_path / "model.pt2"
    assert model.export(path, format="torch") == str(path)
    assert capsys.readouterr().out.strip() == f"Saved PyTorch ExportedProgram at '{path}'."
    program = torch.export.load(str(path)).module()
    for batch in (1, 7):
        x = torch.rand(batch, 6)
        _close(program(x), model.predict(x.numpy(), verbose=0))


def test_sequential_subclassed_and_multi_input_programs(tmp_path):
    sequential = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(1)])
    sequential.export(tmp_path / "seq.pt2", format="torch", verbose=False)
    x = torch.rand(5, 4)
    _close(torch.export.load(str(tmp_path / "seq.pt2")).module()(x), sequential.predict(x.numpy(), verbose=0))

    subclassed = _Subclassed()
    subclassed({"x": torch.rand(2, 3)})
    subclassed.export(tmp_path / "sub.pt2", format="torch", verbose=False)
    x = torch.rand(6, 3)
    _close(torch.export.load(str(tmp_path / "sub.pt2")).module()({"x": x}), subclassed({"x": x}).detach().numpy())

    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    two = keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([a, b])))
    two.export(tmp_path / "two.pt2", format="torch", verbose=False)
    inputs = [torch.rand(4, 3), torch.rand(4, 2)]
    # As in Keras, a functional model's program takes the model's input structure.
    _close(torch.export.load(str(tmp_path / "two.pt2")).module()(inputs), two.predict(inputs, verbose=0))


@pytest.mark.parametrize(
    "dynamic_shapes",
    [
        lambda batch: {0: batch},  # Keras's documented form
        lambda batch: ({0: batch},),  # torch's plain form
        lambda batch: [({0: batch},)],  # Keras's wrapped form for its `forward(*args)`
    ],
    ids=["keras-dict", "torch-tuple", "keras-wrapped"],
)
def test_given_dynamic_shapes(tmp_path, dynamic_shapes):
    model = _functional()
    batch = torch.export.Dim("batch", min=1, max=64)
    model.export(tmp_path / "m.pt2", format="torch", verbose=False, dynamic_shapes=dynamic_shapes(batch))
    program = torch.export.load(str(tmp_path / "m.pt2")).module()
    x = torch.rand(9, 6)
    _close(program(x), model.predict(x.numpy(), verbose=0))


def test_errors_as_in_keras(tmp_path):
    model = _functional()
    with pytest.raises(ValueError, match=r"requires the filepath to end with '.pt2'. Got: .*model.bin"):
        model.export(tmp_path / "model.bin", format="torch")
    with pytest.raises(ValueError, match='Unsupported arguments for `format="torch"`: bogus. Supported arguments'):
        model.export(tmp_path / "model.pt2", format="torch", bogus=1)
    with pytest.raises(ValueError, match="The model provided has not yet been built. It must be built before export."):
        _Subclassed().export(tmp_path / "model.pt2", format="torch")


def test_plain_torch_export_export_binds_dynamic_shapes_to_named_inputs():
    """The model's forward names its inputs, so torch's plain `dynamic_shapes` form works."""
    model = _functional()
    batch = torch.export.Dim("batch")
    program = torch.export.export(model, (torch.rand(4, 6),), dynamic_shapes=({0: batch},))
    x = torch.rand(11, 6)
    _close(program.module()(x), model.predict(x.numpy(), verbose=0))
    by_name = torch.export.export(model, (), {"features": torch.rand(4, 6)}, dynamic_shapes={"features": {0: batch}})
    _close(by_name.module()(features=x), model.predict(x.numpy(), verbose=0))
