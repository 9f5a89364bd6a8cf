"""Client for `keras_worker.py`: ask real Keras 3 (torch backend, separate process) to
compute something, for parity tests. Keras and keraslite never share a process.

    oracle.run("result['y'] = keras.layers.Dense(2)(inputs['x'])", x=array)
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import threading

import numpy as np

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_worker.py")


class OracleError(RuntimeError):
    """Keras raised while running a request; the message holds its traceback."""


class KerasOracle:
    def __init__(self, timeout: float = 300.0):
        env = dict(os.environ, KERAS_BACKEND="torch", CUDA_VISIBLE_DEVICES="")
        self._process = subprocess.Popen(
            [sys.executable, WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            env=env,
            text=True,
            bufsize=1,
        )
        self._lock = threading.Lock()
        self._tmp = tempfile.mkdtemp(prefix="keras_oracle_")
        self._count = 0
        self.timeout = timeout
        ready = self._read_line()
        self.version = ready["ready"]

    def _read_line(self):
        line = self._process.stdout.readline()
        if not line:
            raise OracleError("The Keras worker process exited unexpectedly.")
        return json.loads(line)

    def run(self, code: str, **inputs) -> dict:
        """Run `code` in the Keras process; return its `result` dict (arrays as NumPy)."""
        with self._lock:
            self._count += 1
            in_path = os.path.join(self._tmp, f"in_{self._count}.npz")
            out_path = os.path.join(self._tmp, f"out_{self._count}.npz")
            np.savez(in_path, **{k: np.asarray(v) for k, v in inputs.items()})
            self._process.stdin.write(json.dumps({"code": code, "inputs": in_path, "outputs": out_path}) + "\n")
            self._process.stdin.flush()
            reply = self._read_line()
            if "error" in reply:
                raise OracleError(reply["error"])
            result = dict(reply["values"])
            with np.load(out_path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            for key, value in list(result.items()):
                if isinstance(value, dict) and "__array_list__" in value:
                    result[key] = [arrays.pop(f"{key}__{i}") for i in range(value["__array_list__"])]
            result.update(arrays)
            os.remove(in_path)
            os.remove(out_path)
            return result

    def close(self):
        if self._process.poll() is None:
            self._process.stdin.close()
            self._process.wait(timeout=30)
        self._process.stdout.close()


def keras_available() -> bool:
    return importlib.util.find_spec("keras") is not None
