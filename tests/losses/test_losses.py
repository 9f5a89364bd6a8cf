"""Losses: values equal to Keras 3's (one oracle request for the whole table), reductions, lookup, errors."""

import numpy as np
import pytest
import torch

from keraslite import losses

rng = np.random.default_rng(1)
PROBS = rng.dirichlet(np.ones(4), size=6).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[rng.integers(0, 4, 6)]
LABELS = rng.integers(0, 4, 6)
LOGITS = rng.normal(size=(6, 4)).astype("float32")
BIN_TRUE = rng.integers(0, 2, (6, 3)).astype("float32")
BIN_PRED = rng.uniform(0.05, 0.95, (6, 3)).astype("float32")
REG_TRUE = rng.normal(size=(6, 3)).astype("float32")
REG_PRED = rng.normal(size=(6, 3)).astype("float32")
POS_TRUE = rng.uniform(0.1, 2, (6, 3)).astype("float32")
POS_PRED = rng.uniform(0.1, 2, (6, 3)).astype("float32")
SW = rng.uniform(0, 1, 6).astype("float32")
EMBED = rng.normal(size=(6, 5)).astype("float32")
EMBED /= np.linalg.norm(EMBED, axis=-1, keepdims=True)
GROUPS = np.array([0, 1, 0, 2, 1, 0])
CTC_LABELS = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [2, 0, 0, 0], [1, 3, 2, 1], [2, 2, 0, 0], [3, 0, 0, 0]])
CTC_LOGITS = rng.normal(size=(6, 8, 4)).astype("float32")

# (expression building the loss, y_true name, y_pred name); evaluated in both libraries.
TABLE = [
    ("losses.MeanSquaredError()", "REG_TRUE", "REG_PRED"),
    ("losses.MeanAbsoluteError()", "REG_TRUE", "REG_PRED"),
    ("losses.MeanAbsolutePercentageError()", "REG_TRUE", "REG_PRED"),
    ("losses.MeanSquaredLogarithmicError()", "POS_TRUE", "POS_PRED"),
    ("losses.Huber(delta=0.5)", "REG_TRUE", "REG_PRED"),
    ("losses.LogCosh()", "REG_TRUE", "REG_PRED"),
    ("losses.Hinge()", "BIN_TRUE", "REG_PRED"),
    ("losses.SquaredHinge()", "BIN_TRUE", "REG_PRED"),
    ("losses.CategoricalHinge()", "ONE_HOT", "LOGITS"),
    ("losses.KLDivergence()", "PROBS", "PROBS[::-1].copy()"),
    ("losses.Poisson()", "POS_TRUE", "POS_PRED"),
    ("losses.CosineSimilarity()", "REG_TRUE", "REG_PRED"),
    ("losses.BinaryCrossentropy()", "BIN_TRUE", "BIN_PRED"),
    ("losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)", "BIN_TRUE", "REG_PRED"),
    ("losses.CategoricalCrossentropy()", "ONE_HOT", "PROBS"),
    ("losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)", "ONE_HOT", "LOGITS"),
    ("losses.SparseCategoricalCrossentropy()", "LABELS", "PROBS"),
    ("losses.SparseCategoricalCrossentropy(from_logits=True)", "LABELS", "LOGITS"),
    ("losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1)", "LABELS", "LOGITS"),
    ("losses.MeanSquaredError(reduction='sum')", "REG_TRUE", "REG_PRED"),
    ("losses.MeanSquaredError(reduction=None)", "REG_TRUE", "REG_PRED"),
    ("losses.CategoricalCrossentropy(reduction='mean_with_sample_weight')", "ONE_HOT", "PROBS"),
    ("losses.CategoricalFocalCrossentropy()", "ONE_HOT", "PROBS"),
    (
        "losses.CategoricalFocalCrossentropy(alpha=[0.1, 0.2, 0.3, 0.4], gamma=1.5, from_logits=True)",
        "ONE_HOT",
        "LOGITS",
    ),
    ("losses.CategoricalFocalCrossentropy(label_smoothing=0.1, reduction='sum')", "ONE_HOT", "PROBS"),
    ("losses.CategoricalGeneralizedCrossEntropy()", "LABELS", "PROBS"),
    ("losses.CategoricalGeneralizedCrossEntropy(q=0.8)", "LABELS[:, None]", "PROBS"),
    ("losses.Dice()", "BIN_TRUE", "BIN_PRED"),
    ("losses.Dice(axis=(1,), reduction=None)", "BIN_TRUE", "BIN_PRED"),
    ("losses.Dice(axis=[1])", "BIN_TRUE", "BIN_PRED"),
    ("losses.Tversky()", "BIN_TRUE", "BIN_PRED"),
    ("losses.Tversky(alpha=0.7, beta=0.3, axis=(1,))", "BIN_TRUE", "BIN_PRED"),
    ("losses.Circle()", "GROUPS", "EMBED"),
    ("losses.Circle(gamma=4.0, margin=0.25, remove_diagonal=False, reduction='sum')", "GROUPS", "EMBED"),
    ("losses.CTC()", "CTC_LABELS", "CTC_LOGITS"),
    ("losses.CTC(reduction=None)", "CTC_LABELS", "CTC_LOGITS"),
]
ARRAYS = dict(
    PROBS=PROBS,
    ONE_HOT=ONE_HOT,
    LABELS=LABELS,
    LOGITS=LOGITS,
    BIN_TRUE=BIN_TRUE,
    BIN_PRED=BIN_PRED,
    REG_TRUE=REG_TRUE,
    REG_PRED=REG_PRED,
    POS_TRUE=POS_TRUE,
    POS_PRED=POS_PRED,
    SW=SW,
    EMBED=EMBED,
    GROUPS=GROUPS,
    CTC_LABELS=CTC_LABELS,
    CTC_LOGITS=CTC_LOGITS,
)


