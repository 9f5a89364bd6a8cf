"""tools/pipeline_benchmark.py: its three feeds hand `fit` the same batches (so that their
ms/step compare the same work), and one round runs end to end."""

import os
import sys

import numpy as np
import torch

import keraslite as keras

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tools"))
import pipeline_benchmark  # noqa: E402


def test_the_feeds_give_the_same_batches():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (150, 784), dtype=np.uint8)
    labels = rng.integers(0, 10, 150)
    feeds, loader = pipeline_benchmark.make_feeds(images, labels)
    (x, y), kwargs = feeds["in_memory"]()
    size = kwargs["batch_size"]
    (dataset,), _ = feeds["tf_data"]()
    from_dataset = list(dataset)
    from_loader = list(loader)
    assert len(from_dataset) == len(from_loader) == -(-len(x) // size)
    for index, ((dx, dy), (lx, ly)) in enumerate(zip(from_dataset, from_loader)):
        rows = slice(index * size, (index + 1) * size)
        np.testing.assert_allclose(np.asarray(dx), x[rows], rtol=1e-6)
        np.testing.assert_allclose(lx.numpy(), x[rows], rtol=1e-6)
        assert np.array_equal(np.asarray(dy), y[rows]) and np.array_equal(ly.numpy(), y[rows])
    model = pipeline_benchmark.make_model(keras)
    assert pipeline_benchmark.time_feed(keras, feeds["tf_data"], model.get_weights(), epochs=1) > 0
    assert pipeline_benchmark.time_torch_loop(loader, epochs=1) > 0
    assert torch.get_num_threads() >= 1
