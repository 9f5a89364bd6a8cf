"""Offline preamble for the tutorial corpus: installed before a tutorial script runs.

It patches whatever `import keras` resolves to in this process (real Keras 3 under the
reference, keraslite under `keraslite run`), so that both sides see the same world:

- `keras.datasets.<name>.load_data` returns generated arrays with the real shapes and
  dtypes (fewer samples) and a learnable structure (class templates plus noise);
- every `urllib` download (what `keras.utils.get_file`, `pandas.read_csv(url)` and
  `np.loadtxt(url)` use) is answered from generated files in the real formats for the
  URLs the corpus uses; any other URL fails with `URLError("offline corpus: ...")`;
- `keras.applications.*(weights="imagenet")` (also the default) builds with `weights=None`;
- `Model.fit` is capped: `epochs <= CORPUS_MAX_EPOCHS`, steps per epoch (and validation
  steps, `validation_split` too) `<= CORPUS_MAX_STEPS` where the data is longer than that; `Model.evaluate` runs
  at most `CORPUS_MAX_EVAL_STEPS` (50) steps (`predict` is left whole: its output shape is
  the script's business);
- with `CORPUS_DATASET_SAMPLES` (per case), `load_data` gives only that many samples
  per split; with `CORPUS_MAX_DATASET_ITER` (per case), Python loops over `tf.data` datasets stop
  after that many elements (custom training loops);
- Python, NumPy, torch and Keras are seeded; matplotlib draws off-screen (`plt.show()`
  does nothing);
- `keras_core` (Keras 3's pre-release name, used by the keras-core ports) is the same
  module as `keras`;
- `tensorflow_datasets` is fake_tfds.py (generated image sets in the real structure), and
  `gdown.download` writes the generated file for a Google Drive id.

Everything generated is deterministic (seeded by the URL or the data set name).
"""

from __future__ import annotations

import email.message
import functools
import importlib
import importlib.abc
import importlib.util
import inspect
import io
import math
import os
import random
import sys
import urllib.error
import urllib.request
import urllib.response

import numpy as np
from fake_files import fake_payload, has_fake, seeded_rng  # noqa: E402  (this folder is on sys.path)

MAX_EPOCHS = int(os.environ.get("CORPUS_MAX_EPOCHS", "2"))
MAX_STEPS = int(os.environ.get("CORPUS_MAX_STEPS", "20"))
MAX_EVAL_STEPS = int(os.environ.get("CORPUS_MAX_EVAL_STEPS", "50"))
SEED = int(os.environ.get("CORPUS_SEED", "1337"))


_rng = seeded_rng


# ----------------------------------------------------------------------------- datasets


def _class_images(name, n, shape, classes):
    """uint8 images whose class is visible: a smooth per-class template plus noise."""
    rng = _rng(name)
    templates = rng.uniform(0, 1, size=(classes,) + tuple(shape)).astype("float32")
    # Smooth the templates a little so convolutions have something to find.
    for axis in (1, 2):
        templates = (templates + np.roll(templates, 1, axis=axis) + np.roll(templates, -1, axis=axis)) / 3
    templates = (templates * 200).astype("int16")
    labels = rng.integers(0, classes, size=n)
    images = np.empty((n,) + tuple(shape), dtype="uint8")
    for start in range(0, n, 5000):  # in chunks: the full-size sets are large
        stop = min(n, start + 5000)
        noise = rng.integers(0, 56, size=(stop - start,) + tuple(shape), dtype="int16")
        images[start:stop] = np.clip(templates[labels[start:stop]] + noise, 0, 255).astype("uint8")
    return images, labels


