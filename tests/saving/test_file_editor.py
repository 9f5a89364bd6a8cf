"""keras.saving.KerasFileEditor on files real Keras wrote and on our own."""

import numpy as np
import pytest

import keraslite as keras


def _keras_tree(oracle, path):
    code = (
        "editor = keras.saving.KerasFileEditor(inputs_path)\n"
        "def shapes(tree):\n"
        "    return {k: shapes(v) if isinstance(v, dict) else list(v.shape) for k, v in tree.items()}\n"
        "result['tree'] = shapes(editor.weights_dict)\n"
        "result['metadata'] = {k: {a: str(b) for a, b in v.items()} for k, v in editor.object_metadata.items()}\n"
    )
    return oracle.run(f"inputs_path = {str(path)!r}\n" + code)


def _shapes(tree):
    return {k: _shapes(v) if isinstance(v, dict) else list(v.shape) for k, v in tree.items()}


def test_reads_a_keras_archive_like_keras(keras_oracle, tmp_path, capsys):
    path = tmp_path / "written_by_keras.keras"
    keras_oracle.run(
        "m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name='d1'), keras.layers.BatchNormalization(),"
        " keras.layers.Dense(2, name='d2')])\n"
        f"m.compile('adam', 'mse')\nm.save({str(path)!r})\n"
    )
    expected = _keras_tree(keras_oracle, path)
    editor = keras.saving.KerasFileEditor(str(path))
    assert _shapes(editor.weights_dict) == expected["tree"]
    assert {k: {a: str(b) for a, b in v.items()} for k, v in editor.object_metadata.items()} == expected["metadata"]
    assert editor.config["class_name"] == "Sequential" and "keras_version" in editor.metadata
    editor.summary()
    printed = capsys.readouterr().out
    assert "Weights structure" in printed and "d1" in printed and "shape=(3, 4), dtype=float32" in printed


def test_edit_save_and_reload_into_a_model(keras_oracle, tmp_path, capsys):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="d1"), keras.layers.Dense(2, name="d2")])
    model.save(tmp_path / "m.keras")
    editor = keras.saving.KerasFileEditor(str(tmp_path / "m.keras"))
    assert editor.compare(model)["status"] == "success"
    kernel = np.full((3, 4), 0.5, "float32")
    editor.delete_weight("dense", "0")  # groups are named by class, not layer name
    editor.add_weights("layers/dense", {"0": kernel})
    editor.rename_object("dense_1", "renamed")
    assert editor.compare(model) == {"status": "error", "error_count": 2, "match_count": 2}
    editor.rename_object("layers/renamed", "dense_1")
    editor.save(tmp_path / "edited.weights.h5")
    model.load_weights(tmp_path / "edited.weights.h5")
    np.testing.assert_array_equal(model.layers[0].kernel.detach().numpy(), kernel)
    # Real Keras reads what we wrote.
    expected = _keras_tree(keras_oracle, tmp_path / "edited.weights.h5")
    assert expected["tree"] == _shapes(editor.weights_dict)
    editor.add_object("layers/extra", {"0": np.zeros(2)})
    editor.delete_object("extra")
    with pytest.raises(ValueError, match="does not appear in the model"):
        editor.delete_object("nothing")
    with pytest.raises(ValueError, match="leaf name"):
        editor.rename_object("dense", "a/b")
    with pytest.raises(ValueError, match="Weight 7 not found"):
        editor.delete_weight("dense", "7")
    with pytest.raises(ValueError, match="`.weights.h5` extension"):
        editor.save(tmp_path / "x.h5")
    with pytest.raises(ValueError, match="Invalid filename"):
        keras.saving.KerasFileEditor(str(tmp_path / "m.h5"))
