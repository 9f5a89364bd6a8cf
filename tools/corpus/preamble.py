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
  steps) `<= CORPUS_MAX_STEPS` where the data is longer than that; `Model.evaluate` runs
  at most `CORPUS_MAX_EVAL_STEPS` (50) steps (`predict` is left whole: its output shape is
  the script's business);
- Python, NumPy, torch and Keras are seeded; matplotlib draws off-screen (`plt.show()`
  does nothing);
- `keras_core` (Keras 3's pre-release name, used by the keras-core ports) is the same
  module as `keras`.

Everything generated is deterministic (seeded by the URL or the data set name).
"""

from __future__ import annotations

import email.message
import functools
import hashlib
import importlib
import importlib.abc
import importlib.util
import inspect
import io
import json
import math
import os
import random
import sys
import tarfile
import urllib.error
import urllib.request
import urllib.response
import zipfile

import numpy as np

MAX_EPOCHS = int(os.environ.get("CORPUS_MAX_EPOCHS", "2"))
MAX_STEPS = int(os.environ.get("CORPUS_MAX_STEPS", "20"))
MAX_EVAL_STEPS = int(os.environ.get("CORPUS_MAX_EVAL_STEPS", "50"))
SEED = int(os.environ.get("CORPUS_SEED", "1337"))


def _rng(name: str) -> np.random.Generator:
    digest = hashlib.sha256(f"{SEED}:{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


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
    for name, fake in fakes.items():
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


# ----------------------------------------------------------------------------- files behind URLs


def _jpeg(rng, size=(64, 64), label=0):
    from PIL import Image

    h, w = size
    base = np.zeros((h, w, 3), "float32")
    base[..., label % 3] = 0.6
    img = np.clip(base + rng.uniform(0, 0.4, size=(h, w, 3)), 0, 1)
    buf = io.BytesIO()
    Image.fromarray((img * 255).astype("uint8")).save(buf, format="JPEG")
    return buf.getvalue()


def _png(rng, size=(64, 64)):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, size=size + (3,)).astype("uint8")).save(buf, format="PNG")
    return buf.getvalue()


def _words(rng, n, vocab=None):
    vocab = vocab or [
        "the",
        "a",
        "film",
        "movie",
        "good",
        "bad",
        "great",
        "awful",
        "plot",
        "actor",
        "story",
        "love",
        "hate",
        "fun",
        "boring",
        "and",
        "but",
        "is",
        "was",
        "very",
        "not",
        "best",
        "worst",
        "scene",
        "time",
        "really",
        "one",
        "character",
    ]
    return " ".join(rng.choice(vocab, size=n))


def _tar_gz(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _heart_csv(rng):
    rows = ["age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,target"]
    for _ in range(303):
        target = int(rng.integers(0, 2))
        rows.append(
            ",".join(
                str(v)
                for v in [
                    int(rng.integers(29, 78)),
                    int(rng.integers(0, 2)),
                    int(rng.integers(0, 5)),
                    int(rng.integers(94, 200)),
                    int(rng.integers(126, 564)),
                    int(rng.integers(0, 2)),
                    int(rng.integers(0, 3)),
                    int(rng.integers(71, 202)) - 20 * target,
                    int(rng.integers(0, 2)),
                    round(float(rng.uniform(0, 6.2)) + target, 1),
                    int(rng.integers(1, 4)),
                    int(rng.integers(0, 4)),
                    rng.choice(["fixed", "normal", "reversible"]),
                    target,
                ]
            )
        )
    return ("\n".join(rows) + "\n").encode()


def _acl_imdb(rng):
    files = {"aclImdb/README": b"fake\n", "aclImdb/imdb.vocab": b"the\na\n"}
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            for i in range(60):
                mood = ["great", "love", "best", "fun"] if label == "pos" else ["awful", "hate", "worst", "boring"]
                text = _words(rng, 40) + " " + " ".join(rng.choice(mood, size=8)) + " <br /> " + _words(rng, 20)
                files[f"aclImdb/{split}/{label}/{i}_{int(rng.integers(1, 10))}.txt"] = text.encode()
    for i in range(40):
        files[f"aclImdb/train/unsup/{i}_0.txt"] = _words(rng, 50).encode()
    return _tar_gz(files)


def _pairs(rng, n, sep="\t", extra=False):
    en = ["go", "run", "i", "you", "we", "see", "eat", "the", "cat", "dog", "house", "big", "small", "am", "is"]
    other = [
        "va",
        "cours",
        "je",
        "tu",
        "nous",
        "vois",
        "mange",
        "le",
        "chat",
        "chien",
        "maison",
        "grand",
        "petit",
        "suis",
        "est",
    ]
    lines = []
    for _ in range(n):
        idx = rng.integers(0, len(en), size=int(rng.integers(1, 6)))
        a = " ".join(en[i] for i in idx).capitalize() + "."
        b = " ".join(other[i] for i in idx).capitalize() + "."
        lines.append(sep.join([a, b] + (["CC-BY 2.0 (France) Attribution: tatoeba.org"] if extra else [])))
    return ("\n".join(lines) + "\n").encode()


def _jena_zip(rng):
    cols = [
        '"Date Time"',
        '"p (mbar)"',
        '"T (degC)"',
        '"Tpot (K)"',
        '"Tdew (degC)"',
        '"rh (%)"',
        '"VPmax (mbar)"',
        '"VPact (mbar)"',
        '"VPdef (mbar)"',
        '"sh (g/kg)"',
        '"H2OC (mmol/mol)"',
        '"rho (g/m**3)"',
        '"wv (m/s)"',
        '"max. wv (m/s)"',
        '"wd (deg)"',
    ]
    n = 6000
    t = np.arange(n)
    lines = [",".join(cols)]
    base = rng.normal(size=(n, 14)).cumsum(0) * 0.05 + np.sin(t / 144 * 2 * np.pi)[:, None] * 3
    for i in range(n):
        stamp = f"{1 + (i // 144) % 28:02d}.{1 + (i // 4032) % 12:02d}.2009 {(i % 144) // 6:02d}:{(i % 6) * 10:02d}:00"
        lines.append(stamp + "," + ",".join(f"{v:.2f}" for v in base[i] + 10))
    return _zip({"jena_climate_2009_2016.csv": ("\n".join(lines) + "\n").encode()})


def _cats_and_dogs(rng):
    files = {}
    for label, folder in enumerate(("Cat", "Dog")):
        for i in range(60):
            files[f"PetImages/{folder}/{i}.jpg"] = _jpeg(rng, (96, 96), label)
        files[f"PetImages/{folder}/Thumbs.db"] = b"not an image"
    files["readme[1].txt"] = b"fake\n"
    return _zip(files)


def _nab_csv(rng, jump):
    lines = ["timestamp,value"]
    start = np.datetime64("2014-04-01T00:00")
    for i in range(4032):
        value = 20 + 20 * math.sin(2 * math.pi * (i % 288) / 288) + float(rng.normal(0, 1))
        if jump and 2900 <= i < 3000:
            value += 60
        lines.append(f"{str(start + np.timedelta64(5 * i, 'm')).replace('T', ' ')}:00,{value:.6f}")
    return ("\n".join(lines) + "\n").encode()


def _forda(rng, n):
    lines = []
    for _ in range(n):
        label = int(rng.choice([-1, 1]))
        t = np.linspace(0, 8 * np.pi, 500)
        series = np.sin(t * (1.0 if label == 1 else 1.5)) + rng.normal(0, 0.3, size=500)
        series = (series - series.mean()) / series.std()
        lines.append("\t".join([str(label)] + [f"{v:.6f}" for v in series]))
    return ("\n".join(lines) + "\n").encode()


def _movielens(rng):
    lines = ["userId,movieId,rating,timestamp"]
    for _ in range(3000):
        user, movie = int(rng.integers(1, 120)), int(rng.integers(1, 400))
        rating = float(np.clip(round((user % 5 + movie % 5) / 2 + rng.normal(0, 0.5)) / 2 + 1.5, 0.5, 5.0))
        lines.append(f"{user},{movie},{rating},{int(rng.integers(9e8, 1.5e9))}")
    movies = ["movieId,title,genres"] + [f"{m},Movie {m} (1999),Comedy|Drama" for m in range(1, 400)]
    return _zip(
        {
            "ml-latest-small/ratings.csv": ("\n".join(lines) + "\n").encode(),
            "ml-latest-small/movies.csv": ("\n".join(movies) + "\n").encode(),
        }
    )


def _adult(rng, n, test):
    cats = {
        "workclass": ["Private", "Self-emp-not-inc", "Local-gov", "State-gov", "?"],
        "education": ["Bachelors", "HS-grad", "Masters", "Some-college", "11th"],
        "marital": ["Married-civ-spouse", "Never-married", "Divorced"],
        "occupation": ["Tech-support", "Craft-repair", "Sales", "Exec-managerial", "?"],
        "relationship": ["Wife", "Husband", "Not-in-family", "Own-child"],
        "race": ["White", "Black", "Asian-Pac-Islander", "Other"],
        "gender": ["Male", "Female"],
        "country": ["United-States", "Mexico", "India", "?"],
    }
    lines = ["|1x3 Cross validator"] if test else []
    for _ in range(n):
        rich = rng.uniform() < 0.25
        age = int(rng.integers(17, 90))
        row = [
            age,
            " " + rng.choice(cats["workclass"]),
            int(rng.integers(12285, 1484705)),
            " " + rng.choice(cats["education"]),
            int(rng.integers(1, 17)) if not rich else 14,
            " " + rng.choice(cats["marital"]),
            " " + rng.choice(cats["occupation"]),
            " " + rng.choice(cats["relationship"]),
            " " + rng.choice(cats["race"]),
            " " + rng.choice(cats["gender"]),
            int(rng.integers(0, 99999)) if rich else 0,
            int(rng.integers(0, 4356)) if rng.uniform() < 0.05 else 0,
            int(rng.integers(1, 99)),
            " " + rng.choice(cats["country"]),
            (" >50K" if rich else " <=50K") + ("." if test else ""),
        ]
        lines.append(", ".join(str(v).strip() for v in row))
    return ("\n".join(lines) + "\n").encode()


def _text_corpus(rng, n_words):
    vocab = [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "it",
        "as",
        "for",
        "with",
        "was",
        "his",
        "he",
        "be",
        "on",
        "by",
        "at",
        "have",
        "this",
        "truth",
        "will",
        "power",
        "man",
        "life",
        "philosophy",
        "spirit",
        "morality",
        "good",
        "evil",
        "free",
    ]
    words = list(rng.choice(vocab, size=n_words))
    for i in range(0, n_words, 12):
        words[i] = words[i] + ".\n"
    return " ".join(words).encode()


def _news20(rng):
    files = {}
    for group in ("comp.graphics", "rec.autos", "sci.space"):
        for i in range(40):
            files[f"20_newsgroup/{group}/{1000 + i}"] = (
                "From: a@b.c\nSubject: x\n\n" + _words(rng, 80) + f" {group}\n"
            ).encode()
    return _tar_gz(files)


def _glove(rng):
    vocab = [
        "the",
        "a",
        "film",
        "movie",
        "good",
        "bad",
        "great",
        "awful",
        "plot",
        "actor",
        "story",
        "love",
        "hate",
        "fun",
        "boring",
        "and",
        "but",
        "is",
        "was",
        "very",
        "not",
        "best",
        "worst",
        "scene",
        "time",
        "really",
        "one",
        "character",
        "from",
        "subject",
        "of",
        "to",
        "in",
        "it",
    ]
    files = {}
    for dim in (50, 100):
        lines = [w + " " + " ".join(f"{v:.5f}" for v in rng.normal(0, 0.4, size=dim)) for w in vocab]
        files[f"glove.6B.{dim}d.txt"] = ("\n".join(lines) + "\n").encode()
    return _zip(files)


def _captchas(rng):
    from PIL import Image, ImageDraw

    files = {}
    letters = list("2345678bcdefgmnpwxy")
    while len(files) < 80:
        text = "".join(rng.choice(letters, size=5))
        image = Image.new("RGBA", (200, 50), (255, 255, 255, 255))
        ImageDraw.Draw(image).text((30, 18), text, fill=(0, 0, 0, 255))
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        files[f"captcha_images_v2/{text}.png"] = buf.getvalue()
    return _zip(files)


def _pets(rng, part):
    from PIL import Image

    files = {}
    for breed in ("Abyssinian", "beagle"):
        for i in range(1, 31):
            if part == "images":
                files[f"images/{breed}_{i}.jpg"] = _jpeg(rng, (120, 140), i % 3)
            else:
                trimap = np.full((120, 140), 2, "uint8")
                trimap[30:90, 35:105] = 1
                trimap[28:30, 33:107] = 3
                buf = io.BytesIO()
                Image.fromarray(trimap, mode="L").save(buf, format="PNG")
                files[f"annotations/trimaps/{breed}_{i}.png"] = buf.getvalue()
    return _tar_gz(files)


def _imagenet_index():
    return json.dumps({str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}).encode()


_URL_FAKES = {
    "heart.csv": _heart_csv,
    "aclImdb_v1.tar.gz": _acl_imdb,
    "nietzsche.txt": lambda rng: _text_corpus(rng, 12000),
    "fra-eng.zip": lambda rng: _zip({"fra.txt": _pairs(rng, 3000, extra=True), "_about.txt": b"fake\n"}),
    "spa-eng.zip": lambda rng: _zip({"spa-eng/spa.txt": _pairs(rng, 3000), "spa-eng/_about.txt": b"fake\n"}),
    "jena_climate_2009_2016.csv.zip": _jena_zip,
    "kagglecatsanddogs_5340.zip": _cats_and_dogs,
    "art_daily_small_noise.csv": lambda rng: _nab_csv(rng, False),
    "art_daily_jumpsup.csv": lambda rng: _nab_csv(rng, True),
    "FordA_TRAIN.tsv": lambda rng: _forda(rng, 600),
    "FordA_TEST.tsv": lambda rng: _forda(rng, 200),
    "ml-latest-small.zip": _movielens,
    "adult.data": lambda rng: _adult(rng, 3000, False),
    "adult.test": lambda rng: _adult(rng, 1000, True),
    "news20.tar.gz": _news20,
    "glove.6B.zip": _glove,
    "captcha_images_v2.zip": _captchas,
    "images.tar.gz": lambda rng: _pets(rng, "images"),
    "annotations.tar.gz": lambda rng: _pets(rng, "annotations"),
    "imagenet_class_index.json": lambda rng: _imagenet_index(),
    "ImagenetClassnames.json": lambda rng: json.dumps({str(i): f"class_{i}" for i in range(1000)}).encode(),
    "ImageNetLabels.txt": lambda rng: ("\n".join(["background"] + [f"class_{i}" for i in range(1000)]) + "\n").encode(),
    # Single pictures (i.imgur.com and friends): a JPEG or PNG of a plausible size.
    "9i63gLN.jpg": lambda rng: _jpeg(rng, (256, 320)),
    "9ooB60I.jpg": lambda rng: _jpeg(rng, (256, 320)),
    "F28w3Ac.jpg": lambda rng: _jpeg(rng, (256, 320)),
    "aGBdQyK.jpg": lambda rng: _jpeg(rng, (256, 320)),
    "Bvro0YD.png": lambda rng: _png(rng, (240, 320)),
    "dog-and-cat-cover.jpg": lambda rng: _jpeg(rng, (240, 320)),
}


def fake_payload_name(url: str) -> str:
    return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


def fake_payload(url: str):
    """The generated bytes served for `url`, or None when the corpus has no fake for it."""
    name = fake_payload_name(url)
    maker = _URL_FAKES.get(name)
    if maker is None:
        return None
    return maker(_rng("url:" + name))


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
        if origin and fake_payload_name(origin) in _URL_FAKES:
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


def install():
    """Patch the `keras` this process resolves; returns that module."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    if not any(isinstance(f, _KerasCoreFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _KerasCoreFinder())
    _patch_network()
    _patch_get_file(keras)
    _patch_datasets(keras)
    _patch_applications(keras)
    _patch_fit(keras)
    _patch_matplotlib()
    _seed(keras)
    return keras
