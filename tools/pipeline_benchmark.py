"""Does an input pipeline starve `fit`? ms per training step of the MNIST MLP (W1 of
benchmark_workloads.py: 784-64-64-10, RMSprop, batch 64) fed three ways:

    in_memory    NumPy arrays given to `fit` (the reference: sliced on the device per batch)
    tf_data      the tf.data shim: from_tensor_slices((uint8 images, labels))
                 -> map(cast to float32, / 255) -> batch(64) -> prefetch(AUTOTUNE)
    dataloader   torch.utils.data.DataLoader(TensorDataset(uint8 images, labels), batch_size=64,
                 num_workers=2, persistent_workers=True) and the same scaling in the dataset

    python tools/pipeline_benchmark.py                 # 3 interleaved rounds, 2 epochs each
    python tools/pipeline_benchmark.py --rounds 5 --rows 19200

Each feed trains the same model (same initial weights) for a warm-up epoch, then the timed
epochs (wall clock: the workers of a DataLoader run beside the loop, which is the point);
`dataloader_torch_loop` is a hand-written PyTorch loop on the same DataLoader (what the
loader allows code that adds nothing), `dataloader_iteration_only` the DataLoader iterated
with no training at all (when it is above in-memory, the workers are what is short);
rounds are interleaved across feeds and the median is reported with its ratio to in-memory
arrays. The load average at the start and the end is printed: the figures are only as quiet
as the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

BATCH = 64


class ScaledImages(torch.utils.data.Dataset):
    """uint8 images and labels, each image scaled to float32 in [0, 1] as it is read."""

    def __init__(self, images: np.ndarray, labels: np.ndarray):
        self.images, self.labels = torch.from_numpy(images), torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return self.images[index].float() / 255.0, self.labels[index]


def make_model(keras, seed_weights=None):
    layers = keras.layers
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    model = keras.Model(inputs, layers.Dense(10)(x))
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    if seed_weights is not None:
        model.set_weights(seed_weights)
    return model


def make_feeds(images: np.ndarray, labels: np.ndarray):
    from keraslite.compat import tensorflow as tf

    def in_memory():
        return (images.astype("float32") / 255.0, labels), {"batch_size": BATCH}

    def tf_data():
        dataset = (
            tf.data.Dataset.from_tensor_slices((images, labels))
            .map(lambda image, label: (tf.cast(image, tf.float32) / 255.0, label))
            .batch(BATCH)
            .prefetch(tf.data.AUTOTUNE)
        )
        return (dataset,), {}

    loader = torch.utils.data.DataLoader(
        ScaledImages(images, labels), batch_size=BATCH, shuffle=False, num_workers=2, persistent_workers=True
    )

    def dataloader():
        return (loader,), {}

    return {"in_memory": in_memory, "tf_data": tf_data, "dataloader": dataloader}, loader


def time_torch_loop(loader, epochs: int) -> float:
    """ms per step of a hand-written PyTorch loop (same MLP, RMSprop) on the same DataLoader:
    what the loader gives code that adds nothing of its own."""
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    )
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)

    def epoch():
        steps = 0
        for images, labels in loader:
            loss = torch.nn.functional.cross_entropy(model(images), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            steps += 1
        return steps

    epoch()  # warm-up
    start = time.perf_counter()
    steps = sum(epoch() for _ in range(epochs))
    return (time.perf_counter() - start) / max(steps, 1) * 1e3


def time_iteration(loader, epochs: int) -> float:
    """ms per batch of only iterating `loader` (no training): how fast its workers produce."""
    for _ in loader:  # warm-up, as the fits have
        pass
    batches = 0
    start = time.perf_counter()
    for _ in range(epochs):
        for _ in loader:
            batches += 1
    return (time.perf_counter() - start) / max(batches, 1) * 1e3


def time_feed(keras, feed, weights, epochs: int) -> float:
    """ms per step over `epochs` timed epochs, after one warm-up epoch."""
    model = make_model(keras, weights)
    args, kwargs = feed()
    fit_kwargs = dict(kwargs, epochs=1, verbose=0, shuffle=False)
    model.fit(*args, **fit_kwargs)  # warm-up: builds the optimizer, starts workers
    steps = 0
    start = time.perf_counter()
    for _ in range(epochs):
        history = model.fit(*args, **fit_kwargs)
        steps += history.params["steps"] or 0
    return (time.perf_counter() - start) / max(steps, 1) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per round")
    parser.add_argument("--rows", type=int, default=BATCH * 300)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads of the training loop")
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "torch")
    torch.set_num_threads(args.threads)
    import keraslite as keras

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (args.rows, 784), dtype=np.uint8)
    labels = rng.integers(0, 10, args.rows)
    weights = make_model(keras).get_weights()
    feeds, loader = make_feeds(images, labels)
    load_before = _loadavg()
    timings = {name: [] for name in list(feeds) + ["dataloader_torch_loop", "dataloader_iteration_only"]}
    for _ in range(args.rounds):
        for name, feed in feeds.items():
            timings[name].append(time_feed(keras, feed, weights, args.epochs))
            print(f"  {name}: {timings[name][-1]:.3f} ms/step", file=sys.stderr, flush=True)
        timings["dataloader_torch_loop"].append(time_torch_loop(loader, args.epochs))
        timings["dataloader_iteration_only"].append(time_iteration(loader, args.epochs))
    base = statistics.median(timings["in_memory"])
    print(
        f"\nW1 MLP fit, batch {BATCH}, {args.rows} rows; torch {torch.__version__}, {args.threads} thread(s); "
        f"median of {args.rounds} round(s) x {args.epochs} epoch(s); load average {load_before} (start) / "
        f"{_loadavg()} (end)\n"
    )
    print("| feed | ms/step | ratio to in-memory | steps/s |")
    print("|---|---|---|---|")
    for name, values in timings.items():
        value = statistics.median(values)
        print(f"| {name} | {value:.3f} | {value / base:.2f}x | {1e3 / value:.0f} |")


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


if __name__ == "__main__":
    main()
