"""Numeric and categorical preprocessing: Normalization, Discretization, CategoryEncoding,
Hashing (against real Keras 3 where it runs without TensorFlow; Hashing against
TensorFlow's documented hash values and an independent FarmHash)."""

import json

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.layers.preprocessing import hash_functions
from keraslite.testing.layer_test import run_layer_test

RNG = np.random.default_rng(1)
DATA = (RNG.standard_normal((40, 3, 4)) * [1.0, 2.0, 5.0, 0.5] + [0.0, 1.0, -3.0, 10.0]).astype("float32")
X = RNG.standard_normal((5, 3, 4)).astype("float32") * 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mean": 2.0, "variance": 3.0},
        {"axis": -1, "mean": [0.0, 1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0, 16.0]},
        {"axis": (1, 2), "mean": 0.5, "variance": 2.0, "invert": True},
    ],
)
def test_normalization_given_statistics(kwargs, keras_oracle):
    run_layer_test(
        layers.Normalization,
        kwargs,
        input_shape=X.shape,
        input_data=X,
        expected_output_shape=X.shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        check_training_step=False,
    )


@pytest.mark.parametrize(
    "cls, kwargs, out_shape, oracle",
    [
        (layers.CategoryEncoding, {"num_tokens": 10, "output_mode": "count"}, (3, 10), True),
        (layers.CategoryEncoding, {"num_tokens": 12, "output_mode": "one_hot"}, (3, 4, 12), True),
        (layers.Discretization, {"bin_boundaries": [2.0, 5.0, 7.5], "output_mode": "multi_hot"}, (3, 4), True),
        (layers.Hashing, {"num_bins": 5, "output_mode": "count"}, (3, 5), False),
        (layers.IntegerLookup, {"vocabulary": [1, 3, 5, 7], "num_oov_indices": 2, "mask_token": 0}, (3, 4), False),
        (layers.IntegerLookup, {"vocabulary": [1, 3, 5, 7], "output_mode": "multi_hot"}, (3, 5), False),
    ],
)
def test_categorical_layers_through_harness(cls, kwargs, out_shape, oracle, keras_oracle):
    run_layer_test(
        cls,
        kwargs,
        input_shape=(3, 4),
        input_dtype="int64",
        expected_output_shape=out_shape,
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle if oracle else None,
        check_training_step=False,
        check_gradients=False,
    )


def test_normalization_adapt_matches_keras(keras_oracle):
    code = """
out = {}
data, x = inputs['data'], inputs['x']
for i, (axis, invert) in enumerate([(-1, False), (None, False), ((1, 2), False), (1, True)]):
    layer = keras.layers.Normalization(axis=axis, invert=invert)
    layer.adapt(data)
    result[f'y{i}'] = layer(x).cpu().numpy()
    result[f'w{i}'] = [w.numpy() for w in layer.weights]
"""
    expected = keras_oracle.run(code, data=DATA, x=X)
    for i, (axis, invert) in enumerate([(-1, False), (None, False), ((1, 2), False), (1, True)]):
        layer = layers.Normalization(axis=axis, invert=invert)
        source = [DATA, torch.as_tensor(DATA), DATA.tolist(), DATA][i]
        layer.adapt(source)
        np.testing.assert_allclose(layer(torch.as_tensor(X)).numpy(), expected[f"y{i}"], rtol=1e-5, atol=1e-5)
        ours = layer.get_weights()
        assert [w.shape for w in ours] == [w.shape for w in expected[f"w{i}"]]
        assert [w.dtype for w in ours] == [w.dtype for w in expected[f"w{i}"]]
        for a, b in zip(ours, expected[f"w{i}"]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    batched = layers.Normalization()
    batched.adapt(b for b in [DATA[:13], DATA[13:30], DATA[30:]])
    # (Keras needs TensorFlow to adapt on an iterable; batches must give the full-data statistics.)
    np.testing.assert_allclose(batched(torch.as_tensor(X)).numpy(), expected["y0"], rtol=1e-4, atol=1e-5)
    assert [w.name for w in batched.weights] == ["mean", "variance", "count"]
    assert len(batched.non_trainable_weights) == 3 and not batched.trainable_weights


def test_normalization_set_weights_model_and_errors():
    layer = layers.Normalization()
    layer.adapt(DATA)
    clone = layers.Normalization()
    clone.build((None, 3, 4))
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(torch.as_tensor(X)).numpy(), layer(torch.as_tensor(X)).numpy())
    # A DataLoader of (x, y) batches gives the statistics of the whole data.
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.as_tensor(DATA), torch.zeros(len(DATA))), batch_size=16
    )
    from_loader = layers.Normalization()
    from_loader.adapt(loader)
    for a, b in zip(from_loader.get_weights()[:2], layer.get_weights()[:2]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    inputs = keras.Input((3, 4))
    model = keras.Model(inputs, layers.Dense(2)(layer(inputs)))
    assert model(torch.as_tensor(X)).shape == (5, 3, 2)
    with pytest.raises(ValueError, match="no statistics to adapt"):
        layers.Normalization(mean=1.0, variance=2.0).adapt(DATA)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="incompatible shape"):
        layer.adapt(np.zeros((4, 3, 5)))
    with pytest.raises(ValueError, match="range"):
        layers.Normalization(axis=4).adapt(DATA)


