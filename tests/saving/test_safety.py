"""Safety: nothing executed from a file unless asked (Lambda needs safe_mode=False), no
pickle, crash-proof writes, clear errors for truncated / corrupt / foreign files, and a
failed load leaves the model unchanged."""

import os
import pathlib
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.saving.errors import CorruptFileError


def small_model():
    inputs = keras.Input((4,), name="x")
    return keras.Model(inputs, layers.Dense(2)(layers.Dense(3)(inputs)))


def test_lambda_layer_needs_safe_mode_false(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Lambda(lambda t: t * 2.0 + 1.0)(inputs))
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="Python lambda.*safe_mode=False"):
        keras.models.load_model(tmp_path / "lambda.keras")
    loaded = keras.models.load_model(tmp_path / "lambda.keras", safe_mode=False)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    assert torch.equal(loaded(x), model(x))


def test_saving_package_uses_no_pickle():
    import keraslite.saving

    root = pathlib.Path(keraslite.saving.__file__).parent
    for source in root.glob("*.py"):
        text = source.read_text()
        for forbidden in ("import pickle", "torch.load(", "allow_pickle=True", "marshal.loads"):
            assert forbidden not in text, f"{source.name} uses {forbidden}"


def test_exception_mid_save_leaves_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.keras"
    model = small_model()
    model.save(path)
    original = path.read_bytes()
    real_writestr = zipfile.ZipFile.writestr

    def failing_writestr(self, name, data, *args, **kwargs):
        if str(getattr(name, "filename", name)) == "model.weights.h5":
            raise OSError("disk full")
        return real_writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing_writestr)
    with pytest.raises(OSError, match="disk full"):
        small_model().save(path)
    assert path.read_bytes() == original
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]  # the temporary file was removed


def test_exception_mid_directory_save_leaves_old_directory_intact(tmp_path, monkeypatch):
    from keraslite.saving import safetensors_weights

    path = tmp_path / "model_dir"
    model = small_model()
    model.save(path)
    before = (path / "model.safetensors").read_bytes()

    def failing_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(safetensors_weights, "save_groups", failing_save)
    with pytest.raises(OSError):
        small_model().save(path)
    assert (path / "model.safetensors").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model_dir"]


def test_killed_process_mid_save_leaves_old_file_intact(tmp_path):
    path = tmp_path / "m.keras"
    small_model().save(path)
    original = path.read_bytes()
    script = textwrap.dedent(
        f"""
        import os, zipfile
        import keraslite as keras
        from keraslite import layers
        inputs = keras.Input((4,))
        model = keras.Model(inputs, layers.Dense(2)(inputs))
        real = zipfile.ZipFile.writestr
        def crash(self, name, data, *a, **k):
            real(self, name, data, *a, **k)
            if name == "config.json":
                os._exit(9)  # as if killed half-way through the archive
        zipfile.ZipFile.writestr = crash
        model.save({str(path)!r})
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == 9, result.stderr.decode()[-2000:]
    assert path.read_bytes() == original
    loaded = keras.models.load_model(path)
    assert loaded.count_params() == small_model().count_params()


def test_truncated_archive(tmp_path):
    path = tmp_path / "m.keras"
    small_model().save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="m.keras"):
        keras.models.load_model(path)


def test_archive_without_config(tmp_path):
    path = tmp_path / "noconfig.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", "{}")
    with pytest.raises(CorruptFileError, match="no 'config.json'"):
        keras.models.load_model(path)


def test_archive_with_corrupt_weights(tmp_path):
    source = tmp_path / "m.keras"
    small_model().save(source)
    broken = tmp_path / "broken.keras"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data[:100] if name == "model.weights.h5" else data)
    with pytest.raises(CorruptFileError, match="broken.keras.*not a readable HDF5"):
        keras.models.load_model(broken)


def test_foreign_files(tmp_path):
    text = tmp_path / "notes.keras"
    text.write_text("hello, I am not a model")
    with pytest.raises(CorruptFileError, match="notes.keras.*not a valid zip"):
        keras.models.load_model(text)
    fake_h5 = tmp_path / "fake.weights.h5"
    fake_h5.write_bytes(b"\x00" * 64)
    model = small_model()
    before = model.get_weights()
    with pytest.raises(CorruptFileError, match="fake.weights.h5"):
        model.load_weights(fake_h5)
    fake_st = tmp_path / "fake.safetensors"
    fake_st.write_bytes(b"\xff" * 32)
    with pytest.raises(CorruptFileError, match="fake.safetensors"):
        model.load_weights(fake_st)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))
    with pytest.raises(ValueError, match="File not found"):
        keras.models.load_model(tmp_path / "missing.keras")


def test_unknown_class_in_config(tmp_path):
    import json

    path = tmp_path / "m.keras"
    small_model().save(path)
    with zipfile.ZipFile(path) as src:
        members = {name: src.read(name) for name in src.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["class_name"] = "MysteryLayer"
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in members.items():
            dst.writestr(name, data)
    with pytest.raises(TypeError, match="Could not locate class 'MysteryLayer'.*custom_objects"):
        keras.models.load_model(path)


def test_failed_weight_load_changes_nothing(tmp_path):
    model = small_model()
    model.save_weights(tmp_path / "w.weights.h5")
    inputs = keras.Input((4,))
    other = keras.Model(inputs, layers.Dense(2)(layers.Dense(5)(inputs)))
    before = other.get_weights()
    with pytest.raises(ValueError, match="left unchanged"):
        other.load_weights(tmp_path / "w.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(other.get_weights(), before))


def test_config_cannot_name_arbitrary_modules():
    """A config's `module` is only a hint among keraslite's own namespaces: nothing is
    imported or called from a module a file names."""
    from keraslite.saving import deserialize_keras_object

    with pytest.raises(ValueError, match="Could not locate function 'system'"):
        deserialize_keras_object(
            {"module": "os", "class_name": "function", "config": "system", "registered_name": None}
        )
    with pytest.raises(TypeError, match="Could not locate class 'Popen'"):
        deserialize_keras_object(
            {"module": "subprocess", "class_name": "Popen", "config": {"args": ["true"]}, "registered_name": None}
        )