def _ours(expression, y_true, y_pred, weighted):
    namespace = dict(ARRAYS, losses=losses)
    loss = eval(expression, namespace)
    sw = SW if weighted else None
    return np.asarray(loss(eval(y_true, namespace), eval(y_pred, namespace), sample_weight=sw))


def test_losses_match_keras(keras_oracle):
    code = "from keras import losses\nns = dict(inputs, losses=losses)\nout = []\n"
    code += f"for expr, yt, yp in {TABLE!r}:\n"
    code += "    for weighted in (False, True):\n"
    code += "        loss = eval(expr, ns)\n"
    code += "        v = loss(eval(yt, ns), eval(yp, ns), sample_weight=inputs['SW'] if weighted else None)\n"
    code += "        out.append(np.asarray(keras.ops.convert_to_numpy(v)))\n"
    code += "result['out'] = out\n"
    expected = keras_oracle.run(code, **ARRAYS)["out"]
    index = 0
    for expression, y_true, y_pred in TABLE:
        for weighted in (False, True):
            np.testing.assert_allclose(
                _ours(expression, y_true, y_pred, weighted),
                expected[index],
                rtol=1e-5,
                atol=1e-6,
                err_msg=f"{expression} weighted={weighted}",
            )
            index += 1


def test_functions_and_lookup():
    per_sample = losses.mean_squared_error(REG_TRUE, REG_PRED)
    assert tuple(per_sample.shape) == (6,)
    np.testing.assert_allclose(per_sample.numpy(), ((REG_TRUE - REG_PRED) ** 2).mean(-1), rtol=1e-6)
    assert losses.get("mse") is losses.mean_squared_error
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert losses.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get("not_a_loss")
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        losses.MeanSquaredError(reduction="avg")


def test_config_round_trip_and_labels_of_rank_one():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, name="scce")
    config = loss.get_config()
    assert config == {"name": "scce", "reduction": "sum_over_batch_size", "from_logits": True, "ignore_class": None}
    assert losses.SparseCategoricalCrossentropy.from_config(config).get_config() == config
    # Labels of shape (n,) against predictions (n, 1) are expanded, as in Keras.
    value = losses.MeanSquaredError()(np.ones(4, "float32"), np.zeros((4, 1), "float32"))
    assert float(value) == pytest.approx(1.0)


