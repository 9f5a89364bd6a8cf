"""OrbaxCheckpoint refuses as Keras 3 does without the orbax-checkpoint package."""

import importlib.util

import pytest

import keraslite as keras


def test_orbax_checkpoint_refuses_with_keras_message_and_alternatives():
    expected = ImportError if importlib.util.find_spec("orbax") is None else NotImplementedError
    with pytest.raises(expected, match="ModelCheckpoint") as info:
        keras.callbacks.OrbaxCheckpoint("/tmp/checkpoints", monitor="val_accuracy", save_best_only=True)
    if expected is ImportError:
        assert "requires the 'orbax-checkpoint' package" in str(info.value)