def test_discretization_and_category_encoding_match_keras(keras_oracle):
    values = RNG.standard_normal((6, 4)).astype("float32") * 2
    adapt_data = RNG.gamma(2.0, size=(500,)).astype("float32")
    ints = np.array([[0, 1, 1, 3], [2, 2, 2, 0], [4, 0, 1, 4]], dtype="int64")
    weights = RNG.uniform(size=ints.shape).astype("float32")
    code = """
L = keras.layers
v, ints = inputs['values'], inputs['ints']
for mode in ['int', 'one_hot', 'multi_hot', 'count']:
    layer = L.Discretization(bin_boundaries=[-1.0, 0.0, 0.5, 2.0], output_mode=mode)
    result['disc_' + mode] = layer(v[:, :1] if mode == 'one_hot' else v).cpu().numpy()
adapted = L.Discretization(num_bins=5, epsilon=0.01)
# adapt() needs TensorFlow for its type checks; for an array it is exactly these two calls.
adapted.update_state(inputs['adapt']); adapted.finalize_state()
result['bins'] = np.array(adapted.bin_boundaries)
result['adapted'] = adapted(v).cpu().numpy()
coarse = L.Discretization(num_bins=3, epsilon=0.2)
coarse.update_state(inputs['adapt'][:200]); coarse.update_state(inputs['adapt'][200:]); coarse.finalize_state()
result['coarse_bins'] = np.array(coarse.bin_boundaries)
for mode in ['one_hot', 'multi_hot', 'count']:
    encoding = L.CategoryEncoding(num_tokens=5, output_mode=mode)
    result['cat_' + mode] = encoding(ints[:, :1] if mode == 'one_hot' else ints).cpu().numpy()
counting = L.CategoryEncoding(num_tokens=5, output_mode='count')
result['cat_weighted'] = counting(ints, count_weights=inputs['weights']).cpu().numpy()
result['cat_1d'] = L.CategoryEncoding(num_tokens=5)(ints[0]).cpu().numpy()
result['cat_rank3'] = L.CategoryEncoding(num_tokens=5, output_mode='count')(inputs['ints3']).cpu().numpy()
result['disc_rank3'] = L.Discretization([0.0, 1.0], output_mode='multi_hot')(inputs['values3']).cpu().numpy()
result['disc_config'] = json.loads(json.dumps(L.Discretization(num_bins=4).get_config()))
result['cat_config'] = json.loads(json.dumps(L.CategoryEncoding(num_tokens=4, output_mode='binary').get_config()))
import json
"""
    code = "import json\n" + code
    ints3 = RNG.integers(0, 5, size=(2, 3, 4))
    values3 = RNG.standard_normal((2, 3, 4)).astype("float32")
    expected = keras_oracle.run(
        code, values=values, adapt=adapt_data, ints=ints, weights=weights, ints3=ints3, values3=values3
    )
    x = torch.as_tensor(values)
    for mode in ["int", "one_hot", "multi_hot", "count"]:
        layer = layers.Discretization(bin_boundaries=[-1.0, 0.0, 0.5, 2.0], output_mode=mode)
        out = layer(x[:, :1] if mode == "one_hot" else x)
        assert out.dtype == (torch.int32 if mode == "int" else torch.float32)
        np.testing.assert_array_equal(out.numpy(), expected["disc_" + mode])
    adapted = layers.Discretization(num_bins=5, epsilon=0.01)
    adapted.adapt(adapt_data)
    np.testing.assert_allclose(adapted.bin_boundaries, expected["bins"], rtol=1e-6)
    np.testing.assert_array_equal(adapted(x).numpy(), expected["adapted"])
    coarse = layers.Discretization(num_bins=3, epsilon=0.2)
    coarse.adapt([torch.as_tensor(adapt_data[:200]), adapt_data[200:]])
    np.testing.assert_allclose(coarse.bin_boundaries, expected["coarse_bins"], rtol=1e-6)
    t = torch.as_tensor(ints)
    for mode in ["one_hot", "multi_hot", "count"]:
        out = layers.CategoryEncoding(num_tokens=5, output_mode=mode)(t[:, :1] if mode == "one_hot" else t)
        np.testing.assert_array_equal(out.numpy(), expected["cat_" + mode])
    weighted = layers.CategoryEncoding(num_tokens=5, output_mode="count")(t, count_weights=torch.as_tensor(weights))
    np.testing.assert_allclose(weighted.numpy(), expected["cat_weighted"], rtol=1e-6)
    np.testing.assert_array_equal(layers.CategoryEncoding(num_tokens=5)(t[0]).numpy(), expected["cat_1d"])
    # Rank 3: reduced over axis 1, as Keras's torch backend computes.
    rank3 = layers.CategoryEncoding(num_tokens=5, output_mode="count")
    np.testing.assert_array_equal(rank3(torch.as_tensor(ints3)).numpy(), expected["cat_rank3"])
    assert rank3.compute_output_shape((2, 3, 4)) == expected["cat_rank3"].shape
    disc3 = layers.Discretization([0.0, 1.0], output_mode="multi_hot")
    np.testing.assert_array_equal(disc3(torch.as_tensor(values3)).numpy(), expected["disc_rank3"])
    assert disc3.compute_output_shape((2, 3, 4)) == expected["disc_rank3"].shape
    for ours, theirs in [
        (layers.Discretization(num_bins=4).get_config(), expected["disc_config"]),
        (layers.CategoryEncoding(num_tokens=4, output_mode="binary").get_config(), expected["cat_config"]),
    ]:
        ours, theirs = dict(ours), dict(theirs)
        ours.pop("name"), theirs.pop("name"), ours.pop("dtype"), theirs.pop("dtype")
        assert ours == theirs


