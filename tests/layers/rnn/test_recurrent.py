"""Recurrent layers: harness checks (shapes, weights, config, training step, parity with
Keras 3 outputs and input gradients) over tables of arguments, plus model-level parity
for the wrappers, cells, initial states, masks and statefulness."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.testing.layer_test import run_layer_test
from keraslite.testing.rnn_parity import check_models

SEQ = (2, 6, 3)

# (class, init kwargs, expected output shape(s), trainable weights)
TABLE = [
    (layers.LSTM, {"units": 4}, (2, 4), 3),
    (layers.LSTM, {"units": 4, "return_sequences": True, "return_state": True}, [(2, 6, 4), (2, 4), (2, 4)], 3),
    (layers.LSTM, {"units": 4, "go_backwards": True, "return_sequences": True}, (2, 6, 4), 3),
    (layers.LSTM, {"units": 4, "use_cudnn": False, "return_sequences": True, "unit_forget_bias": False}, (2, 6, 4), 3),
    (
        layers.LSTM,
        {
            "units": 3,
            "activation": "relu",
            "recurrent_activation": "hard_sigmoid",
            "use_bias": False,
            "go_backwards": True,
        },
        (2, 3),
        2,
    ),
    (layers.LSTM, {"units": 4, "unroll": True, "return_state": True}, [(2, 4), (2, 4), (2, 4)], 3),
    (layers.GRU, {"units": 4}, (2, 4), 3),
    (
        layers.GRU,
        {"units": 4, "return_sequences": True, "return_state": True, "go_backwards": True},
        [(2, 6, 4), (2, 4)],
        3,
    ),
    (layers.GRU, {"units": 4, "reset_after": False, "return_sequences": True}, (2, 6, 4), 3),
    (layers.GRU, {"units": 4, "use_bias": False, "return_sequences": True}, (2, 6, 4), 2),
    (layers.GRU, {"units": 5, "activation": "relu", "use_cudnn": False}, (2, 5), 3),
    (layers.SimpleRNN, {"units": 4}, (2, 4), 3),
    (
        layers.SimpleRNN,
        {"units": 4, "return_sequences": True, "return_state": True, "go_backwards": True},
        [(2, 6, 4), (2, 4)],
        3,
    ),
    (layers.SimpleRNN, {"units": 4, "activation": "relu", "use_bias": False, "return_sequences": True}, (2, 6, 4), 2),
    (layers.SimpleRNN, {"units": 4, "activation": "sigmoid", "unroll": True}, (2, 4), 3),
]


CONV_TABLE = [
    (layers.ConvLSTM1D, {"filters": 2, "kernel_size": 3}, (2, 4, 7, 3), (2, 5, 2)),
    (
        layers.ConvLSTM1D,
        {
            "filters": 2,
            "kernel_size": 2,
            "padding": "same",
            "strides": 2,
            "return_sequences": True,
            "go_backwards": True,
        },
        (2, 4, 7, 3),
        (2, 4, 4, 2),
    ),
    (
        layers.ConvLSTM2D,
        {"filters": 2, "kernel_size": 3, "padding": "same", "return_sequences": True, "return_state": True},
        (2, 3, 5, 5, 2),
        [(2, 3, 5, 5, 2), (2, 5, 5, 2), (2, 5, 5, 2)],
    ),
    (
        layers.ConvLSTM2D,
        {"filters": 3, "kernel_size": (2, 3), "dilation_rate": 2, "recurrent_activation": "hard_sigmoid"},
        (2, 3, 6, 6, 2),
        (2, 4, 2, 3),
    ),
    (
        layers.ConvLSTM3D,
        {"filters": 2, "kernel_size": (2, 1, 2), "strides": 2, "return_sequences": True},
        (1, 3, 4, 3, 4, 1),
        (1, 3, 2, 2, 2, 2),
    ),
]


@pytest.mark.parametrize(
    "cls, kwargs, input_shape, shape", CONV_TABLE, ids=[f"{c.__name__}-{i}" for i, (c, *_) in enumerate(CONV_TABLE)]
)
def test_conv_lstm_layers(keras_oracle, cls, kwargs, input_shape, shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=input_shape,
        expected_output_shape=shape,
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        rtol=1e-5,
        atol=1e-5,
    )


@pytest.mark.parametrize(
    "cls, kwargs, shape, n_trainable", TABLE, ids=[f"{c.__name__}-{i}" for i, (c, *_) in enumerate(TABLE)]
)
def test_builtin_rnn_layers(keras_oracle, cls, kwargs, shape, n_trainable):
    run_layer_test(
        cls,
        kwargs,
        input_shape=SEQ,
        expected_output_shape=shape,
        expected_num_trainable_weights=n_trainable,
        expected_num_non_trainable_weights=0,
        oracle=keras_oracle,
        rtol=1e-5,
        atol=1e-5,
    )


WRAPPERS = [
    ("layers.RNN(layers.LSTMCell(4), return_sequences=True)", (None, 6, 4)),
    ("layers.RNN(layers.GRUCell(4, reset_after=False), go_backwards=True)", (None, 4)),
    ("layers.RNN(layers.SimpleRNNCell(4), return_state=True)", [(None, 4), (None, 4)]),
    ("layers.RNN([layers.LSTMCell(3), layers.GRUCell(4)], return_sequences=True)", (None, 6, 4)),
    ("layers.RNN(layers.StackedRNNCells([layers.SimpleRNNCell(3), layers.LSTMCell(2)]))", (None, 2)),
    ("layers.Bidirectional(layers.LSTM(4, return_sequences=True))", (None, 6, 8)),
    ("layers.Bidirectional(layers.GRU(4), merge_mode='sum')", (None, 4)),
    ("layers.Bidirectional(layers.SimpleRNN(4, return_sequences=True), merge_mode='mul')", (None, 6, 4)),
    ("layers.Bidirectional(layers.LSTM(4, return_sequences=True), merge_mode='ave')", (None, 6, 4)),
    ("layers.Bidirectional(layers.GRU(3, return_sequences=True), merge_mode=None)", [(None, 6, 3), (None, 6, 3)]),
    (
        "layers.Bidirectional(layers.LSTM(3, return_state=True))",
        [(None, 6), (None, 3), (None, 3), (None, 3), (None, 3)],
    ),
    (
        "layers.Bidirectional(layers.LSTM(3, return_sequences=True), backward_layer=layers.GRU(3, go_backwards=True, "
        "return_sequences=True))",
        (None, 6, 6),
    ),
    ("layers.TimeDistributed(layers.Dense(5, activation='tanh'))", (None, 6, 5)),
]


def _model_code(expr, shape=SEQ[1:]):
    return f"inp = keras.Input({shape})\nout = {expr}(inp)\nmodel = keras.Model(inp, out)"


def test_wrappers_and_cells_match_keras(keras_oracle):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(SEQ).astype("float32")
    cases = []
    for expr, shape in WRAPPERS:
        code = _model_code(expr)
        ns = {"keras": keras, "layers": layers}
        exec(code, ns)
        out = ns["out"]
        got = [tuple(o.shape) for o in out] if isinstance(out, (list, tuple)) else tuple(out.shape)
        assert got == shape, f"{expr}: symbolic shape {got} != {shape}"
        cases.append((code, [x]))
    # initial_state (symbolic, as model inputs) for LSTM, GRU and Bidirectional.
    h = rng.standard_normal((2, 4)).astype("float32")
    c = rng.standard_normal((2, 4)).astype("float32")
    cases.append(
        (
            "inp = keras.Input((6, 3)); h = keras.Input((4,)); c = keras.Input((4,))\n"
            "out = layers.LSTM(4, return_sequences=True, return_state=True)(inp, initial_state=[h, c])\n"
            "model = keras.Model([inp, h, c], out)",
            [x, h, c],
        )
    )
    cases.append(
        (
            "inp = keras.Input((6, 3)); h = keras.Input((4,))\n"
            "out = layers.GRU(4, go_backwards=True)(inp, initial_state=[h])\nmodel = keras.Model([inp, h], out)",
            [x, h],
        )
    )
    cases.append(
        (
            "inp = keras.Input((6, 3)); hs = [keras.Input((4,)) for _ in range(4)]\n"
            "out = layers.Bidirectional(layers.LSTM(4))(inp, initial_state=hs)\nmodel = keras.Model([inp] + hs, out)",
            [x, h, c, c, h],
        )
    )
    check_models(keras_oracle, cases)


def test_wrapper_configs_and_weights_match_keras(keras_oracle):
    exprs = [e for e, _ in WRAPPERS[:6]] + ["layers.Bidirectional(layers.LSTM(4), name='bi')"]
    code = "\n".join(
        [
            "import json",
            "inp = keras.Input((6, 3))",
            f"exprs = {exprs!r}",
            "result['paths'] = []",
            "result['keys'] = []",
            "for e in exprs:",
            "    layer = eval(e, {'layers': keras.layers})",
            "    layer(inp)",
            "    result['paths'].append([(w.path.split('/', 1)[1], list(w.shape)) for w in layer.weights])",
            "    result['keys'].append(sorted(layer.get_config()))",
        ]
    )
    expected = keras_oracle.run(code)
    inp = keras.Input((6, 3))
    for index, expr in enumerate(exprs):
        layer = eval(expr, {"layers": layers})
        layer(inp)
        theirs = [(p, s) for p, s in expected["paths"][index]]
        # Our weight paths are relative to the owning (innermost) layer.
        assert [list(w.shape) for w in layer.weights] == [s for _, s in theirs], expr
        assert [w.path.rsplit("/", 2)[-2:] for w in layer.weights] == [p.rsplit("/", 2)[-2:] for p, _ in theirs], expr
        config = layer.get_config()
        assert sorted(config) == expected["keys"][index], expr
        clone = type(layer).from_config(config)
        assert clone.get_config() == config


def test_builtin_layer_configs_match_keras(keras_oracle):
    code = (
        "result['keys'] = [sorted(c(4).get_config()) for c in (keras.layers.LSTM, keras.layers.GRU, "
        "keras.layers.SimpleRNN, "
        "keras.layers.LSTMCell, keras.layers.GRUCell, keras.layers.SimpleRNNCell)] + "
        "[sorted(keras.layers.ConvLSTM2D(2, 3).get_config())]"
    )
    expected = keras_oracle.run(code)
    for cls, keys in zip(
        (layers.LSTM, layers.GRU, layers.SimpleRNN, layers.LSTMCell, layers.GRUCell, layers.SimpleRNNCell),
        expected["keys"],
    ):
        assert sorted(cls(4).get_config()) == keys, cls.__name__
    assert sorted(layers.ConvLSTM2D(2, 3).get_config()) == expected["keys"][-1]


class MinimalCell(layers.Layer):
    """Keras's documented custom-cell example."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units), initializer="uniform", name="recurrent_kernel"
        )

    def call(self, inputs, states):
        prev_output = states[0]
        output = inputs @ self.kernel + prev_output @ self.recurrent_kernel
        return output, [output]