# Full-size image sets: tutorials hard-code their sizes (`x_train.reshape(60000, 784)`).
def _mnist_like(name, n_train=60000, n_test=10000):
    x, y = _class_images(name, n_train + n_test, (28, 28), 10)
    y = y.astype("uint8")
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def _cifar_like(name, classes, n_train=50000, n_test=10000):
    x, y = _class_images(name, n_train + n_test, (32, 32, 3), classes)
    y = y.reshape(-1, 1)
    y = y.astype("uint8") if classes == 10 else y.astype("int64")
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def _sequences(
    name,
    n,
    vocab,
    classes,
    min_len,
    max_len,
    start_char=1,
    oov_char=2,
    index_from=3,
    num_words=None,
    skip_top=0,
    maxlen=None,
):
    """Ragged int sequences whose word distribution depends on the class."""
    rng = _rng(name)
    labels = rng.integers(0, classes, size=n)
    span = max(vocab // (classes + 1), 10)
    xs = []
    for label in labels:
        length = int(rng.integers(min_len, max_len))
        common = rng.zipf(1.3, size=length) % vocab  # shared words
        own = label * span + rng.integers(0, span, size=length)  # class words
        words = np.where(rng.uniform(size=length) < 0.3, own, common) + index_from
        seq = [start_char] + [int(w) for w in words] if start_char is not None else [int(w) for w in words]
        xs.append(seq)
    if maxlen:
        keep = [i for i, s in enumerate(xs) if len(s) < maxlen]
        xs = [xs[i] for i in keep]
        labels = labels[keep]
    if num_words is not None or skip_top:
        top = num_words if num_words is not None else max(max(s) for s in xs) + 1
        xs = [[w if skip_top <= w < top else oov_char for w in s] for s in xs]
    return xs, labels.astype("int64")


def _ragged(xs):
    out = np.empty(len(xs), dtype=object)
    for i, s in enumerate(xs):
        out[i] = s
    return out


def _imdb_load_data(
    path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3, **kwargs
):
    xs, ys = _sequences("imdb", 2000, 20000, 2, 40, 300, start_char, oov_char, index_from, num_words, skip_top, maxlen)
    half = len(xs) // 2
    return (_ragged(xs[:half]), ys[:half]), (_ragged(xs[half:]), ys[half:])


def _reuters_load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    xs, ys = _sequences(
        "reuters", 2000, 10000, 46, 20, 200, start_char, oov_char, index_from, num_words, skip_top, maxlen
    )
    cut = int(len(xs) * (1 - test_split))
    return (_ragged(xs[:cut]), ys[:cut]), (_ragged(xs[cut:]), ys[cut:])


def _word_index(name, vocab):
    rng = _rng(name + ":words")
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = {}
    rank = 1
    while len(words) < vocab:
        word = "".join(rng.choice(letters, size=int(rng.integers(2, 9))))
        if word not in words:
            words[word] = rank
            rank += 1
    return words


def _regression(name, n, features, test_split):
    rng = _rng(name)
    x = rng.normal(size=(n, features)) * rng.uniform(0.5, 20, size=features) + rng.uniform(0, 50, size=features)
    w = rng.normal(size=features)
    y = (x - x.mean(0)) / x.std(0) @ w + rng.normal(0, 0.1, size=n)
    y = np.abs(y * 5 + 20)
    cut = int(n * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def _first_samples(load_data, limit):
    """`load_data` giving only the first `limit` samples of each split (the per-case setting
    `CORPUS_DATASET_SAMPLES`, for custom loops over a whole data set)."""

    @functools.wraps(load_data)
    def load(*args, **kwargs):
        return tuple(tuple(part[:limit] for part in split) for split in load_data(*args, **kwargs))

    return load


def _patch_datasets(keras):
    fakes = {
        "mnist": lambda path="mnist.npz": _mnist_like("mnist"),
        "fashion_mnist": lambda: _mnist_like("fashion_mnist"),
        "cifar10": lambda: _cifar_like("cifar10", 10),
        "cifar100": lambda label_mode="fine": _cifar_like(
            "cifar100:" + label_mode, 100 if label_mode == "fine" else 20
        ),
        "imdb": _imdb_load_data,
        "reuters": _reuters_load_data,
        "boston_housing": lambda path="boston_housing.npz", test_split=0.2, seed=113: _regression(
            "boston", 506, 13, test_split
        ),
        "california_housing": lambda version="large", path="california_housing.npz", test_split=0.2, seed=113: (
            _regression("california", 2064 if version == "large" else 600, 8, test_split)
        ),
    }
    limit = int(os.environ.get("CORPUS_DATASET_SAMPLES", "0"))
    for name, fake in fakes.items():
        if limit > 0:
            fake = _first_samples(fake, limit)
        try:
            module = importlib.import_module(keras.__name__ + ".datasets." + name)
        except Exception:  # noqa: BLE001  (a side without that data set: the script will say so)
            module = getattr(getattr(keras, "datasets", None), name, None)
            if module is None:
                continue
        module.load_data = fake
        if name in ("imdb", "reuters"):
            vocab = 20000 if name == "imdb" else 10000
            module.get_word_index = functools.partial(lambda n, v, path=None: _word_index(n, v), name, vocab)


class _OfflineHandler(urllib.request.BaseHandler):
    """Answers http(s)/ftp requests from the fakes above; anything else is refused."""

    handler_order = 100

    def _answer(self, request):
        url = request.full_url
        payload = fake_payload(url)
        if payload is None:
            raise urllib.error.URLError(f"offline corpus: no fake for {url}")
        headers = email.message.Message()
        headers["Content-Length"] = str(len(payload))
        headers["Content-Type"] = "application/octet-stream"
        response = urllib.response.addinfourl(io.BytesIO(payload), headers, url, 200)
        response.msg = "OK"
        return response

    http_open = https_open = ftp_open = _answer


def _unhashed(get_file):
    """`get_file` that skips the hash check for URLs the corpus fakes (their bytes differ)."""

    @functools.wraps(get_file)
    def fetch(*args, **kwargs):
        origin = kwargs.get("origin", args[1] if len(args) > 1 else None)
        if origin and has_fake(origin):
            kwargs.pop("file_hash", None)
            kwargs.pop("md5_hash", None)
            args = list(args)
            for index in (3, 4):  # md5_hash and file_hash are the 4th and 5th parameters
                if len(args) > index:
                    args[index] = None
        return get_file(*args, **kwargs)

    fetch._corpus_patched = True
    return fetch


def _patch_get_file(keras):
    original = getattr(keras.utils, "get_file", None)
    if original is None or getattr(original, "_corpus_patched", False):
        return
    patched = _unhashed(original)
    keras.utils.get_file = patched
    # Callers inside the package look it up in their own module (`from ... import get_file`)
    # or in the module that defines it.
    prefix = keras.__name__ + "."
    for name, module in list(sys.modules.items()):
        if (name == getattr(original, "__module__", None) or name.startswith(prefix)) and getattr(
            module, "get_file", None
        ) is original:
            module.get_file = patched


def _patch_network():
    opener = urllib.request.OpenerDirector()
    for handler in (
        _OfflineHandler(),
        urllib.request.FileHandler(),
        urllib.request.DataHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPDefaultErrorHandler(),
    ):
        opener.add_handler(handler)
    urllib.request.install_opener(opener)


# ----------------------------------------------------------------------------- applications


def _no_pretrained(constructor):
    @functools.wraps(constructor)
    def build(*args, **kwargs):
        # `weights` is the 3rd positional parameter of every keras.applications constructor.
        if len(args) >= 3:
            args = list(args)
            if args[2] == "imagenet":
                args[2] = None
        elif kwargs.get("weights", "imagenet") == "imagenet":
            kwargs["weights"] = None
        return constructor(*args, **kwargs)

    build._corpus_patched = True
    return build


def _takes_weights(function) -> bool:
    """Whether `function` is a model constructor with a `weights` argument (helpers that
    applications modules import, such as `Input`, are left alone)."""
    try:
        return "weights" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _patch_applications(keras):
    try:
        apps = importlib.import_module(keras.__name__ + ".applications")
    except Exception:  # noqa: BLE001
        return
    modules = [apps] + [m for m in vars(apps).values() if isinstance(m, type(apps))]
    for module in modules:
        for attr, value in list(vars(module).items()):
            if (
                attr[:1].isupper()
                and callable(value)
                and not isinstance(value, type)
                and not getattr(value, "_corpus_patched", False)
                and _takes_weights(value)
            ):
                setattr(module, attr, _no_pretrained(value))


# ----------------------------------------------------------------------------- fit caps


def _num_batches(data, batch_size):
    """Number of batches in `data` if it can be told without consuming it, else None."""
    if data is None:
        return None
    leaf = data
    while isinstance(leaf, (list, tuple)) and leaf:
        leaf = leaf[0]
    if isinstance(leaf, dict) and leaf:
        leaf = next(iter(leaf.values()))
    if hasattr(leaf, "shape") and hasattr(leaf, "__len__") and not hasattr(data, "element_spec"):
        try:
            return math.ceil(len(leaf) / (batch_size or 32))
        except TypeError:
            return None
    try:
        return len(data)  # tf.data.Dataset with known cardinality, PyDataset, DataLoader
    except (TypeError, ValueError, AttributeError, NotImplementedError, RuntimeError):
        return None


def _capped_fit(fit):
    @functools.wraps(fit)
    def capped(self, x=None, y=None, batch_size=None, epochs=1, *args, **kwargs):
        if args:  # positional verbose, callbacks, ...: leave them to the real signature
            return fit(self, x, y, batch_size, epochs, *args, **kwargs)
        initial = kwargs.get("initial_epoch", 0) or 0
        epochs = min(epochs, initial + MAX_EPOCHS)
        steps = kwargs.get("steps_per_epoch")
        if steps is not None:
            kwargs["steps_per_epoch"] = min(steps, MAX_STEPS)
        else:
            n = _num_batches(x, batch_size)
            if n is not None and n > MAX_STEPS:
                kwargs["steps_per_epoch"] = MAX_STEPS
        vsteps = kwargs.get("validation_steps")
        if vsteps is not None:
            kwargs["validation_steps"] = min(vsteps, MAX_STEPS)
        elif kwargs.get("validation_data") is not None:
            vdata = kwargs["validation_data"]
            first = vdata[0] if isinstance(vdata, tuple) else vdata
            n = _num_batches(first, kwargs.get("validation_batch_size") or batch_size)
            if n is not None and n > MAX_STEPS:
                kwargs["validation_steps"] = MAX_STEPS
        elif kwargs.get("validation_split"):
            # The held-out tail of array data: about `split` of the batches.
            n = _num_batches(x, kwargs.get("validation_batch_size") or batch_size)
            if n is not None and n * kwargs["validation_split"] > MAX_STEPS + 1:
                kwargs["validation_steps"] = MAX_STEPS
        return fit(self, x, y, batch_size, epochs, **kwargs)

    capped._corpus_patched = True
    return capped


def _capped_evaluate(evaluate):
    @functools.wraps(evaluate)
    def capped(self, x=None, y=None, batch_size=None, *args, **kwargs):
        if not args:
            steps = kwargs.get("steps")
            if steps is not None:
                kwargs["steps"] = min(steps, MAX_EVAL_STEPS)
            else:
                n = _num_batches(x, batch_size)
                if n is not None and n > MAX_EVAL_STEPS:
                    kwargs["steps"] = MAX_EVAL_STEPS
        return evaluate(self, x, y, batch_size, *args, **kwargs)

    capped._corpus_patched = True
    return capped


def _patch_fit(keras):
    seen = set()
    stack = [keras.Model]
    for extra in ("Sequential",):
        if hasattr(keras, extra):
            stack.append(getattr(keras, extra))
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        fit = cls.__dict__.get("fit")
        if fit is not None and not getattr(fit, "_corpus_patched", False):
            cls.fit = _capped_fit(fit)
        evaluate = cls.__dict__.get("evaluate")
        if evaluate is not None and not getattr(evaluate, "_corpus_patched", False):
            cls.evaluate = _capped_evaluate(evaluate)
        for base in cls.__mro__[1:]:
            if "fit" in base.__dict__ or "evaluate" in base.__dict__:
                stack.append(base)


# ----------------------------------------------------------------------------- custom loops


MAX_DATASET_BATCHES = int(os.environ.get("CORPUS_MAX_DATASET_ITER", "0"))


def _capped_iter(iterate):
    @functools.wraps(iterate)
    def capped(self):
        iterator = iterate(self)
        for index, element in enumerate(iterator):
            if index >= MAX_DATASET_BATCHES:
                return
            yield element

    capped._corpus_patched = True
    return capped


def _patch_dataset_iteration():
    """With `CORPUS_MAX_DATASET_ITER` (a per-case setting, for custom training loops that
    `fit` caps cannot reach): a Python loop over any `tf.data` dataset stops after that
    many elements -- TensorFlow's datasets on the reference, keraslite's on the other side."""
    if MAX_DATASET_BATCHES <= 0:
        return
    classes = []
    try:
        from tensorflow.python.data.ops import dataset_ops

        classes.append(dataset_ops.DatasetV2)
    except Exception:  # noqa: BLE001  (no TensorFlow, or the shim: it has no `tensorflow.python`)
        pass
    try:
        from keraslite.utils.dataset import Dataset

        classes.append(Dataset)
    except ImportError:
        pass
    for cls in classes:
        if not getattr(cls.__iter__, "_corpus_patched", False):
            cls.__iter__ = _capped_iter(cls.__iter__)


# ----------------------------------------------------------------------------- keras_core alias


class _KerasCoreFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`keras_core[.x]` is the module `keras[.x]` resolves to in this process."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "keras_core" and not fullname.startswith("keras_core."):
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        module = importlib.import_module("keras" + spec.name[len("keras_core") :])
        self._specs = getattr(self, "_specs", {})
        self._specs[spec.name] = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        # The import system stamped the keras_core spec on the module: give its own back.
        original = self._specs.pop(getattr(module.__spec__, "name", None), None)
        if original is not None:
            module.__spec__ = original


# ----------------------------------------------------------------------------- install


def _seed(keras):
    random.seed(SEED)
    np.random.seed(SEED)
    try:
        import torch

        torch.manual_seed(SEED)
    except ImportError:
        pass
    try:
        keras.utils.set_random_seed(SEED)
    except Exception:  # noqa: BLE001  (a side without it: the seeds above still hold)
        pass


def _patch_matplotlib():
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plt.show = lambda *a, **k: None
    except ImportError:
        pass


def _patch_tfds():
    """`tensorflow_datasets` is not installed (it downloads): fake_tfds answers for it."""
    if "tensorflow_datasets" not in sys.modules and importlib.util.find_spec("tensorflow_datasets") is None:
        import fake_tfds

        sys.modules["tensorflow_datasets"] = fake_tfds


def _patch_gdown():
    """`gdown` (Google Drive downloads) is not installed: `gdown.download(url, output)`
    writes the generated file for the Drive id."""
    if "gdown" in sys.modules or importlib.util.find_spec("gdown") is not None:
        return
    import types

    from fake_files import fake_drive_payload

    def download(url=None, output=None, quiet=False, id=None, **kwargs):  # noqa: A002  (gdown's name)
        url = url or f"https://drive.google.com/uc?id={id}"
        payload = fake_drive_payload(url)
        if payload is None:
            raise urllib.error.URLError(f"offline corpus: no fake for {url}")
        output = output or "downloaded.bin"
        with open(output, "wb") as handle:
            handle.write(payload)
        return output

    module = types.ModuleType("gdown")
    module.download = download
    sys.modules["gdown"] = module


def install():
    """Patch the `keras` this process resolves; returns that module."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # tf_keras (tf.keras 2) for the TF-2-era reference; whatever `import keras` is otherwise.
    keras = importlib.import_module(os.environ.get("CORPUS_KERAS_MODULE", "keras"))

    if not any(isinstance(f, _KerasCoreFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _KerasCoreFinder())
    _patch_network()
    _patch_get_file(keras)
    _patch_datasets(keras)
    _patch_applications(keras)
    _patch_fit(keras)
    _patch_dataset_iteration()
    _patch_matplotlib()
    _seed(keras)
    _patch_tfds()
    _patch_gdown()
    return keras