def test_discretization_and_category_encoding_symbolic():
    inputs = keras.Input((4,))
    out = layers.Discretization(bin_boundaries=[0.0, 1.0], output_mode="multi_hot")(inputs)
    assert tuple(out.shape) == (None, 3)
    ints = keras.Input((4,), dtype="int64")
    assert tuple(layers.CategoryEncoding(6, output_mode="count")(ints).shape) == (None, 6)
    assert tuple(layers.CategoryEncoding(6, output_mode="one_hot")(keras.Input((1,), dtype="int64")).shape) == (None, 6)
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="either `num_bins` or `bin_boundaries`"):
        layers.Discretization()
    with pytest.raises(ValueError, match="adapt"):
        layers.Discretization(bin_boundaries=[1.0]).adapt([1.0, 2.0])


def test_farmhash_and_siphash_reference_values():
    # FarmHash Fingerprint64 values from pyfarmhash (Google's C++ FarmHash), every length branch.
    base = "abcdefghijklmnopqrstuvwxyz0123456789" * 10
    golden = {
        0: 11160318154034397263,
        1: 12917804110809363939,
        3: 2640714258260161385,
        4: 1897425971756105985,
        8: 18368443631171807497,
        16: 6080716761534418621,
        17: 11394395984755135400,
        32: 934449955909727258,
        33: 17626719820827885067,
        64: 3646545258579766308,
        65: 13112763581500850699,
        128: 2056131915184924913,
        200: 3225094344678046759,
    }
    for n, value in golden.items():
        assert hash_functions.fingerprint64(base[:n].encode()) == value, n
    # TensorFlow's documented examples of to_hash_bucket_fast / _strong.
    assert [hash_functions.fingerprint64(s.encode()) % 3 for s in ["Hello", "TensorFlow", "2.x"]] == [0, 2, 2]
    assert [hash_functions.siphash24((1, 2), s.encode()) % 3 for s in ["Hello", "TF"]] == [2, 0]


