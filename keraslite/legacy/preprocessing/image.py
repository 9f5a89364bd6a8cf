"""tf.keras 2's `ImageDataGenerator`: real-time image augmentation and batches from arrays
(`flow`) or from a folder per class (`flow_from_directory`), as `PyDataset`s that `fit` takes.

The random draws (`np.random`, in tf.keras 2's order), the affine matrix of rotation, shift,
shear and zoom (with tf.keras 2.9+'s row/column swap) and the order of the steps are
tf.keras 2's; the resampling (SciPy's `ndimage.affine_transform` there) is done here in
NumPy with SciPy's edge rules: order 0 (nearest) or 1 (bilinear), fill modes `nearest`,
`constant`, `reflect`, `wrap` (equal to tf.keras 2's output for order 1 in all four).
The iterators the generator hands out are in `image_iterators.py`.
"""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import state
from keraslite.legacy.preprocessing.image_iterators import DataFrameIterator as DataFrameIterator
from keraslite.legacy.preprocessing.image_iterators import DirectoryIterator as DirectoryIterator
from keraslite.legacy.preprocessing.image_iterators import Iterator as Iterator
from keraslite.legacy.preprocessing.image_iterators import NumpyArrayIterator as NumpyArrayIterator

# --- single-image transforms ----------------------------------------------------------------


def _fill_indices(index, size, fill_mode):
    """Integer coordinates mapped into `[0, size)` by `fill_mode` (SciPy's modes)."""
    if fill_mode == "reflect":  # d c b a | a b c d | d c b a
        period = np.mod(index, 2 * size)
        return np.where(period >= size, 2 * size - 1 - period, period)
    # nearest; "wrap" wrapped the coordinates already; constant's outside points are set to cval afterwards
    return np.clip(index, 0, size - 1)


def _wrap_coordinates(coordinates, size):
    """SciPy's "wrap": coordinates outside `[0, size - 1]` taken modulo `size - 1` (the first
    and last points overlap)."""
    if size <= 1:
        return np.zeros_like(coordinates)
    return np.where((coordinates < 0) | (coordinates > size - 1), np.mod(coordinates, size - 1), coordinates)


def _affine_sample_nearest_bilinear(channels, matrix, offset):
    """`_affine_sample` for the default settings (bilinear, "nearest" fill) on all channels at
    once, with torch's `grid_sample` (C++): "border" padding clamps the source coordinates to
    the edge, which is what clamping the interpolation taps gives."""
    _, height, width = channels.shape
    rows, cols = torch.meshgrid(
        torch.arange(height, dtype=torch.float64), torch.arange(width, dtype=torch.float64), indexing="ij"
    )
    source_rows = matrix[0, 0] * rows + matrix[0, 1] * cols + offset[0]
    source_cols = matrix[1, 0] * rows + matrix[1, 1] * cols + offset[1]
    # grid_sample's coordinates: -1..1 across the pixel centres (align_corners=True), x = column.
    grid = torch.stack(
        [source_cols * (2.0 / max(width - 1, 1)) - 1.0, source_rows * (2.0 / max(height - 1, 1)) - 1.0], dim=-1
    )
    image = torch.from_numpy(np.ascontiguousarray(channels, dtype=np.float64))[None]
    out = torch.nn.functional.grid_sample(image, grid[None], mode="bilinear", padding_mode="border", align_corners=True)
    return out[0].numpy()


def _affine_sample(channel_image, matrix, offset, order, fill_mode, cval):
    """`out[o] = in[matrix @ o + offset]` on one 2D channel."""
    height, width = channel_image.shape
    rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    source_rows = matrix[0, 0] * rows + matrix[0, 1] * cols + offset[0]
    source_cols = matrix[1, 0] * rows + matrix[1, 1] * cols + offset[1]
    if fill_mode == "wrap":
        source_rows, source_cols = _wrap_coordinates(source_rows, height), _wrap_coordinates(source_cols, width)
    if order == 0:
        r = _fill_indices(np.rint(source_rows).astype(np.int64), height, fill_mode)
        c = _fill_indices(np.rint(source_cols).astype(np.int64), width, fill_mode)
        out = channel_image[r, c].astype(np.float64)
    else:
        r0, c0 = np.floor(source_rows).astype(np.int64), np.floor(source_cols).astype(np.int64)
        fr, fc = source_rows - r0, source_cols - c0
        out = np.zeros(channel_image.shape, dtype=np.float64)
        for dr, wr in ((0, 1.0 - fr), (1, fr)):
            r = _fill_indices(r0 + dr, height, fill_mode)
            for dc, wc in ((0, 1.0 - fc), (1, fc)):
                c = _fill_indices(c0 + dc, width, fill_mode)
                out += wr * wc * channel_image[r, c].astype(np.float64)
    if fill_mode == "constant":  # no interpolation beyond the edges: points outside get cval
        eps = 1e-9
        inside = (
            (source_rows >= -eps)
            & (source_rows <= height - 1 + eps)
            & (source_cols >= -eps)
            & (source_cols <= width - 1 + eps)
        )
        out = np.where(inside, out, cval)
    return out


