"""What each process holds of a model's weights under `keras.distribution.ModelParallel`.

    torchrun --nproc_per_node=2 tools/model_parallel_memory.py [--width 1024]

Trains an MLP (512 -> width -> width -> 10, every kernel sharded along its last axis) for one
epoch, then each rank prints one JSON line: the bytes of tensor storage it holds for the sharded
weights (their Keras variables and FSDP's sharded and unsharded parameters, each storage counted
once) and the bytes those weights take whole.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch
from torch.distributed.tensor import DTensor

import keraslite as keras
from keraslite.distribution import process


def held_bytes(model) -> tuple[int, int]:
    """(bytes this process holds for the model's sharded weights, their bytes whole)."""
    storages = {}

    def add(tensor):
        if tensor is None:
            return
        if isinstance(tensor, DTensor):
            tensor = tensor._local_tensor
        with torch._C.DisableTorchFunctionSubclass():  # the storage a Keras variable itself holds
            storage = tensor.untyped_storage()
        if storage.nbytes():
            storages[storage.data_ptr()] = storage.nbytes()

    pairs = model._training_state.runner._pairs  # (Keras variable, FSDP parameter)
    for variable, sharded in pairs:
        add(variable)
        add(sharded)
    for module in model.modules():
        get_state = getattr(module, "_get_fsdp_state", None)
        group = get_state()._fsdp_param_group if get_state is not None else None
        for fsdp_param in group.fsdp_params if group is not None else []:
            add(getattr(fsdp_param, "_unsharded_param", None))
    whole = sum(variable.numel() * variable.element_size() for variable, _ in pairs)
    return sum(storages.values()), whole


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1024)
    args = parser.parse_args()
    keras.distribution.initialize()
    mesh = keras.distribution.DeviceMesh((keras.distribution.get_device_count(),), ["model"])
    layout_map = keras.distribution.LayoutMap(mesh)
    layout_map[".*dense.*kernel"] = (None, "model")
    keras.distribution.set_distribution(keras.distribution.ModelParallel(layout_map=layout_map))
    rng = np.random.RandomState(0)
    x, y = rng.normal(size=(64, 512)).astype("float32"), rng.normal(size=(64, 10)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((512,)),
            keras.layers.Dense(args.width),
            keras.layers.Dense(args.width),
            keras.layers.Dense(10),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    held, whole = held_bytes(model)
    print(
        json.dumps(
            {"rank": process.process_id(), "held_bytes": held, "whole_bytes": whole, "ratio": round(held / whole, 3)}
        )
    )


if __name__ == "__main__":
    main()
