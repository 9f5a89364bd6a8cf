"""`tf.Module`, `tf.train` checkpoints, `tf.summary`, `tf.compat` and the namespace aliases."""

import importlib
import os

import numpy as np
import pytest

import keraslite as keras
from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_module_tracks_variables_and_submodules(tf):  # noqa: F811
    class Block(tf.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.w = tf.Variable(np.ones((2, 2), "float32"), name="w")
            self.frozen = tf.Variable(1.0, trainable=False)
            self.layers = [tf.keras.layers.Dense(2)]

    class Outer(tf.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.block_again = self.block

    outer = Outer()
    assert outer.name == "outer" and Block(name="b").name == "b"
    assert len(outer.variables) == 2 and len(outer.trainable_variables) == 1
    assert [type(m).__name__ for m in outer.submodules] == ["Block", "Dense"]
    with pytest.raises(ValueError, match="not a valid module name"):
        tf.Module(name="has space")


def test_checkpoint_manager_saves_keeps_and_restores(tf, tmp_path):  # noqa: F811
    model = keras.Sequential([keras.layers.Dense(3)])
    model(np.ones((1, 2), "float32"))
    step = tf.Variable(0)
    checkpoint = tf.train.Checkpoint(step=step, model=model)
    manager = tf.train.CheckpointManager(checkpoint, str(tmp_path), max_to_keep=2)
    for _ in range(3):
        step.assign_add(1)
        manager.save()
    assert [os.path.basename(p) for p in manager.checkpoints] == ["ckpt-2", "ckpt-3"]
    assert not os.path.exists(str(tmp_path / "ckpt-1.index"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == manager.latest_checkpoint
    kernel = model.layers[0].kernel.numpy().copy()
    model.layers[0].kernel.assign(np.zeros_like(kernel))
    step.assign(0)
    checkpoint.restore(manager.latest_checkpoint).assert_consumed()
    assert int(step) == 3 and np.array_equal(model.layers[0].kernel.numpy(), kernel)


def test_checkpoint_restore_checks_shapes_before_assigning(tf, tmp_path):  # noqa: F811
    a = tf.Variable(np.ones(3, "float32"))
    b = tf.Variable(np.ones(2, "float32"))
    path = tf.train.Checkpoint(a=a, b=b).write(str(tmp_path / "one"))
    other_a = tf.Variable(np.zeros(3, "float32"))
    wrong_b = tf.Variable(np.zeros(4, "float32"))
    with pytest.raises(ValueError, match="has shape"):
        tf.train.Checkpoint(a=other_a, b=wrong_b).restore(path)
    assert other_a.numpy().tolist() == [0.0, 0.0, 0.0]  # nothing assigned


def test_summary_writes_event_files(tf, tmp_path):  # noqa: F811
    assert tf.summary.scalar("loss", 1.0, step=0) is False  # no default writer
    writer = tf.summary.create_file_writer(str(tmp_path / "logs"))
    with writer.as_default():
        assert tf.summary.scalar("loss", 0.5, step=1)
        assert tf.summary.histogram("w", np.arange(10.0), step=1)
    files = os.listdir(tmp_path / "logs")
    assert len(files) == 1 and files[0].startswith("events.out.tfevents.")
    assert os.path.getsize(tmp_path / "logs" / files[0]) > 0


def test_compat_version_and_aliases(tf):  # noqa: F811
    v2 = importlib.import_module("tensorflow.compat.v2")
    assert v2.keras is keras and v2.constant is tf.constant
    tf.compat.v1.enable_eager_execution()
    with pytest.raises(NotImplementedError, match="graph mode"):
        tf.compat.v1.Session  # noqa: B018
    assert tf.compat.as_bytes("a") == b"a" and tf.compat.as_text(b"a") == "a"
    assert tf.version.VERSION == tf.__version__
    assert tf.losses is keras.losses and tf.optimizers is keras.optimizers
    init = tf.random_normal_initializer(0.0, 0.02)
    assert isinstance(init, keras.initializers.RandomNormal) and init.stddev == 0.02
