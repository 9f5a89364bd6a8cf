"""HashedCrossing: TensorFlow's `cross_hashed` values (the examples Keras documents),
output modes, shapes, symbolic use and errors."""

import numpy as np
import pytest

import keraslite as keras
from keraslite import layers

FEAT1 = np.array(["A", "B", "A", "B", "A"])
FEAT2 = np.array([101, 101, 101, 102, 102])


def test_crossing_matches_keras_documented_bins():
    layer = layers.HashedCrossing(num_bins=5)
    out = layer((FEAT1, FEAT2))
    assert out.dtype == keras.ops.convert_to_tensor(np.int64(0)).dtype
    assert out.tolist() == [1, 4, 1, 1, 3]
    one_hot = layers.HashedCrossing(num_bins=5, output_mode="one_hot")((FEAT1, FEAT2))
    np.testing.assert_array_equal(one_hot.numpy().argmax(-1), [1, 4, 1, 1, 3])
    assert one_hot.shape == (5, 5) and one_hot.dtype == keras.ops.convert_to_tensor(np.float32(0)).dtype


def test_shapes_and_lists():
    layer = layers.HashedCrossing(num_bins=5)
    column = layer((FEAT1[:, None], FEAT2[:, None]))
    assert column.shape == (5, 1) and column[:, 0].tolist() == [1, 4, 1, 1, 3]
    assert layer((["A", "B"], [101, 101])).tolist() == [1, 4]
    assert layer(("A", 101)).tolist() == 1
    # More than two features cross too.
    assert layer((FEAT1, FEAT2, FEAT2)).shape == (5,)


def test_symbolic_integer_features():
    a, b = keras.Input(shape=(1,), dtype="int64"), keras.Input(shape=(1,), dtype="int64")
    out = layers.HashedCrossing(7, output_mode="one_hot")([a, b])
    assert tuple(out.shape) == (None, 7)
    model = keras.Model([a, b], out)
    result = model([np.array([[1], [2]]), np.array([[3], [4]])])
    assert result.shape == (2, 7) and result.sum().item() == 2


def test_config_and_errors():
    layer = layers.HashedCrossing(num_bins=9, output_mode="one_hot", name="cross")
    config = layer.get_config()
    assert config == {"num_bins": 9, "output_mode": "one_hot", "sparse": False, "name": "cross", "dtype": "float32"}
    assert layers.HashedCrossing.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="output_mode"):
        layers.HashedCrossing(3, output_mode="multi_hot")
    with pytest.raises(ValueError, match="sparse"):
        layers.HashedCrossing(3, sparse=True)
    with pytest.raises(ValueError, match="at least two"):
        layers.HashedCrossing(3)([FEAT1])
    with pytest.raises(ValueError, match="equal shape"):
        layers.HashedCrossing(3)((FEAT1, FEAT2[:3]))
    with pytest.raises(ValueError, match="integer or string"):
        layers.HashedCrossing(3)((FEAT1, FEAT2 * 0.5))
