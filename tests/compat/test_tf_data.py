"""`tf.data` as TF-2-era tutorials use it: list inputs, text and CSV files, padded batches,
interleave and friends."""

import gzip

import numpy as np
import pytest

from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_from_tensor_slices_reads_a_list_as_one_tensor(tf):  # noqa: F811
    ds = tf.data.Dataset.from_tensor_slices([1, 2, 3, 4, 5, 6])
    assert [int(x) for x in ds.map(tf.square).batch(2).unbatch()] == [1, 4, 9, 16, 25, 36]
    pairs = tf.data.Dataset.from_tensor_slices(([1, 2], [3, 4]))
    assert [(int(a), int(b)) for a, b in pairs] == [(1, 3), (2, 4)]


def test_text_line_dataset_and_list_files(tf, tmp_path):  # noqa: F811
    (tmp_path / "a.txt").write_text("Line 1\nLine 2\n")
    (tmp_path / "b.txt").write_text("Line 3")
    lines = [x.numpy() for x in tf.data.TextLineDataset([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])]
    assert lines == [b"Line 1", b"Line 2", b"Line 3"]
    files = [f.numpy() for f in tf.data.Dataset.list_files(str(tmp_path / "*.txt"), shuffle=False)]
    assert files == [str(tmp_path / "a.txt").encode(), str(tmp_path / "b.txt").encode()]
    with pytest.raises(ValueError, match="No files matched"):
        tf.data.Dataset.list_files(str(tmp_path / "*.csv"))


def test_make_csv_dataset_infers_types_and_splits_the_label(tf, tmp_path):  # noqa: F811
    path = tmp_path / "iris.csv"
    path.write_text("a,b,name,label\n" + "\n".join(f"{i * 0.5},{i},n{i},{i % 3}" for i in range(10)) + "\n")
    ds = tf.data.experimental.make_csv_dataset(str(path), 4, label_name="label", num_epochs=1, shuffle=False)
    batches = list(ds)
    assert len(batches) == 3
    features, labels = batches[0]
    assert list(features) == ["a", "b", "name"]
    assert str(features["a"].dtype) == "torch.float32" and str(features["b"].dtype) == "torch.int32"
    assert features["name"].tolist() == [b"n0", b"n1", b"n2", b"n3"]
    assert labels.tolist() == [0, 1, 2, 0]
    forever = tf.data.experimental.make_csv_dataset(str(path), 4, label_name="label")
    assert len(list(forever.take(7))) == 7  # num_epochs=None repeats


def test_csv_dataset_with_gzip_and_record_defaults(tf, tmp_path):  # noqa: F811
    path = tmp_path / "rows.csv.gz"
    path.write_bytes(gzip.compress(b"1.5,2,x\n,4,y\n"))
    ds = tf.data.experimental.CsvDataset(str(path), [float(), tf.int32, [b"?"]], compression_type="GZIP")
    rows = [tuple(v.numpy() if hasattr(v, "numpy") else v for v in row) for row in ds]
    assert rows[0][0] == pytest.approx(1.5) and rows[0][1] == 2 and rows[0][2] == b"x"
    assert rows[1][0] == 0.0 and rows[1][1] == 4


def test_padded_batch_interleave_enumerate_reduce(tf):  # noqa: F811
    ragged = tf.data.Dataset.from_generator(lambda: ((np.arange(n), np.int64(n)) for n in [1, 3, 2]))
    first, second = list(ragged.padded_batch(2))
    assert first[0].tolist() == [[0, 0, 0], [0, 1, 2]] and second[0].tolist() == [[0, 1]]
    fixed = list(ragged.padded_batch(2, padded_shapes=([4], []), padding_values=(-1, 0)))
    assert fixed[0][0].tolist() == [[0, -1, -1, -1], [0, 1, 2, -1]]
    mixed = tf.data.Dataset.range(3).interleave(lambda x: tf.data.Dataset.from_tensors(x).repeat(2), cycle_length=2)
    assert [int(v) for v in mixed] == [0, 1, 0, 1, 2, 2]
    assert [(int(i), int(v)) for i, v in tf.data.Dataset.range(3, 5).enumerate()] == [(0, 3), (1, 4)]
    assert int(tf.data.Dataset.range(5).reduce(0, lambda state, x: state + x)) == 10


