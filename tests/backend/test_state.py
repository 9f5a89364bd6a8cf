import pytest
import torch

import keraslite as keras
from keraslite.backend import state


def test_auto_names_count_up_and_reset():
    assert keras.layers.Dense(1).name == "dense"
    assert keras.layers.Dense(1).name == "dense_1"
    assert keras.layers.Conv2DTranspose(1, 1).name == "conv2d_transpose"
    assert keras.layers.GlobalMaxPooling2D().name == "global_max_pooling2d"
    assert keras.Input(shape=(1,)).name == "input_1"
    assert keras.Input(shape=(1,)).name == "input_2"
    keras.backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"
    assert keras.Input(shape=(1,)).name == "input_1"


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
