"""`layers.layer_arguments`: Keras's rules for `data_format`, int tuples and padding pairs."""

import pytest

import keraslite as keras
from keraslite.layers import layer_arguments as args


def test_data_format_defaults_to_the_global_setting():
    assert args.standardize_data_format(None) == keras.backend.image_data_format()
    assert args.standardize_data_format("Channels_First") == "channels_first"
    with pytest.raises(ValueError, match="data_format"):
        args.standardize_data_format("nhwc")


def test_standardize_tuple():
    assert args.standardize_tuple(3, 2, "kernel_size") == (3, 3)
    assert args.standardize_tuple([1, 2], 2, "strides") == (1, 2)
    with pytest.raises(ValueError, match="strides"):
        args.standardize_tuple((1, 2, 3), 2, "strides")
    with pytest.raises(ValueError, match="size"):
        args.standardize_tuple(None, 2, "size")


def test_normalize_pairs_and_spatial_axes():
    assert args.normalize_pairs(1, 2, "padding") == ((1, 1), (1, 1))
    assert args.normalize_pairs((1, 2), 2, "padding") == ((1, 1), (2, 2))
    assert args.normalize_pairs(((0, 1), (2, 3)), 2, "cropping") == ((0, 1), (2, 3))
    with pytest.raises(ValueError, match="cropping"):
        args.normalize_pairs((1, 2, 3), 2, "cropping")
    with pytest.raises(ValueError, match="padding"):
        args.normalize_pairs(((1, -1),), 1, "padding")
    assert args.spatial_axes("channels_last", 2) == (1, 2)
    assert args.spatial_axes("channels_first", 3) == (2, 3, 4)
