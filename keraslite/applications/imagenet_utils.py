"""`keras.applications.imagenet_utils`: ImageNet input preprocessing, prediction decoding,
and the input-shape checks shared by the application models."""

from __future__ import annotations

import json
import warnings

import numpy as np
import torch

from keraslite import activations
from keraslite.backend import state
from keraslite.graph import symbolic_ops
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.utils.file_utils import get_file

CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"
_CLASS_INDEX: dict | None = None

# Per-channel ImageNet statistics: BGR means for "caffe", RGB mean/std for "torch".
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def _channel_shape(ndim: int, data_format: str) -> tuple:
    if data_format == "channels_first":
        return (3, 1, 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)
    return (1,) * (ndim - 1) + (3,)


def preprocess_input(x, data_format: str | None = None, mode: str = "caffe"):
    """Preprocesses a batch of images (NumPy array, torch tensor or KerasTensor) for an ImageNet model.

    Args:
        x: Images, 3D or 4D, with 3 colour channels (RGB), values in [0, 255].
        data_format: `"channels_last"` or `"channels_first"`; `None` uses
            `keras.backend.image_data_format()`.
        mode: `"caffe"`: RGB -> BGR then subtract the ImageNet channel means (no scaling);
            `"tf"`: scale to [-1, 1]; `"torch"`: scale to [0, 1] then normalize each
            channel with ImageNet's mean and std.

    Returns:
        The preprocessed images, as a new float array or tensor (a KerasTensor gives a KerasTensor).
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}")
    if data_format is None:
        data_format = state.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            "Expected data_format to be one of `channels_first` or `channels_last`. Received: "
            f"data_format={data_format}"
        )
    if isinstance(x, KerasTensor):
        # Inside a functional model (`x = preprocess_input(inputs)`): one recorded op node.
        return symbolic_ops.apply_function(_preprocess_torch, x, data_format=data_format, mode=mode)
    if isinstance(x, torch.Tensor):
        return _preprocess_torch(x, data_format=data_format, mode=mode)
    return _preprocess_numpy(np.asarray(x), data_format, mode)


def _channel_axis(ndim: int, data_format: str) -> int:
    return (0 if ndim == 3 else 1) if data_format == "channels_first" else ndim - 1


def _preprocess_numpy(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(state.floatx())
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x, mean, std = x / 255.0, _TORCH_MEAN, _TORCH_STD
    else:
        x, mean, std = np.flip(x, axis=_channel_axis(x.ndim, data_format)), _CAFFE_MEAN_BGR, None
    shape = _channel_shape(x.ndim, data_format)
    x = x - np.asarray(mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x = x / np.asarray(std, dtype=x.dtype).reshape(shape)
    return x


def _preprocess_torch(x: torch.Tensor, data_format: str = "channels_last", mode: str = "caffe") -> torch.Tensor:
    if not x.is_floating_point():
        x = x.to(torch.float32)
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x, mean, std = x / 255.0, _TORCH_MEAN, _TORCH_STD
    else:
        x, mean, std = torch.flip(x, dims=(_channel_axis(x.ndim, data_format),)), _CAFFE_MEAN_BGR, None
    shape = _channel_shape(x.ndim, data_format)
    x = x - torch.tensor(mean, dtype=x.dtype, device=x.device).reshape(shape)
    if std is not None:
        x = x / torch.tensor(std, dtype=x.dtype, device=x.device).reshape(shape)
    return x


def decode_predictions(preds, top: int = 5) -> list:
    """Decodes the predictions of an ImageNet model.

    The class names come from `imagenet_class_index.json`, downloaded once into
    `~/.keras/models/`.

    Args:
        preds: Array of shape `(samples, 1000)`.
        top: How many top guesses to return per sample.

    Returns:
        One list per sample of `(class_name, class_description, score)` tuples, best first.
    """
    global _CLASS_INDEX
    if isinstance(preds, torch.Tensor):
        preds = preds.detach().cpu().numpy()
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "`decode_predictions` expects a batch of predictions (i.e. a 2D array of shape (samples, 1000)). "
            f"Received array with shape: {preds.shape}"
        )
    if _CLASS_INDEX is None:
        path = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models", file_hash=CLASS_INDEX_MD5)
        with open(path) as file:
            _CLASS_INDEX = json.load(file)
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        row = [tuple(_CLASS_INDEX[str(i)]) + (pred[i],) for i in best]
        row.sort(key=lambda item: item[2], reverse=True)
        results.append(row)
    return results


def obtain_input_shape(
    input_shape, default_size: int, min_size: int, data_format: str, require_flatten: bool, weights=None
) -> tuple:
    """The model's input shape (without batch), checked against what the architecture needs.

    `require_flatten` (a classifier top): the shape must be static; with ImageNet weights
    and a top, only the default size is accepted.
    """
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn(
                "This model usually expects 1 or 3 input channels. However, it was passed an input_shape with "
                f"{channels} input channels.",
                stacklevel=3,
            )
        default_shape = (
            (channels, default_size, default_size) if channels_first else (default_size, default_size, channels)
        )
    else:
        default_shape = (3, default_size, default_size) if channels_first else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError(
                f"When setting `include_top=True` and loading `imagenet` weights, `input_shape` should be "
                f"{default_shape}.  Received: input_shape={input_shape}"
            )
        return default_shape
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"`input_shape` must be a tuple of three integers. Received: input_shape={input_shape}")
        channels = input_shape[0] if channels_first else input_shape[-1]
        spatial = input_shape[1:] if channels_first else input_shape[:2]
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if any(size is not None and size < min_size for size in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError(
            f"If `include_top` is True, you should specify a static `input_shape`. Received: input_shape={input_shape}"
        )
    return input_shape


def correct_pad(inputs, kernel_size) -> tuple:
    """Zero-padding ((top, bottom), (left, right)) that makes a strided 'valid' conv match TF's 'same'."""
    first = 2 if state.image_data_format() == "channels_first" else 1
    size = inputs.shape[first : first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights) -> None:
    """With pretrained weights, the classifier activation must be `None` or `"softmax"`."""
    if weights is None:
        return
    function = activations.get(classifier_activation)
    if function not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError(
            "Only `None` and `softmax` activations are allowed for the `classifier_activation` argument when "
            "using pretrained weights, with `include_top=True`; Received: "
            f"classifier_activation={classifier_activation}"
        )
