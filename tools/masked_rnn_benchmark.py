"""Masked recurrent layers over right-padded sequences: the packed kernel against the
full-length one (`keraslite/layers/rnn/packed.py`: which one `prefer_packed` picks), at
inference and in training; the two routes interleaved in one process, medians.

    python tools/masked_rnn_benchmark.py [--batch 1024] [--train-batch 64] [--steps 64]
                                         [--features 64] [--units 64] [--iters 5] [--threads 1]

Sequences are right-padded to `--steps` with lengths uniform in [8, steps] (W6's data).
"""

from __future__ import annotations

import argparse
import statistics
import time


def _timed_routes(layer, x, mask, routes, iters, training):
    import torch

    from keraslite.layers.rnn import packed

    original = packed.prefer_packed

    def call():
        if training:
            layer(x, mask=mask, training=True).sum().backward()
        else:
            with torch.no_grad():
                layer(x, mask=mask)

    times = {name: [] for name in routes}
    try:
        for name, prefer in routes.items():  # warm-up
            packed.prefer_packed = prefer
            call()
        for _ in range(iters):
            for name, prefer in routes.items():
                packed.prefer_packed = prefer
                start = time.perf_counter()
                call()
                times[name].append(time.perf_counter() - start)
    finally:
        packed.prefer_packed = original
    return {name: statistics.median(t) * 1e3 for name, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1024, help="inference batch")
    parser.add_argument("--train-batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    import torch

    from keraslite import layers

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    routes = {"packed": lambda: True, "full length": lambda: False}
    print(
        f"torch {torch.__version__}, {args.threads} thread(s); steps {args.steps}, features {args.features}, "
        f"units {args.units}; ms per call, median of {args.iters}"
    )
    for training, batch in ((False, args.batch), (True, args.train_batch)):
        x = torch.randn(batch, args.steps, args.features, requires_grad=training)
        lengths = torch.randint(8, args.steps + 1, (batch,))
        mask = torch.arange(args.steps)[None] < lengths[:, None]
        for name, make in (
            ("LSTM", lambda: layers.LSTM(args.units, return_sequences=True)),
            ("GRU", lambda: layers.GRU(args.units, return_sequences=True)),
            ("Bidirectional(LSTM)", lambda: layers.Bidirectional(layers.LSTM(args.units, return_sequences=True))),
            ("Bidirectional(GRU)", lambda: layers.Bidirectional(layers.GRU(args.units))),
        ):
            layer = make()
            times = _timed_routes(layer, x, mask, routes, args.iters, training)
            mode = f"{'training' if training else 'inference'} @{batch}"
            cells = "  ".join(f"{route} {ms:7.1f}" for route, ms in times.items())
            print(f"{mode:15s} {name:20s} {cells}  packed/full {times['packed'] / times['full length']:.2f}")


if __name__ == "__main__":
    main()
