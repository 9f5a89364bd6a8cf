"""Attention, AdditiveAttention, MultiHeadAttention, GroupedQueryAttention against Keras 3:
outputs, attention scores and input gradients with the same weights, over masks, causal
masks, gates, sliding windows, several attention axes; plus symbolic use in a Model."""

import json
import warnings

import numpy as np
import pytest
import torch

import keraslite
from keraslite import layers
from keraslite.testing.layer_test import run_layer_test

ATTENTION_CASES = [
    # (class, kwargs, input shapes, output shape(s), trainable weights, call kwargs)
    (layers.Attention, {}, [(2, 3, 4), (2, 5, 4)], (2, 3, 4), 0, {}),
    (layers.Attention, {"use_scale": True}, [(2, 3, 4), (2, 5, 6), (2, 5, 4)], (2, 3, 6), 1, {}),
    (
        layers.Attention,
        {"score_mode": "concat", "use_scale": True},
        [(2, 3, 4), (2, 5, 4)],
        [(2, 3, 4), (2, 3, 5)],
        2,
        {"return_attention_scores": True},
    ),
    (layers.Attention, {"score_mode": "concat"}, [(2, 4, 3), (2, 4, 3)], (2, 4, 3), 1, {"use_causal_mask": True}),
    (
        layers.Attention,
        {"dropout": 0.5},
        [(2, 4, 3), (2, 4, 3)],
        [(2, 4, 3), (2, 4, 4)],
        0,
        {"return_attention_scores": True, "use_causal_mask": True},
    ),
    (layers.AdditiveAttention, {}, [(2, 3, 4), (2, 5, 4)], (2, 3, 4), 1, {}),
    (
        layers.AdditiveAttention,
        {"use_scale": False},
        [(2, 3, 4), (2, 5, 6), (2, 5, 4)],
        [(2, 3, 6), (2, 3, 5)],
        0,
        {"return_attention_scores": True},
    ),
    (layers.AdditiveAttention, {}, [(2, 4, 3), (2, 4, 3)], (2, 4, 3), 1, {"use_causal_mask": True}),
]


@pytest.mark.parametrize("cls, kwargs, shapes, out_shape, n_train, call_kwargs", ATTENTION_CASES)
def test_attention_parity(keras_oracle, cls, kwargs, shapes, out_shape, n_train, call_kwargs):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shapes,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=n_train,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        call_kwargs=call_kwargs,
        compare_config_keys=True,
        check_training_step=n_train > 0 and "dropout" not in kwargs,
    )