def _offset_center(matrix, height, width):
    o_x, o_y = float(height) / 2 - 0.5, float(width) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def apply_affine_transform(
    x,
    theta=0,
    tx=0,
    ty=0,
    shear=0,
    zx=1,
    zy=1,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    order=1,
):
    """One image (3D) rotated by `theta` degrees, shifted by `tx`/`ty` pixels, sheared by
    `shear` degrees and zoomed by `zx`/`zy` (tf.keras 2's matrix and axis conventions)."""
    if x.ndim != 3:
        raise ValueError(f"Input arrays must be multi-channel 2D images; received shape {x.shape}.")
    if sorted((row_axis, col_axis, channel_axis)) != [0, 1, 2] or channel_axis not in (0, 2):
        raise ValueError(f"Invalid axes: row_axis={row_axis}, col_axis={col_axis}, channel_axis={channel_axis}.")
    if fill_mode not in ("nearest", "constant", "reflect", "wrap"):
        raise ValueError(f"fill_mode must be one of nearest, constant, reflect, wrap; received {fill_mode!r}.")
    matrix = None
    pieces = []
    if theta != 0:
        t = np.deg2rad(theta)
        pieces.append(np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        pieces.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        s = np.deg2rad(shear)
        pieces.append(np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]]))
    if zx != 1 or zy != 1:
        pieces.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    for piece in pieces:
        matrix = piece if matrix is None else matrix @ piece
    if matrix is None:
        return x
    matrix = _offset_center(matrix, x.shape[row_axis], x.shape[col_axis]).astype(np.float64)
    if col_axis > row_axis:  # the matrix is built in (x, y); arrays are indexed (row, column)
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    channels = np.moveaxis(x, channel_axis, 0)
    if order == 1 and fill_mode == "nearest" and min(channels.shape[1:]) > 1:
        out = _affine_sample_nearest_bilinear(channels, matrix[:2, :2], matrix[:2, 2])
    else:
        out = np.stack([_affine_sample(c, matrix[:2, :2], matrix[:2, 2], order, fill_mode, cval) for c in channels])
    return np.moveaxis(out, 0, channel_axis).astype(x.dtype)


def apply_channel_shift(x, intensity, channel_axis=0):
    """`intensity` added to every channel, clipped to the image's own value range."""
    low, high = np.min(x), np.max(x)
    return np.clip(x + intensity, low, high).astype(x.dtype)


def apply_brightness_shift(x, brightness, scale=True):
    """Brightness scaled by `brightness` as PIL's `ImageEnhance.Brightness` (values in 0-255,
    truncated to integers); an image outside 0-255 is mapped there and back."""
    low, high = float(np.min(x)), float(np.max(x))
    local_scale = low < 0 or high > 255
    values = x.astype(np.float64)
    if local_scale or scale:
        span = (high - low) or 1.0
        values = (values - low) / span * 255.0
    values = np.floor(np.clip(values * brightness, 0, 255))
    if local_scale and not scale:
        values = values / 255.0 * (high - low) + low
    return values.astype(x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32)


def flip_axis(x, axis):
    return np.flip(x, axis).copy()


# --- the generator ------------------------------------------------------------------------------


