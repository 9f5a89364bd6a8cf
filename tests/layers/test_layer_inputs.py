"""layers/layer_inputs.py: matching values to a model's inputs by name and by shape,
the rules that model calls and `fit` data share."""

import numpy as np
import pytest
import torch

from keraslite.layers.layer_inputs import check_input_shape, convert_inputs, match_input_rank, select_by_input_name


def test_select_by_input_name_orders_and_names_what_is_missing():
    assert select_by_input_name({"b": 2, "a": 1, "extra": 3}, ["a", "b"], "Data `x`") == [1, 2]
    with pytest.raises(
        ValueError,
        match=r"^Data `x`: Missing data for input\(s\) \['b'\]\. "
        r"The model expects inputs \['a', 'b'\]; received a dict with keys \['a'\]\.$",
    ):
        select_by_input_name({"a": 1}, ["a", "b"], "Data `x`")


def test_check_input_shape_message_names_model_input_expected_and_received():
    check_input_shape("m", 0, "x", (None, 4), (7, 4))
    with pytest.raises(ValueError) as error:
        check_input_shape("m", 1, "tags", (None, 12), (64, 5))
    assert (
        str(error.value) == 'Input 1 ("tags") of model "m" is incompatible with the model: '
        "expected shape=(None, 12). Received: shape=(64, 5)"
    )
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\)\. Received: shape=\(2, 4, 1\)"):
        check_input_shape("m", 0, "x", (None, 4), (2, 4, 1))


def test_check_input_shape_batch_axis_and_rank_only():
    with pytest.raises(ValueError, match=r"Received: shape=\(3, 4\)"):
        check_input_shape("m", 0, "x", (2, 4), (3, 4))
    check_input_shape("m", 0, "x", (2, 4), (3, 4), batch_axis=False)  # whole datasets: any number of samples
    check_input_shape("m", 0, "text", (None, 1), (3, 5), rank_only=True)
    with pytest.raises(ValueError, match="incompatible"):
        check_input_shape("m", 0, "text", (None,), (3, 5), rank_only=True)


def test_convert_inputs_casts_floats_and_keeps_strings():
    converted = convert_inputs([np.ones((2, 2)), np.array(["a", "b"])], torch.float32)
    assert converted[0].dtype == torch.float32 and isinstance(converted[1], np.ndarray)


@pytest.mark.parametrize(
    "expected, given, result",
    [
        ((None, 28, 28, 1), (5, 28, 28), (5, 28, 28, 1)),  # the input's last axis is 1: added
        ((None, 4), (5, 4, 1), (5, 4)),  # one axis more, of size 1: squeezed
        ((None, 1), (5,), (5, 1)),
        ((None,), (5, 1), (5,)),
        ((None, 4), (5, 4), (5, 4)),  # same rank: as is
        ((None, 4), (5, 4, 2), (5, 4, 2)),  # not a trailing 1: left for the shape check
        ((None, 4), (5,), (5,)),
        ((None, 3, 1), (5, 3, 1, 1, 1), (5, 3, 1, 1, 1)),  # two axes more: as is
    ],
)
def test_match_input_rank_adds_or_drops_one_trailing_axis_of_size_one(expected, given, result):
    tensor = match_input_rank(torch.zeros(given), expected)
    assert tuple(tensor.shape) == result
    assert match_input_rank(np.zeros(given, dtype="<U1"), expected).shape == result