def test_gradients_flow():
    logits = torch.tensor(LOGITS, requires_grad=True)
    losses.SparseCategoricalCrossentropy(from_logits=True)(LABELS, logits).backward()
    assert logits.grad is not None and torch.isfinite(logits.grad).all()


NEW_LOSSES = [
    "CTC()",
    "CategoricalFocalCrossentropy(alpha=0.5, gamma=3.0, from_logits=True)",
    "CategoricalGeneralizedCrossEntropy(q=0.3)",
    "Circle(gamma=10.0, remove_diagonal=False)",
    "Dice(axis=(1, 2))",
    "Tversky(alpha=0.2, beta=0.8, name='tv')",
]


def test_new_loss_configs_match_keras_and_round_trip(keras_oracle):
    code = f"result['configs'] = [eval('keras.losses.' + e).get_config() for e in {NEW_LOSSES!r}]"
    expected = keras_oracle.run(code)["configs"]
    for expression, config in zip(NEW_LOSSES, expected):
        loss = eval("losses." + expression)
        ours = loss.get_config()
        assert ours == {k: tuple(v) if isinstance(v, list) and k == "axis" else v for k, v in config.items()}, (
            expression
        )
        clone = type(loss).from_config(ours)
        assert clone.get_config() == ours
        assert isinstance(losses.deserialize(losses.serialize(loss)), type(loss))
    for name in ("dice", "tversky", "circle", "ctc", "categorical_focal_crossentropy"):
        assert losses.get(name) is getattr(losses, name)
    assert isinstance(losses.get("Dice"), losses.Dice)
    assert losses.Dice(dtype="mixed_bfloat16").dtype == "bfloat16"
    with pytest.raises(ValueError, match="q"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(ValueError, match="y_true.shape"):
        losses.ctc(np.zeros((2, 3, 1)), np.zeros((2, 3, 4)))


def test_tf_keras_2_reduction_names():
    # TF-2-era code: `reduction=tf.keras.losses.Reduction.NONE`, and AUTO meaning the batch mean.
    per_sample = losses.MeanSquaredError(reduction=losses.Reduction.NONE)(REG_TRUE, REG_PRED)
    assert tuple(per_sample.shape) == (6,)
    auto = losses.MeanSquaredError(reduction=losses.Reduction.AUTO)
    assert auto.reduction == "sum_over_batch_size"
    assert float(auto(REG_TRUE, REG_PRED)) == pytest.approx(float(per_sample.mean()), rel=1e-6)
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        losses.Reduction.validate("avg")


def test_binary_crossentropy_takes_noisy_targets_as_tensorflow_does():
    # GAN tutorials add noise to 0/1 labels (targets slightly above 1); the formula still applies.
    import numpy as np
    import torch

    import keraslite as keras

    y_true = torch.tensor([[1.04], [0.02]])
    y_pred = torch.tensor([[0.9], [0.2]])
    expected = -(y_true * torch.log(y_pred) + (1 - y_true) * torch.log(1 - y_pred)).mean()
    got = keras.losses.BinaryCrossentropy()(y_true, y_pred)
    np.testing.assert_allclose(float(got), float(expected), rtol=1e-6)


@pytest.mark.parametrize("ignore_class", [None, 2])
def test_sparse_crossentropy_integer_label_tensors_give_the_float_labels_value(ignore_class):
    """Integer label tensors skip the cast to the loss dtype (and back): same value as Keras's
    path, which casts them (the oracle table above checks that path against Keras)."""
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=ignore_class)
    logits = torch.from_numpy(LOGITS)
    as_integers = loss(torch.from_numpy(LABELS), logits)
    as_floats = loss(torch.from_numpy(LABELS.astype("float32")), logits)
    assert loss._integer_labels
    assert not losses.CategoricalCrossentropy()._integer_labels
    torch.testing.assert_close(as_integers, as_floats, rtol=0, atol=0)
    torch.testing.assert_close(as_integers, loss(LABELS, LOGITS), rtol=0, atol=0)
