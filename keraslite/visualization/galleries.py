"""`keras.visualization` galleries: `plot_image_gallery` and the two that draw boxes or
masks first. They need matplotlib, which keraslite does not depend on."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import math

import numpy as np

from keraslite.backend import state
from keraslite.visualization.image_annotation import _numpy, draw_bounding_boxes, draw_segmentation_masks


def _pyplot(function: str):
    # matplotlib is optional and slow to import: loaded only when a gallery is drawn.
    if importlib.util.find_spec("matplotlib") is None:
        raise ImportError(
            f"The `{function}` function requires the `matplotlib` package. Please install it with "
            "`pip install matplotlib`."
        )
    return importlib.import_module("matplotlib.pyplot")


def plot_image_gallery(
    images,
    y_true=None,
    y_pred=None,
    label_map=None,
    rows=None,
    cols=None,
    value_range=(0, 255),
    scale=2,
    path=None,
    show=None,
    transparent=True,
    dpi=60,
    legend_handles=None,
    data_format=None,
):
    """Show (or save to `path`) a `rows` x `cols` grid of `images`, titled with the
    `label_map` names of `y_true` / `y_pred` when given."""
    plt = _pyplot("plot_image_gallery")
    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, or `show` to be true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be provided.")
    show = show if show is not None else path is None
    data_format = data_format or state.image_data_format()
    pixels = _numpy(images)
    if pixels.ndim == 3:
        pixels = pixels[None]
    batch_size = pixels.shape[0]
    rows = rows or int(math.ceil(math.sqrt(batch_size)))
    cols = cols or int(math.ceil(batch_size // rows))
    pixels = pixels[: rows * cols]
    if data_format == "channels_first":
        pixels = pixels.transpose(0, 2, 3, 1)
    low, high = value_range
    pixels = np.clip((pixels.astype("float32") - low) / (high - low) * 255.0, 0, 255).astype("uint8")
    y_true = None if y_true is None else _numpy(y_true)
    y_pred = None if y_pred is None else _numpy(y_pred)
    figure, axes = plt.subplots(
        nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale), frameon=False, layout="tight", squeeze=False
    )
    if legend_handles is not None:
        figure.legend(handles=legend_handles, loc="lower center")
    for row in range(rows):
        for col in range(cols):
            index = row * cols + col
            axis = axes[row, col]
            axis.axis("off")
            if index >= len(pixels):
                continue
            axis.imshow(pixels[index])
            title = []
            if y_true is not None:
                title.append(f"Label: {label_map.get(y_true[index], 'Unknown')}")
            if y_pred is not None:
                title.append(f"Pred: {label_map.get(y_pred[index], 'Unknown')}")
            if title:
                axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        plt.savefig(fname=path, pad_inches=0, bbox_inches="tight", transparent=transparent, dpi=dpi)
        plt.close()
    elif show:
        plt.show()
        plt.close()


def plot_bounding_box_gallery(
    images,
    bounding_box_format,
    y_true=None,
    y_pred=None,
    value_range=(0, 255),
    true_color=(0, 188, 212),
    pred_color=(255, 235, 59),
    line_thickness=2,
    font_scale=1.0,
    text_thickness=None,
    class_mapping=None,
    ground_truth_mapping=None,
    prediction_mapping=None,
    legend=False,
    legend_handles=None,
    rows=None,
    cols=None,
    data_format=None,
    **kwargs,
):
    """A gallery of `images` with the ground-truth boxes `y_true` and the predicted boxes
    `y_pred` drawn in their colours."""
    _pyplot("plot_bounding_box_gallery")
    data_format = data_format or state.image_data_format()
    pixels = _numpy(images)
    if pixels.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={pixels.shape}")
    if data_format == "channels_first":
        pixels = pixels.transpose(0, 2, 3, 1)
    draw = functools.partial(
        draw_bounding_boxes,
        bounding_box_format=bounding_box_format,
        line_thickness=line_thickness,
        text_thickness=text_thickness or line_thickness,
        font_scale=font_scale,
        data_format="channels_last",
    )
    if y_true is not None:
        pixels = draw(pixels, y_true, color=true_color, class_mapping=ground_truth_mapping or class_mapping)
    if y_pred is not None:
        pixels = draw(pixels, y_pred, color=pred_color, class_mapping=prediction_mapping or class_mapping)
    if legend:
        if legend_handles:
            raise ValueError(
                "Only pass `legend` OR `legend_handles` to `keras.visualization.plot_bounding_box_gallery()`."
            )
        patches = importlib.import_module("matplotlib.patches")
        legend_handles = [
            patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
            patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction"),
        ]
    return plot_image_gallery(
        pixels,
        value_range=value_range,
        legend_handles=legend_handles,
        rows=rows,
        cols=cols,
        data_format="channels_last",
        **kwargs,
    )


def plot_segmentation_mask_gallery(
    images,
    num_classes,
    value_range=(0, 255),
    y_true=None,
    y_pred=None,
    color_mapping=None,
    blend=True,
    alpha=0.8,
    ignore_index=-1,
    data_format=None,
    **kwargs,
):
    """One row per image: the image, then its `y_true` and `y_pred` masks drawn over it."""
    _pyplot("plot_segmentation_mask_gallery")
    data_format = data_format or state.image_data_format()
    pixels = _numpy(images)
    if pixels.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={pixels.shape}")
    if data_format == "channels_first":
        pixels = pixels.transpose(0, 2, 3, 1)
    draw = functools.partial(
        draw_segmentation_masks,
        num_classes=num_classes,
        color_mapping=color_mapping,
        alpha=alpha,
        ignore_index=ignore_index,
        blend=blend,
        data_format="channels_last",
    )
    columns = [pixels]
    for masks in (y_true, y_pred):
        if masks is not None:
            masks = _numpy(masks)
            if data_format == "channels_first":
                masks = masks.transpose(0, 2, 3, 1)
            columns.append(draw(pixels, masks.astype("int32")))
    gallery = np.stack([column[i] for i in range(pixels.shape[0]) for column in columns], axis=0)
    return plot_image_gallery(
        gallery, value_range=value_range, rows=pixels.shape[0], cols=len(columns), data_format="channels_last", **kwargs
    )
