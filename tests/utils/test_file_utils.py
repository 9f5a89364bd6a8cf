"""keras.utils.get_file: cache, hash checks, extraction, atomic writes, offline errors.

Downloads use file:// URLs: the download path is exercised without any network."""

import hashlib
import io
import os
import tarfile
import zipfile

import pytest

import keraslite as keras
from keraslite.utils.file_utils import DownloadError


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv("KERASLITE_OFFLINE", raising=False)
    monkeypatch.delenv("KERASLITE_TRUST_CACHE", raising=False)
    return tmp_path / "keras_home"


def _source(tmp_path, name, data: bytes):
    path = tmp_path / "origin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path.as_uri(), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()


def test_download_into_keras_home_then_cached(home, tmp_path):
    url, sha, _ = _source(tmp_path, "data.bin", b"hello")
    path = keras.utils.get_file("data.bin", origin=url, file_hash=sha)
    assert path == str(home / "datasets" / "data.bin")
    assert open(path, "rb").read() == b"hello"
    assert [p for p in os.listdir(home / "datasets")] == ["data.bin"]  # no temp files left
    os.remove(tmp_path / "origin" / "data.bin")  # the origin is gone: the cache answers
    assert keras.utils.get_file("data.bin", origin=url, file_hash=sha) == path
    # fname defaults to the origin's basename; cache_subdir; md5_hash
    _, _, md5 = _source(tmp_path, "other.txt", b"abc")
    url2 = (tmp_path / "origin" / "other.txt").as_uri()
    path2 = keras.utils.get_file(origin=url2, md5_hash=md5, cache_subdir="models")
    assert path2 == str(home / "models" / "other.txt")


def test_hash_mismatch_on_download_leaves_no_file(home, tmp_path):
    url, _, _ = _source(tmp_path, "bad.bin", b"payload")
    with pytest.raises(ValueError, match="file hash does not match"):
        keras.utils.get_file("bad.bin", origin=url, file_hash="0" * 64)
    assert not os.path.exists(home / "datasets" / "bad.bin")
    assert os.listdir(home / "datasets") == []


def test_stale_cache_is_redownloaded(home, tmp_path):
    url, sha, _ = _source(tmp_path, "f.bin", b"new content")
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "f.bin").write_bytes(b"old")
    path = keras.utils.get_file("f.bin", origin=url, file_hash=sha)
    assert open(path, "rb").read() == b"new content"


def test_offline_error_names_the_file_and_where_to_put_it(home, monkeypatch):
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    with pytest.raises(DownloadError) as info:
        keras.utils.get_file("mnist.npz", origin="https://example.invalid/mnist.npz")
    message = str(info.value)
    assert "mnist.npz" in message and "https://example.invalid/mnist.npz" in message
    assert str(home / "datasets" / "mnist.npz") in message
    # An unreachable URL (no network) gives the same kind of error.
    monkeypatch.delenv("KERASLITE_OFFLINE")
    with pytest.raises(DownloadError, match="place it at"):
        keras.utils.get_file("x.npz", origin=(home / "missing" / "x.npz").as_uri())
    assert os.listdir(home / "datasets") == []


def test_trust_cache_uses_hand_placed_file(home, monkeypatch):
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "mnist.npz").write_bytes(b"fixture")
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    with pytest.raises(DownloadError, match="KERASLITE_TRUST_CACHE"):
        keras.utils.get_file("mnist.npz", origin="https://example.invalid/mnist.npz", file_hash="1" * 64)
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    path = keras.utils.get_file("mnist.npz", origin="https://example.invalid/mnist.npz", file_hash="1" * 64)
    assert open(path, "rb").read() == b"fixture"


