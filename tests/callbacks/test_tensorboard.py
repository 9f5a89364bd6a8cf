"""TensorBoard: event files we write ourselves, read back by an independent reader of the
TFRecord framing (both checksums verified) and of the protobuf wire format."""

import os
import struct

import numpy as np
import pytest

import keraslite as keras
from keraslite import callbacks, layers
from keraslite.callbacks import tensorboard_writer


def small_model():
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, layers.Dense(1)(layers.Dense(8, activation="relu")(inputs)))
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
    return model


def data(n=32):
    rng = np.random.default_rng(0)
    x = rng.random((n, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------- an independent reader
def bitwise_crc32c(payload):
    crc = 0xFFFFFFFF
    for byte in payload:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 * (crc & 1))
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path):
    with open(path, "rb") as file:
        blob = file.read()
    records, offset = [], 0
    while offset < len(blob):
        header = blob[offset : offset + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", blob[offset + 8 : offset + 12])
        assert length_crc == masked(bitwise_crc32c(header)), "length checksum"
        payload = blob[offset + 12 : offset + 12 + length]
        (data_crc,) = struct.unpack("<I", blob[offset + 12 + length : offset + 16 + length])
        assert data_crc == masked(bitwise_crc32c(payload)), "data checksum"
        records.append(payload)
        offset += 16 + length
    return records


def read_varint(buffer, offset):
    result = shift = 0
    while True:
        byte = buffer[offset]
        offset += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, offset


def parse_message(buffer):
    """{field number: [raw values]}: ints for varints, bytes for the other wire types."""
    fields, offset = {}, 0
    while offset < len(buffer):
        key, offset = read_varint(buffer, offset)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, offset = read_varint(buffer, offset)
        elif wire == 1:
            value, offset = buffer[offset : offset + 8], offset + 8
        elif wire == 5:
            value, offset = buffer[offset : offset + 4], offset + 4
        elif wire == 2:
            length, offset = read_varint(buffer, offset)
            value, offset = buffer[offset : offset + length], offset + length
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        fields.setdefault(field, []).append(value)
    return fields


def read_events(directory):
    """Every event of the one event file in `directory`: dicts with step, file_version, values."""
    names = [name for name in os.listdir(directory) if name.startswith("events.out.tfevents.")]
    assert len(names) == 1, names
    events = []
    for record in read_records(os.path.join(directory, names[0])):
        fields = parse_message(record)
        event = {"wall_time": struct.unpack("<d", fields[1][0])[0], "step": fields.get(2, [0])[0]}
        if 3 in fields:
            event["file_version"] = fields[3][0].decode()
        event["values"] = []
        for summary in fields.get(5, []):
            for value in parse_message(summary).get(1, []):
                value_fields = parse_message(value)
                entry = {"tag": value_fields[1][0].decode()}
                if 2 in value_fields:
                    entry["scalar"] = struct.unpack("<f", value_fields[2][0])[0]
                if 5 in value_fields:
                    histo = parse_message(value_fields[5][0])
                    entry["histo"] = {
                        name: struct.unpack("<d", histo[number][0])[0]
                        for number, name in enumerate(["min", "max", "num", "sum", "sum_squares"], 1)
                    }
                    entry["histo"]["bucket_limit"] = np.frombuffer(histo[6][0], "<f8")
                    entry["histo"]["bucket"] = np.frombuffer(histo[7][0], "<f8")
                event["values"].append(entry)
        events.append(event)
    return events


def scalars(events):
    """{tag: [(step, value), ...]} of every scalar."""
    result = {}
    for event in events:
        for value in event["values"]:
            if "scalar" in value:
                result.setdefault(value["tag"], []).append((event["step"], value["scalar"]))
    return result


# ---------------------------------------------------------------- the format
def test_crc32c_matches_the_standard_check_value_and_a_bitwise_reference():
    assert tensorboard_writer.crc32c(b"123456789") == 0xE3069283
    for payload in [b"", b"\x00", b"brain.Event:2", bytes(range(256)) * 3]:
        assert tensorboard_writer.crc32c(payload) == bitwise_crc32c(payload)
        assert tensorboard_writer.masked_crc32c(payload) == masked(bitwise_crc32c(payload))


def test_a_record_is_framed_with_length_and_two_masked_checksums():
    record = tensorboard_writer.frame_record(b"hello")
    assert len(record) == 8 + 4 + 5 + 4
    assert struct.unpack("<Q", record[:8])[0] == 5
    assert record[12:17] == b"hello"


def test_writer_starts_with_the_file_version_and_encodes_scalars_and_histograms(tmp_path):
    writer = tensorboard_writer.EventFileWriter(str(tmp_path / "run"))
    assert not os.path.exists(tmp_path / "run")  # no file until something is written
    writer.scalar("loss", 0.25, step=3)
    writer.scalar("negative_step", -1.5, step=-2)
    writer.histogram("weights", [0.0, 1.0, 1.0, 3.0], step=7, bins=3)
    writer.close()
    assert os.path.basename(writer.path).startswith("events.out.tfevents.")
    events = read_events(tmp_path / "run")
    assert events[0]["file_version"] == "brain.Event:2" and events[0]["values"] == []
    assert scalars(events) == {"loss": [(3, 0.25)], "negative_step": [(2**64 - 2, -1.5)]}
    (histogram,) = [value["histo"] for value in events[-1]["values"]]
    assert events[-1]["step"] == 7
    assert (histogram["min"], histogram["max"], histogram["num"], histogram["sum"]) == (0.0, 3.0, 4.0, 5.0)
    assert histogram["sum_squares"] == 11.0
    np.testing.assert_allclose(histogram["bucket_limit"], [1.0, 2.0, 3.0])
    np.testing.assert_allclose(histogram["bucket"], [1.0, 2.0, 1.0])


# ---------------------------------------------------------------- the callback in fit
def test_fit_writes_epoch_scalars_for_train_and_validation(tmp_path):
    x, y = data()
    model = small_model()
    history = model.fit(
        x, y, epochs=3, batch_size=8, validation_split=0.25, callbacks=[callbacks.TensorBoard(tmp_path)], verbose=0
    )
    train = scalars(read_events(tmp_path / "train"))
    validation = scalars(read_events(tmp_path / "validation"))
    assert set(train) == {"epoch_loss", "epoch_mae", "epoch_learning_rate"}
    assert [step for step, _ in train["epoch_loss"]] == [0, 1, 2]
    np.testing.assert_allclose([v for _, v in train["epoch_loss"]], history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in train["epoch_learning_rate"]], [0.01] * 3, rtol=1e-6)
    np.testing.assert_allclose([v for _, v in validation["epoch_mae"]], history.history["val_mae"], rtol=1e-6)
    # After each validation, the evaluation metrics at the optimizer's step count (3 batches an epoch).
    assert [step for step, _ in validation["evaluation_loss_vs_iterations"]] == [3, 6, 9]
    assert {"epoch_loss", "evaluation_mae_vs_iterations"} <= set(validation)