class ImageDataGenerator:
    """Batches of images with random augmentation (tf.keras 2; Keras 3 suggests preprocessing
    layers instead). Arguments are tf.keras 2's: `featurewise_center`, `samplewise_center`,
    `featurewise_std_normalization`, `samplewise_std_normalization`, `rotation_range` (degrees),
    `width_shift_range`/`height_shift_range` (a fraction of the size below 1, else pixels; a
    list to choose from), `brightness_range`, `shear_range` (degrees), `zoom_range` (`z` or
    `[low, high]`), `channel_shift_range`, `fill_mode`, `cval`, `horizontal_flip`,
    `vertical_flip`, `rescale`, `preprocessing_function`, `data_format`, `validation_split`,
    `interpolation_order`, `dtype`. ZCA whitening is not supported.
    """

    def __init__(
        self,
        featurewise_center=False,
        samplewise_center=False,
        featurewise_std_normalization=False,
        samplewise_std_normalization=False,
        zca_whitening=False,
        zca_epsilon=1e-6,
        rotation_range=0,
        width_shift_range=0.0,
        height_shift_range=0.0,
        brightness_range=None,
        shear_range=0.0,
        zoom_range=0.0,
        channel_shift_range=0.0,
        fill_mode="nearest",
        cval=0.0,
        horizontal_flip=False,
        vertical_flip=False,
        rescale=None,
        preprocessing_function=None,
        data_format=None,
        validation_split=0.0,
        interpolation_order=1,
        dtype=None,
    ):
        if zca_whitening:
            raise NotImplementedError("`ImageDataGenerator(zca_whitening=True)` is not supported by keraslite.")
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.shear_range = shear_range
        self.channel_shift_range = channel_shift_range
        if fill_mode not in ("nearest", "constant", "reflect", "wrap"):
            raise ValueError(f"fill_mode must be one of nearest, constant, reflect, wrap; received {fill_mode!r}.")
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.dtype = dtype or state.floatx()
        self.interpolation_order = interpolation_order
        data_format = data_format or state.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f'`data_format` should be "channels_last" or "channels_first"; received: {data_format!r}')
        self.data_format = data_format
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if not 0 <= validation_split < 1:
            raise ValueError(f"`validation_split` must be strictly between 0 and 1. Received: {validation_split}")
        self._validation_split = validation_split
        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None
        if np.isscalar(zoom_range):
            self.zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2:
            self.zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(f"`zoom_range` should be a float or a tuple or list of two floats. Received: {zoom_range}")
        if brightness_range is not None and (
            not isinstance(brightness_range, (tuple, list)) or len(brightness_range) != 2
        ):
            raise ValueError(f"`brightness_range should be tuple or list of two floats. Received: {brightness_range}")
        self.brightness_range = brightness_range

    # ------------------------------------------------------------------ iterators
    def flow(
        self,
        x,
        y=None,
        batch_size=32,
        shuffle=True,
        sample_weight=None,
        seed=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        ignore_class_split=False,
        subset=None,
    ):
        """Batches of `x` (and `y`, `sample_weight`) with augmentation, as a `PyDataset`."""
        return NumpyArrayIterator(
            x,
            y,
            self,
            batch_size=batch_size,
            shuffle=shuffle,
            sample_weight=sample_weight,
            seed=seed,
            data_format=self.data_format,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            ignore_class_split=ignore_class_split,
            subset=subset,
            dtype=self.dtype,
        )

    def flow_from_directory(
        self,
        directory,
        target_size=(256, 256),
        color_mode="rgb",
        classes=None,
        class_mode="categorical",
        batch_size=32,
        shuffle=True,
        seed=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        follow_links=False,
        subset=None,
        interpolation="nearest",
        keep_aspect_ratio=False,
    ):
        """Batches of the images under `directory` (one subfolder per class), as a `PyDataset`."""
        return DirectoryIterator(
            directory,
            self,
            target_size=target_size,
            color_mode=color_mode,
            classes=classes,
            class_mode=class_mode,
            data_format=self.data_format,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            follow_links=follow_links,
            subset=subset,
            interpolation=interpolation,
            keep_aspect_ratio=keep_aspect_ratio,
            dtype=self.dtype,
        )

    def flow_from_dataframe(
        self,
        dataframe,
        directory=None,
        x_col="filename",
        y_col="class",
        weight_col=None,
        target_size=(256, 256),
        color_mode="rgb",
        classes=None,
        class_mode="categorical",
        batch_size=32,
        shuffle=True,
        seed=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        subset=None,
        interpolation="nearest",
        validate_filenames=True,
        **kwargs,
    ):
        """Batches of the image files a data frame lists (column `x_col`), labelled by `y_col`."""
        for old in ("has_ext", "sort", "drop_duplicates"):
            kwargs.pop(old, None)
        if kwargs:
            raise TypeError(f"flow_from_dataframe got unexpected keyword argument(s): {sorted(kwargs)}")
        return DataFrameIterator(
            dataframe,
            directory,
            self,
            x_col=x_col,
            y_col=y_col,
            weight_col=weight_col,
            target_size=target_size,
            color_mode=color_mode,
            classes=classes,
            class_mode=class_mode,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            data_format=self.data_format,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            subset=subset,
            interpolation=interpolation,
            dtype=self.dtype,
            validate_filenames=validate_filenames,
        )

    # ------------------------------------------------------------------ per image
    def standardize(self, x):
        """`preprocessing_function`, `rescale`, then the sample-wise and feature-wise normalizations."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x = x * self.rescale
        image_channel_axis = self.channel_axis - 1
        if self.samplewise_center:
            x = x - np.mean(x, axis=image_channel_axis, keepdims=True)
        if self.samplewise_std_normalization:
            x = x / (np.std(x, axis=image_channel_axis, keepdims=True) + 1e-6)
        if self.featurewise_center:
            if self.mean is None:
                raise ValueError(
                    "This ImageDataGenerator specifies `featurewise_center`, but it hasn't been fit on any training "
                    "data. Fit it first by calling `.fit(numpy_data)`."
                )
            x = x - self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                raise ValueError(
                    "This ImageDataGenerator specifies `featurewise_std_normalization`, but it hasn't been fit on "
                    "any training data. Fit it first by calling `.fit(numpy_data)`."
                )
            x = x / (self.std + 1e-6)
        return x

    def get_random_transform(self, img_shape, seed=None):
        """The random parameters of one image's transform (a dict, for `apply_transform`)."""
        row_axis, col_axis = self.row_axis - 1, self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = np.random.uniform(-self.rotation_range, self.rotation_range) if self.rotation_range else 0
        tx = _random_shift(self.height_shift_range, img_shape[row_axis])
        ty = _random_shift(self.width_shift_range, img_shape[col_axis])
        shear = np.random.uniform(-self.shear_range, self.shear_range) if self.shear_range else 0
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(-self.channel_shift_range, self.channel_shift_range)
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(self.brightness_range[0], self.brightness_range[1])
        return {
            "theta": theta,
            "tx": tx,
            "ty": ty,
            "shear": shear,
            "zx": zx,
            "zy": zy,
            "flip_horizontal": flip_horizontal,
            "flip_vertical": flip_vertical,
            "channel_shift_intensity": channel_shift_intensity,
            "brightness": brightness,
        }

    def apply_transform(self, x, transform_parameters):
        """One image (3D) transformed by the given parameters: affine, channel shift, flips, brightness."""
        row_axis, col_axis, channel_axis = self.row_axis - 1, self.col_axis - 1, self.channel_axis - 1
        p = transform_parameters
        x = apply_affine_transform(
            x,
            p.get("theta", 0),
            p.get("tx", 0),
            p.get("ty", 0),
            p.get("shear", 0),
            p.get("zx", 1),
            p.get("zy", 1),
            row_axis=row_axis,
            col_axis=col_axis,
            channel_axis=channel_axis,
            fill_mode=self.fill_mode,
            cval=self.cval,
            order=self.interpolation_order,
        )
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], channel_axis)
        if p.get("flip_horizontal", False):
            x = flip_axis(x, col_axis)
        if p.get("flip_vertical", False):
            x = flip_axis(x, row_axis)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"], False)
        return x

    def random_transform(self, x, seed=None):
        """One image with a random transform applied."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Computes the feature-wise mean and std (per channel) that `featurewise_*` use."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(f"Input to `.fit()` should have rank 4. Got array with shape: {x.shape}")
        if seed is not None:
            np.random.seed(seed)
        x = np.copy(x)
        if self.rescale:
            x *= self.rescale
        if augment:
            x = np.concatenate([np.stack([self.random_transform(image) for image in x]) for _ in range(rounds)])
        axes = (0, self.row_axis, self.col_axis)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.mean(x, axis=axes).reshape(shape)
            x = x - self.mean
        if self.featurewise_std_normalization:
            self.std = np.std(x, axis=axes).reshape(shape)


def _random_shift(shift_range, size):
    if not shift_range:
        return 0
    try:  # a list to choose from, or an int: whole pixels
        shift = np.random.choice(shift_range)
        shift *= np.random.choice([-1, 1])
    except ValueError:  # a float
        shift = np.random.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:
        shift *= size
    return shift
