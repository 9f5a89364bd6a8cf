"""Parity of the five preprocessing layers real Keras 3 runs only with TensorFlow installed
(Hashing, StringLookup, IntegerLookup, TextVectorization, HashedCrossing): the same cases in an
interpreter that has Keras 3.15.1 and TensorFlow, and in keraslite; every output must match.

    python tools/tf_layer_parity.py [--reference-python /work/venv-ref/bin/python]

CI's Keras (the test extra) has no TensorFlow, so these layers are pinned there to Keras's
documented examples; this tool is the comparison with the real thing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

CASES = """
import numpy as np

def run(keras):
    out = {}
    words = np.array([["a", "b"], ["c", "zz"], ["b", "a"]])
    out["hashing"] = keras.layers.Hashing(num_bins=7)(words)
    out["hashing_salt"] = keras.layers.Hashing(num_bins=5, salt=[3, 9])(np.array([[1], [2], [33]]))
    out["hashing_mask"] = keras.layers.Hashing(num_bins=5, mask_value="")(np.array([["", "x"], ["y", ""]]))
    out["string_lookup"] = keras.layers.StringLookup(vocabulary=["a", "b", "c"])(words)
    multi_hot = keras.layers.StringLookup(vocabulary=["a", "b", "c"], output_mode="multi_hot")
    out["string_lookup_multi_hot"] = multi_hot(words)
    lookup = keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
    out["integer_lookup"] = lookup(np.array([[12, 1138, 42], [42, 1000, 36]]))
    texts = ["the cat sat", "the dog sat down", "a cat"]
    vectorize = keras.layers.TextVectorization(max_tokens=10, output_sequence_length=5)
    vectorize.adapt(texts)
    out["text_vectorization"] = vectorize(np.array(["the cat", "a dog sat there now"]))
    out["text_vectorization_vocabulary"] = np.array(vectorize.get_vocabulary())
    tf_idf = keras.layers.TextVectorization(output_mode="tf_idf")
    tf_idf.adapt(texts)
    out["text_vectorization_tf_idf"] = tf_idf(np.array(["the cat cat", "down"]))
    out["hashed_crossing"] = keras.layers.HashedCrossing(num_bins=5)((np.array([1, 2, 3]), np.array(["A", "B", "C"])))
    out["hashed_crossing_one_hot"] = keras.layers.HashedCrossing(num_bins=4, output_mode="one_hot")(
        (np.array([1, 2]), np.array([4, 5]))
    )
    return {k: np.asarray(v.numpy() if hasattr(v, "numpy") else v) for k, v in out.items()}
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-python", default="/work/venv-ref/bin/python")
    args = parser.parse_args(argv)
    namespace: dict = {}
    exec(CASES, namespace)  # noqa: S102 (the cases above)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "keras.npz")
        code = CASES + f"\nimport keras\nnp.savez({out!r}, **run(keras))\n"
        env = dict(os.environ, KERAS_BACKEND="torch", TF_CPP_MIN_LOG_LEVEL="3")
        env.pop("PYTHONPATH", None)
        subprocess.run([args.reference_python, "-c", code], check=True, env=env, cwd=tmp)
        theirs = dict(np.load(out))
    import keraslite

    ours = namespace["run"](keraslite)
    failures = 0
    for name, expected in theirs.items():
        got = ours[name]
        exact = expected.dtype.kind in "iubUS"
        same = got.shape == expected.shape and (
            np.array_equal(got, expected) if exact else np.allclose(got, expected, atol=1e-6)
        )
        failures += not same
        print(f"{name:32s} {'OK' if same else 'DIFFERS'}")
    print(f"{len(theirs) - failures}/{len(theirs)} match real Keras")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
