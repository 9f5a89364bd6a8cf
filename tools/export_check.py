"""Export every `keras.applications` model to ONNX and `torch.export` and check the numbers.

For each constructor (weights=None, include_top=True, classes=10, no classifier activation so
that the logits are compared, the smallest input size its family accepts) the model is
exported with `model.export(format="onnx")` and `model.export(format="torch")`; both artifacts
run on random inputs at batch 1 and 3 (the batch axis is dynamic) and are compared with
`model.predict`: a result is ok when the largest absolute difference is at most 1e-5 times
max(1, the largest absolute logit). Each model runs in its own child process (one at a time)
so that memory is returned between models.

The tolerance only means something when the model is well conditioned in float32, so the
model's own sensitivity is measured too: how far its logits move when every input element
moves by one float32 ulp. Where that alone exceeds the tolerance (untrained deep models can
be chaotic: EfficientNetV2L, weights=None, moves by ~0.5 of its largest logit, in real Keras
as here), an export that differs is reported as "ill-conditioned", not as a failure:
onnxruntime's kernels round differently from torch's, torch at batch 1 and batch 3 already
disagrees by as much, and only a bit-identical program (torch.export, same kernels) matches.
Such a model is then checked again after `condition()` makes it well conditioned (its
BatchNormalization gammas scaled by 0.9, its classifier rescaled to logits of about 10: the
same architecture and ops), against the same tolerance: the "note" column.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python tools/export_check.py --out export_table.md
    PYTHONPATH=$PWD .venv/bin/python tools/export_check.py --only MobileNetV3Small,VGG16

Writes a markdown table: name, parameters, ONNX ok / max abs diff, torch.export ok / max abs
diff, 1-ulp input sensitivity, seconds (both exports and checks). The exit status is 1 when
an export fails (not when a model is only ill-conditioned).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

TOLERANCE = 1e-5
# `condition()`: BatchNormalization gammas times this for a re-check of an ill-conditioned model.
CONDITIONED_GAMMA_SCALE = 0.9
BATCH_SIZES = (1, 3)

# The smallest input side each family accepts with weights=None (Keras's `min_size`).
_SIDE = {"InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 71}
DEFAULT_SIDE = 32
# Families whose models rescale raw [0, 255] pixels themselves; the others get [-1, 1) inputs.
_RAW_PIXELS = ("EfficientNet", "ConvNeXt", "MobileNetV3")


# Millions of parameters with the ImageNet top (Keras's table): the run goes smallest first.
_MILLIONS = {
    "MobileNetV3Small": 2.9, "MobileNet": 4.3, "MobileNetV2": 3.5, "MobileNetV3Large": 5.4, "NASNetMobile": 5.3,
    "EfficientNetB0": 5.3, "EfficientNetV2B0": 7.2, "EfficientNetB1": 7.9, "DenseNet121": 8.1, "EfficientNetV2B1": 8.2,
    "EfficientNetB2": 9.2, "EfficientNetV2B2": 10.2, "EfficientNetB3": 12.3, "DenseNet169": 14.3,
    "EfficientNetV2B3": 14.5, "EfficientNetB4": 19.5, "DenseNet201": 20.2, "Xception": 22.9, "InceptionV3": 23.9,
    "ResNet50": 25.6, "ResNet50V2": 25.6, "ConvNeXtTiny": 28.6, "EfficientNetB5": 30.6, "EfficientNetB6": 43.3,
    "ResNet101": 44.7, "ResNet101V2": 44.7, "ConvNeXtSmall": 50.2, "InceptionResNetV2": 55.9, "EfficientNetV2M": 54.3,
    "ResNet152": 60.4, "ResNet152V2": 60.4, "EfficientNetB7": 66.7, "EfficientNetV2S": 21.6, "ConvNeXtBase": 88.5,
    "NASNetLarge": 88.9, "EfficientNetV2L": 119.0, "VGG16": 138.4, "VGG19": 143.7, "ConvNeXtLarge": 197.7,
    "ConvNeXtXLarge": 350.1,
}  # fmt: skip


def application_names() -> list[str]:
    """Every constructor in `keras.applications`, smallest first."""
    import keraslite as keras

    names = [n for n in dir(keras.applications) if n[0].isupper() and callable(getattr(keras.applications, n))]
    return sorted(names, key=lambda n: (_MILLIONS.get(n, 1000.0), n))


def input_side(name: str) -> int:
    return _SIDE.get(name, DEFAULT_SIDE)


def input_sensitivity(model, x, expected=None) -> float:
    """How far `model.predict`'s outputs move when every input element moves by one float32
    ulp (to the next float up): the largest absolute change (`expected`: `model.predict(x)`
    when already computed).

    It measures how much the model amplifies rounding error. Two float32 implementations that
    round differently (onnxruntime's MLAS kernels and torch's, or torch itself at another
    batch size or thread count) cannot agree to better than about this, however correct both
    are. Untrained deep models can be chaotic: EfficientNetV2L with weights=None moves its
    logits by about half their size (in keraslite and in real Keras 3 alike)."""
    import numpy as np

    nudged = np.nextafter(x, np.float32(np.inf)).astype(x.dtype)
    if expected is None:
        expected = model.predict(x, verbose=0)
    return float(np.max(np.abs(model.predict(nudged, verbose=0) - expected)))


def verdict(diff: float, tolerance: float, sensitivity: float) -> str:
    """The check's word for one export: "ok" when it matches within `tolerance`; "ill-conditioned" when it does not but
    the model itself moves by more than `tolerance` under a one-ulp input change (no
    float32 implementation with other kernels can match it: the comparison says nothing
    about the export); "FAIL" otherwise."""
    if diff <= tolerance:
        return "ok"
    return "ill-conditioned" if sensitivity > tolerance else "FAIL"


def compare_exports(model, inputs, workdir: str, stem: str = "model") -> dict:
    """Export `model` to ONNX and `torch.export` under `workdir`, run both on each array of
    `inputs` and compare with `model.predict`; a dict of the results (JSON-able)."""
    import os

    import numpy as np
    import onnxruntime
    import torch

    expected = [model.predict(x, verbose=0) for x in inputs]
    scale = max(float(np.max(np.abs(y))) for y in expected)
    tolerance = TOLERANCE * max(1.0, scale)
    sensitivity = max(input_sensitivity(model, x, y) for x, y in zip(inputs, expected))
    result = {"scale": scale, "sensitivity": sensitivity, "ill_conditioned": sensitivity > tolerance}

    onnx_path = os.path.join(workdir, f"{stem}.onnx")
    try:
        model.export(onnx_path, format="onnx", verbose=False)
        session = onnxruntime.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        feed_name = session.get_inputs()[0].name
        diffs = [float(np.max(np.abs(session.run(None, {feed_name: x})[0] - y))) for x, y in zip(inputs, expected)]
        result["onnx_diff"] = max(diffs)
    except Exception as error:  # reported in the table
        result["onnx_error"] = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        for suffix in ("", ".data"):
            if os.path.exists(onnx_path + suffix):
                os.remove(onnx_path + suffix)

    torch_path = os.path.join(workdir, f"{stem}.pt2")
    try:
        model.export(torch_path, format="torch", verbose=False)
        program = torch.export.load(torch_path).module()
        with torch.no_grad():
            diffs = [float(np.max(np.abs(program(torch.from_numpy(x)).numpy() - y))) for x, y in zip(inputs, expected)]
        result["torch_diff"] = max(diffs)
    except Exception as error:  # reported in the table
        result["torch_error"] = f"{type(error).__name__}: {str(error)[:200]}"
    finally:
        if os.path.exists(torch_path):
            os.remove(torch_path)
    for kind in ("onnx", "torch"):
        diff = result.get(f"{kind}_diff")
        result[f"{kind}_verdict"] = "FAIL" if diff is None else verdict(diff, tolerance, sensitivity)
        result[f"{kind}_ok"] = result[f"{kind}_verdict"] == "ok"
    return result


def check_one(name: str, workdir: str) -> dict:
    """Build, export and compare one application; a dict of the results (JSON-able)."""
    import numpy as np

    import keraslite as keras

    side = input_side(name)
    start = time.perf_counter()
    constructor = getattr(keras.applications, name)
    model = constructor(weights=None, input_shape=(side, side, 3), classes=10, classifier_activation=None)
    rng = np.random.default_rng(0)
    low, high = (0.0, 255.0) if name.startswith(_RAW_PIXELS) else (-1.0, 1.0)
    inputs = [rng.uniform(low, high, (batch, side, side, 3)).astype(np.float32) for batch in BATCH_SIZES]
    result = {"name": name, "params": int(model.count_params()), "side": side}
    result.update(compare_exports(model, inputs, workdir, stem=name))
    if result["ill_conditioned"]:
        condition(model, inputs[0])
        result["conditioned"] = compare_exports(model, inputs, workdir, stem=name)
    result["seconds"] = time.perf_counter() - start
    return result


def condition(model, x, gamma_scale: float = CONDITIONED_GAMMA_SCALE, logit_scale: float = 10.0) -> None:
    """Make an ill-conditioned untrained model well conditioned, in place, so that its exports
    can still be checked against the tolerance: every BatchNormalization's `gamma` times
    `gamma_scale` (the residual stream then stops growing from block to block), and the
    classifier (the last layer, a Dense) rescaled so that the largest logit on `x` is about
    `logit_scale`. The architecture and every op are unchanged; only weight values move."""
    import numpy as np

    import keraslite as keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization) and layer.gamma is not None:
            layer.gamma.assign(layer.gamma.numpy() * gamma_scale)
    head = model.layers[-1]
    largest = float(np.max(np.abs(model.predict(x, verbose=0))))
    factor = logit_scale / largest if largest > 0 else 1.0
    head.kernel.assign(head.kernel.numpy() * factor)
    head.bias.assign(head.bias.numpy() * factor)


def _conditioned_cell(result: dict) -> str:
    conditioned = result.get("conditioned")
    if conditioned is None:
        return ""
    return f"conditioned re-check: ONNX {_cell(conditioned, 'onnx')}, torch.export {_cell(conditioned, 'torch')}"


def _cell(result: dict, kind: str) -> str:
    if f"{kind}_diff" not in result:
        return f"FAIL ({result.get(f'{kind}_error', 'no result')})"
    diff = result[f"{kind}_diff"]
    relative = diff / result["scale"] if result["scale"] > 0 else 0.0
    return f"{result[f'{kind}_verdict']} / {diff:.1e} ({relative:.1e})"


def markdown_table(results: list[dict]) -> str:
    lines = [
        "| model | input | params | max abs logit | ONNX ok / max abs diff (relative) "
        "| torch.export ok / max abs diff (relative) | 1-ulp input sensitivity (relative) | seconds | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "params" not in r:
            lines.append(f"| {r['name']} | | | | FAIL ({r.get('error', '')}) | | | {r.get('seconds', 0):.0f} | |")
            continue
        lines.append(
            f"| {r['name']} | {r['side']}x{r['side']} | {r['params']:,} | {r['scale']:.3g} | {_cell(r, 'onnx')} | "
            f"{_cell(r, 'torch')} | {r['sensitivity']:.1e} ({r['sensitivity'] / max(1.0, r['scale']):.1e}) | "
            f"{r['seconds']:.0f} | {_conditioned_cell(r)} |"
        )
    return "\n".join(lines) + "\n"


def _only_ill_conditioned(result: dict) -> bool:
    verdicts = {result.get("onnx_verdict"), result.get("torch_verdict")}
    return "FAIL" not in verdicts and None not in verdicts and "ill-conditioned" in verdicts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="export_table.md", help="the markdown table to write")
    parser.add_argument("--only", default="", help="comma-separated constructor names (default: all)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per model")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(check_one(args.child, args.workdir)))
        return 0

    import tempfile

    names = [n for n in args.only.split(",") if n] or application_names()
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for name in names:
            start = time.perf_counter()
            command = [sys.executable, __file__, "--child", name, "--workdir", workdir]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
                lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
                result = (
                    json.loads(lines[-1])
                    if lines
                    else {"name": name, "error": (done.stderr.strip().splitlines() or ["no output"])[-1][:200]}
                )
            except subprocess.TimeoutExpired:
                result = {"name": name, "error": f"timed out after {args.timeout:.0f} s"}
            result.setdefault("seconds", time.perf_counter() - start)
            results.append(result)
            print(markdown_table([result]).splitlines()[-1], flush=True)
            with open(args.out, "w") as handle:
                handle.write(markdown_table(results))
    passed = [r["name"] for r in results if r.get("onnx_ok") and r.get("torch_ok")]
    ill = [r["name"] for r in results if r["name"] not in passed and _only_ill_conditioned(r)]
    failed = [r["name"] for r in results if r["name"] not in passed and r["name"] not in ill]
    print(
        f"{len(passed)}/{len(results)} models pass both exports"
        + (f"; ill-conditioned (float32 comparison meaningless, see input_sensitivity): {ill}" if ill else "")
        + (f"; failed: {failed}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