def test_custom_cell_matches_hand_loop():
    x = torch.randn(2, 6, 3)
    layer = layers.RNN(MinimalCell(5), return_sequences=True, return_state=True)
    seq, state = layer(x)
    h = torch.zeros(2, 5)
    expected = []
    for t in range(6):
        h = x[:, t] @ layer.cell.kernel + h @ layer.cell.recurrent_kernel
        expected.append(h)
    torch.testing.assert_close(seq, torch.stack(expected, 1))
    torch.testing.assert_close(state, h)
    symbolic = layers.RNN(MinimalCell(5), return_sequences=True)(keras.Input((None, 3)))
    assert tuple(symbolic.shape) == (None, None, 5)


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_stateful_carries_states_across_batches(cls):
    x = torch.randn(2, 6, 3)
    whole = cls(4, return_state=True)
    out_whole, *states_whole = whole(x)
    stateful = cls(4, stateful=True, return_state=True)
    stateful(x[:, :1])
    stateful.set_weights(whole.get_weights())
    stateful.reset_states()
    stateful(x[:, :3])
    out, *states = stateful(x[:, 3:])
    torch.testing.assert_close(out, out_whole)
    for a, b in zip(states, states_whole):
        torch.testing.assert_close(a, b)
    stateful.reset_states()
    torch.testing.assert_close(stateful(x)[0], out_whole)
    with pytest.raises(ValueError, match="stateful"):
        stateful(torch.randn(3, 6, 3))


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
@pytest.mark.parametrize("fused", [True, False])
def test_dropout_only_in_training(cls, fused):
    torch.manual_seed(0)
    x = torch.randn(4, 6, 3)
    kwargs = {"dropout": 0.5} if fused else {"dropout": 0.5, "recurrent_dropout": 0.5}
    layer = cls(4, return_sequences=True, **kwargs)
    reference = cls(4, return_sequences=True)
    reference(x)
    layer(x)
    layer.set_weights(reference.get_weights())
    torch.testing.assert_close(layer(x), reference(x))  # inference: no dropout
    trained = layer(x, training=True)
    assert not torch.allclose(trained, reference(x))
    trained.square().mean().backward()
    assert all(w.grad is not None for w in layer.trainable_weights)


