"""TensorBoard event files, written without TensorFlow or the `tensorboard` package.

The format is the contract. An event file is a sequence of TFRecord records:

    uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)

(all little-endian), each record one `Event` protocol-buffer message. The first event carries
`file_version = "brain.Event:2"`; the others carry a `Summary` of tagged values: a scalar
(`simple_value`) or a histogram (`HistogramProto`). Only the handful of protobuf fields used
here are encoded, by hand:

    Event     wall_time double = 1, step int64 = 2, file_version string = 3, summary = 5
    Summary   value repeated = 1
    Value     tag string = 1, simple_value float = 2, histo = 5
    Histogram min = 1, max = 2, num = 3, sum = 4, sum_squares = 5 (doubles),
              bucket_limit = 6, bucket = 7 (packed repeated doubles)
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import time

import numpy as np

FILE_VERSION = "brain.Event:2"

# --------------------------------------------------------------------------- crc32c
# CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven. It runs once per record
# (a few hundred bytes), so pure Python is fast enough and needs no extra dependency.


def _crc32c_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C checksum of `data` (`crc32c(b"123456789") == 0xE3069283`)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The checksum TFRecord stores: CRC-32C rotated right by 15 bits plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data: bytes) -> bytes:
    """One TFRecord record around `data`."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


# --------------------------------------------------------------------------- protobuf encoding
_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 values are encoded as their two's complement
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint((field << 3) | wire_type)


def _bytes_field(field: int, payload: bytes) -> bytes:
    return _key(field, _LENGTH_DELIMITED) + _varint(len(payload)) + payload


def _double_field(field: int, value: float) -> bytes:
    return _key(field, _FIXED64) + struct.pack("<d", value)


def _float_field(field: int, value: float) -> bytes:
    return _key(field, _FIXED32) + struct.pack("<f", value)


def _int_field(field: int, value: int) -> bytes:
    return _key(field, _VARINT) + _varint(value)


def _packed_doubles(field: int, values) -> bytes:
    return _bytes_field(field, np.asarray(values, dtype="<f8").tobytes())


def encode_event(wall_time: float, step: int, *, file_version: str | None = None, values: bytes = b"") -> bytes:
    """An `Event` message; `values` is the concatenated encoded `Summary.value` entries."""
    message = _double_field(1, wall_time) + _int_field(2, step)
    if file_version is not None:
        message += _bytes_field(3, file_version.encode())
    if values:
        message += _bytes_field(5, values)
    return message


def scalar_value(tag: str, value: float) -> bytes:
    """One encoded `Summary.value` entry holding a scalar."""
    return _bytes_field(1, _bytes_field(1, tag.encode()) + _float_field(2, float(value)))


def histogram_value(tag: str, values, bins: int = 30) -> bytes:
    """One encoded `Summary.value` entry holding a histogram of `values` in `bins` equal buckets.

    `bucket_limit[i]` is the right edge of bucket `i`, as TensorBoard reads it; the first
    bucket's left edge is `min`.
    """
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    array = array[np.isfinite(array)]
    if array.size == 0:
        array = np.zeros(1)
    counts, edges = np.histogram(array, bins=bins)
    histo = (
        _double_field(1, float(array.min()))
        + _double_field(2, float(array.max()))
        + _double_field(3, float(array.size))
        + _double_field(4, float(array.sum()))
        + _double_field(5, float(np.dot(array, array)))
        + _packed_doubles(6, edges[1:])
        + _packed_doubles(7, counts.astype(np.float64))
    )
    return _bytes_field(1, _bytes_field(1, tag.encode()) + _bytes_field(5, histo))


# --------------------------------------------------------------------------- the writer
_file_counter = itertools.count()


class EventFileWriter:
    """Appends events to one new `events.out.tfevents.<time>.<host>.<pid>.<n>` file in `log_dir`.

    The file is created (with its `file_version` event) on the first write, so a writer that
    never writes leaves no file behind. Events are buffered by the file object: call `flush()`
    at the boundaries where a reader (TensorBoard, a test) may look.
    """

    def __init__(self, log_dir: str):
        self.log_dir = os.fspath(log_dir)
        self.path = None
        self._file = None

    def _open(self):
        os.makedirs(self.log_dir, exist_ok=True)
        now = time.time()
        # pid and a counter keep two writers started in the same second apart.
        name = f"events.out.tfevents.{int(now)}.{socket.gethostname()}.{os.getpid()}.{next(_file_counter)}"
        self.path = os.path.join(self.log_dir, name)
        self._file = open(self.path, "wb")  # closed by close(): the file outlives any one block
        self._file.write(frame_record(encode_event(now, 0, file_version=FILE_VERSION)))

    def write_values(self, step: int, values: bytes) -> None:
        """Write one event at `step` holding the encoded `Summary.value` entries `values`."""
        if self._file is None:
            self._open()
        self._file.write(frame_record(encode_event(time.time(), int(step), values=values)))

    def scalar(self, tag: str, value: float, step: int) -> None:
        self.write_values(step, scalar_value(tag, value))

    def histogram(self, tag: str, values, step: int, bins: int = 30) -> None:
        self.write_values(step, histogram_value(tag, values, bins))

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
