"""`tf.io`: reading and writing files, decoding images, and `tf.io.gfile`.

File contents travel as bytes scalars (`StringArray`), decoded images as uint8 tensors
(height, width, channels), as TensorFlow returns them.
"""

from __future__ import annotations

import io as _io

import numpy as np
import torch

from keraslite.compat.tensorflow import gfile as gfile
from keraslite.compat.tensorflow.dtypes import as_dtype
from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.compat.tensorflow.strings import _to_bytes, bytes_scalar

__getattr__ = module_getattr("tf.io")


def _path(value) -> str:
    if isinstance(value, torch.Tensor):
        value = value.item()
    return _to_bytes(value).decode("utf-8")


def read_file(filename, name=None):
    """The whole file as one bytes scalar."""
    with open(_path(filename), "rb") as handle:
        return bytes_scalar(handle.read())


def write_file(filename, contents, name=None) -> None:
    with open(_path(filename), "wb") as handle:
        handle.write(_to_bytes(contents))


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """The bytes of each string read as numbers of `out_type` (a scalar string gives a 1-D
    tensor; strings of one length give one more axis)."""
    dtype = np.dtype(as_dtype(out_type).name).newbyteorder("<" if little_endian else ">")
    array = np.asarray(input_bytes.numpy() if isinstance(input_bytes, torch.Tensor) else input_bytes)
    if array.dtype.kind == "U":
        array = np.char.encode(array, "utf-8")

    def numbers(value) -> np.ndarray:
        data = _to_bytes(value)
        if fixed_length is not None:
            data = data[: int(fixed_length)].ljust(int(fixed_length), b"\0")
        return np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="))

    rows = [numbers(v) for v in array.reshape(-1)]
    stacked = np.stack(rows) if rows else np.zeros((0, 0), dtype)
    return wrap(torch.as_tensor(stacked.reshape(*array.shape, -1)))


def decode_image(contents, channels=None, dtype=torch.uint8, name=None, expand_animations=True):
    """A JPEG/PNG/GIF/BMP image as a uint8 tensor (height, width, channels); `channels`
    1, 3 or 4 converts it (0 or None: as stored)."""
    from PIL import Image

    picture = Image.open(_io.BytesIO(_to_bytes(contents)))
    mode = {1: "L", 3: "RGB", 4: "RGBA"}.get(int(channels or 0))
    if mode is not None:
        picture = picture.convert(mode)
    elif picture.mode not in ("L", "RGB", "RGBA"):
        picture = picture.convert("RGB")
    array = np.asarray(picture)
    if array.ndim == 2:
        array = array[:, :, None]
    tensor = torch.from_numpy(array.copy())
    if getattr(dtype, "torch_dtype", dtype) in (torch.float32, torch.float16, torch.float64):
        tensor = tensor.to(getattr(dtype, "torch_dtype", dtype)) / 255.0
    return wrap(tensor)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True, try_recover_truncated=False,
                acceptable_fraction=1, dct_method="", name=None):  # fmt: skip
    return decode_image(contents, channels=channels)


def decode_png(contents, channels=0, dtype=torch.uint8, name=None):
    return decode_image(contents, channels=channels)


decode_bmp = decode_png
decode_gif = decode_png


def _encode(image, fmt: str, **options):
    from PIL import Image

    array = np.asarray(image.detach().cpu() if isinstance(image, torch.Tensor) else image)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[:, :, 0]
    buffer = _io.BytesIO()
    Image.fromarray(array.astype(np.uint8)).save(buffer, format=fmt, **options)
    return bytes_scalar(buffer.getvalue())


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False, chroma_downsampling=True,
                density_unit="in", x_density=300, y_density=300, xmp_metadata="", name=None):  # noqa: A002  # fmt: skip
    return _encode(image, "JPEG", quality=int(quality))


def encode_png(image, compression=-1, name=None):
    return _encode(image, "PNG")
