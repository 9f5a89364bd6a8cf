"""keras.distribution's objects in one process, against real Keras 3 where it can run
(its torch backend has no distribution backend, so the oracle is its pure-Python part)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import keraslite as keras

# What real Keras 3 answers (its pure-Python part: its torch backend has no distribution backend).
SIGNATURES = """
import inspect
def describe(function):
    return [[p.name, str(p.kind), repr(p.default)] for p in inspect.signature(function).parameters.values()]
result["signatures"] = {
    name: describe(getattr(keras.distribution, name)) for name in dir(keras.distribution) if not name.startswith("_")
}
"""
LOOKUPS = """
mesh = keras.distribution.DeviceMesh((2,), ["model"], devices=["cpu:0", "cpu:1"])
layout_map = keras.distribution.LayoutMap(mesh)
layout_map[".*dense.*kernel"] = (None, "model")
layout_map[".*dense.*bias"] = ("model",)
layout_map["conv2d/kernel"] = keras.distribution.TensorLayout((None, None, None, "model"))
result["axes"] = {path: None if layout_map[path] is None else list(layout_map[path].axes) for path in PATHS}
layout_map[".*kernel"] = (None, None)
errors = []
for action in (lambda: layout_map["dense_1/kernel"], lambda: layout_map.__setitem__(".*kernel", (None,)),
               lambda: keras.distribution.DeviceMesh((2,), ["a", "b"], devices=["cpu:0", "cpu:1"]),
               lambda: keras.distribution.DeviceMesh((4,), ["a"], devices=["cpu:0", "cpu:1"]),
               lambda: keras.distribution.TensorLayout(("b",), mesh),
               lambda: keras.distribution.ModelParallel()):
    try:
        action()
        errors.append(None)
    except ValueError as error:
        errors.append(str(error))
result["errors"] = errors
"""
PATHS = ["dense_1/kernel", "dense_1/bias", "model/dense/kernel", "conv2d/kernel", "conv3d/kernel", "dense"]


def test_names_and_signatures_are_keras(keras_oracle):
    expected = keras_oracle.run(SIGNATURES)["signatures"]
    ours = {
        name: [
            [p.name, str(p.kind), repr(p.default)]
            for p in inspect.signature(getattr(keras.distribution, name)).parameters.values()
        ]
        for name in dir(keras.distribution)
        # (its submodules, attributes once imported, are not Keras names)
        if not name.startswith("_") and not inspect.ismodule(getattr(keras.distribution, name))
    }
    assert ours == expected


def test_layout_map_lookups_and_errors_are_keras(keras_oracle):
    expected = keras_oracle.run(LOOKUPS.replace("PATHS", repr(PATHS)))
    mesh = keras.distribution.DeviceMesh((2,), ["model"], devices=["cpu:0", "cpu:1"])
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "model")
    layout_map[".*dense.*bias"] = ("model",)
    layout_map["conv2d/kernel"] = keras.distribution.TensorLayout((None, None, None, "model"))
    axes = {path: None if layout_map[path] is None else list(layout_map[path].axes) for path in PATHS}
    assert axes == expected["axes"]
    assert layout_map["dense_1/kernel"].device_mesh is mesh
    layout_map[".*kernel"] = (None, None)
    actions = (
        lambda: layout_map["dense_1/kernel"],
        lambda: layout_map.__setitem__(".*kernel", (None,)),
        lambda: keras.distribution.DeviceMesh((2,), ["a", "b"], devices=["cpu:0", "cpu:1"]),
        lambda: keras.distribution.DeviceMesh((4,), ["a"], devices=["cpu:0", "cpu:1"]),
        lambda: keras.distribution.TensorLayout(("b",), mesh),
        lambda: keras.distribution.ModelParallel(),
    )
    for action, message in zip(actions, expected["errors"]):
        assert message is not None
        with pytest.raises(ValueError) as raised:
            action()
        # Keras prints sets of axis names, whose order may differ: compare the words.
        assert sorted(str(raised.value).split()) == sorted(message.split())


def test_one_process_run():
    assert keras.distribution.list_devices("cpu") == ["cpu:0"]
    assert keras.distribution.get_device_count("cpu") == 1
    with pytest.raises(ValueError, match="device_type"):
        keras.distribution.list_devices("npu")
    data_parallel = keras.distribution.DataParallel()
    assert data_parallel.num_processes == 1 and data_parallel.batch_dim_name == "batch"
    assert data_parallel.get_data_layout((8, 3)).axes == ("batch", None)
    assert keras.distribution.distribution() is None
    with data_parallel.scope():
        assert keras.distribution.distribution() is data_parallel
    assert keras.distribution.distribution() is None
    tensor = torch.ones(4, 2)
    layout = keras.distribution.TensorLayout(("batch", None), data_parallel.device_mesh)
    assert keras.distribution.distribute_tensor(tensor, layout) is tensor
    symbolic = keras.Input((2,))
    assert keras.distribution.distribute_tensor(symbolic, layout) is symbolic


def test_one_process_data_parallel_fit_is_the_plain_fit():
    x, y = np.ones((8, 2), "float32"), np.zeros((8, 1), "float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    with keras.distribution.DataParallel().scope():
        model.fit(x, y, verbose=0)
    assert type(model._training_state.runner).__name__ == "StepRunner"
    assert model._training_state.data_parallel is None


def test_a_torchrun_process_without_initialize_is_told_to_call_it(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(RuntimeError, match=r"initialize\(\)` was not called"):
        keras.distribution.set_distribution(keras.distribution.DataParallel())
    assert keras.distribution.distribution() is None


def test_devices_of_other_processes_need_torchrun():
    with pytest.raises(RuntimeError, match="torchrun --nproc_per_node=2"):
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=["cpu:0", "cpu:1"]))
    with pytest.raises(ValueError, match="MASTER_ADDR"):
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("MASTER_ADDR", raising=False)
            patch.delenv("MASTER_PORT", raising=False)
            keras.distribution.initialize(num_processes=2, process_id=0)