def _tar_gz(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_extract_tar_gz_and_zip(home, tmp_path):
    url, sha, _ = _source(tmp_path, "pack.tar.gz", _tar_gz({"inner/a.txt": b"A", "b.txt": b"B"}))
    folder = keras.utils.get_file("pack-target", origin=url, extract=True, file_hash=sha)
    assert folder == str(home / "datasets" / "pack-target")
    assert open(os.path.join(folder, "inner", "a.txt")).read() == "A"
    assert os.path.exists(home / "datasets" / "pack-target_archive")
    # fname with an extension: archive kept under its name, contents in <stem>_extracted
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as archive:
        archive.writestr("z.txt", "Z")
    url, _, _ = _source(tmp_path, "z.zip", zbuf.getvalue())
    folder = keras.utils.get_file("z.zip", origin=url, extract=True)
    assert folder == str(home / "datasets" / "z_extracted")
    assert open(os.path.join(folder, "z.txt")).read() == "Z"
    # untar=True (legacy spelling) also works
    url, _, _ = _source(tmp_path, "legacy.tar.gz", _tar_gz({"c.txt": b"C"}))
    folder = keras.utils.get_file("legacy", origin=url, untar=True)
    assert open(os.path.join(folder, "c.txt")).read() == "C"


def test_extraction_skips_paths_outside_the_folder(home, tmp_path):
    url, _, _ = _source(tmp_path, "evil.tar.gz", _tar_gz({"../escape.txt": b"x", "ok.txt": b"y"}))
    with pytest.warns(UserWarning, match="Skipping invalid path"):
        folder = keras.utils.get_file("evil", origin=url, extract=True)
    assert os.listdir(folder) == ["ok.txt"]
    assert not os.path.exists(home / "datasets" / "escape.txt")


def test_already_extracted_folder_needs_no_archive(home, monkeypatch):
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    target = home / "datasets" / "thing-target"
    target.mkdir(parents=True)
    (target / "f").write_text("1")
    assert keras.utils.get_file("thing-target", origin="https://example.invalid/t.tgz", extract=True) == str(target)
    with pytest.raises(DownloadError, match="extracted contents in"):
        keras.utils.get_file("other-target", origin="https://example.invalid/o.tgz", extract=True)


def test_argument_errors(home):
    with pytest.raises(ValueError, match="origin"):
        keras.utils.get_file("a")
    with pytest.raises(ValueError, match="Paths are no longer accepted"):
        keras.utils.get_file("sub/a", origin="https://example.invalid/a")


def test_hash_file_and_validate_file(tmp_path):
    path = tmp_path / "h"
    path.write_bytes(b"abc")
    assert keras.utils.hash_file(str(path)) == hashlib.sha256(b"abc").hexdigest()
    assert keras.utils.validate_file(str(path), hashlib.md5(b"abc").hexdigest())
    assert not keras.utils.validate_file(str(path), "0" * 64)


def _tar_gz(files: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_tf2_dialect_extracts_where_tf_keras_2_did(home, tmp_path, tf2_dialect):
    # untar=True: <fname>.tar.gz extracted into the cache folder; <cache>/<fname> returned.
    url, _, _ = _source(tmp_path, "flower_photos.tgz", _tar_gz({"flower_photos/roses/1.jpg": b"x"}))
    path = keras.utils.get_file("flower_photos", origin=url, untar=True)
    assert path == str(home / "datasets" / "flower_photos")
    assert os.listdir(os.path.join(path, "roses")) == ["1.jpg"]
    assert keras.utils.get_file("flower_photos", origin=url, untar=True) == path  # cached
    # extract=True: the archive's own path is returned, its contents beside it.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cats_and_dogs_filtered/train/cats/0.jpg", b"y")
    url, _, _ = _source(tmp_path, "cats.zip", buffer.getvalue())
    path = keras.utils.get_file("cats_and_dogs.zip", origin=url, extract=True)
    assert path == str(home / "datasets" / "cats_and_dogs.zip")
    assert os.path.exists(os.path.join(os.path.dirname(path), "cats_and_dogs_filtered", "train", "cats", "0.jpg"))


def test_tf2_extraction_keeps_what_the_folder_holds(home, tmp_path, tf2_dialect, monkeypatch):
    # tf.keras 2 extracts into the cache folder itself: nothing else there may be lost.
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "other.txt").write_text("keep me")
    url, _, _ = _source(tmp_path, "pack.tgz", _tar_gz({"pack/a.txt": b"a"}))
    path = keras.utils.get_file("pack", origin=url, untar=True)
    assert open(os.path.join(path, "a.txt")).read() == "a"
    assert (home / "datasets" / "other.txt").read_text() == "keep me"
    assert sorted(os.listdir(home / "datasets")) == ["other.txt", "pack", "pack.tar.gz"]
    # into the current folder (cache_dir=".", cache_subdir=""), as tensorflow.org's text tutorial does
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    keras.utils.get_file("pack2", origin=url, untar=True, cache_dir=".", cache_subdir="")
    assert (tmp_path / "notes.txt").read_text() == "mine" and (tmp_path / "pack" / "a.txt").exists()