def test_attention_masks_match_keras(keras_oracle):
    rng = np.random.default_rng(0)
    q, v = rng.standard_normal((2, 3, 4)).astype("float32"), rng.standard_normal((2, 5, 4)).astype("float32")
    qm = np.array([[1, 1, 0], [1, 0, 1]], bool)
    vm = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 1]], bool)
    code = """
import torch
m = [torch.tensor(inputs['qm']), torch.tensor(inputs['vm'])]
for name, layer in (('dot', keras.layers.Attention()), ('add', keras.layers.AdditiveAttention(use_scale=False))):
    out, scores = layer([inputs['q'], inputs['v']], mask=m, return_attention_scores=True)
    result[name] = out.numpy(); result[name + '_scores'] = scores.numpy()
    result[name + '_mask'] = layer.compute_mask([inputs['q'], inputs['v']], m).numpy()
"""
    expected = keras_oracle.run(code, q=q, v=v, qm=qm, vm=vm)
    mask = [torch.tensor(qm), torch.tensor(vm)]
    for name, layer in (("dot", layers.Attention()), ("add", layers.AdditiveAttention(use_scale=False))):
        out, scores = layer([torch.tensor(q), torch.tensor(v)], mask=mask, return_attention_scores=True)
        np.testing.assert_allclose(out.numpy(), expected[name], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(scores.numpy(), expected[name + "_scores"], rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(layer.compute_mask([q, v], mask).numpy(), expected[name + "_mask"])
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Attention()(torch.tensor(q))
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="add")


# (class, kwargs, {tensor name: shape}, {mask name: shape}, call kwargs)
MHA_CASES = [
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 4}, {"query": (2, 5, 8), "value": (2, 5, 8)}, {}, {}),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 4, "value_dim": 3, "output_shape": 6, "use_bias": False},
        {"query": (2, 5, 8), "value": (2, 3, 6), "key": (2, 3, 4)},
        {},
        {},
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 4},
        {"query": (2, 4, 6), "value": (2, 5, 6)},
        {"value_mask": (2, 5)},
        {"return_attention_scores": True},
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 4},
        {"query": (2, 4, 6), "value": (2, 5, 6)},
        {"value_mask": (2, 5)},
        {},
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 3, "key_dim": 2},
        {"query": (2, 5, 6), "value": (2, 5, 6)},
        {},
        {"use_causal_mask": True},
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        {"query": (2, 5, 6), "value": (2, 5, 6)},
        {"value_mask": (2, 5)},
        {"use_causal_mask": True, "return_attention_scores": True},
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        {"query": (2, 4, 6), "value": (2, 5, 6)},
        {"attention_mask": (2, 4, 5)},
        {},
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3, "use_gate": True, "sliding_window": 2},
        {"query": (2, 5, 6), "value": (2, 5, 6)},
        {},
        {},
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3, "attention_axes": [1, 2]},
        {"query": (2, 3, 4, 5), "value": (2, 3, 4, 5)},
        {},
        {"return_attention_scores": True},
    ),
    (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3, "attention_axes": 2},
        {"query": (2, 3, 4, 5), "value": (2, 3, 4, 5)},
        {},
        {},
    ),
    (
        "GroupQueryAttention",
        {"head_dim": 4, "num_query_heads": 4, "num_key_value_heads": 2},
        {"query": (2, 5, 8), "value": (2, 3, 6)},
        {},
        {},
    ),
    (
        "GroupQueryAttention",
        {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 1},
        {"query": (2, 5, 6), "value": (2, 5, 6)},
        {},
        {"use_causal_mask": True, "return_attention_scores": True},
    ),
    (
        "GroupQueryAttention",
        {"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 2, "use_gate": True, "use_bias": False},
        {"query": (2, 4, 6), "value": (2, 5, 6), "key": (2, 5, 3)},
        {"value_mask": (2, 5)},
        {},
    ),
]

_CODE = """
import json, torch
cases = json.loads(inputs['cases'].item())
for i, case in enumerate(cases):
    layer = getattr(keras.layers, case['cls'])(**case['kwargs'])
    ts = {n: torch.tensor(inputs['%d_%s' % (i, n)], requires_grad=True) for n in case['tensors']}
    kw = dict(case['call'])
    kw.update({m: torch.tensor(inputs['%d_%s' % (i, m)]) for m in case['masks']})
    args = [ts['query'], ts['value']]
    if 'key' in ts:
        kw['key'] = ts['key']
    layer(*args, **kw)
    layer.set_weights([inputs['%d_w%d' % (i, j)] for j in range(case['n_weights'])])
    result['%d_weights' % i] = [list(w.shape) for w in layer.weights]
    result['%d_config' % i] = sorted(layer.get_config())
    out = layer(*args, **kw)
    outs = list(out) if isinstance(out, tuple) else [out]
    result['%d_out' % i] = [o.detach().numpy() for o in outs]
    sum((o ** 2).mean() for o in outs).backward()
    result['%d_grads' % i] = [ts[n].grad.numpy() for n in case['tensors']]
"""


def _mask_array(name, shape, rng):
    mask = rng.random(shape) > 0.3
    mask[..., 0] = True  # every query row keeps at least one key
    return mask