def test_seeded_runs_repeat_their_losses(tf):  # noqa: F811
    # tf.random.set_seed fixes weights, dropout, fit's shuffling and unseeded Dataset.shuffle.
    def run():
        tf.random.set_seed(7)
        x = tf.random.normal((64, 5))
        y = tf.cast(tf.reduce_sum(x, 1) > 0, tf.float32)
        model = tf.keras.Sequential(
            [tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dropout(0.3), tf.keras.layers.Dense(1)]
        )
        model.compile("adam", tf.keras.losses.BinaryCrossentropy(from_logits=True))
        losses = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history["loss"]
        optimizer = tf.keras.optimizers.SGD(0.1)
        for xb, yb in tf.data.Dataset.from_tensor_slices((x, y)).shuffle(64).batch(16):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((model(xb, training=True)[:, 0] - yb) ** 2)
            optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            losses.append(float(loss.numpy()))
        return losses

    assert run() == run()


def _row_by_row(ds_rows, map_func, batch_size, drop_remainder=False):
    """The reference: the map applied to each row, then stacked, as tf.data defines `map().batch()`."""
    import torch

    rows = [map_func(*row) for row in ds_rows]
    stop = len(rows) - len(rows) % batch_size if drop_remainder else len(rows)
    return [
        tuple(torch.stack([torch.as_tensor(r[k]) for r in rows[i : i + batch_size]]) for k in range(len(rows[0])))
        for i in range(0, stop, batch_size)
    ]


@pytest.mark.parametrize("drop_remainder", [False, True])
def test_map_then_batch_over_arrays_gives_the_rows_results(tf, drop_remainder, monkeypatch):  # noqa: F811
    """`from_tensor_slices(arrays).map(f).batch(n)` runs `f` under vmap over many rows at once
    (several vmap calls here: few rows per call); batches equal the per-row results exactly."""
    import torch

    from keraslite.utils import dataset as dataset_module

    monkeypatch.setattr(dataset_module, "_VMAP_ROWS", 8)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (21, 6), dtype=np.uint8)
    labels = rng.integers(0, 10, 21)

    def scale(image, label):
        return tf.reshape(tf.cast(image, tf.float32) / 255.0, (2, 3)), label + 1

    mapped = tf.data.Dataset.from_tensor_slices((images, labels)).map(scale)
    ds = mapped.batch(4, drop_remainder=drop_remainder)
    expected = _row_by_row(tf.data.Dataset.from_tensor_slices((images, labels)), scale, 4, drop_remainder)
    for _ in range(2):  # the second pass skips the check
        got = list(ds.prefetch(tf.data.AUTOTUNE))
        assert len(got) == len(expected) == len(ds)
        for (x, y), (ex, ey) in zip(got, expected):
            assert x.dtype == torch.float32 and tuple(x.shape) == tuple(ex.shape)
            assert torch.equal(x, ex) and torch.equal(y, ey)
    assert mapped._vmap_checked


def test_map_that_vmap_cannot_run_keeps_the_per_row_path(tf):  # noqa: F811
    """A map reading values in Python (`.numpy()`) or drawing random numbers runs row by row."""
    values = np.arange(10, dtype=np.float32)
    calls = []

    def python_branch(x):
        calls.append(1)
        return x * 2 if float(x.numpy()) > 4 else x

    mapped = tf.data.Dataset.from_tensor_slices(values).map(python_branch)
    got = np.concatenate([b.numpy() for b in mapped.batch(3)])
    np.testing.assert_array_equal(got, np.where(values > 4, values * 2, values))
    assert not mapped._vmap_checked
    noisy = tf.data.Dataset.from_tensor_slices(values).map(lambda x: x + tf.random.uniform(())).batch(5)
    rows = np.concatenate([b.numpy() for b in noisy])
    assert rows.shape == (10,) and len(set((rows - values).tolist())) > 1  # one draw per row


