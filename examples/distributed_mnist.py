"""Data-parallel training of the guide's MNIST MLP with `keras.distribution`, on PyTorch's
own engine (torchrun + DistributedDataParallel).

    torchrun --nproc_per_node=2 examples/distributed_mnist.py     # 2 processes (gloo on CPU, nccl on GPUs)
    python examples/distributed_mnist.py                          # the same script, 1 process

`batch_size=64` is the global batch: each of N processes trains on 64 / N samples of every
batch, DDP averages the gradients, so 1 and N processes train the same model. Only rank 0
prints and writes `distributed_mnist.keras`. Add `--synthetic` to train on random data of
MNIST's shape (no download), `--epochs N` to change the length.
"""

import argparse
import time

import numpy as np
import torch.distributed as dist

import keraslite as keras

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch-size", type=int, default=64, help="the global batch")
parser.add_argument("--synthetic", action="store_true", help="random data of MNIST's shape")
args = parser.parse_args()

keras.distribution.initialize()  # reads torchrun's RANK, WORLD_SIZE, MASTER_ADDR, ...
keras.distribution.set_distribution(keras.distribution.DataParallel())
processes = keras.distribution.get_device_count()

if args.synthetic:
    rng = np.random.RandomState(0)
    (x_train, y_train), (x_test, y_test) = (
        (rng.randint(0, 256, (60000, 28, 28)).astype("uint8"), rng.randint(0, 10, 60000)),
        (rng.randint(0, 256, (10000, 28, 28)).astype("uint8"), rng.randint(0, 10, 10000)),
    )
else:
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.reshape(60000, 784).astype("float32") / 255
x_test = x_test.reshape(10000, 784).astype("float32") / 255

keras.utils.set_random_seed(1)  # the same initial weights in every process (DDP also broadcasts rank 0's)
inputs = keras.Input(shape=(784,))
x = keras.layers.Dense(64, activation="relu")(inputs)
x = keras.layers.Dense(64, activation="relu")(x)
outputs = keras.layers.Dense(10)(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)


class Throughput(keras.callbacks.Callback):
    """Training samples per second over the epochs after the first (which warms up)."""

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - getattr(self, "start", time.perf_counter())


throughput = Throughput()
history = model.fit(
    x_train,
    y_train,
    batch_size=args.batch_size,
    epochs=args.epochs,
    validation_split=0.2,
    callbacks=[throughput],
    verbose=2,
)
test_scores = model.evaluate(x_test, y_test, batch_size=args.batch_size, verbose=0)
model.save("distributed_mnist.keras")  # rank 0 writes; the file loads in one process
if dist.get_rank() == 0 and args.epochs > 1:
    samples = 48000 * (args.epochs - 1)
    print(f"processes: {processes}  test loss {test_scores[0]:.4f}  test accuracy {test_scores[1]:.4f}")
    print(f"training samples/s (epochs 2..{args.epochs}, all processes together): {samples / throughput.seconds:.0f}")
