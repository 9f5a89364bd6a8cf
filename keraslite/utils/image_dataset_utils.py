"""`keras.utils.image_dataset_from_directory`: a folder of class subfolders of images as a
dataset of `(images, labels)` batches, decoded with Pillow and resized as Keras resizes."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from keraslite.backend import state
from keraslite.utils import dataset_utils
from keraslite.utils.image_utils import _pil

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")
# torch's resampling for the methods it has (half-pixel centres, no antialiasing: as tf.image.resize);
# Pillow's nearest relatives for the rest.
_TORCH_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}
_PIL_FILTERS = {"lanczos3": "LANCZOS", "lanczos5": "LANCZOS", "gaussian": "BILINEAR", "mitchellcubic": "BICUBIC"}
_CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}
_MODES = {1: ("L", "I;16", "I"), 3: ("RGB",), 4: ("RGBA",)}


def _resize(image: np.ndarray, size, interpolation: str) -> np.ndarray:
    """A float32 `(h, w, c)` image resized to `size` = (height, width)."""
    if tuple(image.shape[:2]) == tuple(size):
        return image
    if interpolation in _TORCH_MODES:
        mode = _TORCH_MODES[interpolation]
        batch = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None]
        resized = F.interpolate(
            batch,
            size=tuple(size),
            mode=mode,
            **({} if mode in ("area", "nearest-exact") else {"align_corners": False}),
        )
        return resized[0].permute(1, 2, 0).numpy()
    Image = _pil()
    resample = getattr(Image.Resampling, _PIL_FILTERS[interpolation])
    channels = [
        np.asarray(Image.fromarray(image[:, :, c], mode="F").resize((size[1], size[0]), resample))
        for c in range(image.shape[2])
    ]
    return np.stack(channels, axis=-1).astype("float32")


def _crop_to_aspect_ratio(image: np.ndarray, size) -> np.ndarray:
    """The largest centred crop with the aspect ratio of `size` (Keras's `smart_resize`)."""
    height, width = image.shape[:2]
    crop_height = min(height, int(width * size[0] / size[1]))
    crop_width = min(width, int(height * size[1] / size[0]))
    top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
    return image[top : top + crop_height, left : left + crop_width]


def _resize_with_pad(image: np.ndarray, size, interpolation: str) -> np.ndarray:
    """Resized to fit inside `size` keeping its aspect ratio, then centred on zeros."""
    height, width = image.shape[:2]
    ratio = max(width / size[1], height / size[0])
    inner = (max(1, int(height / ratio)), max(1, int(width / ratio)))
    resized = _resize(image, inner, interpolation)
    padded = np.zeros((size[0], size[1], image.shape[2]), dtype="float32")
    top, left = (size[0] - inner[0]) // 2, (size[1] - inner[1]) // 2
    padded[top : top + inner[0], left : left + inner[1]] = resized
    return padded


def load_image(
    path: str, image_size, num_channels, interpolation, data_format, crop_to_aspect_ratio, pad_to_aspect_ratio
):
    """One image file as a float32 array of `image_size` with `num_channels` channels."""
    Image = _pil()
    with Image.open(path) as opened:
        img = opened if opened.mode in _MODES[num_channels] else opened.convert(_MODES[num_channels][0])
        image = np.asarray(img, dtype="float32")
    if image.ndim == 2:
        image = image[:, :, None]
    if crop_to_aspect_ratio:
        image = _resize(_crop_to_aspect_ratio(image, image_size), image_size, interpolation)
    elif pad_to_aspect_ratio:
        image = _resize_with_pad(image, image_size, interpolation)
    else:
        image = _resize(image, image_size, interpolation)
    image = np.ascontiguousarray(image, dtype="float32")
    return image.transpose(2, 0, 1).copy() if data_format == "channels_first" else image


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    format="tf",
    verbose=True,
):
    """Generates a dataset from image files in a directory.

    With `labels="inferred"`, each subfolder of `directory` is a class (alphanumeric order,
    or the order of `class_names`) and its `.bmp/.gif/.jpeg/.jpg/.png` files its examples.

    Args:
        directory: The folder the images are in.
        labels: `"inferred"`, `None` (images only) or a list of integer labels in the sorted
            order of the file paths.
        label_mode: `"int"` (int32 indices), `"categorical"` (float32 one-hot),
            `"binary"` (float32 `(batch, 1)`, two classes) or `None` (no labels).
        class_names: The classes' order when labels are inferred.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`: 1, 3 or 4 channels.
        batch_size: Batch size, or `None` for single images.
        image_size: `(height, width)` every image is resized to.
        shuffle: Shuffle the files (else they are in alphanumeric order).
        seed: Seed for the shuffle and the split.
        validation_split: Fraction of the files kept for validation.
        subset: `"training"`, `"validation"` or `"both"` (returns `[train, validation]`).
        interpolation: The resizing method, as `tf.image.resize` names them.
        follow_links: Follow symbolic links to subfolders.
        crop_to_aspect_ratio: Crop the centre to the target aspect ratio before resizing.
        pad_to_aspect_ratio: Resize inside the target and pad with zeros instead.
        data_format: `"channels_last"` (default `image_data_format()`) or `"channels_first"`.
        format: `"tf"` or `"grain"`; both give the same dataset here.
        verbose: Print how many files and classes were found.

    Returns:
        A dataset of float32 image batches `(batch, height, width, channels)` (with labels
        unless `label_mode` is `None`), with `class_names` and `file_paths` attributes.
    """
    if color_mode not in _CHANNELS:
        raise ValueError(
            f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: color_mode={color_mode}'
        )
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(
            f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: image_size={image_size}"
        )
    interpolation = interpolation.lower()
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"Argument `interpolation` should be one of {INTERPOLATIONS}. Received: interpolation={interpolation}"
        )
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.")
    data_format = data_format or state.image_data_format()
    num_channels = _CHANNELS[color_mode]
    size = (int(image_size[0]), int(image_size[1]))

    def load(path):
        return load_image(
            path, size, num_channels, interpolation, data_format, crop_to_aspect_ratio, pad_to_aspect_ratio
        )

    options = {
        "batch_size": batch_size,
        "shuffle": shuffle,
        "seed": seed,
        "validation_split": validation_split,
        "subset": subset,
        "follow_links": follow_links,
        "verbose": verbose,
    }
    return dataset_utils.from_directory(
        directory, labels, label_mode, class_names, ALLOWLIST_FORMATS, options, load, "image"
    )
