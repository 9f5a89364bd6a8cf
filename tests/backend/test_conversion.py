"""`backend.conversion.to_tensor`: array-likes as torch tensors, with Keras's dtype rules."""

import numpy as np
import pytest
import torch

from keraslite.backend.conversion import to_tensor
from keraslite.ops import dispatch


def test_ops_convert_with_the_same_function():
    assert dispatch.to_tensor is to_tensor


def test_to_tensor_follows_keras_dtype_rules():
    assert to_tensor(1.5).dtype == torch.float32
    assert to_tensor(3).dtype == torch.int32
    assert to_tensor(2**40).dtype == torch.int64
    assert to_tensor(True).dtype == torch.bool
    assert to_tensor([1.0, 2.0]).dtype == torch.float32
    assert to_tensor(np.zeros(2, "float64")).dtype == torch.float64  # arrays keep theirs
    assert to_tensor(np.float32(1.0)).ndim == 0
    assert to_tensor([1, 2], dtype="float16").dtype == torch.float16
    stacked = to_tensor([torch.ones(2), torch.zeros(2)])
    assert tuple(stacked.shape) == (2, 2)
    t = torch.ones(2)
    assert to_tensor(t) is t


def test_to_tensor_refuses_objects():
    with pytest.raises(TypeError, match="Cannot convert"):
        to_tensor([object()])


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float8_e4m3fn, torch.float8_e5m2])
def test_dtypes_numpy_lacks_round_trip_as_ml_dtypes_arrays(dtype):
    from keraslite.backend.conversion import to_numpy

    tensor = torch.tensor([[1.5, -2.0], [0.25, 3.0]]).to(dtype)
    array = to_numpy(tensor)
    assert array.dtype.name == str(dtype).replace("torch.", "")
    np.testing.assert_array_equal(array.astype("float32"), tensor.float().numpy())
    back = to_tensor(array)
    assert back.dtype == dtype and torch.equal(back, tensor)
    assert to_numpy(torch.tensor(1.5, dtype=dtype)).shape == ()


def test_bfloat16_models_give_keras_numpy_dtypes(keras_oracle):
    """A `bfloat16` policy model: predict, get_weights, convert_to_numpy give bfloat16 arrays
    (NumPy cannot hold them; Keras uses ml_dtypes), and set_weights takes them back."""
    import keraslite as keras

    code = (
        "keras.mixed_precision.set_global_policy('bfloat16')\n"
        "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
        "x = inputs['x']\n"
        "model.set_weights(model.get_weights())\n"
        "result['dtypes'] = [str(model.predict(x, verbose=0).dtype), str(model.predict_on_batch(x).dtype), "
        "str(model.get_weights()[0].dtype), str(keras.ops.convert_to_numpy(model(x)).dtype)]\n"
        "keras.mixed_precision.set_global_policy('float32')\n"
    )
    x = np.ones((4, 3), "float32")
    expected = keras_oracle.run(code, x=x)["dtypes"]
    keras.mixed_precision.set_global_policy("bfloat16")
    try:
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        weights = model.get_weights()
        model.set_weights(weights)
        ours = [
            str(model.predict(x, verbose=0).dtype),
            str(model.predict_on_batch(x).dtype),
            str(model.get_weights()[0].dtype),
            str(keras.ops.convert_to_numpy(model(x)).dtype),
        ]
        np.testing.assert_array_equal(model.get_weights()[0], weights[0])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert ours == list(expected) == ["bfloat16"] * 4
