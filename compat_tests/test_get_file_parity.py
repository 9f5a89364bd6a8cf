"""keras.utils.get_file puts files and extraction folders where Keras 3 does, so a cache
filled by one is found by the other."""

import io
import os
import tarfile

import keraslite as keras

CASES = [
    dict(fname="data.bin", origin_name="data.bin"),
    dict(fname=None, origin_name="plain.txt"),
    dict(fname="cifar-like-target", origin_name="pack.tar.gz", extract=True),
    dict(fname="named.tar.gz", origin_name="pack.tar.gz", extract=True),
    dict(fname=None, origin_name="pack.tar.gz", extract=True),
    dict(fname="weights.h5", origin_name="data.bin", cache_subdir="models"),
]

ORACLE_CODE = """
import os, shutil
from keras.src.utils import file_utils
source_dir, cache_dir = {source_dir!r}, {cache_dir!r}
def fake_urlretrieve(url, filename, reporthook=None):
    shutil.copy(os.path.join(source_dir, url.rsplit("/", 1)[1]), filename)
file_utils.urlretrieve = fake_urlretrieve
paths = []
for case in {cases!r}:
    case = dict(case)
    origin = "https://example.invalid/" + case.pop("origin_name")
    path = keras.utils.get_file(origin=origin, cache_dir=cache_dir, **case)
    paths.append(os.path.relpath(path, cache_dir))
result["paths"] = paths
result["listing"] = sorted(
    os.path.relpath(os.path.join(root, f), cache_dir) for root, _, files in os.walk(cache_dir) for f in files
)
"""


def _write_sources(folder):
    folder.mkdir()
    (folder / "data.bin").write_bytes(b"data")
    (folder / "plain.txt").write_text("plain")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("inner/file.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    (folder / "pack.tar.gz").write_bytes(buffer.getvalue())


def test_cache_layout_matches_keras(tmp_path, keras_oracle):
    sources = tmp_path / "sources"
    _write_sources(sources)
    # (Keras 3 falls back to /tmp/.keras when `cache_dir` does not exist yet; we create it.)
    (tmp_path / "theirs").mkdir()
    expected = keras_oracle.run(
        ORACLE_CODE.format(source_dir=str(sources), cache_dir=str(tmp_path / "theirs"), cases=CASES)
    )
    ours_dir = tmp_path / "ours"
    paths = []
    for case in CASES:
        case = dict(case)
        origin = (sources / case.pop("origin_name")).as_uri()
        paths.append(os.path.relpath(keras.utils.get_file(origin=origin, cache_dir=str(ours_dir), **case), ours_dir))
    listing = sorted(
        os.path.relpath(os.path.join(root, f), ours_dir) for root, _, files in os.walk(ours_dir) for f in files
    )
    assert paths == expected["paths"]
    assert listing == expected["listing"]
