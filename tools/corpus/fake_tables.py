"""The corpus's generated table files (CSV and friends) by kind: what `fake_files.py` serves
for the tabular downloads of the cases -- the real columns, header and separators, few rows,
values drawn so that the tutorial's model has something to learn. Each maker takes a seeded
`numpy.random.Generator` and returns the file's bytes."""

from __future__ import annotations

import gzip
import json
import math

import numpy as np


def heart_csv(rng):
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


def nab_csv(rng, jump):
    lines = ["timestamp,value"]
    start = np.datetime64("2014-04-01T00:00")
    for i in range(4032):
        value = 20 + 20 * math.sin(2 * math.pi * (i % 288) / 288) + float(rng.normal(0, 1))
        if jump and 2900 <= i < 3000:
            value += 60
        lines.append(f"{str(start + np.timedelta64(5 * i, 'm')).replace('T', ' ')}:00,{value:.6f}")
    return ("\n".join(lines) + "\n").encode()


def forda(rng, n):
    lines = []
    for _ in range(n):
        label = int(rng.choice([-1, 1]))
        t = np.linspace(0, 8 * np.pi, 500)
        series = np.sin(t * (1.0 if label == 1 else 1.5)) + rng.normal(0, 0.3, size=500)
        series = (series - series.mean()) / series.std()
        lines.append("\t".join([str(label)] + [f"{v:.6f}" for v in series]))
    return ("\n".join(lines) + "\n").encode()


def adult(rng, n, test):
    cats = {
        "workclass": ["Private", "Self-emp-not-inc", "Local-gov", "State-gov", "?"],
        "education": ["Bachelors", "HS-grad", "Masters", "Some-college", "11th"],
        "marital": ["Married-civ-spouse", "Never-married", "Divorced"],
        "occupation": ["Tech-support", "Craft-repair", "Sales", "Exec-managerial", "?"],
        "relationship": ["Wife", "Husband", "Not-in-family", "Own-child"],
        "race": ["White", "Black", "Asian-Pac-Islander", "Other"],
        "gender": ["Male", "Female"],
        # The most values, as in the real set (one tutorial sizes every embedding by it).
        "country": ["United-States", "Mexico", "India", "?", "Germany", "Canada", "Philippines", "Cuba", "England"],
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


def iris_csv(rng, n):
    """TensorFlow's iris files: a header `n,4,setosa,versicolor,virginica`, then rows."""
    lines = [f"{n},4,setosa,versicolor,virginica"]
    centers = np.array([[5.0, 3.4, 1.5, 0.2], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]])
    for _ in range(n):
        label = int(rng.integers(0, 3))
        row = centers[label] + rng.normal(0, 0.25, size=4)
        lines.append(",".join(f"{max(v, 0.1):.1f}" for v in row) + f",{label}")
    return ("\n".join(lines) + "\n").encode()


def titanic_csv(rng, n):
    lines = ["survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone"]
    for _ in range(n):
        sex = str(rng.choice(["male", "female"]))
        klass = str(rng.choice(["First", "Second", "Third"]))
        survived = int(rng.uniform() < (0.75 if sex == "female" else 0.2) + (0.1 if klass == "First" else 0))
        siblings, parch = int(rng.integers(0, 3)), int(rng.integers(0, 3))
        lines.append(
            f"{survived},{sex},{rng.uniform(1, 70):.1f},{siblings},{parch},{rng.uniform(5, 100):.4f},{klass},"
            f"{rng.choice(['unknown', 'A', 'B', 'C'])},{rng.choice(['Southampton', 'Cherbourg', 'Queenstown'])},"
            f"{'y' if siblings + parch == 0 else 'n'}"
        )
    return ("\n".join(lines) + "\n").encode()


def creditcard_csv(rng, n):
    """Time, V1..V28, Amount, Class (about 2% positive; shifted features when positive)."""
    lines = ["Time," + ",".join(f"V{i}" for i in range(1, 29)) + ",Amount,Class"]
    for i in range(n):
        label = int(rng.uniform() < 0.02)
        v = rng.normal(2.0 * label, 1.0, size=28)
        lines.append(f"{i * 1.5:.1f}," + ",".join(f"{x:.6f}" for x in v) + f",{rng.uniform(0, 300):.2f},{label}")
    return ("\n".join(lines) + "\n").encode()