@pytest.mark.parametrize("inner", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_fused_kernel_equals_two_passes(inner, merge_mode, return_sequences):
    x = torch.randn(2, 5, 3)
    states = [torch.randn(2, 4) for _ in range(4 if inner == "LSTM" else 2)]
    fused = layers.Bidirectional(
        getattr(layers, inner)(4, return_sequences=return_sequences, return_state=True), merge_mode=merge_mode
    )
    looped = layers.Bidirectional(
        getattr(layers, inner)(4, return_sequences=return_sequences, return_state=True, unroll=True),
        merge_mode=merge_mode,
    )
    fused(x)
    looped(x)
    looped.set_weights(fused.get_weights())
    assert fused._can_fuse(False) and not looped._can_fuse(False)
    for initial_state in (None, states):
        ours, reference = fused(x, initial_state=initial_state), looped(x, initial_state=initial_state)
        ours = [t for o in ours for t in (o if isinstance(o, tuple) else (o,))]
        reference = [t for o in reference for t in (o if isinstance(o, tuple) else (o,))]
        assert len(ours) == len(reference)
        for a, b in zip(ours, reference):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_use_cudnn_true_raises_when_not_fusable():
    with pytest.raises(ValueError, match="use_cudnn=True"):
        layers.LSTM(3, activation="relu", use_cudnn=True)(torch.randn(2, 4, 3))
    with pytest.raises(ValueError, match="use_cudnn"):
        layers.LSTM(3, use_cudnn="yes")


def test_recurrent_module_keeps_old_imports():
    from keraslite.layers.recurrent import LSTM, LSTMCell

    assert LSTM is layers.LSTM and LSTMCell is layers.LSTMCell
    assert layers.LSTM(3).units == 3 and layers.GRU(3).reset_after is True


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.LSTM(3)(keras.Input((4,))), "expected ndim=3"),
        (lambda: layers.TimeDistributed(layers.Dense(2))(keras.Input((4,))), "at least 3 dimensions"),
        (lambda: layers.RNN(object()), "should have a `call` method"),
        (lambda: layers.Bidirectional(layers.LSTM(2), merge_mode="x"), "Invalid merge mode"),
        (lambda: layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2)), "different `go_backwards`"),
        (lambda: layers.RNN(layers.LSTMCell(2), unroll=True)(keras.Input((None, 3))), "Cannot unroll"),
        (lambda: layers.GRU(0), "positive integer"),
    ],
)
def test_errors_name_the_problem(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_float64_layers_and_time_distributed_over_rnn():
    layer = layers.GRU(3, dtype="float64")
    assert layer(torch.randn(2, 4, 3)).dtype == torch.float64 and layer.cell.kernel.dtype == torch.float64
    nested = layers.TimeDistributed(layers.LSTM(2))
    assert tuple(nested(torch.randn(2, 3, 4, 5)).shape) == (2, 3, 2)
    assert tuple(nested(keras.Input((3, 4, 5))).shape) == (None, 3, 2)


def test_backward_runs_over_right_padded_masks_match_keras(keras_oracle):
    """Right-padded masks: the backward direction runs the fused kernel over each row's valid
    steps reversed (builtin.py); outputs, padding zeros and final states are Keras's."""
    rng = np.random.default_rng(2)
    tokens = rng.integers(1, 20, (4, 7)).astype("int32")
    lengths = np.array([7, 3, 1, 5])
    tokens[np.arange(7)[None, :] >= lengths[:, None]] = 0
    embed = "inp = keras.Input((7,), dtype='int32')\nx = layers.Embedding(20, 3, mask_zero=True)(inp)\n"
    cases = [
        (embed + f"out = {layer}(x)\nmodel = keras.Model(inp, out)", [tokens])
        for layer in (
            "layers.Bidirectional(layers.LSTM(4, return_sequences=True))",
            "layers.Bidirectional(layers.GRU(3))",
            "layers.LSTM(4, go_backwards=True, return_sequences=True)",
            "layers.GRU(4, go_backwards=True, return_sequences=True, return_state=True)",
            "layers.LSTM(2, go_backwards=True)",
        )
    ]
    check_models(keras_oracle, cases)


@pytest.mark.parametrize("make", [lambda: layers.GRU(3), lambda: layers.Bidirectional(layers.GRU(3))])
def test_training_after_predict_works(make):
    """`predict` runs under inference mode; nothing it caches (GRU's gate reordering index)
    may be an inference tensor, or every later training step fails."""
    from keraslite.layers.rnn import gru

    gru._GATE_ORDER.clear()  # the first call of this process makes the index
    inputs = keras.Input((None,), dtype="int32")
    x = make()(layers.Embedding(10, 4, mask_zero=True)(inputs))
    model = keras.Model(inputs, layers.Dense(1)(x))
    tokens = np.array([[3, 4, 5, 0], [1, 2, 0, 0]], dtype="int32")
    model.predict(tokens, verbose=0)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(tokens, np.zeros((2, 1), "float32"), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
def test_stateful_layer_trains_after_predict(cls):
    """`predict` (inference mode) leaves a stateful layer's states as normal tensors: `fit`
    continues from them (real Keras 3.15.1 on torch fails here; tf.keras does not)."""
    inputs = keras.Input(batch_shape=(4, 5, 3))
    model = keras.Model(inputs, layers.Dense(1)(cls(2, stateful=True)(inputs)))
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).random((4, 5, 3), dtype=np.float32)
    model.predict(x, batch_size=4, verbose=0)
    carried = [s.clone() for s in model.layers[1].states]
    assert not any(s.is_inference() for s in model.layers[1].states)
    history = model.fit(x, np.zeros((4, 1), "float32"), batch_size=4, epochs=2, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"]).all()
    assert not torch.equal(model.layers[1].states[0], carried[0])  # training went on from there
