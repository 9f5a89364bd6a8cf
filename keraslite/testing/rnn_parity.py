"""Parity of whole functional models with real Keras 3 (used by the recurrent and masking
tests): the same model-building code runs in keraslite and in Keras, weights are copied,
and outputs, output masks and input gradients are compared. All cases go to the oracle
in one request."""

from __future__ import annotations

import json

import numpy as np
import torch

import keraslite

_ORACLE_CODE = r"""
import json, torch
ns_base = {"keras": keras, "layers": keras.layers, "np": np}
for index, (code, n_inputs, n_weights, grads) in enumerate(json.loads(CASES)):
    ns = dict(ns_base)
    exec(code, ns)
    model = ns["model"]
    model.set_weights([inputs[f"c{index}_w{j}"] for j in range(n_weights)])
    xs = [torch.tensor(inputs[f"c{index}_x{j}"], requires_grad=grads) for j in range(n_inputs)]
    out = model(xs if n_inputs > 1 else xs[0])
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    result[f"c{index}_out"] = [o.detach().cpu().numpy() for o in outs]
    masks = [getattr(o, "_keras_mask", None) for o in outs]
    result[f"c{index}_hasmask"] = [m is not None for m in masks]
    for k, m in enumerate(masks):
        if m is not None:
            result[f"c{index}_mask{k}"] = m.cpu().numpy()
    if grads:
        sum((o.float() ** 2).mean() for o in outs).backward()
        result[f"c{index}_grads"] = [x.grad.cpu().numpy() for x in xs]
"""


def check_models(oracle, cases, rtol=1e-5, atol=1e-5):
    """`cases`: list of (code defining `model` from `keras`/`layers`, list of input arrays).
    Gradients are checked when every input is floating point."""
    arrays, specs, ours = {}, [], []
    for index, (code, xs) in enumerate(cases):
        ns = {"keras": keraslite, "layers": keraslite.layers, "np": np}
        exec(code, ns)
        model = ns["model"]
        weights = model.get_weights()
        grads = all(np.asarray(x).dtype.kind == "f" for x in xs)
        for j, x in enumerate(xs):
            arrays[f"c{index}_x{j}"] = np.asarray(x)
        for j, w in enumerate(weights):
            arrays[f"c{index}_w{j}"] = w
        specs.append((code, len(xs), len(weights), grads))
        ours.append((model, xs, grads))
    expected = oracle.run(f"CASES = {json.dumps(json.dumps(specs))}\n" + _ORACLE_CODE, **arrays)
    for index, (model, xs, grads) in enumerate(ours):
        label = cases[index][0].replace("\n", "; ")[:160]
        tensors = [torch.tensor(np.asarray(x), requires_grad=grads) for x in xs]
        out = model(tensors if len(xs) > 1 else tensors[0])
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        theirs = expected[f"c{index}_out"]
        assert len(outs) == len(theirs), f"case {index} ({label}): {len(outs)} outputs vs Keras {len(theirs)}"
        for o, t in zip(outs, theirs):
            np.testing.assert_allclose(
                o.detach().numpy(), t, rtol=rtol, atol=atol, err_msg=f"case {index} ({label}): output"
            )
        for k, o in enumerate(outs):
            t = expected.get(f"c{index}_mask{k}")
            assert expected[f"c{index}_hasmask"][k] == (t is not None)
            mine = getattr(o, "_keras_mask", None)
            assert (mine is None) == (t is None), f"case {index} ({label}): output mask {mine} vs Keras {t}"
            if t is not None:
                np.testing.assert_array_equal(mine.numpy(), t, err_msg=f"case {index} ({label}): output mask")
        if grads:
            sum((o.float() ** 2).mean() for o in outs).backward()
            for x, t in zip(tensors, expected[f"c{index}_grads"]):
                np.testing.assert_allclose(
                    x.grad.numpy(),
                    t,
                    rtol=max(rtol, 1e-4),
                    atol=atol,
                    err_msg=f"case {index} ({label}): input gradient",
                )
