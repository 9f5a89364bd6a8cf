"""A real Keras 3 (torch backend) in its own process, answering requests from tests.

Runs as `python keras_worker.py`; reads one JSON request per line on stdin:
    {"code": "<python>", "inputs": "<path.npz or null>", "outputs": "<path.npz>"}
executes the code with `keras`, `np` and `inputs` (a dict of arrays) in scope, and the
code leaves its answer in a dict named `result`. Arrays in `result` go to the outputs
.npz file; everything else comes back in the JSON reply line. Each request runs in a
fresh namespace; `keras.backend.clear_session()` runs before each one.
"""

import json
import os
import sys
import traceback

os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def main():
    protocol_out = sys.stdout
    sys.stdout = sys.stderr  # anything the code prints must not break the protocol
    protocol_out.write(json.dumps({"ready": keras.__version__}) + "\n")
    protocol_out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        reply = {}
        try:
            keras.backend.clear_session()
            inputs = {}
            if request.get("inputs"):
                with np.load(request["inputs"], allow_pickle=False) as data:
                    inputs = {k: data[k] for k in data.files}
            namespace = {"keras": keras, "np": np, "inputs": inputs, "result": {}}
            exec(compile(request["code"], "<oracle request>", "exec"), namespace)
            result = namespace["result"]
            arrays = {}
            values = {}
            for key, value in result.items():
                if hasattr(value, "detach"):
                    value = value.detach().cpu().numpy()
                if isinstance(value, np.ndarray):
                    arrays[key] = value
                elif (
                    isinstance(value, (list, tuple))
                    and value
                    and all(isinstance(v, np.ndarray) or hasattr(v, "detach") for v in value)
                ):
                    for index, item in enumerate(value):
                        arrays[f"{key}__{index}"] = item.detach().cpu().numpy() if hasattr(item, "detach") else item
                    values[key] = {"__array_list__": len(value)}
                else:
                    values[key] = value
            np.savez(request["outputs"], **arrays)
            reply["values"] = values
        except Exception:
            reply["error"] = traceback.format_exc()
        protocol_out.write(json.dumps(reply, default=str) + "\n")
        protocol_out.flush()


if __name__ == "__main__":
    main()