def test_multi_head_attention_parity(keras_oracle):
    rng = np.random.default_rng(0)
    arrays, cases, ours = {}, [], []
    for i, (cls, kwargs, tensors, masks, call) in enumerate(MHA_CASES):
        layer = getattr(layers, cls)(**kwargs)
        values = {n: rng.standard_normal(s).astype("float32") for n, s in tensors.items()}
        mask_values = {m: _mask_array(m, s, rng) for m, s in masks.items()}
        kw = dict(call)
        kw.update({m: torch.tensor(a) for m, a in mask_values.items()})
        if "key" in values:
            kw["key"] = torch.tensor(values["key"])
        layer(torch.tensor(values["query"]), torch.tensor(values["value"]), **kw)
        # Non-trivial biases, so that bias layout mistakes show.
        weights = [w + rng.standard_normal(w.shape).astype("float32") * 0.1 for w in layer.get_weights()]
        layer.set_weights(weights)
        arrays.update({f"{i}_{n}": a for n, a in values.items()})
        arrays.update({f"{i}_{m}": a for m, a in mask_values.items()})
        arrays.update({f"{i}_w{j}": w for j, w in enumerate(weights)})
        cases.append(
            {
                "cls": cls,
                "kwargs": kwargs,
                "tensors": list(tensors),
                "masks": list(masks),
                "call": call,
                "n_weights": len(weights),
            }
        )
        ours.append((layer, values, mask_values, call))
    expected = keras_oracle.run(_CODE, cases=np.array(json.dumps(cases)), **arrays)
    for i, (layer, values, mask_values, call) in enumerate(ours):
        label = f"case {i}: {MHA_CASES[i][:2]}"
        assert [list(w.shape) for w in layer.weights] == expected[f"{i}_weights"], label
        assert sorted(layer.get_config()) == expected[f"{i}_config"], label
        ts = {n: torch.tensor(a, requires_grad=True) for n, a in values.items()}
        kw = dict(call)
        kw.update({m: torch.tensor(a) for m, a in mask_values.items()})
        if "key" in ts:
            kw["key"] = ts["key"]
        out = layer(ts["query"], ts["value"], **kw)
        outs = list(out) if isinstance(out, tuple) else [out]
        assert len(outs) == len(expected[f"{i}_out"]), label
        for o, e in zip(outs, expected[f"{i}_out"]):
            np.testing.assert_allclose(o.detach().numpy(), e, rtol=1e-5, atol=2e-6, err_msg=label)
        sum((o**2).mean() for o in outs).backward()
        for n, e in zip(values, expected[f"{i}_grads"]):
            np.testing.assert_allclose(ts[n].grad.numpy(), e, rtol=1e-4, atol=1e-6, err_msg=f"{label} grad {n}")


def test_multi_head_attention_in_a_model_trains_and_round_trips_config():
    query = keraslite.Input((5, 8))
    value = keraslite.Input((3, 8))
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.1)
    out, scores = mha(query, value, return_attention_scores=True)
    assert tuple(out.shape) == (None, 5, 8) and tuple(scores.shape) == (None, 2, 5, 3)
    model = keraslite.Model([query, value], out)
    assert len(model.trainable_weights) == 8
    x, y = torch.randn(4, 5, 8), torch.randn(4, 3, 8)
    before = [w.detach().clone() for w in mha.trainable_weights]
    loss = model([x, y], training=True).square().mean()
    loss.backward()
    with torch.no_grad():
        for w in mha.trainable_weights:
            w -= 0.1 * w.grad
    assert any(not torch.equal(b, w) for b, w in zip(before, mha.trainable_weights))
    clone = layers.MultiHeadAttention.from_config(mha.get_config())
    assert clone.get_config() == mha.get_config()
    gqa = layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
    assert tuple(gqa(query, value).shape) == (None, 5, 8)
    assert layers.GroupedQueryAttention.from_config(gqa.get_config()).get_config() == gqa.get_config()
    with pytest.raises(ValueError, match="divisible"):
        layers.GroupedQueryAttention(head_dim=2, num_query_heads=3, num_key_value_heads=2)
    # Inference (no dropout) is deterministic; training with dropout is not.
    assert torch.equal(mha(x, y), mha(x, y))


