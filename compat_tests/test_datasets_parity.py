"""keras.datasets processing (shuffles, index shifts, splits, layouts) equals Keras 3's on the same files."""

import numpy as np

import keraslite as keras
from keraslite.datasets import fixtures

ORACLE_CODE = """
import importlib
home = {home!r}
def fake_get_file(fname=None, origin=None, extract=False, **kwargs):
    import os
    name = fname or os.path.basename(origin)
    return os.path.join(home, "datasets", name)
for name in ("imdb", "reuters", "boston_housing", "california_housing", "cifar10", "cifar100", "mnist"):
    importlib.import_module("keras.src.datasets." + name).get_file = fake_get_file
(a, b), (c, d) = keras.datasets.imdb.load_data(num_words=20, skip_top=2, seed=7)
result["imdb"] = [list(map(list, a)), b.tolist(), list(map(list, c)), d.tolist()]
(a, b), (c, d) = keras.datasets.reuters.load_data(maxlen=7, oov_char=None, test_split=0.3)
result["reuters"] = [list(map(list, a)), b.tolist(), list(map(list, c)), d.tolist()]
(a, b), (c, d) = keras.datasets.boston_housing.load_data(seed=3)
result["boston"] = [a, b, c, d]
(a, b), (c, d) = keras.datasets.california_housing.load_data(version="small", test_split=0.3, seed=1)
result["california"] = [a, b, c, d]
(a, b), (c, d) = keras.datasets.cifar100.load_data(label_mode="coarse")
result["cifar100"] = [a, b, c, d]
"""


def test_dataset_processing_matches_keras(tmp_path, monkeypatch, keras_oracle):
    home = tmp_path / "home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.setenv("KERASLITE_OFFLINE", "1")
    monkeypatch.setenv("KERASLITE_TRUST_CACHE", "1")
    fixtures.write_all(str(home))
    # (Keras's CIFAR-10 reader assumes 10,000 images per batch file, so only CIFAR-100 is compared.)
    cifar100 = keras.datasets.cifar100.load_data(label_mode="coarse")  # extracts the archive for Keras too
    expected = keras_oracle.run(ORACLE_CODE.format(home=str(home)))

    (a, b), (c, d) = keras.datasets.imdb.load_data(num_words=20, skip_top=2, seed=7)
    assert [list(map(list, a)), b.tolist(), list(map(list, c)), d.tolist()] == expected["imdb"]
    (a, b), (c, d) = keras.datasets.reuters.load_data(maxlen=7, oov_char=None, test_split=0.3)
    assert [list(map(list, a)), b.tolist(), list(map(list, c)), d.tolist()] == expected["reuters"]
    for name, ours in (
        ("boston", keras.datasets.boston_housing.load_data(seed=3)),
        ("california", keras.datasets.california_housing.load_data(version="small", test_split=0.3, seed=1)),
        ("cifar100", cifar100),
    ):
        (a, b), (c, d) = ours
        for mine, theirs in zip((a, b, c, d), expected[name]):
            assert mine.shape == theirs.shape and mine.dtype == theirs.dtype, name
            np.testing.assert_array_equal(mine, theirs)
