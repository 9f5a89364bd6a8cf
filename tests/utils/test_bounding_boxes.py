"""keras.utils.bounding_boxes against real Keras (torch backend)."""

import numpy as np
import pytest

from keraslite.utils import bounding_boxes as bb

FORMATS = ["xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh"]

CODE = """
B = keras.utils.bounding_boxes
import numpy as np
boxes, batch, anchors = inputs['boxes'], inputs['batch'], inputs['anchors']
np_ = keras.ops.convert_to_numpy
for source in FORMATS:
    for target in FORMATS:
        result[f'{source}>{target}'] = np_(B.convert_format(boxes, source, target, height=40, width=60))
result['iou'] = np_(B.compute_iou(boxes, boxes[::-1], 'xyxy'))
result['iou_b1'] = np_(B.compute_iou(batch, boxes, 'xywh'))
result['iou_b2'] = np_(B.compute_iou(boxes, batch, 'center_xywh'))
result['iou_mask'] = np_(B.compute_iou(inputs['padded'], boxes, 'xyxy', use_masking=True, mask_val=-2))
result['iou_rel'] = np_(B.compute_iou(boxes / 80, boxes[::-1] / 80, 'rel_yxyx', image_shape=(40, 60, 3)))
result['ciou'] = np_(B.compute_ciou(boxes, boxes[::-1], 'xyxy'))
clipped = B.clip_to_image_size({'boxes': boxes - 20, 'labels': np.arange(5)}, height=30, width=25)
result['clip_boxes'], result['clip_labels'] = np_(clipped['boxes']), np_(clipped['labels'])
result['crop'] = np_(B.crop(boxes, 5, 7, 30, 35))
result['pad'] = np_(B.pad(boxes, 5, 7))
f = lambda *v: np.array(v, 'float32')
params = f(10, -20), f(0.1, 0), f(0, -0.2), f(1.0, 1.3), f(5, 0), f(0, 8)
result['affine'] = np_(B.affine_transform(batch, *params, 40, 60))
result['enc'] = np_(B.encode_box_to_deltas(anchors, boxes, 'xyxy', 'xywh', variance=[0.1, 0.1, 0.2, 0.2]))
result['enc_x'] = np_(B.encode_box_to_deltas(anchors, batch, 'xyxy', 'xyxy', encoding_format='center_xywh'))
deltas = keras.ops.convert_to_tensor(inputs['deltas'])
result['dec'] = np_(B.decode_deltas_to_boxes(anchors, deltas, 'xyxy', 'rel_xyxy', image_shape=(40, 60, 3)))
"""


def _inputs():
    rng = np.random.default_rng(0)
    corner = rng.uniform(0, 30, (5, 2))
    boxes = np.concatenate([corner, corner + rng.uniform(2, 25, (5, 2))], -1).astype("float32")
    batch = np.stack([boxes, boxes[::-1] * 0.7]).astype("float32")
    anchors = (boxes + 3).astype("float32")
    padded = boxes.copy()
    padded[3] = -1
    deltas = rng.normal(0, 0.3, (2, 5, 4)).astype("float32")
    return dict(boxes=boxes, batch=batch, anchors=anchors, padded=padded, deltas=deltas)


def test_bounding_boxes_match_keras(keras_oracle):
    data = _inputs()
    expected = keras_oracle.run(f"FORMATS = {FORMATS!r}\n" + CODE, **data)
    boxes, batch, anchors = data["boxes"], data["batch"], data["anchors"]

    def check(name, got):
        np.testing.assert_allclose(np.asarray(got), expected[name], rtol=1e-5, atol=1e-5, err_msg=name)

    for source in FORMATS:
        for target in FORMATS:
            check(f"{source}>{target}", bb.convert_format(boxes, source, target, height=40, width=60))
    check("iou", bb.compute_iou(boxes, boxes[::-1], "xyxy"))
    check("iou_b1", bb.compute_iou(batch, boxes, "xywh"))
    check("iou_b2", bb.compute_iou(boxes, batch, "center_xywh"))
    check("iou_mask", bb.compute_iou(data["padded"], boxes, "xyxy", use_masking=True, mask_val=-2))
    check("iou_rel", bb.compute_iou(boxes / 80, boxes[::-1] / 80, "rel_yxyx", image_shape=(40, 60, 3)))
    check("ciou", bb.compute_ciou(boxes, boxes[::-1], "xyxy"))
    clipped = bb.clip_to_image_size({"boxes": boxes - 20, "labels": np.arange(5)}, height=30, width=25)
    check("clip_boxes", clipped["boxes"])
    check("clip_labels", clipped["labels"])
    check("crop", bb.crop(boxes, 5, 7, 30, 35))
    check("pad", bb.pad(boxes, 5, 7))

    def f(*values):
        return np.array(values, "float32")

    affine = bb.affine_transform(batch, f(10, -20), f(0.1, 0), f(0, -0.2), f(1.0, 1.3), f(5, 0), f(0, 8), 40, 60)
    check("affine", affine)
    check("enc", bb.encode_box_to_deltas(anchors, boxes, "xyxy", "xywh", variance=[0.1, 0.1, 0.2, 0.2]))
    check("enc_x", bb.encode_box_to_deltas(anchors, batch, "xyxy", "xyxy", encoding_format="center_xywh"))
    check("dec", bb.decode_deltas_to_boxes(anchors, data["deltas"], "xyxy", "rel_xyxy", image_shape=(40, 60, 3)))


def test_round_trip_and_errors():
    data = _inputs()
    deltas = bb.encode_box_to_deltas(data["anchors"], data["boxes"], "xyxy", "xyxy")
    decoded = bb.decode_deltas_to_boxes({"p3": data["anchors"]}, {"p3": deltas}, "xyxy", "xyxy")
    np.testing.assert_allclose(decoded["p3"].numpy(), data["boxes"], rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="last dimension of 4"):
        bb.convert_format(np.zeros((2, 3)), "xyxy", "xywh")
    with pytest.raises(ValueError, match="must receive `height` and `width`"):
        bb.convert_format(data["boxes"], "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="Invalid source or target format"):
        bb.convert_format(data["boxes"], "xyxy", "xyzw")
    with pytest.raises(ValueError, match="`variance` must be length 4"):
        bb.encode_box_to_deltas(data["anchors"], data["boxes"], "xyxy", "xyxy", variance=[1, 1])
