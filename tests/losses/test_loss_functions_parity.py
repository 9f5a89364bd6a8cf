"""The function forms of the losses (`keras.losses.mean_squared_error(y_true, y_pred)`, ...):
per-sample values equal to Keras 3's, one oracle request for the whole table."""

import numpy as np

from keraslite import losses

rng = np.random.default_rng(11)
ARRAYS = dict(
    PROBS=rng.dirichlet(np.ones(4), size=6).astype("float32"),
    ONE_HOT=np.eye(4, dtype="float32")[rng.integers(0, 4, 6)],
    LABELS=rng.integers(0, 4, 6),
    LOGITS=rng.normal(size=(6, 4)).astype("float32"),
    BIN_TRUE=rng.integers(0, 2, (6, 3)).astype("float32"),
    BIN_PRED=rng.uniform(0.05, 0.95, (6, 3)).astype("float32"),
    REG_TRUE=rng.normal(size=(6, 3)).astype("float32"),
    REG_PRED=rng.normal(size=(6, 3)).astype("float32"),
    POS_TRUE=rng.uniform(0.1, 2, (6, 3)).astype("float32"),
    POS_PRED=rng.uniform(0.1, 2, (6, 3)).astype("float32"),
    EMBED=rng.normal(size=(6, 5)).astype("float32"),
    GROUPS=np.array([0, 1, 0, 2, 1, 0]),
    CTC_LABELS=np.array([[1, 2, 2, 0], [3, 1, 0, 0], [2, 0, 0, 0], [1, 3, 2, 1], [2, 2, 0, 0], [3, 0, 0, 0]]),
    CTC_LOGITS=rng.normal(size=(6, 8, 4)).astype("float32"),
)
ARRAYS["PROBS_REV"] = ARRAYS["PROBS"][::-1].copy()

# (call expression, evaluated with `losses` and the arrays above in scope, in both libraries).
TABLE = [
    "losses.mean_squared_error(REG_TRUE, REG_PRED)",
    "losses.mean_absolute_error(REG_TRUE, REG_PRED)",
    "losses.mean_absolute_percentage_error(REG_TRUE, REG_PRED)",
    "losses.mean_squared_logarithmic_error(POS_TRUE, POS_PRED)",
    "losses.huber(REG_TRUE, REG_PRED, delta=0.7)",
    "losses.log_cosh(REG_TRUE, REG_PRED)",
    "losses.hinge(BIN_TRUE, REG_PRED)",
    "losses.squared_hinge(BIN_TRUE, REG_PRED)",
    "losses.categorical_hinge(ONE_HOT, LOGITS)",
    "losses.kl_divergence(PROBS, PROBS_REV)",
    "losses.poisson(POS_TRUE, POS_PRED)",
    "losses.cosine_similarity(REG_TRUE, REG_PRED)",
    "losses.cosine_similarity(REG_TRUE, REG_PRED, axis=0)",
    "losses.binary_crossentropy(BIN_TRUE, BIN_PRED)",
    "losses.binary_crossentropy(BIN_TRUE, REG_PRED, from_logits=True, label_smoothing=0.2)",
    "losses.binary_focal_crossentropy(BIN_TRUE, BIN_PRED)",
    "losses.binary_focal_crossentropy(BIN_TRUE, REG_PRED, apply_class_balancing=True, alpha=0.3, gamma=1.5,"
    " from_logits=True, label_smoothing=0.1)",
    "losses.categorical_crossentropy(ONE_HOT, PROBS)",
    "losses.categorical_crossentropy(ONE_HOT, LOGITS, from_logits=True, label_smoothing=0.1)",
    "losses.categorical_focal_crossentropy(ONE_HOT, PROBS)",
    "losses.categorical_focal_crossentropy(ONE_HOT, LOGITS, alpha=0.5, gamma=3.0, from_logits=True)",
    "losses.sparse_categorical_crossentropy(LABELS, PROBS)",
    "losses.sparse_categorical_crossentropy(LABELS, LOGITS, from_logits=True, ignore_class=2)",
    "losses.categorical_generalized_cross_entropy(LABELS, PROBS, q=0.3)",
    "losses.dice(BIN_TRUE, BIN_PRED)",
    "losses.dice(BIN_TRUE, BIN_PRED, axis=1)",
    "losses.tversky(BIN_TRUE, BIN_PRED, alpha=0.3, beta=0.7)",
    "losses.circle(GROUPS, EMBED)",
    "losses.circle(GROUPS, EMBED, gamma=8.0, margin=0.4, remove_diagonal=False)",
    "losses.ctc(CTC_LABELS, CTC_LOGITS)",
    # The class that the table in test_losses.py leaves out.
    "losses.BinaryFocalCrossentropy()(BIN_TRUE, BIN_PRED)",
    "losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0, from_logits=True,"
    " reduction='sum')(BIN_TRUE, REG_PRED, sample_weight=POS_TRUE[:, 0])",
]


def test_loss_functions_match_keras(keras_oracle):
    code = (
        # Keras's function forms expect tensors (some fail on NumPy arrays).
        "from keras import losses\nns = {k: keras.ops.convert_to_tensor(v) for k, v in inputs.items()}\n"
        "ns['losses'] = losses\n"
        f"result['out'] = [np.asarray(keras.ops.convert_to_numpy(eval(e, ns))) for e in {TABLE!r}]\n"
    )
    expected = keras_oracle.run(code, **ARRAYS)["out"]
    namespace = dict(ARRAYS, losses=losses)
    assert len(expected) == len(TABLE)
    for expression, theirs in zip(TABLE, expected):
        ours = eval(expression, namespace)
        assert tuple(ours.shape) == theirs.shape, expression
        np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=1e-5, atol=1e-6, err_msg=expression)