def test_hashing_layer_matches_keras_documented_outputs():
    tokens = [["A"], ["B"], ["C"], ["D"], ["E"]]
    np.testing.assert_array_equal(layers.Hashing(num_bins=3)(tokens).numpy(), [[1], [0], [1], [1], [2]])
    np.testing.assert_array_equal(layers.Hashing(num_bins=3, salt=133)(tokens).numpy(), [[0], [0], [2], [1], [0]])
    np.testing.assert_array_equal(
        layers.Hashing(num_bins=3, salt=[133, 137])(tokens).numpy(), [[1], [2], [1], [0], [2]]
    )
    masked = layers.Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]])
    np.testing.assert_array_equal(masked.numpy(), [[1], [1], [0], [2], [2]])
    out = layers.Hashing(num_bins=3)(np.array(tokens))
    assert out.dtype == torch.int64
    # Integers hash as their decimal strings, like Keras (tf.as_string then FarmHash).
    ints = torch.tensor([[12, -3], [0, 12345]])
    expected = [[hash_functions.fingerprint64(str(v).encode()) % 7 for v in row] for row in ints.tolist()]
    np.testing.assert_array_equal(layers.Hashing(num_bins=7)(ints).numpy(), expected)
    np.testing.assert_array_equal(
        layers.Hashing(num_bins=7)(torch.tensor([[12.25, -3.0], [0.75, 12345.5]])).numpy(), expected
    )
    one_hot = layers.Hashing(num_bins=4, output_mode="one_hot")(torch.tensor([[1], [2]]))
    assert one_hot.shape == (2, 4) and one_hot.dtype == torch.float32
    multi = layers.Hashing(num_bins=4, output_mode="multi_hot")(torch.tensor([[1, 2, 3]]))
    assert multi.shape == (1, 4) and float(multi.sum()) <= 3
    config = layers.Hashing(num_bins=3, salt=5).get_config()
    assert {k: config[k] for k in ("num_bins", "salt", "mask_value", "output_mode", "sparse", "dtype")} == {
        "num_bins": 3,
        "salt": [5, 5],
        "mask_value": None,
        "output_mode": "int",
        "sparse": False,
        "dtype": "int64",
    }
    assert layers.Hashing.from_config(config).get_config() == config
    assert tuple(layers.Hashing(num_bins=3)(keras.Input((2,), dtype="int64")).shape) == (None, 2)
    with pytest.raises(ValueError, match="num_bins"):
        layers.Hashing(num_bins=0)
    assert json.dumps(config)
