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