def test_update_freq_logs_batch_scalars_every_n_batches(tmp_path):
    x, y = data()
    small_model().fit(
        x, y, epochs=2, batch_size=8, callbacks=[callbacks.TensorBoard(tmp_path, update_freq=3)], verbose=0
    )
    train = scalars(read_events(tmp_path / "train"))
    assert [step for step, _ in train["batch_loss"]] == [3, 6]  # 8 batches in all, counted from 1
    assert not os.path.exists(tmp_path / "validation")

    every = tmp_path / "every"
    small_model().fit(
        x, y, epochs=1, batch_size=8, callbacks=[callbacks.TensorBoard(every, update_freq="batch")], verbose=0
    )
    assert [step for step, _ in scalars(read_events(every / "train"))["batch_mae"]] == [1, 2, 3, 4]


def test_histogram_freq_writes_a_histogram_per_weight(tmp_path):
    model = small_model()
    model.fit(*data(), epochs=3, callbacks=[callbacks.TensorBoard(tmp_path, histogram_freq=2)], verbose=0)
    events = read_events(tmp_path / "train")
    histograms = [(event["step"], value) for event in events for value in event["values"] if "histo" in value]
    expected = {f"{weight.path}/histogram" for layer in model.layers for weight in layer.weights}
    assert {value["tag"] for _, value in histograms} == expected
    assert sorted({step for step, _ in histograms}) == [0, 2]
    kernel = next(w for layer in model.layers for w in layer.weights if w.path.endswith("kernel") and w.shape[1] == 8)
    last = next(value["histo"] for step, value in histograms if step == 2 and value["tag"].startswith(kernel.path))
    assert last["num"] == kernel.numel()
    np.testing.assert_allclose(last["max"], float(kernel.detach().max()), rtol=1e-6)
    assert last["bucket"].sum() == kernel.numel()


def test_every_keras_argument_is_accepted_and_steps_per_second_is_logged(tmp_path):
    board = callbacks.TensorBoard(
        log_dir=tmp_path,
        histogram_freq=0,
        write_graph=True,
        write_images=True,
        write_steps_per_second=True,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq=1,
        embeddings_metadata={"embedding": "meta.tsv"},
    )
    small_model().fit(*data(), epochs=1, callbacks=[board], verbose=0)
    (value,) = [value for _, value in scalars(read_events(tmp_path / "train"))["epoch_steps_per_second"]]
    assert value > 0
    with pytest.warns(UserWarning, match="profiling is not available"):
        callbacks.TensorBoard(tmp_path / "profiled", profile_batch=(2, 4))
    with pytest.raises(ValueError, match="profile_batch"):
        callbacks.TensorBoard(tmp_path, profile_batch=(4, 2))


def test_evaluate_with_the_callback_logs_evaluation_scalars(tmp_path):
    model = small_model()
    model.fit(*data(), epochs=1, batch_size=8, verbose=0)
    model.evaluate(*data(), callbacks=[callbacks.TensorBoard(tmp_path)], verbose=0)
    validation = scalars(read_events(tmp_path / "validation"))
    assert set(validation) == {"evaluation_loss_vs_iterations", "evaluation_mae_vs_iterations"}
    assert validation["evaluation_loss_vs_iterations"][0][0] == 4