def test_multi_head_attention_takes_implicit_masks_like_keras(keras_oracle):
    # Embedding(mask_zero) -> self-attention -> masked average: the padding mask reaches
    # the attention (keys) and the pooling (through the attention output's mask).
    tokens = np.array([[3, 5, 2, 0, 0], [4, 1, 0, 0, 0]], dtype="int32")

    def build(lib):
        inputs = lib.Input((5,), dtype="int32")
        embedded = lib.layers.Embedding(10, 8, mask_zero=True)(inputs)
        attended = lib.layers.MultiHeadAttention(2, 4)(embedded, embedded)
        return lib.Model(inputs, lib.layers.GlobalAveragePooling1D()(attended))

    model = build(keraslite)
    weights = model.get_weights()
    code = """
inputs_ = keras.Input((5,), dtype="int32")
embedded = keras.layers.Embedding(10, 8, mask_zero=True)(inputs_)
attended = keras.layers.MultiHeadAttention(2, 4)(embedded, embedded)
model = keras.Model(inputs_, keras.layers.GlobalAveragePooling1D()(attended))
model.set_weights([inputs['w%d' % i] for i in range(len(model.weights))])
result['y'] = model(inputs['t']).detach().numpy()
"""
    expected = keras_oracle.run(code, t=tokens, **{f"w{i}": w for i, w in enumerate(weights)})
    np.testing.assert_allclose(model(torch.tensor(tokens)).detach().numpy(), expected["y"], rtol=1e-5, atol=1e-6)


def test_flash_attention_forbids_dropout_and_attention_scores_as_in_keras():
    with pytest.raises(ValueError, match="Dropout is not supported when flash attention is enabled.*dropout=0.1"):
        layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.1, flash_attention=True)
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, flash_attention=True)
    x = torch.zeros(1, 3, 8)
    with pytest.raises(ValueError, match="Returning attention scores is not supported when flash attention"):
        layer(x, x, return_attention_scores=True)
    # Without the flag, or with an explicit False, dropout and scores are fine.
    layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.1, flash_attention=False)
    _, scores = layers.MultiHeadAttention(num_heads=2, key_dim=4)(x, x, return_attention_scores=True)
    assert tuple(scores.shape) == (1, 2, 3, 3)


def test_flash_attention_follows_the_global_switch():
    keraslite.config.disable_flash_attention()
    try:
        assert layers.MultiHeadAttention(num_heads=2, key_dim=4)._flash_attention is False
        gqa = layers.GroupedQueryAttention(head_dim=4, num_query_heads=2, num_key_value_heads=1)
        assert gqa._flash_attention is False
        # An explicit True still asks for it.
        assert layers.MultiHeadAttention(num_heads=2, key_dim=4, flash_attention=True)._flash_attention is True
    finally:
        keraslite.config.enable_flash_attention()
    assert layers.MultiHeadAttention(num_heads=2, key_dim=4)._flash_attention is None


def test_flash_attention_true_computes_the_same_attention():
    # torch has a flash kernel on CPU too; `True` restricts the fused call to it.
    forced = layers.MultiHeadAttention(num_heads=2, key_dim=4, flash_attention=True)
    default = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    x = torch.randn(2, 5, 8)
    expected = default(x, x)
    forced(x, x)
    forced.set_weights(default.get_weights())
    torch.testing.assert_close(forced(x, x), expected, rtol=1e-5, atol=1e-5)


def test_multi_head_attention_takes_the_masks_off_its_inputs_as_keras_does():
    # Keras's MultiHeadAttention consumes the inputs' masks itself and clears them, so its
    # projections never see (and warn about) a mask; the output carries the query's mask.
    tokens = np.array([[3, 5, 0], [4, 0, 0]], dtype="int32")
    query = layers.Embedding(10, 8, mask_zero=True)(tokens)
    value = layers.Embedding(10, 8, mask_zero=True)(tokens)
    query_mask = query._keras_mask
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        output = layers.MultiHeadAttention(2, 4)(query, value)
    assert output._keras_mask is query_mask
    assert query._keras_mask is None and value._keras_mask is None
