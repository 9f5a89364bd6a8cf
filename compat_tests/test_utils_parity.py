"""keras.utils numerical/sequence helpers and ImageNet preprocessing equal Keras 3's."""

import numpy as np

import keraslite as keras
from keraslite.applications import imagenet_utils

# (Keras 3.15 mishandles `normalize(..., axis=0)` on NumPy input (`axis or -1`); axis=0 is tested in tests/.)
CODE = """
from keras.src.applications import imagenet_utils
labels, seqs = inputs["labels"], [[1, 2, 3], [4], [5, 6, 7, 8, 9], []]
result["categorical"] = keras.utils.to_categorical(labels)
result["categorical_10"] = keras.utils.to_categorical(labels[:, :1], num_classes=10)
result["normalize"] = keras.utils.normalize(inputs["x"])
result["normalize_l1"] = keras.utils.normalize(inputs["x"], axis=1, order=1)
for padding in ("pre", "post"):
    for truncating in ("pre", "post"):
        result[f"pad_{padding}_{truncating}"] = keras.utils.pad_sequences(
            seqs, maxlen=3, padding=padding, truncating=truncating, value=-1
        )
result["pad_default"] = keras.utils.pad_sequences(seqs)
result["pad_float"] = keras.utils.pad_sequences(seqs, dtype="float32", value=0.5)
for mode in ("caffe", "tf", "torch"):
    result[f"pre_{mode}"] = imagenet_utils.preprocess_input(inputs["images"].copy(), mode=mode)
    result[f"pre_{mode}_first"] = imagenet_utils.preprocess_input(
        inputs["images"].transpose(0, 3, 1, 2).copy(), mode=mode, data_format="channels_first"
    )
"""


def test_helpers_match_keras(keras_oracle):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 5, (6, 2))
    x = rng.normal(size=(4, 3))
    x[1] = 0
    images = rng.uniform(0, 255, (2, 4, 5, 3)).astype("float32")
    expected = keras_oracle.run(CODE, labels=labels, x=x, images=images)
    seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9], []]
    ours = {
        "categorical": keras.utils.to_categorical(labels),
        "categorical_10": keras.utils.to_categorical(labels[:, :1], num_classes=10),
        "normalize": keras.utils.normalize(x),
        "normalize_l1": keras.utils.normalize(x, axis=1, order=1),
        "pad_default": keras.utils.pad_sequences(seqs),
        "pad_float": keras.utils.pad_sequences(seqs, dtype="float32", value=0.5),
    }
    for padding in ("pre", "post"):
        for truncating in ("pre", "post"):
            ours[f"pad_{padding}_{truncating}"] = keras.utils.pad_sequences(
                seqs, maxlen=3, padding=padding, truncating=truncating, value=-1
            )
    for mode in ("caffe", "tf", "torch"):
        ours[f"pre_{mode}"] = imagenet_utils.preprocess_input(images.copy(), mode=mode)
        ours[f"pre_{mode}_first"] = imagenet_utils.preprocess_input(
            images.transpose(0, 3, 1, 2).copy(), mode=mode, data_format="channels_first"
        )
    for key, value in ours.items():
        assert value.shape == expected[key].shape and value.dtype == expected[key].dtype, key
        np.testing.assert_allclose(value, expected[key], rtol=1e-6, err_msg=key)
