import os
import subprocess
import sys
import threading

import pytest
import torch

import keraslite as keras
from keraslite.backend import state


def test_auto_names_count_up_and_reset():
    assert keras.layers.Dense(1).name == "dense"
    assert keras.layers.Dense(1).name == "dense_1"
    assert keras.layers.Conv2DTranspose(1, 1).name == "conv2d_transpose"
    assert keras.layers.GlobalMaxPooling2D().name == "global_max_pooling2d"
    assert keras.Input(shape=(1,)).name == "input_layer"
    assert keras.Input(shape=(1,)).name == "input_layer_1"
    keras.backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"
    assert keras.Input(shape=(1,)).name == "input_layer"


def test_tf2_dialect_numbers_inputs_from_one_and_calls_models_model(tf2_dialect):
    assert keras.Input(shape=(1,)).name == "input_1"
    assert keras.Input(shape=(1,)).name == "input_2"
    x = keras.Input(shape=(1,))
    assert keras.Model(x, x).name == "model" and keras.Model(x, x).name == "model_1"
    keras.backend.clear_session()
    assert keras.Input(shape=(1,)).name == "input_1"
    assert keras.config.dialect() == "tf2"  # clear_session() leaves the dialect alone


@pytest.mark.parametrize(
    "name,snake",
    [
        ("Conv2DTranspose", "conv2d_transpose"),
        ("MaxPooling2D", "max_pooling2d"),
        ("LSTM", "lstm"),
        ("CustomDense", "custom_dense"),
        ("UpSampling2D", "up_sampling2d"),
    ],
)
def test_to_snake_case(name, snake):
    assert state.to_snake_case(name) == snake


def test_floatx_and_data_format_validate():
    assert keras.backend.floatx() == "float32"
    with pytest.raises(ValueError, match="Received: value='float8'"):
        keras.backend.set_floatx("float8")
    with pytest.raises(ValueError, match="channels_middle"):
        keras.backend.set_image_data_format("channels_middle")


def test_default_device_and_override():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    keras.backend.set_device(None)
    assert keras.backend.get_device().type == expected
    keras.backend.set_device("cpu")
    try:
        layer = keras.layers.Dense(2)
        layer.build((None, 3))
        assert layer.kernel.device.type == "cpu"
    finally:
        keras.backend.set_device(None)
    with pytest.raises(RuntimeError):
        keras.backend.set_device("not-a-device")


def test_device_scope_places_new_tensors_and_weights_then_restores():
    outside = keras.backend.get_device()
    with keras.device("cpu:0") as placed:
        assert placed == torch.device("cpu:0")
        assert keras.backend.get_device() == torch.device("cpu:0")
        assert keras.ops.ones((2,)).device.type == "cpu"
        layer = keras.layers.Dense(2)
        layer.build((None, 3))
        assert layer.kernel.device.type == "cpu"
        with keras.device("meta"):
            assert keras.ops.zeros((2,)).device.type == "meta"
        assert keras.backend.get_device() == torch.device("cpu:0")
    assert keras.backend.get_device() == outside


def test_device_scope_wins_over_set_device_and_reads_gpu_as_cuda():
    keras.backend.set_device("cpu")
    try:
        with keras.device("GPU:1") as placed:
            assert placed == torch.device("cuda:1")
            assert keras.backend.get_device() == torch.device("cuda:1")
        assert keras.backend.get_device() == torch.device("cpu")
    finally:
        keras.backend.set_device(None)


def test_device_scope_closes_on_error_and_names_a_wrong_argument():
    outside = keras.backend.get_device()
    with pytest.raises(KeyError):
        with keras.device("meta"):
            raise KeyError("inside")
    assert keras.backend.get_device() == outside
    with pytest.raises(ValueError, match="Expected a string like 'gpu:0' or 'cpu'. Received: device_name=0"):
        with keras.device(0):
            pass


def test_device_scope_belongs_to_its_thread():
    seen = []
    with keras.device("meta"):
        thread = threading.Thread(target=lambda: seen.append(keras.backend.get_device()))
        thread.start()
        thread.join()
    assert seen and seen[0].type != "meta"


def test_max_epochs_and_steps_are_read_from_keras_environment_variables():
    code = "import keraslite as k; print(k.config.max_epochs(), k.config.max_steps_per_epoch())"
    env = dict(os.environ, KERAS_MAX_EPOCHS="2", KERAS_MAX_STEPS_PER_EPOCH="7")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "7"]
