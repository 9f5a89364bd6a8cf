"""`.keras` files are untrusted input: a decompression bomb fails fast, in bounded memory,
with a `CorruptFileError` naming the member; weights are streamed; a missing weights file
and an unknown class are said plainly, first."""

import json
import os
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib

import numpy as np
import pytest

import keraslite as keras
from keraslite import layers
from keraslite.saving.errors import CorruptFileError

MIB = 1 << 20


def deflate_bomb(size_mib: int, byte: bytes = b" ") -> tuple[bytes, int]:
    """(raw DEFLATE stream, CRC-32) of `size_mib` MiB of `byte`: one compressed MiB, flushed
    so that the next is compressed identically, repeated (1 GiB in 1 MB, in about a second)."""
    chunk = byte * MIB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(chunk, crc)
    return block * size_mib + tail, crc


def write_zip(path, members) -> None:
    """A zip written by hand: members are (name, stored bytes, crc, declared size, method 0|8)."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size, method in members:
        offset, encoded = len(out), name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded),
            0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += encoded
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    path.write_bytes(bytes(out))


def stored(name: str, data: bytes):
    return (name, data, zlib.crc32(data), len(data), 0)


METADATA = stored("metadata.json", json.dumps({"keras_version": "3.15.1"}).encode())


@pytest.fixture(scope="module")
def bomb_1gib():
    return deflate_bomb(1024)


def test_a_1gib_config_bomb_fails_fast_in_bounded_memory(tmp_path, bomb_1gib):
    data, crc = bomb_1gib
    path = tmp_path / "bomb.keras"
    write_zip(path, [METADATA, ("config.json", data, crc, 1024 * MIB, 8)])
    assert os.path.getsize(path) < 2 * MIB
    script = textwrap.dedent(
        f"""
        import json, resource, sys, time
        import keraslite
        from keraslite.saving.errors import CorruptFileError
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        try:
            keraslite.models.load_model({str(path)!r})
            message = None
        except CorruptFileError as error:
            message = str(error)
        seconds = time.perf_counter() - start
        extra_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(json.dumps({{"message": message, "seconds": seconds, "extra_mib": extra_kib / 1024}}))
        """
    )
    env = dict(os.environ, KERASLITE_DEVICE="cpu")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    assert measured["message"] is not None and "'config.json'" in measured["message"]
    assert measured["seconds"] < 1.0, measured
    assert measured["extra_mib"] < 200, measured


def test_a_bomb_is_refused_from_its_ratio_under_the_size_cap(tmp_path):
    data, crc = deflate_bomb(8)  # 8 MiB from ~8 KB: under the config cap, far past 100x
    path = tmp_path / "ratio.keras"
    write_zip(path, [METADATA, ("config.json", data, crc, 8 * MIB, 8)])
    with pytest.raises(CorruptFileError, match=r"'config.json' would inflate .* decompression bomb"):
        keras.models.load_model(path)


def test_a_2gib_metadata_is_refused_before_it_is_read(tmp_path):
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.save(tmp_path / "ok.keras")
    with zipfile.ZipFile(tmp_path / "ok.keras") as archive:
        config = archive.read("config.json")
        weights = archive.read("model.weights.h5")
    data, _ = deflate_bomb(1)
    # Declared 2 GiB: refused from the header, nothing inflated (so the CRC is never reached).
    path = tmp_path / "meta.keras"
    write_zip(
        path,
        [("metadata.json", data, 0, 2048 * MIB, 8), stored("config.json", config), stored("model.weights.h5", weights)],
    )
    with pytest.raises(CorruptFileError, match=r"'metadata.json' declares 2147483648 bytes"):
        keras.models.load_model(path)


def test_a_member_inflating_past_its_declared_size_is_corrupt(tmp_path, bomb_1gib):
    data, crc = bomb_1gib
    path = tmp_path / "liar.keras"
    write_zip(path, [METADATA, ("config.json", data, crc, 100, 8)])  # says 100 bytes
    with pytest.raises(CorruptFileError, match="config.json"):
        keras.models.load_model(path)


def test_weights_are_streamed_not_read_whole(tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.save(tmp_path / "m.keras")
    reads = []
    original = zipfile.ZipExtFile.read

    def recording_read(self, n=-1):
        reads.append(n)
        return original(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", recording_read)
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert reads and all(n is not None and 0 < n <= MIB for n in reads), reads
    np.testing.assert_array_equal(loaded.get_weights()[0], model.get_weights()[0])


def test_a_keras_file_without_weights_says_so(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        members = {n: archive.read(n) for n in ("metadata.json", "config.json")}
    with zipfile.ZipFile(tmp_path / "noweights.keras", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(CorruptFileError, match=r"no 'model.weights.h5' \(the weights file"):
        keras.models.load_model(tmp_path / "noweights.keras")


def test_an_unknown_class_is_named_first(tmp_path):
    class Unregistered(layers.Dense):
        pass

    big = keras.Sequential([keras.Input((4,))] + [layers.Dense(4) for _ in range(30)] + [Unregistered(2)])
    big.save(tmp_path / "m.keras")
    with pytest.raises(ValueError) as info:
        keras.models.load_model(tmp_path / "m.keras")
    first_line = str(info.value).splitlines()[0]
    assert "'Unregistered'" in first_line and "custom_objects=" in first_line
    assert "register_keras_serializable" in first_line and len(first_line) < 500
    loaded = keras.models.load_model(tmp_path / "m.keras", custom_objects={"Unregistered": Unregistered})
    assert isinstance(loaded.layers[-1], Unregistered)
