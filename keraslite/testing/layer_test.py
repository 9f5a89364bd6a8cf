"""`run_layer_test`: the one harness every layer test calls.

For a layer class and constructor arguments it checks, in order: the symbolic output
shape, the eager output shape, weight counts and shapes, the config round trip, one
training step that changes the weights, and (given the Keras oracle) parity with real
Keras 3: the same weights (via `set_weights`) and inputs give the same outputs and the
same gradients with respect to the inputs.
"""

from __future__ import annotations

import json

import numpy as np
import torch

import keraslite as keras


def _random_input(shape, dtype, rng, int_high=10):
    if dtype.startswith("int"):
        return rng.integers(0, int_high, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    return rng.standard_normal(shape).astype(dtype)


def run_layer_test(
    layer_cls,
    init_kwargs: dict | None = None,
    input_shape=(2, 4),
    input_dtype: str = "float32",
    expected_output_shape=None,
    expected_num_trainable_weights: int | None = None,
    expected_num_non_trainable_weights: int | None = None,
    oracle=None,
    keras_class_path: str | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    check_gradients: bool = True,
    check_training_step: bool = True,
    input_data=None,
    call_kwargs: dict | None = None,
    seed: int = 0,
    compare_config_keys: bool = False,
):
    """Check a layer end to end; return the keraslite layer that was tested.

    `input_shape` may be a list of shapes for multi-input layers. `keras_class_path` names
    the class in real Keras when it differs (e.g. "keras.layers.Dense").
    """
    init_kwargs = dict(init_kwargs or {})
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(seed)
    # Weights come from torch's global generator: seed it so a test does not depend on
    # which tests ran before it (e.g. a ReLU layer whose units all start dead).
    torch.manual_seed(seed)
    multi = isinstance(input_shape, list)
    shapes = input_shape if multi else [input_shape]
    if input_data is None:
        arrays = [_random_input(tuple(s), input_dtype, rng) for s in shapes]
    else:
        arrays = list(input_data) if multi else [input_data]

    # 1. Symbolic call: output shape with an unknown batch dimension.
    symbolic_inputs = [keras.Input(shape=tuple(s[1:]), dtype=input_dtype) for s in shapes]
    layer = layer_cls(**init_kwargs)
    symbolic_out = layer(symbolic_inputs if multi else symbolic_inputs[0], **call_kwargs)
    if expected_output_shape is not None:
        expected_symbolic = _with_none_batch(expected_output_shape)
        got = _shapes_of(symbolic_out)
        assert got == expected_symbolic, (
            f"{layer_cls.__name__}: symbolic output shape {got} != expected {expected_symbolic}"
        )

    # 2. Eager call on real data.
    eager_in = [torch.as_tensor(a) for a in arrays]
    eager_out = layer(eager_in if multi else eager_in[0], **call_kwargs)
    if expected_output_shape is not None:
        got = _shapes_of(eager_out)
        assert got == _as_tuples(expected_output_shape), (
            f"{layer_cls.__name__}: eager output shape {got} != expected {expected_output_shape}"
        )

    # 3. Weights.
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, (
            f"trainable weights: {[w.path for w in layer.trainable_weights]}"
        )
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights, (
            f"non-trainable weights: {[w.path for w in layer.non_trainable_weights]}"
        )

    # 4. Config round trip.
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config, (
        f"{layer_cls.__name__}: config round trip changed {config} -> {clone.get_config()}"
    )

    # 5. One training step changes the trainable weights.
    if check_training_step and layer.trainable_weights:
        before = [w.detach().clone() for w in layer.trainable_weights]
        out = layer(eager_in if multi else eager_in[0], training=True, **call_kwargs)
        loss = sum(o.float().square().mean() for o in _flat_tensors(out))
        loss.backward()
        with torch.no_grad():
            for w in layer.trainable_weights:
                if w.grad is not None:
                    w -= 0.1 * w.grad
                    w.grad = None
        changed = [not torch.equal(b, w.detach()) for b, w in zip(before, layer.trainable_weights)]
        assert any(changed), f"{layer_cls.__name__}: a training step changed no weight"
        with torch.no_grad():
            for b, w in zip(before, layer.trainable_weights):
                w.copy_(b)

    # 6. Parity with real Keras 3.
    if oracle is not None:
        _check_parity(
            layer,
            layer_cls,
            init_kwargs,
            call_kwargs,
            arrays,
            multi,
            oracle,
            keras_class_path,
            rtol,
            atol,
            check_gradients,
            compare_config_keys,
        )
    return layer


def _check_parity(
    layer,
    layer_cls,
    init_kwargs,
    call_kwargs,
    arrays,
    multi,
    oracle,
    keras_class_path,
    rtol,
    atol,
    check_gradients,
    compare_config_keys=False,
):
    class_path = keras_class_path or f"keras.layers.{layer_cls.__name__}"
    weights = layer.get_weights()
    named = {f"x{i}": a for i, a in enumerate(arrays)}
    named.update({f"w{i}": w for i, w in enumerate(weights)})
    float_inputs = all(a.dtype.kind == "f" for a in arrays)
    code = f"""
import json, torch
cls = eval({class_path!r})
kwargs = json.loads({json.dumps(init_kwargs)!r})
call_kwargs = json.loads({json.dumps(call_kwargs)!r})
layer = cls(**kwargs)
xs = [inputs['x%d' % i] for i in range({len(arrays)})]
layer(xs if {multi} else xs[0], **call_kwargs)
layer.set_weights([inputs['w%d' % i] for i in range({len(weights)})])
tensors = [torch.tensor(x, requires_grad={float_inputs and check_gradients}) for x in xs]
out = layer(tensors if {multi} else tensors[0], **call_kwargs)
outs = out if isinstance(out, (list, tuple)) else [out]
result['outputs'] = [o.detach().cpu().numpy() for o in outs]
result['config_keys'] = sorted(layer.get_config())
result['weight_shapes'] = [list(w.shape) for w in layer.weights]
if {float_inputs and check_gradients}:
    total = sum((o.float() ** 2).mean() for o in outs)
    total.backward()
    result['grads'] = [t.grad.cpu().numpy() for t in tensors]
"""
    expected = oracle.run(code, **named)
    if compare_config_keys:
        ours_keys = sorted(layer.get_config())
        assert ours_keys == list(expected["config_keys"]), (
            f"{layer_cls.__name__}: config keys {ours_keys} != Keras {expected['config_keys']}"
        )
        ours_shapes = [list(w.shape) for w in layer.weights]
        assert ours_shapes == [list(s) for s in expected["weight_shapes"]], (
            f"{layer_cls.__name__}: weight shapes {ours_shapes} != Keras {expected['weight_shapes']}"
        )
    tensors = [torch.tensor(a, requires_grad=float_inputs and check_gradients) for a in arrays]
    out = layer(tensors if multi else tensors[0], **call_kwargs)
    outs = _flat_tensors(out)
    assert len(outs) == len(expected["outputs"]), (
        f"{layer_cls.__name__}: {len(outs)} outputs vs Keras {len(expected['outputs'])}"
    )
    for ours, theirs in zip(outs, expected["outputs"]):
        np.testing.assert_allclose(
            ours.detach().cpu().numpy(),
            theirs,
            rtol=rtol,
            atol=atol,
            err_msg=f"{layer_cls.__name__} output differs from Keras 3",
        )
    if float_inputs and check_gradients:
        total = sum((o.float() ** 2).mean() for o in outs)
        total.backward()
        for tensor, theirs in zip(tensors, expected["grads"]):
            np.testing.assert_allclose(
                tensor.grad.cpu().numpy(),
                theirs,
                rtol=max(rtol, 1e-4),
                atol=max(atol, 1e-6),
                err_msg=f"{layer_cls.__name__} input gradient differs from Keras 3",
            )


def _flat_tensors(out):
    if isinstance(out, (list, tuple)):
        return [o for item in out for o in _flat_tensors(item)]
    if isinstance(out, dict):
        return [o for item in out.values() for o in _flat_tensors(item)]
    return [out]


def _shapes_of(out):
    flat = _flat_tensors(out)
    shapes = [tuple(o.shape) for o in flat]
    return shapes[0] if len(shapes) == 1 else shapes


def _as_tuples(shape):
    if shape and isinstance(shape[0], (tuple, list)):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _with_none_batch(shape):
    shape = _as_tuples(shape)
    if isinstance(shape, list):
        return [(None,) + s[1:] for s in shape]
    return (None,) + shape[1:]