def test_fit_on_a_mapped_batched_dataset_is_fit_on_its_rows(tf, monkeypatch):  # noqa: F811
    """The same weights whether the map runs under vmap or row by row."""
    import keraslite as keras
    from keraslite.utils import dataset as dataset_module

    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (40, 5), dtype=np.uint8)
    labels = rng.integers(0, 3, 40)

    def fitted():
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
        model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        ds = tf.data.Dataset.from_tensor_slices((images, labels))
        ds = ds.map(lambda x, y: (tf.cast(x, tf.float32) / 255.0, y)).batch(8).prefetch(tf.data.AUTOTUNE)
        model.fit(ds, epochs=2, verbose=0)
        return model.get_weights()

    vectorized = fitted()
    monkeypatch.setattr(dataset_module, "_vmapped", lambda apply, rows: None)
    for a, b in zip(vectorized, fitted()):
        np.testing.assert_array_equal(a, b)


def test_element_spec_prints_as_tensorflow_does(tf):  # noqa: F811
    # Expected strings: real TensorFlow 2.21's printouts of the same datasets.
    ds = tf.data.Dataset.from_tensor_slices((np.zeros((5, 3), "float32"), np.arange(5)))
    assert repr(ds.element_spec) == (
        "(TensorSpec(shape=(3,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.int64, name=None))"
    )
    assert repr(ds.batch(2).map(lambda x, y: (x, y)).element_spec) == (
        "(TensorSpec(shape=(None, 3), dtype=tf.float32, name=None), "
        "TensorSpec(shape=(None,), dtype=tf.int64, name=None))"
    )
    assert repr(ds.batch(2, drop_remainder=True).element_spec[1]) == "TensorSpec(shape=(2,), dtype=tf.int64, name=None)"
    strings = tf.data.Dataset.from_tensor_slices(["a", "b"])
    assert repr(strings.element_spec) == "TensorSpec(shape=(), dtype=tf.string, name=None)"
    assert ds.element_spec[0] == tf.TensorSpec((3,), tf.float32)


def test_shard_and_cardinality(tf):  # noqa: F811
    ds = tf.data.Dataset.range(10)
    assert [int(x) for x in ds.shard(3, 1)] == [1, 4, 7]  # as TensorFlow gives
    assert [int(x) for x in ds.shard(num_shards=2, index=0)] == [0, 2, 4, 6, 8]
    assert int(ds.shard(3, 1).cardinality()) == 3 and int(ds.shard(3, 0).cardinality()) == 4
    assert ds.cardinality().numpy() == 10 and str(ds.cardinality().dtype) == "torch.int64"
    assert int(ds.repeat().cardinality()) == tf.data.INFINITE_CARDINALITY
    with pytest.raises(ValueError, match="index"):
        ds.shard(2, 2)


def test_common_dataset_methods_exist(tf):  # noqa: F811
    ds = tf.data.Dataset.range(6)
    assert [int(x) for x in ds.skip(1).take(2).concatenate(ds.take(1))] == [1, 2, 0]
    assert [int(x) for x in ds.filter(lambda x: x % 2 == 0)] == [0, 2, 4]
    assert [int(x) for x in ds.batch(4).unbatch()] == list(range(6))
    assert [(int(i), int(x)) for i, x in ds.take(2).enumerate()] == [(0, 0), (1, 1)]
    assert [int(x) for x in ds.take(2).flat_map(lambda x: tf.data.Dataset.from_tensors(x).repeat(2))] == [0, 0, 1, 1]
    assert [(int(a), int(b)) for a, b in tf.data.Dataset.zip((ds.take(2), ds.skip(4)))] == [(0, 4), (1, 5)]
    assert list(ds.take(2).repeat(2).cache().as_numpy_iterator()) == [0, 1, 0, 1]


def test_as_numpy_iterator_answers_next_as_tensorflows_does(tf):  # noqa: F811
    # transfer_learning.ipynb: `image_batch, label_batch = test_dataset.as_numpy_iterator().next()`
    batches = tf.data.Dataset.from_tensor_slices((np.arange(6.0), np.arange(6))).batch(4).as_numpy_iterator()
    images, labels = batches.next()
    assert images.tolist() == [0.0, 1.0, 2.0, 3.0] and isinstance(labels, np.ndarray)
    assert next(batches)[1].tolist() == [4, 5]
    with pytest.raises(StopIteration):
        batches.next()