def higgs_gz(rng, n):
    """HIGGS.csv.gz: label then 28 features per row, no header, gzip."""
    labels = rng.integers(0, 2, size=n)
    features = rng.normal(0, 1, size=(n, 28)) + labels[:, None] * 0.5
    lines = [f"{float(y):.18e}," + ",".join(f"{x:.18e}" for x in row) for y, row in zip(labels, features)]
    return gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1)


def auto_mpg(rng, n):
    """auto-mpg.data: whitespace columns, `?` for a missing horsepower, tab then the car name."""
    lines = []
    for i in range(n):
        cylinders = int(rng.choice([4, 6, 8]))
        weight = 1500 + 400 * cylinders + rng.normal(0, 200)
        horsepower = "?" if i % 60 == 5 else f"{40 + 15 * cylinders + rng.normal(0, 10):.1f}"
        mpg = 50 - weight / 150 + rng.normal(0, 2)
        lines.append(
            f"{mpg:.1f}   {cylinders}   {60 + 40 * cylinders:.1f}      {horsepower}      {weight:.1f}      "
            f'{rng.uniform(8, 25):.1f}   {int(rng.integers(70, 83))}  {int(rng.integers(1, 4))}\t"car {i}"'
        )
    return ("\n".join(lines) + "\n").encode()


def eeg_csv(rng, n=480):
    """eeg-data.csv (Berkeley synchronized brainwave set): one reading per row, `raw_values`
    a JSON list of 512 samples whose frequency depends on the (numbered) task label."""
    labels = ["blink1", "blink2", "math1", "math2", "relax", "music", "video-ver1", "readyRound1", "colorRound1-1"]
    lines = [
        "Unnamed: 0,id,indra_time,browser_latency,reading_time,attention_esense,meditation_esense,"
        "eeg_power,raw_values,signal_quality,createdAt,updatedAt,label"
    ]
    t = np.arange(512)
    for i in range(n):
        if i % 20 == 19:
            label = "unlabeled" if i % 40 == 19 else "everyone paired"
        else:
            label = labels[i % len(labels)]
        base = ["blink", "math", "relax", "music", "video", "readyRound", "colorRound"]
        k = next((j for j, b in enumerate(base) if label.startswith(b)), 0)
        raw = np.round(200 * np.sin(t * (k + 1) * 0.05) + rng.normal(0, 40, size=512)).astype(int)
        power = json.dumps([int(v) for v in rng.integers(1000, 100000, size=8)])
        quality = 0 if i % 11 else 200
        stamp = f"2015-05-09 23:{i // 60 % 60:02d}:{i % 60:02d}.{i:03d}"
        fields = [
            str(i),
            str(7 + i % 30),
            stamp,
            str(int(rng.integers(500, 2000))),
            stamp,
            str(int(rng.integers(0, 100))),
            str(int(rng.integers(0, 100))),
            '"' + power.replace('"', '""') + '"',
            '"' + json.dumps([int(v) for v in raw]) + '"',
            str(quality),
            stamp,
            stamp,
            label,
        ]
        lines.append(",".join(fields))
    return ("\n".join(lines) + "\n").encode()


def wdbc(rng, n=569):
    """wdbc.data (UCI breast cancer, diagnostic): id, diagnosis M/B, then 30 features (the
    mean, standard error and worst of ten measurements), no header; malignant cases larger."""
    malignant = rng.random(n) < 0.37
    scale = np.concatenate([rng.uniform(0.05, 30, 10)] * 3)
    features = scale * (1 + 0.15 * rng.normal(size=(n, 30)) + 0.4 * malignant[:, None])
    rows = [
        ",".join([str(842302 + i), "M" if malignant[i] else "B"] + [f"{v:.5g}" for v in features[i]]) for i in range(n)
    ]
    return ("\n".join(rows) + "\n").encode()


def ecg_csv(rng, n=1000):
    """ecg.csv (ECG5000): 140 readings per heartbeat then the label (1 normal, 0 abnormal), no
    header; the abnormal beats have a different shape."""
    t = np.linspace(0, 1, 140)
    labels = (rng.random(n) < 0.58).astype(int)
    normal = np.sin(2 * np.pi * t) - 2 * np.exp(-(((t - 0.3) / 0.03) ** 2))
    abnormal = 0.6 * np.sin(4 * np.pi * t) - 1.5 * np.exp(-(((t - 0.6) / 0.05) ** 2))
    beats = np.where(labels[:, None] == 1, normal, abnormal) + rng.normal(0, 0.2, (n, 140))
    rows = [",".join([f"{v:.6f}" for v in beats[i]] + [f"{labels[i]:.6f}"]) for i in range(n)]
    return ("\n".join(rows) + "\n").encode()
