"""Speed of custom training loops written with torch around a Keras model, keraslite
against Keras 3 (torch backend): the loops of the Keras guides.

    python tools/custom_loop_benchmark.py [--rounds 3] [--steps 60]

Loops (a Keras convnet on MNIST shapes, batch 64):
  torch-optim  `out = model(x)`, torch's CrossEntropyLoss, `loss.backward()`, torch Adam
               (keras.io "custom torch workflow");
  keras-optim  `model(x, training=True)`, a Keras loss, `loss.backward()`, then
               `optimizer.apply(grads, model.trainable_weights)` (the "writing a training
               loop from scratch in torch" guide).
Each measurement is a fresh process, rounds interleave the two libraries, and the median
ms/step over rounds is reported with the ratio keraslite/Keras 3. Run it with an
interpreter that has torch and keras installed; keraslite comes from this checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LOOP = """
import sys, time, torch
import keras
from keras import layers
torch.manual_seed(0)
model = keras.Sequential([layers.Input(shape=(28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(2), layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
    layers.Dropout(0.5), layers.Dense(10)])
x = torch.rand(64, 28, 28, 1)
y = torch.randint(0, 10, (64,))
if sys.argv[1] == "torch-optim":
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    def step():
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
else:
    optimizer = keras.optimizers.Adam(1e-3)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    def step():
        loss = loss_fn(y, model(x, training=True))
        model.zero_grad()
        loss.backward()
        grads = [v.value.grad for v in model.trainable_weights]
        with torch.no_grad():
            optimizer.apply(grads, model.trainable_weights)
for _ in range(5):
    step()
start = time.perf_counter()
for _ in range(int(sys.argv[2])):
    step()
print((time.perf_counter() - start) / int(sys.argv[2]) * 1000)
"""


def measure(library: str, loop: str, steps: int) -> float:
    env = dict(os.environ, OMP_NUM_THREADS="1", KERAS_BACKEND="torch")
    if library == "keraslite":
        env["PYTHONPATH"] = ROOT
        command = [sys.executable, "-m", "keraslite", "run", "-c", LOOP, loop, str(steps)]
    else:
        env.pop("PYTHONPATH", None)
        command = [sys.executable, "-c", LOOP, loop, str(steps)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, cwd="/tmp")
    return float(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args(argv)
    results = {}
    for _ in range(args.rounds):
        for loop in ("torch-optim", "keras-optim"):
            for library in ("keras3", "keraslite"):
                results.setdefault((loop, library), []).append(measure(library, loop, args.steps))
    print(f"{'loop':<12} {'Keras 3 ms/step':>16} {'keraslite ms/step':>18} {'ratio':>6}")
    for loop in ("torch-optim", "keras-optim"):
        keras3 = statistics.median(results[(loop, "keras3")])
        lite = statistics.median(results[(loop, "keraslite")])
        print(f"{loop:<12} {keras3:>16.1f} {lite:>18.1f} {lite / keras3:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
