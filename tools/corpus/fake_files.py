"""Generated files in the real formats, served for the download URLs that corpus tutorials
use (zip/tar archives of images or text, csv/tsv tables, GloVe vectors, ...): what the
offline preamble answers instead of the network. Every file is made from a generator seeded
by its name, so a tutorial sees the same data on every run and under both frameworks."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tarfile
import zipfile

import fake_tables  # this folder is on sys.path, as for the corpus's other modules
import numpy as np

SEED = int(os.environ.get("CORPUS_SEED", "1337"))


def seeded_rng(name: str) -> np.random.Generator:
    """A generator seeded by the corpus seed and `name`."""
    digest = hashlib.sha256(f"{SEED}:{name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


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


_IMDB_VOCAB = [f"word{i}" for i in range(3000)]


def _acl_imdb(rng):
    files = {"aclImdb/README": b"fake\n", "aclImdb/imdb.vocab": b"the\na\n"}
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            for i in range(60):
                mood = ["great", "love", "best", "fun"] if label == "pos" else ["awful", "hate", "worst", "boring"]
                # A vocabulary of a few thousand words: tutorials index it (`get_vocabulary()[1287]`).
                text = (
                    _words(rng, 40, _IMDB_VOCAB)
                    + " "
                    + " ".join(rng.choice(mood, size=8))
                    + " <br /> "
                    + _words(rng, 20)
                )
                files[f"aclImdb/{split}/{label}/{i}_{int(rng.integers(1, 10))}.txt"] = text.encode()
    for i in range(40):
        files[f"aclImdb/train/unsup/{i}_0.txt"] = _words(rng, 50).encode()
    # The review tensorflow.org's text_classification tutorial opens by name.
    files["aclImdb/train/pos/1181_9.txt"] = (_words(rng, 40) + " great love <br /> best").encode()
    return _tar_gz(files)


# The sentences tensorflow.org's translation tutorial translates at the end (their words must
# be in the vocabulary).
_SPANISH_EXAMPLES = (
    "It's very cold here.\tHace mucho frío aquí.\n"
    "This is my life.\tEsta es mi vida.\n"
    "Are you still at home?\t¿Todavía están en casa?\n"
    "Try to figure it out.\tTrata de averiguarlo.\n"
).encode()


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
            number = 6779 if (folder == "Cat" and i == 0) else i  # the tutorial shows Cat/6779.jpg
            files[f"PetImages/{folder}/{number}.jpg"] = _jpeg(rng, (96, 96), label)
        files[f"PetImages/{folder}/Thumbs.db"] = b"not an image"
    files["readme[1].txt"] = b"fake\n"
    return _zip(files)


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
    """20_newsgroup/<group>/<id>: ten header lines, then a body whose words lean on the group
    (the tutorial prints comp.graphics/38987 and drops the first ten lines of every file)."""
    files = {}
    groups = {
        "comp.graphics": ["good", "great", "best", "fun", "story"],
        "rec.autos": ["bad", "awful", "worst", "boring", "plot"],
        "sci.space": ["time", "scene", "actor", "character", "love"],
    }
    for group, lean in groups.items():
        for i in range(40):
            number = 38987 if (group == "comp.graphics" and i == 0) else 1000 + i
            header = [f"Xref: cantaloupe.srv.cs.cmu.edu {group}:{number}", f"Newsgroups: {group}"]
            header += [f"Path: x{j}" for j in range(8)]
            body = [_words(rng, 12) + " " + " ".join(rng.choice(lean, size=6)) for _ in range(4)]
            body.append("the cat sat on the mat")  # the tutorial looks these words up
            files[f"20_newsgroup/{group}/{number}"] = ("\n".join(header + body) + "\n").encode()
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
    """Oxford-IIIT pets: images/<Breed>_<i>.jpg and annotations/trimaps/<Breed>_<i>.png
    (1 pet, 2 background, 3 border); 1100 of them (the Keras tutorial keeps 1000 back for
    validation)."""
    from PIL import Image

    files = {}
    for breed in ("Abyssinian", "beagle"):
        for i in range(1, 551):
            if part == "images":
                files[f"images/{breed}_{i}.jpg"] = _jpeg(rng, (60, 70), i % 3)
            else:
                trimap = np.full((60, 70), 2, "uint8")
                trimap[15:45, 17:53] = 1
                trimap[14:15, 16:54] = 3
                buf = io.BytesIO()
                Image.fromarray(trimap, mode="L").save(buf, format="PNG")
                files[f"annotations/trimaps/{breed}_{i}.png"] = buf.getvalue()
    return _tar_gz(files)


def _mnist_npz(rng):
    buf = io.BytesIO()
    x = rng.integers(0, 255, size=(12000, 28, 28)).astype("uint8")
    y = rng.integers(0, 10, size=12000).astype("uint8")
    x[np.arange(12000), y * 2, :] = 255  # a class-dependent bright row: learnable
    np.savez_compressed(buf, x_train=x[:10000], y_train=y[:10000], x_test=x[10000:], y_test=y[10000:])
    return buf.getvalue()


def _cats_and_dogs_filtered(rng):
    files = {}
    # Enough for the tutorial's `total_train // batch_size` (128) steps to be positive.
    for split, n in (("train", 150), ("validation", 70)):
        for label, animal in enumerate(("cats", "dogs")):
            for i in range(n):
                files[f"cats_and_dogs_filtered/{split}/{animal}/{animal[:-1]}.{i}.jpg"] = _jpeg(rng, (120, 150), label)
    files["cats_and_dogs_filtered/vectorize.py"] = b"# fake\n"
    return _zip(files)


def _flower_photos(rng):
    files = {"flower_photos/LICENSE.txt": b"fake\n"}
    for label, flower in enumerate(("daisy", "dandelion", "roses", "sunflowers", "tulips")):
        for i in range(24):
            files[f"flower_photos/{flower}/{1000 + i}_{flower}.jpg"] = _jpeg(rng, (180, 240), label)
    return _tar_gz(files)


def _facades(rng):
    files = {}
    for split, n in (("train", 12), ("test", 6), ("val", 4)):
        for i in range(1, n + 1):
            files[f"facades/{split}/{i if split != 'train' else 99 + i}.jpg"] = _jpeg(rng, (256, 512), i)
    return _tar_gz(files)


def _pemsd7(rng, steps=1600, routes=228):
    """PeMSD7_Full.zip: PeMSD7_W_228.csv (distances in metres between 228 stations on a road)
    and PeMSD7_V_228.csv (speeds, one row per 5 minutes, a daily rhythm plus noise)."""
    position = np.cumsum(rng.uniform(300, 1500, size=routes))
    distances = np.abs(position[:, None] - position[None, :])
    t = np.arange(steps)[:, None]
    daily = np.sin(2 * np.pi * (t % 288) / 288 + position[None, :] / 20000)
    speeds = 60 - 15 * daily + rng.normal(0, 2, (steps, routes))
    w = "\n".join(",".join(f"{v:.1f}" for v in row) for row in distances) + "\n"
    v = "\n".join(",".join(f"{x:.1f}" for x in row) for row in speeds) + "\n"
    return _zip({"PeMSD7_W_228.csv": w.encode(), "PeMSD7_V_228.csv": v.encode()})


def _flickr8k(rng, part, n=96):
    """Flickr8k_Dataset.zip (Flicker8k_Dataset/<id>.jpg) and Flickr8k_text.zip
    (Flickr8k.token.txt: `<id>.jpg#k<TAB>caption`, five captions an image)."""
    names = [f"{1000268201 + 7919 * i}_{int(rng.integers(1e9, 9e9)):x}.jpg" for i in range(n)]
    if part == "images":
        return _zip({f"Flicker8k_Dataset/{name}": _jpeg(rng, (96, 128), i) for i, name in enumerate(names)})
    subjects = ["a dog", "a child", "two men", "a girl", "a black dog", "people"]
    actions = ["runs through the grass", "is playing in the water", "climbs a rock", "sits on a bench"]
    lines = []
    for i, name in enumerate(names):
        for k in range(5):
            caption = f"{subjects[i % len(subjects)]} {actions[(i + k) % len(actions)]} ."
            if k == 4 and i % 17 == 0:
                caption = "a dog ."  # too short: the tutorial skips such images
            lines.append(f"{name}#{k}\t{caption}")
    text = ("\n".join(lines) + "\n").encode()
    return _zip({"Flickr8k.token.txt": text, "Flickr_8k.trainImages.txt": "\n".join(names).encode()})


def _looks_like(rng, side, n=20):
    """left.zip / right.zip (Totally Looks Like): left/<id>.jpg and right/<id>.jpg, pairs
    sharing a colour."""
    pair_rng = seeded_rng("totally-looks-like")
    tints = pair_rng.integers(0, 3, size=n)
    return _zip({f"{side}/{i:05d}.jpg": _jpeg(rng, (120, 120), int(tints[i])) for i in range(n)})


def _lol(rng, train=432, test=15, size=128):
    """lol_dataset.zip (LOw-Light pairs): lol_dataset/{our485,eval15}/{low,high}/<i>.png, the
    low image a dim copy of the high one; smooth pictures, so the PNGs stay small."""
    from PIL import Image

    def png(array):
        buf = io.BytesIO()
        Image.fromarray(array).save(buf, format="PNG")
        return buf.getvalue()

    yy, xx = np.mgrid[0:size, 0:size] / size
    files = {}
    for split, n in (("our485", train), ("eval15", test)):
        for i in range(1, n + 1):
            colour = rng.uniform(0.3, 1.0, size=3)
            phase = rng.uniform(0, 6.28)
            shade = 0.5 + 0.5 * np.sin(6 * xx + 4 * yy + phase)
            high = (shade[..., None] * colour * 255).astype("uint8")
            low = (high * 0.15 + 2).astype("uint8")
            files[f"lol_dataset/{split}/high/{i}.png"] = png(high)
            files[f"lol_dataset/{split}/low/{i}.png"] = png(low)
    return _zip(files)


def _wav(samples, rate=16000):
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32000).astype("<i2").tobytes())
    return buf.getvalue()


def _speeches(rng, per_speaker=260):
    """16000_pcm_speeches (Kaggle speaker recognition): one folder of 1-second 16 kHz wav
    files per speaker (each speaker a pitch of their own), and the noise folders `other` and
    `_background_noise_` with longer 16 kHz recordings. 1300 files: the tutorial indexes
    up to 128 into one batch of its 10% validation split."""
    t = np.arange(16000) / 16000
    speakers = ["Benjamin_Netanyau", "Jens_Stoltenberg", "Julia_Gillard", "Magaret_Tarcher", "Nelson_Mandela"]
    files = {}
    for k, speaker in enumerate(speakers):
        for i in range(per_speaker):
            pitch = 120 + 60 * k + rng.uniform(-5, 5)
            voice = 0.4 * np.sin(2 * np.pi * pitch * t) + 0.2 * np.sin(4 * np.pi * pitch * t)
            files[f"16000_pcm_speeches/{speaker}/{i}.wav"] = _wav(voice + rng.normal(0, 0.05, 16000))
    for folder, seconds in (("other", 2), ("_background_noise_", 3)):
        for i in range(2):
            files[f"16000_pcm_speeches/{folder}/noise_{i}.wav"] = _wav(rng.normal(0, 0.3, 16000 * seconds))
    return _zip(files)


def _speech_commands(rng, per_word=80):
    """mini_speech_commands.zip: mini_speech_commands/<word>/<8 hex>_nohash_<i>.wav (1-second
    16 kHz recordings, some shorter as in the real set; each word a pitch of its own) and a
    README.md beside the word folders; `no/01bb6a2a_nohash_0.wav` exists (the tutorial opens it)."""
    words = ["down", "go", "left", "no", "right", "stop", "up", "yes"]
    files = {"mini_speech_commands/README.md": b"Fake speech commands (offline corpus).\n"}
    for k, word in enumerate(words):
        for i in range(per_word):
            length = 16000 if i % 5 else 13000
            t = np.arange(length) / 16000
            tone = 0.5 * np.sin(2 * np.pi * (200 + 70 * k) * t) * np.hanning(length)
            name = "01bb6a2a" if (word, i) == ("no", 0) else f"{rng.integers(16**8):08x}"
            files[f"mini_speech_commands/{word}/{name}_nohash_0.wav"] = _wav(tone + rng.normal(0, 0.05, length))
    return _zip(files)


def _celeba(rng, n=160):
    """img_align_celeba/<6 digits>.jpg (CelebA, aligned faces: 178 x 218)."""
    return _zip({f"img_align_celeba/{i:06d}.jpg": _jpeg(rng, (218, 178), i % 3) for i in range(1, n + 1)})


def _imagenet_index():
    return json.dumps({str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}).encode()


_URL_FAKES = {
    "heart.csv": fake_tables.heart_csv,
    "aclImdb_v1.tar.gz": _acl_imdb,
    "nietzsche.txt": lambda rng: _text_corpus(rng, 12000),
    "fra-eng.zip": lambda rng: _zip({"fra.txt": _pairs(rng, 3000, extra=True), "_about.txt": b"fake\n"}),
    "spa-eng.zip": lambda rng: _zip(
        {"spa-eng/spa.txt": _SPANISH_EXAMPLES + _pairs(rng, 3000), "spa-eng/_about.txt": b"fake\n"}
    ),
    "jena_climate_2009_2016.csv.zip": _jena_zip,
    "kagglecatsanddogs_5340.zip": _cats_and_dogs,
    "art_daily_small_noise.csv": lambda rng: fake_tables.nab_csv(rng, False),
    "art_daily_jumpsup.csv": lambda rng: fake_tables.nab_csv(rng, True),
    "FordA_TRAIN.tsv": lambda rng: fake_tables.forda(rng, 600),
    "FordA_TEST.tsv": lambda rng: fake_tables.forda(rng, 200),
    "ml-latest-small.zip": _movielens,
    "adult.data": lambda rng: fake_tables.adult(rng, 3000, False),
    "adult.test": lambda rng: fake_tables.adult(rng, 1000, True),
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
    # tensorflow.org (TF 2.x era) tutorials
    "YellowLabradorLooking_new.jpg": lambda rng: _jpeg(rng, (577, 700)),
    "iris_training.csv": lambda rng: fake_tables.iris_csv(rng, 120),
    "iris_test.csv": lambda rng: fake_tables.iris_csv(rng, 30),
    "titanic/train.csv": lambda rng: fake_tables.titanic_csv(rng, 627),
    "titanic/eval.csv": lambda rng: fake_tables.titanic_csv(rng, 264),
    "creditcard.csv": lambda rng: fake_tables.creditcard_csv(rng, 6000),
    "HIGGS.csv.gz": lambda rng: fake_tables.higgs_gz(rng, 12000),
    "auto-mpg.data": lambda rng: fake_tables.auto_mpg(rng, 398),
    "mnist.npz": _mnist_npz,
    "cats_and_dogs_filtered.zip": _cats_and_dogs_filtered,
    "flower_photos.tgz": _flower_photos,
    "facades.tar.gz": _facades,
    # The text generation tutorial starts from "ROMEO: ": its characters must be in the text.
    "shakespeare.txt": lambda rng: (
        b"First Citizen:\nROMEO: Before we proceed any further, hear me speak.\n" + _text_corpus(rng, 30000)
    ),
    # files that keras-core ports fetch with shell lines (gdown, wget): staged by the manifest
    "eeg-data.csv": fake_tables.eeg_csv,
    "PeMSD7_Full.zip": _pemsd7,
    "Flickr8k_Dataset.zip": lambda rng: _flickr8k(rng, "images"),
    "Flickr8k_text.zip": lambda rng: _flickr8k(seeded_rng("url:Flickr8k_Dataset.zip"), "text"),
    "lol_dataset.zip": _lol,
    "16000_pcm_speeches.zip": _speeches,
    "mini_speech_commands.zip": _speech_commands,
    "wdbc.data": fake_tables.wdbc,
    "ecg.csv": fake_tables.ecg_csv,
    "left.zip": lambda rng: _looks_like(rng, "left"),
    "right.zip": lambda rng: _looks_like(rng, "right"),
}


# Google Drive files (`gdown.download(url, output)`), by file id.
_DRIVE_FAKES = {"1O7m1010EJjLE5QxLZiM9Fpjs7Oj6e684": _celeba}


def fake_drive_payload(url: str):
    """The generated bytes for a Google Drive URL (`...?id=<file id>`), or None."""
    match = re.search(r"[?&]id=([\w-]+)|/d/([\w-]+)", url)
    file_id = match and (match.group(1) or match.group(2))
    maker = _DRIVE_FAKES.get(file_id)
    return None if maker is None else maker(seeded_rng("drive:" + file_id))


def fake_payload_name(url: str) -> str:
    """The key of `url`'s fake: its file name, or `folder/name` where a bare file name
    would be ambiguous (`titanic/train.csv`)."""
    parts = url.split("?")[0].rstrip("/").rsplit("/", 2)
    two = "/".join(parts[-2:])
    return two if two in _URL_FAKES else parts[-1]


def has_fake(url: str) -> bool:
    """Whether the corpus serves a generated file for `url`."""
    return fake_payload_name(url) in _URL_FAKES


def fake_payload(url: str):
    """The generated bytes served for `url`, or None when the corpus has no fake for it."""
    name = fake_payload_name(url)
    maker = _URL_FAKES.get(name)
    if maker is None:
        return None
    return maker(seeded_rng("url:" + name))
