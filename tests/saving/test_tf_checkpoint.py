"""`save_weights` to a checkpoint prefix (tf.keras 2's tf format) and back."""

import os

import numpy as np
import pytest

import keraslite as keras
from keraslite.saving import tf_checkpoint


@pytest.fixture(autouse=True)
def tf2(tf2_dialect):
    """Checkpoint prefixes are tf.keras 2's format: these tests run in the tf2 dialect."""


def _model(units=2):
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(units), keras.layers.Dense(1)])


def test_round_trip_and_state_file(tmp_path):
    model = _model()
    prefix = str(tmp_path / "training_1" / "cp.ckpt")
    model.save_weights(prefix)
    assert sorted(os.listdir(tmp_path / "training_1")) == ["checkpoint", "cp.ckpt.data-00000-of-00001", "cp.ckpt.index"]
    assert tf_checkpoint.latest_checkpoint(str(tmp_path / "training_1")) == prefix
    restored = _model()
    restored.load_weights(prefix)
    for a, b in zip(model.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_latest_follows_the_newest_save(tmp_path):
    model = _model()
    for epoch in (5, 10):
        model.save_weights(str(tmp_path / f"cp-{epoch:04d}.ckpt"))
    assert tf_checkpoint.latest_checkpoint(str(tmp_path)).endswith("cp-0010.ckpt")
    assert [os.path.basename(p) for p in tf_checkpoint.all_checkpoints(str(tmp_path))] == [
        "cp-0005.ckpt",
        "cp-0010.ckpt",
    ]


def test_a_mismatched_checkpoint_changes_nothing(tmp_path):
    _model(units=4).save_weights(str(tmp_path / "wide"))
    model = _model(units=2)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match="expected shape"):
        model.load_weights(str(tmp_path / "wide"))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(FileExistsError):
        model.save_weights(str(tmp_path / "wide"), overwrite=False)


def test_keras3_dialect_refuses_a_prefix(tmp_path):
    keras.config.set_dialect("keras3")
    with pytest.raises(ValueError, match="must end in"):
        _model().save_weights(str(tmp_path / "cp.ckpt"))
