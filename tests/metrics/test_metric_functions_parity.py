"""The metric classes and function forms that tests/metrics/test_metrics.py's table leaves
out (the probabilistic, hinge and regression metrics, the confusion counts, Mean, Sum,
MeanMetricWrapper), against Keras 3 over two weighted updates: one oracle request each."""

import numpy as np

from keraslite import metrics

rng = np.random.default_rng(21)
N = 10
ARRAYS = dict(
    PROBS=rng.dirichlet(np.ones(4), size=N).astype("float32"),
    ONE_HOT=np.eye(4, dtype="float32")[rng.integers(0, 4, N)],
    LABELS=rng.integers(0, 4, N),
    LOGITS=rng.normal(size=(N, 4)).astype("float32"),
    BIN_TRUE=rng.integers(0, 2, (N, 3)).astype("float32"),
    BIN_PRED=rng.uniform(0.05, 0.95, (N, 3)).astype("float32"),
    REG_TRUE=rng.normal(size=(N, 3)).astype("float32"),
    REG_PRED=rng.normal(size=(N, 3)).astype("float32"),
    POS_TRUE=rng.uniform(0.1, 2, (N, 3)).astype("float32"),
    POS_PRED=rng.uniform(0.1, 2, (N, 3)).astype("float32"),
    SW=rng.uniform(0, 1, N).astype("float32"),
)
ARRAYS["PROBS_REV"] = ARRAYS["PROBS"][::-1].copy()
# Sequences of class scores (N, 2, 4), for the accuracies on inputs of rank 3.
ARRAYS["SEQ_PROBS"] = ARRAYS["PROBS"].reshape(N // 2, 2, 4)
ARRAYS["SEQ_LABELS"] = ARRAYS["LABELS"].reshape(N // 2, 2)
ARRAYS["SEQ_ONE_HOT"] = ARRAYS["ONE_HOT"].reshape(N // 2, 2, 4)

# (metric constructor, y_true, y_pred); each gets update(first 4 rows), then a weighted update.
CLASSES = [
    ("metrics.BinaryCrossentropy()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)", "BIN_TRUE", "REG_PRED"),
    ("metrics.CategoricalCrossentropy()", "ONE_HOT", "PROBS"),
    ("metrics.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)", "ONE_HOT", "LOGITS"),
    ("metrics.SparseCategoricalCrossentropy(from_logits=True)", "LABELS", "LOGITS"),
    ("metrics.CategoricalHinge()", "ONE_HOT", "LOGITS"),
    ("metrics.Hinge()", "BIN_TRUE", "REG_PRED"),
    ("metrics.SquaredHinge()", "BIN_TRUE", "REG_PRED"),
    ("metrics.KLDivergence()", "PROBS", "PROBS_REV"),
    ("metrics.LogCoshError()", "REG_TRUE", "REG_PRED"),
    ("metrics.MeanAbsolutePercentageError()", "REG_TRUE", "REG_PRED"),
    ("metrics.MeanSquaredLogarithmicError()", "POS_TRUE", "POS_PRED"),
    ("metrics.Poisson()", "POS_TRUE", "POS_PRED"),
    ("metrics.FalsePositives()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.TrueNegatives(thresholds=[0.2, 0.6])", "BIN_TRUE", "BIN_PRED"),
    ("metrics.TruePositives(thresholds=0.7)", "BIN_TRUE", "BIN_PRED"),
    ("metrics.FalseNegatives(thresholds=[0.4])", "BIN_TRUE", "BIN_PRED"),
    ("metrics.MeanMetricWrapper(fn=metrics.mean_squared_error)", "REG_TRUE", "REG_PRED"),
    ("metrics.MeanMetricWrapper(fn=metrics.categorical_accuracy, name='acc')", "ONE_HOT", "PROBS"),
]
UPDATE_CLASSES = """
out = []
for expr, yt, yp in CLASSES:
    m = eval(expr, ns)
    a, b = eval(yt, ns), eval(yp, ns)
    m.update_state(a[:4], b[:4])
    m.update_state(a[4:], b[4:], sample_weight=ns['SW'][4:])
    out.append(np.asarray(to_numpy(m.result()), dtype='float32'))
for expr in ('metrics.Mean()', 'metrics.Sum()'):
    m = eval(expr, ns)
    m.update_state(ns['REG_TRUE'][:4])
    m.update_state(ns['REG_PRED'][4:], sample_weight=ns['SW'][4:])
    out.append(np.asarray(to_numpy(m.result()), dtype='float32'))
"""

# Function forms: per-sample values.
FUNCTIONS = [
    "metrics.binary_accuracy(BIN_TRUE, BIN_PRED)",
    "metrics.binary_accuracy(BIN_TRUE, BIN_PRED, threshold=0.3)",
    "metrics.categorical_accuracy(ONE_HOT, PROBS)",
    "metrics.sparse_categorical_accuracy(LABELS, PROBS)",
    "metrics.top_k_categorical_accuracy(ONE_HOT, PROBS, k=2)",
    "metrics.sparse_top_k_categorical_accuracy(LABELS, PROBS, k=3)",
    "metrics.top_k_categorical_accuracy(SEQ_ONE_HOT, SEQ_PROBS, k=2)",
    "metrics.sparse_top_k_categorical_accuracy(SEQ_LABELS, SEQ_PROBS, k=2)",
    "metrics.categorical_accuracy(SEQ_ONE_HOT, SEQ_PROBS)",
    "metrics.sparse_categorical_accuracy(SEQ_LABELS, SEQ_PROBS)",
    "metrics.binary_crossentropy(BIN_TRUE, BIN_PRED)",
    "metrics.categorical_crossentropy(ONE_HOT, LOGITS, from_logits=True)",
    "metrics.sparse_categorical_crossentropy(LABELS, PROBS)",
    "metrics.hinge(BIN_TRUE, REG_PRED)",
    "metrics.squared_hinge(BIN_TRUE, REG_PRED)",
    "metrics.kl_divergence(PROBS, PROBS_REV)",
    "metrics.mean_absolute_error(REG_TRUE, REG_PRED)",
    "metrics.mean_absolute_percentage_error(REG_TRUE, REG_PRED)",
    "metrics.mean_squared_error(REG_TRUE, REG_PRED)",
    "metrics.mean_squared_logarithmic_error(POS_TRUE, POS_PRED)",
    "metrics.poisson(POS_TRUE, POS_PRED)",
]


def test_metric_classes_match_keras(keras_oracle):
    code = (
        f"CLASSES = {CLASSES!r}\nfrom keras import metrics\nns = dict(inputs, metrics=metrics, np=np)\n"
        "to_numpy = keras.ops.convert_to_numpy\n" + UPDATE_CLASSES + "result['out'] = out\n"
    )
    expected = keras_oracle.run(code, **ARRAYS)["out"]
    scope = dict(
        CLASSES=CLASSES,
        ns=dict(ARRAYS, metrics=metrics, np=np),
        np=np,
        to_numpy=lambda t: t.detach().cpu().numpy(),
    )
    exec(UPDATE_CLASSES, scope)
    names = [row[0] for row in CLASSES] + ["metrics.Mean()", "metrics.Sum()"]
    assert len(scope["out"]) == len(expected) == len(names)
    for name, ours, theirs in zip(names, scope["out"], expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6, err_msg=name)


def test_metric_functions_match_keras(keras_oracle):
    code = (
        "from keras import metrics\nns = {k: keras.ops.convert_to_tensor(v) for k, v in inputs.items()}\n"
        "ns['metrics'] = metrics\n"
        f"result['out'] = [np.asarray(keras.ops.convert_to_numpy(eval(e, ns))) for e in {FUNCTIONS!r}]\n"
    )
    expected = keras_oracle.run(code, **ARRAYS)["out"]
    namespace = dict(ARRAYS, metrics=metrics)
    for expression, theirs in zip(FUNCTIONS, expected):
        ours = eval(expression, namespace)
        assert tuple(ours.shape) == theirs.shape, expression
        np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=1e-5, atol=1e-6, err_msg=expression)
