"""tools/masked_rnn_benchmark.py runs both routes for every layer and leaves the route choice
(`packed.prefer_packed`) as it found it."""

import os
import sys

from keraslite.layers.rnn import packed

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tools"))
import masked_rnn_benchmark  # noqa: E402


def test_smoke_run_prints_both_routes_for_each_layer(capsys):
    before = packed.prefer_packed
    masked_rnn_benchmark.main(["--batch", "6", "--train-batch", "4", "--steps", "9", "--units", "3", "--iters", "1"])
    lines = [line for line in capsys.readouterr().out.splitlines() if "packed/full" in line]
    assert len(lines) == 8  # 4 layers x (inference, training)
    assert all("packed" in line and "full length" in line for line in lines)
    assert packed.prefer_packed is before
