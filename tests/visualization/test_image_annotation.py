"""keras.visualization: draw_segmentation_masks (parity with Keras), draw_bounding_boxes
(Pillow drawing: where the pixels change), and the galleries' matplotlib requirement."""

import importlib.util

import numpy as np
import pytest

from keraslite import visualization


def _images_and_masks():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (2, 6, 5, 3)).astype("uint8")
    masks = rng.integers(-1, 4, (2, 6, 5, 1)).astype("int32")
    return images, masks


def test_draw_segmentation_masks_matches_keras(keras_oracle):
    images, masks = _images_and_masks()
    code = (
        "from keras.visualization import draw_segmentation_masks as draw\n"
        "result['default'] = draw(inputs['images'], inputs['masks'], num_classes=4)\n"
        "result['mapped'] = draw(inputs['images'], inputs['masks'], num_classes=4, alpha=0.3,"
        " color_mapping={0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255), 3: (9, 9, 9)})\n"
        "result['raw'] = keras.ops.convert_to_numpy(draw(inputs['images'], inputs['masks'], num_classes=4,"
        " blend=False))\n"
        "result['first'] = draw(inputs['images'].transpose(0, 3, 1, 2), inputs['masks'].transpose(0, 3, 1, 2),"
        " num_classes=5, data_format='channels_first')\n"
    )
    expected = keras_oracle.run(code, images=images, masks=masks)
    draw = visualization.draw_segmentation_masks
    np.testing.assert_array_equal(draw(images, masks, num_classes=4), expected["default"])
    mapping = {0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255), 3: (9, 9, 9)}
    np.testing.assert_array_equal(
        draw(images, masks, num_classes=4, alpha=0.3, color_mapping=mapping), expected["mapped"]
    )
    np.testing.assert_array_equal(draw(images, masks, num_classes=4, blend=False), expected["raw"])
    first = draw(images.transpose(0, 3, 1, 2), masks.transpose(0, 3, 1, 2), num_classes=5, data_format="channels_first")
    np.testing.assert_array_equal(first, expected["first"])
    with pytest.raises(TypeError, match="integer dtype"):
        draw(images, masks.astype("float32"))


def test_draw_bounding_boxes_outlines_each_labelled_box():
    images = np.zeros((1, 20, 30, 3), "float32")
    boxes = {"boxes": np.array([[[2, 3, 10, 12], [15, 5, 25, 15]]], "float32"), "labels": np.array([[0, -1]])}
    drawn = visualization.draw_bounding_boxes(
        images, boxes, "xyxy", color=(255, 0, 0), line_thickness=1, class_mapping={0: "cat"}
    )
    assert drawn.dtype == np.uint8 and drawn.shape == (1, 20, 30, 3)
    red = drawn[0, ..., 0] == 255
    assert red[3, 2:11].all() and red[12, 2:11].all() and red[3:13, 2].all() and red[3:13, 10].all()
    assert not red[5:11, 4:9].any()  # the inside stays untouched
    assert not red[6:15, 16:25].any()  # the box labelled -1 is skipped
    with pytest.raises(ValueError, match="'boxes' and 'labels' keys"):
        visualization.draw_bounding_boxes(images, {"boxes": boxes["boxes"]}, "xyxy")
    with pytest.raises(ValueError, match="batched 4D"):
        visualization.draw_bounding_boxes(images[0], boxes, "xyxy")


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is not None, reason="matplotlib is installed")
def test_galleries_name_the_missing_matplotlib():
    images, masks = _images_and_masks()
    with pytest.raises(ImportError, match="`plot_image_gallery` function requires the `matplotlib` package"):
        visualization.plot_image_gallery(images)
    with pytest.raises(ImportError, match="plot_segmentation_mask_gallery"):
        visualization.plot_segmentation_mask_gallery(images, num_classes=3, y_true=masks)
    with pytest.raises(ImportError, match="plot_bounding_box_gallery"):
        visualization.plot_bounding_box_gallery(images, "xyxy")
