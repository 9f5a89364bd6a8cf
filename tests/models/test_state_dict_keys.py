"""`state_dict()` keys of functional models and Sequentials follow the structure (class
names numbered in layer order, as Keras's weight files), so state dicts move between two
instances of one architecture built in one process; checkpoints written by a fresh process
(in this scheme or the earlier one, by layer name) still load."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

import keraslite as keras
from keraslite import layers

X = torch.from_numpy(np.random.default_rng(0).normal(size=(3, 4)).astype("float32"))


def functional(names=False):
    inputs = keras.Input((4,))
    x = layers.Dense(5, name="encoder" if names else None)(inputs)
    x = layers.BatchNormalization(name="norm" if names else None)(x)
    shared = layers.Dense(5, name="shared" if names else None)
    x = shared(shared(x))
    return keras.Model(inputs, layers.Dense(2, name="head" if names else None)(x))


def sequential():
    return keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.Dropout(0.1), layers.Dense(2)])


def nested():
    inner_input = keras.Input((4,))
    inner = keras.Model(inner_input, layers.Dense(3)(inner_input))
    outer_input = keras.Input((4,))
    return keras.Model(outer_input, layers.Dense(2)(inner(outer_input)))


def randomize(model):
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(torch.rand_like(tensor) + 0.1)  # positive: moving variances too


@pytest.mark.parametrize("build", [functional, sequential, nested])
def test_two_instances_share_keys_and_state(build):
    first, second = build(), build()
    randomize(first)
    assert list(first.state_dict()) == list(second.state_dict())
    second.load_state_dict(first.state_dict())  # strict
    first.eval(), second.eval()
    assert torch.equal(first(X), second(X))


def test_the_key_scheme():
    assert list(functional(names=True).state_dict()) == [
        "dense.kernel",
        "dense.bias",
        "batch_normalization._gamma",
        "batch_normalization._beta",
        "batch_normalization._moving_mean",
        "batch_normalization._moving_variance",
        "dense_1.kernel",
        "dense_1.bias",
        "dense_2.kernel",
        "dense_2.bias",
    ]
    assert list(nested().state_dict()) == ["functional.dense.kernel", "functional.dense.bias"] + [
        "dense.kernel",
        "dense.bias",
    ]


def test_module_names_are_unchanged():
    model = functional(names=True)
    assert [name for name, _ in model.named_parameters()][:2] == ["encoder.kernel", "encoder.bias"]


def test_a_checkpoint_of_a_fresh_process_loads(tmp_path):
    script = textwrap.dedent(
        f"""
        import json, sys, torch
        from safetensors.torch import save_file
        sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
        from test_state_dict_keys import functional, randomize, X
        model = functional()
        randomize(model)
        model.eval()
        torch.save(model.state_dict(), {str(tmp_path / "ckpt.pt")!r})
        # The earlier scheme: keys by layer name, as `state_dict()` gave them before.
        named = functional(names=True)
        named.load_state_dict(model.state_dict())
        legacy_named = dict(named.named_parameters())
        legacy_named.update(named.named_buffers())
        tensors = {{k: v.detach().contiguous() for k, v in legacy_named.items()}}
        save_file(tensors, {str(tmp_path / "legacy.safetensors")!r})
        torch.save(legacy_named, {str(tmp_path / "legacy.pt")!r})
        print(json.dumps(model(X).tolist()))
        """
    )
    env = dict(os.environ, KERASLITE_DEVICE="cpu")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = torch.tensor(json.loads(result.stdout.strip().splitlines()[-1]))

    for _ in range(3):
        functional()  # this process's auto names have moved on
    model = functional()
    model.load_state_dict(torch.load(tmp_path / "ckpt.pt", weights_only=True))
    model.eval()
    torch.testing.assert_close(model(X), expected)

    # Keys by layer name (the earlier scheme) load into a model with those names.
    named = functional(names=True)
    named.load_state_dict(torch.load(tmp_path / "legacy.pt", weights_only=True))
    named.eval()
    torch.testing.assert_close(named(X), expected)
    again = functional(names=True)
    again.load_weights(tmp_path / "legacy.safetensors")
    again.eval()
    torch.testing.assert_close(again(X), expected)


def test_safetensors_of_a_state_dict_load_into_another_instance(tmp_path):
    first = functional()
    randomize(first)
    save_file({k: v.contiguous() for k, v in first.state_dict().items()}, tmp_path / "sd.safetensors")
    second = functional()
    second.load_weights(tmp_path / "sd.safetensors")
    first.eval(), second.eval()
    assert torch.equal(first(X), second(X))


def test_a_partial_state_dict_loads_by_structure():
    first, second = functional(names=True), functional(names=True)
    randomize(first)
    head_only = {k: v for k, v in first.state_dict().items() if k.startswith("dense_2.")}
    result = second.load_state_dict(head_only, strict=False)
    assert not result.unexpected_keys and "dense.kernel" in result.missing_keys
    assert torch.equal(second.get_layer("head").kernel, first.get_layer("head").kernel)
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "dense.kernel"'):
        second.load_state_dict(head_only)
