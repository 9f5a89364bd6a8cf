"""`layers.masks` directly, and masking end to end: symbolic masks on KerasTensors, their
propagation through the functional graph (and its fx lowering), `_keras_mask` on eager
torch outputs, and RNNs consuming masks with the same numbers as Keras 3."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers import masks
from keraslite.testing.rnn_parity import check_models

TOKENS = np.array([[3, 5, 2, 7, 0, 0, 0], [4, 1, 0, 0, 0, 0, 0], [6, 0, 2, 9, 8, 0, 1]], dtype="int32")


def _embedding_model(body):
    return (
        "inp = keras.Input((7,), dtype='int32')\n"
        "x = layers.Embedding(10, 3, mask_zero=True)(inp)\n"
        f"{body}\nmodel = keras.Model(inp, out)"
    )


RNN_BODIES = [
    "out = layers.LSTM(4)(x)",
    "out = layers.LSTM(4, return_sequences=True)(x)",
    "out = layers.LSTM(4, return_sequences=True, return_state=True, go_backwards=True)(x)",
    "out = layers.GRU(4, return_sequences=True)(x)",
    "out = layers.GRU(4, reset_after=False, go_backwards=True)(x)",
    "out = layers.SimpleRNN(4, return_sequences=True, return_state=True)(x)",
    "out = layers.RNN(layers.LSTMCell(4), return_sequences=True, zero_output_for_mask=True)(x)",
    "out = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(x)",
    "out = layers.Bidirectional(layers.GRU(4), merge_mode='sum')(x)",
    "x = layers.LSTM(5, return_sequences=True)(x)\nout = layers.GRU(4)(x)",
    "x = layers.Dense(5, activation='relu')(x)\nout = layers.LSTM(4, return_sequences=True)(x)",
    "x = layers.LSTM(4, return_sequences=True)(x)\nout = layers.GlobalAveragePooling1D()(x)",
    "x = layers.TimeDistributed(layers.Dense(4))(x)\nout = layers.SimpleRNN(4, return_sequences=True)(x)",
]


def test_embedding_mask_zero_into_rnns_matches_keras(keras_oracle):
    cases = [(_embedding_model(body), [TOKENS]) for body in RNN_BODIES]
    # Float inputs padded by Masking (gradients checked) and an explicit mask input.
    rng = np.random.default_rng(0)
    padded = rng.standard_normal((3, 5, 2)).astype("float32")
    padded[0, 3:] = 0.0
    padded[1, 1:] = 0.0
    cases.append(
        (
            "inp = keras.Input((5, 2))\nx = layers.Masking()(inp)\nout = layers.LSTM(3, return_sequences=True)(x)\n"
            "model = keras.Model(inp, out)",
            [padded],
        )
    )
    cases.append(
        (
            "inp = keras.Input((5, 2))\nx = layers.Masking()(inp)\nout = layers.Bidirectional(layers.GRU(3))(x)\n"
            "model = keras.Model(inp, out)",
            [padded],
        )
    )
    cases.append(
        (
            "inp = keras.Input((5, 2))\nx = layers.Masking()(inp)\n"
            "out = layers.GRU(3, return_sequences=True, go_backwards=True)(x)\nmodel = keras.Model(inp, out)",
            [padded],
        )
    )
    check_models(keras_oracle, cases)


RIGHT_PADDED = np.array(
    [[3, 5, 2, 7, 0, 0, 0], [4, 1, 0, 0, 0, 0, 0], [6, 1, 2, 9, 8, 3, 1], [0, 0, 0, 0, 0, 0, 0]], dtype="int32"
)

FUSED_BODIES = [
    "out = layers.LSTM(4)(x)",
    "out = layers.LSTM(4, return_sequences=True)(x)",
    "out = layers.GRU(4, return_sequences=True, return_state=True)(x)",
    "out = layers.SimpleRNN(4, return_sequences=True)(x)",
    "out = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(x)",
    "out = layers.RNN(layers.GRUCell(4), return_sequences=True, zero_output_for_mask=True)(x)",
]


def test_right_padded_masks_run_fused_and_match_keras(keras_oracle, monkeypatch):
    from keraslite.layers.rnn.builtin import BuiltinRNN

    check_models(keras_oracle, [(_embedding_model(body), [RIGHT_PADDED]) for body in FUSED_BODIES])

    def no_loop(*args, **kwargs):
        raise AssertionError("the step loop ran")

    monkeypatch.setattr(BuiltinRNN, "_step_loop", no_loop)
    embedded = layers.Embedding(10, 3, mask_zero=True)(torch.as_tensor(RIGHT_PADDED))
    for layer in (
        layers.LSTM(4),
        layers.GRU(4, return_sequences=True, return_state=True),
        layers.SimpleRNN(2),
        layers.LSTM(4, return_state=True),  # the final carry comes from the packed kernel
    ):
        layer(embedded)
    holes = embedded._keras_mask.clone()
    holes[:, 0] = False  # a masked step before valid ones: not right padding
    with pytest.raises(AssertionError, match="step loop"):
        layers.LSTM(4)(embedded, mask=holes)


def test_mask_propagates_through_dense_concatenate_and_pooling(keras_oracle):
    body = (
        "a = layers.Dense(4)(x)\n"
        "b = layers.Embedding(10, 2, mask_zero=True)(inp)\n"
        "out = [layers.Concatenate()([a, b]), layers.GlobalAveragePooling1D()(a), layers.Activation('tanh')(a)]"
    )
    code = _embedding_model(body)
    ns = {"keras": keras, "layers": layers}
    exec(code, ns)
    concat, pooled, activated = ns["out"]
    assert tuple(concat._keras_mask.shape) == (None, 7) and concat._keras_mask.dtype == "bool"
    assert pooled._keras_mask is None
    assert activated._keras_mask is not None
    check_models(keras_oracle, [(code, [TOKENS])])


def test_symbolic_masks_follow_keras_rules():
    inp = keras.Input((7,), dtype="int32")
    x = layers.Embedding(10, 3, mask_zero=True)(inp)
    assert x._keras_mask is not None
    assert layers.LSTM(2, return_sequences=True)(x)._keras_mask is not None
    assert layers.LSTM(2)(x)._keras_mask is None
    out, h, c = layers.LSTM(2, return_sequences=True, return_state=True)(x)
    assert out._keras_mask is not None and h._keras_mask is None and c._keras_mask is None
    # A layer that does not support masking drops it (and says so).
    with pytest.warns(UserWarning, match="does not support masking"):
        assert layers.Conv1D(2, 3)(x)._keras_mask is None
    # Without mask_zero there is no mask.
    assert layers.Embedding(10, 3)(inp)._keras_mask is None


def test_fx_graph_passes_masks_explicitly():
    inp = keras.Input((7,), dtype="int32")
    x = layers.Embedding(10, 3, mask_zero=True)(inp)
    out = layers.LSTM(2)(layers.Dense(3)(x))
    model = keras.Model(inp, out)
    code = model.graph_module.code
    assert "keras_mask_of" in code and "mask = keras_mask_of" in code
    unmasked = keras.Model(inp, layers.LSTM(2)(layers.Embedding(10, 3)(inp)))
    assert "mask" not in unmasked.graph_module.code.replace("training", "")


def test_eager_outputs_carry_keras_mask_and_rnns_use_it():
    tokens = torch.as_tensor(TOKENS)
    embedded = layers.Embedding(10, 3, mask_zero=True)(tokens)
    torch.testing.assert_close(embedded._keras_mask, tokens != 0)
    lstm = layers.LSTM(4, return_sequences=True)
    implicit = lstm(embedded)
    explicit = lstm(embedded.detach().clone(), mask=tokens != 0)
    unmasked = lstm(embedded.detach().clone())
    torch.testing.assert_close(implicit, explicit)
    assert not torch.allclose(implicit, unmasked)
    torch.testing.assert_close(implicit._keras_mask, tokens != 0)
    dense = layers.Dense(2)(embedded)
    torch.testing.assert_close(dense._keras_mask, tokens != 0)
    assert getattr(layers.LSTM(4)(embedded), "_keras_mask", None) is None


# A functional model passes masks inside but not on (as Keras's): calling it with a mask warns.
@pytest.mark.filterwarnings("ignore:.*does not support masking:UserWarning")
def test_model_outputs_carry_mask_and_model_call_accepts_mask():
    inp = keras.Input((7,), dtype="int32")
    x = layers.Embedding(10, 3, mask_zero=True)(inp)
    model = keras.Model(inp, layers.LSTM(4, return_sequences=True)(x))
    out = model(TOKENS)
    torch.testing.assert_close(out._keras_mask, torch.as_tensor(TOKENS) != 0)
    seq = keras.Input((7, 3))
    inner = keras.Model(seq, layers.GRU(2, return_sequences=True)(seq))
    values = torch.randn(3, 7, 3)
    mask = torch.as_tensor(TOKENS) != 0
    torch.testing.assert_close(inner(values, mask=mask), inner.layers[-1](values, mask=mask))
    assert not torch.allclose(inner(values, mask=mask), inner(values))


def test_masked_steps_keep_previous_state():
    x = torch.randn(2, 5, 3)
    mask = torch.tensor([[True, True, False, True, False], [True, False, False, False, False]])
    for layer in (
        layers.LSTM(4, return_sequences=True),
        layers.GRU(4, return_sequences=True),
        layers.SimpleRNN(4, return_sequences=True),
    ):
        out = layer(x, mask=mask)
        torch.testing.assert_close(out[0, 2], out[0, 1])
        torch.testing.assert_close(out[0, 4], out[0, 3])
        torch.testing.assert_close(out[1, 4], out[1, 0])
        # Skipping the masked steps gives the same final output.
        last = layer.__class__(4)
        last(x)
        last.set_weights(layer.get_weights())
        torch.testing.assert_close(last(x[:1, [0, 1, 3]]), out[:1, -1])


# ---------------------------------------------------------------------- masks.py, directly


class _PassThrough(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        return inputs


class _FirstFeatureMask(_PassThrough):
    def compute_mask(self, inputs, previous_mask=None):
        return inputs[..., 0] > 0


def _masked(tensor, mask):
    tensor._keras_mask = mask
    return tensor


def test_get_keras_mask_and_input_masks():
    plain = torch.ones(2, 3)
    assert masks.get_keras_mask(plain) is None and masks.input_masks(plain) is None
    mask = torch.tensor([True, False])
    tensor = _masked(torch.ones(2, 3), mask)
    assert masks.get_keras_mask(tensor) is mask and masks.input_masks(tensor) is mask
    assert masks.input_masks([plain, tensor]) == [None, mask]
    assert masks.input_masks([plain, plain]) is None
    assert masks.input_masks("not a tensor") is None


def test_default_compute_mask_marks_the_base_method():
    assert masks.overrides_compute_mask(_FirstFeatureMask()) is True
    assert masks.overrides_compute_mask(_PassThrough()) is False
    assert masks.overrides_compute_mask(layers.Dense(2)) is False
    assert masks.overrides_compute_mask(layers.Embedding(3, 2, mask_zero=True)) is True

    @masks.default_compute_mask
    def compute_mask(self, inputs, previous_mask=None):
        return previous_mask

    assert compute_mask._keraslite_default_compute_mask is True


def test_resolve_mask_fills_mask_only_for_a_single_tensor_argument():
    mask = torch.tensor([True, False])
    inputs = _masked(torch.ones(2, 3), mask)
    kwargs = {}
    assert masks.resolve_mask(None, True, inputs, (inputs,), kwargs) is mask
    assert kwargs["mask"] is mask
    # A layer whose call takes no mask gets none, but compute_mask still sees it.
    kwargs = {}
    assert masks.resolve_mask(None, False, inputs, (inputs,), kwargs) is mask and "mask" not in kwargs
    # Another tensor argument: no implicit mask.
    kwargs = {}
    masks.resolve_mask(None, True, inputs, (inputs, torch.ones(1)), kwargs)
    assert "mask" not in kwargs
    # An explicit mask wins.
    explicit = torch.tensor([False, False])
    assert masks.resolve_mask(None, True, inputs, (inputs,), {"mask": explicit}) is explicit


def test_attach_masks_sets_compute_mask_on_eager_outputs():
    layer = _FirstFeatureMask()
    inputs = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    outputs = inputs * 1
    masks.attach_masks(layer, inputs, outputs, None)
    assert outputs._keras_mask.tolist() == [True, False]
    ignored = inputs * 1
    with pytest.warns(UserWarning, match="does not support masking"):
        masks.attach_masks(layers.Layer(), inputs, ignored, inputs[..., 0] > 0)
    assert getattr(ignored, "_keras_mask", None) is None


def test_symbolic_output_masks_infers_mask_specs():
    inputs = KerasTensor((None, 5, 2))
    spec = KerasTensor((None, 5, 2))
    out = masks.symbolic_output_masks(_FirstFeatureMask(), inputs, spec, None)
    assert out._keras_mask is not None and out._keras_mask.shape == (None, 5) and out._keras_mask.dtype == "bool"
    previous = KerasTensor((None, 5), "bool")
    passed = masks.symbolic_output_masks(_PassThrough(), inputs, KerasTensor((None, 5, 2)), previous)
    assert passed._keras_mask is previous
    with pytest.warns(UserWarning, match="does not support masking"):
        untouched = masks.symbolic_output_masks(layers.Layer(), inputs, KerasTensor((None, 5, 2)), previous)
    assert untouched._keras_mask is None


# ---------------------------------------------------------------------- eager masks, Keras 3's rules
# (a layer class that defines compute_mask supports masking; masks go on the outputs that have
# none; list masks go to the outputs in order; masks flow on to later eager calls)


class _HalveTime(layers.Layer):
    """Two outputs: the first and second half of the time axis; the mask split the same way."""

    def call(self, inputs):
        return keras.ops.split(inputs, 2, axis=1)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return keras.ops.split(mask, 2, axis=1)


class _InputAndDouble(layers.Layer):
    """Returns the input tensor itself and a new one; the mask list names only the second."""

    def call(self, inputs):
        return inputs, inputs * 2

    def compute_mask(self, inputs, mask=None):
        return [None, inputs[..., 0] > 1]


class _MaskConsumer(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.received = []

    def call(self, inputs, mask=None):
        self.received.append(mask)
        return inputs + 1


class _ClassLevelSupport(layers.Layer):
    supports_masking = True

    def call(self, inputs):
        return inputs * 3


PADDED = np.array([[4, 2, 7, 0], [5, 0, 0, 0]], dtype="int32")


def test_defining_compute_mask_makes_a_layer_support_masking():
    assert _HalveTime().supports_masking and _InputAndDouble().supports_masking
    assert not layers.Layer().supports_masking and not layers.Flatten().supports_masking
    assert _ClassLevelSupport().supports_masking
    opted_out = _HalveTime()
    opted_out.supports_masking = False
    assert not opted_out.supports_masking
    # The base compute_mask passes the previous mask on, supported or not.
    previous = torch.tensor([True, False])
    assert layers.Flatten().compute_mask(torch.ones(2, 3), previous) is previous


def test_eager_multi_output_layer_puts_each_mask_on_its_output():
    embedded = layers.Embedding(10, 3, mask_zero=True)(PADDED)
    first, second = _HalveTime()(embedded)
    assert first._keras_mask.tolist() == [[True, True], [True, False]]
    assert second._keras_mask.tolist() == [[True, False], [False, False]]
    # Without an input mask compute_mask returns None: no output carries a mask.
    plain_first, plain_second = _HalveTime()(torch.ones(2, 4, 3))
    assert getattr(plain_first, "_keras_mask", None) is None and getattr(plain_second, "_keras_mask", None) is None


def test_output_that_is_the_input_keeps_its_mask_and_none_entries_set_nothing():
    values = torch.tensor([[[1.0], [2.0], [3.0]]])
    old_mask = torch.tensor([[True, True, False]])
    same, doubled = _InputAndDouble()(_masked(values, old_mask))
    assert same is values and same._keras_mask is old_mask
    assert doubled._keras_mask.tolist() == [[False, True, True]]
    unmasked_same, _ = _InputAndDouble()(torch.ones(1, 3, 1))
    assert getattr(unmasked_same, "_keras_mask", None) is None


def test_eager_masks_flow_through_later_calls():
    masked = layers.Masking(mask_value=0.0)(torch.tensor([[[1.0], [0.0], [2.0]]]))
    consumer = _MaskConsumer()
    passed = consumer(masked)
    assert consumer.received[-1] is masked._keras_mask
    assert passed._keras_mask is masked._keras_mask
    tripled = _ClassLevelSupport()(passed)
    assert tripled._keras_mask is masked._keras_mask
    # An explicit mask argument wins over the input's and is what the outputs carry.
    explicit = torch.tensor([[False, False, True]])
    assert consumer(masked, mask=explicit)._keras_mask is explicit
    assert consumer.received[-1] is explicit


def test_layer_without_masking_support_warns_and_drops_the_mask():
    embedded = layers.Embedding(10, 3, mask_zero=True)(PADDED)
    with pytest.warns(UserWarning, match=r"Layer 'flat' \(of type Flatten\) was passed an input with a mask"):
        flat = layers.Flatten(name="flat")(embedded)
    assert getattr(flat, "_keras_mask", None) is None
    symbolic = layers.Embedding(10, 3, mask_zero=True)(keras.Input((4,), dtype="int32"))
    with pytest.warns(UserWarning, match="Flatten"):
        assert layers.Flatten()(symbolic)._keras_mask is None


def test_list_inputs_without_masks_give_compute_mask_a_list_of_nones():
    seen = []

    class FirstOfTwo(layers.Layer):
        def call(self, inputs):
            return inputs[0]

        def compute_mask(self, inputs, mask=None):
            seen.append(mask)
            return mask[0]

    FirstOfTwo()([torch.ones(2, 3), torch.ones(2, 3)])
    assert seen == [[None, None]]
    out = FirstOfTwo()([keras.Input((3,)), keras.Input((3,))])
    assert seen[-1] == [None, None] and out._keras_mask is None


def test_masks_survive_the_conversion_of_inputs_to_the_compute_dtype():
    mask = torch.tensor([[True, False]])
    single = layers.Dense(2)(_masked(torch.ones(1, 2, 3, dtype=torch.float64), mask))
    assert single._keras_mask is mask
    pair = [_masked(torch.ones(1, 2, 3, dtype=torch.float64), mask), torch.ones(1, 2, 3, dtype=torch.float64)]
    joined = layers.Concatenate(axis=1)(pair)
    assert joined._keras_mask.tolist() == [[True, False, True, True]]


def test_eager_masks_match_keras(keras_oracle):
    code = """
ops = keras.ops

class HalveTime(keras.layers.Layer):
    def call(self, inputs):
        return ops.split(inputs, 2, axis=1)

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else ops.split(mask, 2, axis=1)

embedded = keras.layers.Embedding(10, 3, mask_zero=True)(inputs["tokens"])
first, second = HalveTime()(embedded)
result["first"] = first._keras_mask.numpy()
result["second"] = second._keras_mask.numpy()
result["masking"] = keras.layers.Masking()(inputs["values"])._keras_mask.numpy()
"""
    values = np.array([[[1.0, 0.0], [0.0, 0.0], [0.0, 3.0], [0.0, 0.0]]], dtype="float32")
    expected = keras_oracle.run(code, tokens=PADDED, values=values)
    first, second = _HalveTime()(layers.Embedding(10, 3, mask_zero=True)(PADDED))
    np.testing.assert_array_equal(first._keras_mask.numpy(), expected["first"])
    np.testing.assert_array_equal(second._keras_mask.numpy(), expected["second"])
    np.testing.assert_array_equal(layers.Masking()(values)._keras_mask.numpy(), expected["masking"])
