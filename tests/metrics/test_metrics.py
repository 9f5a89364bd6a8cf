"""Metrics: results equal to Keras 3's over several weighted updates; state, reset, lookup, compile names."""

import warnings

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import metrics

rng = np.random.default_rng(3)
N = 12
PROBS = rng.dirichlet(np.ones(4), size=N).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[rng.integers(0, 4, N)]
LABELS = rng.integers(0, 4, N)
BIN_TRUE = rng.integers(0, 2, (N, 1)).astype("float32")
BIN_PRED = rng.uniform(0, 1, (N, 1)).astype("float32")
REG_TRUE = rng.normal(size=(N, 3)).astype("float32")
REG_PRED = rng.normal(size=(N, 3)).astype("float32")
MULTI_TRUE = rng.integers(0, 2, (N, 4)).astype("float32")
SEG_TRUE = rng.integers(0, 3, N)
SEG_PRED = rng.integers(0, 3, N)
SW = rng.uniform(0, 1, N).astype("float32")
INT_SW = rng.integers(0, 3, N).astype("float32")
MULTI_PRED = rng.uniform(0, 1, (N, 4)).astype("float32")
SEG_ONE_HOT = np.eye(3, dtype="float32")[SEG_TRUE]
ARRAYS = dict(
    PROBS=PROBS,
    ONE_HOT=ONE_HOT,
    LABELS=LABELS,
    BIN_TRUE=BIN_TRUE,
    BIN_PRED=BIN_PRED,
    REG_TRUE=REG_TRUE,
    REG_PRED=REG_PRED,
    MULTI_TRUE=MULTI_TRUE,
    SEG_TRUE=SEG_TRUE,
    SEG_PRED=SEG_PRED,
    SW=SW,
    INT_SW=INT_SW,
    MULTI_PRED=MULTI_PRED,
    SEG_ONE_HOT=SEG_ONE_HOT,
)

TABLE = [
    ("metrics.Accuracy()", "LABELS", "np.argmax(PROBS, -1)"),
    ("metrics.BinaryAccuracy()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.CategoricalAccuracy()", "ONE_HOT", "PROBS"),
    ("metrics.SparseCategoricalAccuracy()", "LABELS", "PROBS"),
    ("metrics.TopKCategoricalAccuracy(k=2)", "ONE_HOT", "PROBS"),
    ("metrics.SparseTopKCategoricalAccuracy(k=2)", "LABELS", "PROBS"),
    ("metrics.MeanSquaredError()", "REG_TRUE", "REG_PRED"),
    ("metrics.MeanAbsoluteError()", "REG_TRUE", "REG_PRED"),
    ("metrics.RootMeanSquaredError()", "REG_TRUE", "REG_PRED"),
    ("metrics.CosineSimilarity()", "REG_TRUE", "REG_PRED"),
    ("metrics.SparseCategoricalCrossentropy()", "LABELS", "PROBS"),
    ("metrics.Precision()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.Recall(thresholds=[0.3, 0.7])", "BIN_TRUE", "BIN_PRED"),
    ("metrics.Precision(top_k=2)", "MULTI_TRUE", "PROBS"),
    ("metrics.AUC()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.AUC(curve='PR')", "BIN_TRUE", "BIN_PRED"),
    ("metrics.AUC(num_thresholds=50, summation_method='minoring')", "MULTI_TRUE", "PROBS"),
    ("metrics.F1Score()", "ONE_HOT", "PROBS"),
    ("metrics.F1Score(average='macro', threshold=0.3)", "MULTI_TRUE", "PROBS"),
    ("metrics.FBetaScore(average='weighted', beta=2.0)", "ONE_HOT", "PROBS"),
    ("metrics.F1Score(average='micro')", "ONE_HOT", "PROBS"),
    ("metrics.MeanIoU(num_classes=3)", "SEG_TRUE", "SEG_PRED"),
    ("metrics.TruePositives()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.FalseNegatives()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.MeanIoU(num_classes=3, dtype='float32')", "SEG_TRUE", "SEG_PRED"),
    ("metrics.MeanIoU(num_classes=4, ignore_class=0, sparse_y_pred=False)", "LABELS", "PROBS"),
    ("metrics.IoU(num_classes=3, target_class_ids=[0, 2])", "SEG_TRUE", "SEG_PRED"),
    ("metrics.IoU(num_classes=3, target_class_ids=[1], dtype='float32')", "SEG_TRUE", "SEG_PRED"),
    ("metrics.BinaryIoU()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.BinaryIoU(target_class_ids=[1], threshold=0.3, dtype='float32')", "BIN_TRUE", "BIN_PRED"),
    ("metrics.OneHotIoU(num_classes=4, target_class_ids=[0, 3])", "ONE_HOT", "PROBS"),
    (
        "metrics.OneHotMeanIoU(num_classes=3, dtype='float32')",
        "SEG_ONE_HOT",
        "SEG_PRED[:, None] * 0 + SEG_ONE_HOT[::-1]",
    ),
    ("metrics.R2Score()", "REG_TRUE", "REG_PRED"),
    ("metrics.R2Score(class_aggregation='variance_weighted_average')", "REG_TRUE", "REG_PRED * 0.2 + REG_TRUE"),
    ("metrics.R2Score(class_aggregation=None)", "REG_TRUE", "REG_PRED * 0.5 + REG_TRUE"),
    ("metrics.R2Score(num_regressors=2)", "REG_TRUE", "REG_PRED * 0.5 + REG_TRUE"),
    ("metrics.PearsonCorrelation()", "REG_TRUE", "REG_PRED + REG_TRUE"),
    ("metrics.ConcordanceCorrelation()", "REG_TRUE", "REG_PRED + REG_TRUE"),
    ("metrics.SensitivityAtSpecificity(0.5)", "BIN_TRUE", "BIN_PRED"),
    ("metrics.SpecificityAtSensitivity(0.6, num_thresholds=30)", "BIN_TRUE", "BIN_PRED"),
    ("metrics.PrecisionAtRecall(0.4)", "MULTI_TRUE", "MULTI_PRED"),
    ("metrics.RecallAtPrecision(0.5, class_id=2)", "MULTI_TRUE", "MULTI_PRED"),
    ("metrics.SensitivityAtSpecificity(0.3, num_thresholds=1)", "BIN_TRUE", "BIN_PRED"),
    ("metrics.AUC(multi_label=True)", "MULTI_TRUE", "MULTI_PRED"),
    ("metrics.AUC(multi_label=True, num_labels=4, curve='PR')", "MULTI_TRUE", "MULTI_PRED"),
    (
        "metrics.AUC(multi_label=True, label_weights=[0.1, 0.2, 0.3, 0.4], curve='PR', summation_method='majoring')",
        "MULTI_TRUE",
        "MULTI_PRED",
    ),
    ("metrics.AUC(label_weights=[1.0, 0.5, 2.0, 0.0])", "MULTI_TRUE", "MULTI_PRED"),
    ("metrics.AUC(curve='PRGAIN')", "MULTI_TRUE", "MULTI_PRED"),
    ("metrics.AUC(thresholds=[0.1, 0.5, 0.65], from_logits=True)", "BIN_TRUE", "BIN_PRED * 4 - 2"),
    ("metrics.AUC(thresholds=[0.1, 0.5, 0.65], multi_label=True)", "MULTI_TRUE", "MULTI_PRED"),
]

# The same table with integer sample weights (IoU metrics truncate fractional ones).
INT_WEIGHT_ROWS = [row for row in TABLE if "IoU" in row[0]]

RUN = """
out = []
for expr, yt, yp in TABLE:
    m = eval(expr, ns)
    a, b = eval(yt, ns), eval(yp, ns)
    m.update_state(a[:5], b[:5])
    m.update_state(a[5:], b[5:], sample_weight=ns[WEIGHTS][5:])
    out.append(np.asarray(to_numpy(m.result()), dtype="float32"))
"""


def _run_ours(table, weights):
    ns = dict(ARRAYS, metrics=metrics, np=np)
    to_numpy = lambda t: t.detach().cpu().numpy()  # noqa: E731
    scope = dict(ns=ns, TABLE=table, WEIGHTS=weights, np=np, eval=eval, to_numpy=to_numpy)
    exec(RUN, scope)
    return scope["out"]


@pytest.mark.parametrize("table, weights", [(TABLE, "SW"), (INT_WEIGHT_ROWS, "INT_SW")], ids=["float", "int"])
def test_metrics_match_keras(keras_oracle, table, weights):
    code = (
        f"TABLE = {table!r}\nWEIGHTS = {weights!r}\nfrom keras import metrics\n"
        "ns = dict(inputs, metrics=metrics, np=np)\nto_numpy = keras.ops.convert_to_numpy\n"
        "import warnings\nwarnings.simplefilter('ignore')\n" + RUN + "result['out'] = out\n"
    )
    expected = keras_oracle.run(code, **ARRAYS)["out"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # float weights on integer IoU state warn, as in Keras
        ours = _run_ours(table, weights)
    assert len(ours) == len(expected) == len(table)
    for (expression, _, _), mine, theirs in zip(table, ours, expected):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6, err_msg=expression)


def test_state_reset_and_call():
    mean = metrics.Mean()
    mean.update_state([1.0, 2.0, 3.0])
    mean.update_state(torch.tensor(5.0))
    assert float(mean.result()) == pytest.approx(11 / 4)
    assert [v.name for v in mean.variables] == ["total", "count"]
    mean.reset_state()
    assert float(mean.result()) == 0.0
    total = metrics.Sum()
    assert float(total([1.0, 2.0], sample_weight=[1.0, 0.5])) == pytest.approx(2.0)
    assert metrics.SparseCategoricalAccuracy().get_config() == {
        "name": "sparse_categorical_accuracy",
        "dtype": "float32",
    }


def test_lookup_and_accuracy_resolution_in_compile():
    assert metrics.get("mae") is metrics.mean_absolute_error
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get("nope")
    from keraslite.training.compile_utils import _make_metric

    assert isinstance(_make_metric("accuracy", torch.zeros(4, 1), torch.zeros(4, 1)), metrics.BinaryAccuracy)
    assert isinstance(_make_metric("acc", torch.zeros(4), torch.zeros(4, 3)), metrics.SparseCategoricalAccuracy)
    assert isinstance(_make_metric("accuracy", torch.zeros(4, 1), torch.zeros(4, 3)), metrics.SparseCategoricalAccuracy)
    assert isinstance(_make_metric("accuracy", torch.zeros(4, 3), torch.zeros(4, 3)), metrics.CategoricalAccuracy)
    assert _make_metric("acc", torch.zeros(4), torch.zeros(4, 3)).name == "acc"
    assert _make_metric("mae", torch.zeros(4), torch.zeros(4)).name == "mae"


def test_multi_output_metric_names():
    inputs = keras.Input(shape=(3,))
    a = keras.layers.Dense(1, activation="sigmoid", name="priority")(inputs)
    b = keras.layers.Dense(4, activation="softmax", name="department")(inputs)
    model = keras.Model(inputs, [a, b])
    model.compile(
        loss=["binary_crossentropy", "categorical_crossentropy"],
        metrics={"priority": ["mae"], "department": ["accuracy", metrics.AUC()]},
    )
    x = np.ones((8, 3), "float32")
    logs = model.evaluate(x, [np.ones((8, 1)), np.eye(4)[[0, 1] * 4]], verbose=0, return_dict=True)
    assert list(logs) == [  # Keras 3 sorts the logs by name
        "department_accuracy",
        "department_auc",
        "department_loss",
        "loss",
        "priority_loss",
        "priority_mae",
    ]


def test_one_hot_bool_targets_work_like_numbers_as_in_keras():
    # Tutorials one-hot encode into bool arrays (e.g. keras.io's addition RNN); torch has
    # no bool argmax, Keras accepts them.
    y_true = np.array([[False, True, False], [True, False, False]])
    y_pred = np.array([[0.1, 0.8, 0.1], [0.2, 0.7, 0.1]], dtype="float32")
    accuracy = keras.metrics.CategoricalAccuracy()
    accuracy.update_state(y_true, y_pred)
    assert float(accuracy.result()) == 0.5
    top2 = keras.metrics.TopKCategoricalAccuracy(k=2)
    top2.update_state(y_true, y_pred)
    assert float(top2.result()) == 1.0
    assert int(keras.ops.argmax(y_true[0])) == 1
    assert keras.ops.argmin(np.array([True, False])).tolist() == 1


ACCURACY_CASES = [
    ("metrics.SparseCategoricalAccuracy()", "LABELS", "PROBS"),
    ("metrics.SparseCategoricalAccuracy()", "LABELS.reshape(-1, 1).astype('float32')", "PROBS"),
    ("metrics.CategoricalAccuracy()", "ONE_HOT", "PROBS"),
    ("metrics.CategoricalAccuracy()", "ONE_HOT.astype(bool)", "PROBS"),
    ("metrics.BinaryAccuracy()", "BIN_TRUE", "BIN_PRED"),
    ("metrics.BinaryAccuracy(threshold=0.3)", "BIN_TRUE.astype('int32')", "BIN_PRED"),
    ("metrics.SparseCategoricalAccuracy()", "SEG_TRUE.reshape(3, 4)", "np.stack([PROBS[:4]] * 3)"),  # 3-D scores
]


def test_accuracy_unweighted_updates_from_tensors_match_keras(keras_oracle):
    """Tensors without weights take the accuracies' counting update (`_unweighted_sum`); the
    results are Keras's, over unweighted and weighted updates mixed."""
    run = (
        "out = []\n"
        "for expr, yt, yp in CASES:\n"
        "    m = eval(expr, ns)\n"
        "    a, b = eval(yt, ns), eval(yp, ns)\n"
        "    m.update_state(convert(a[:5]), convert(b[:5]))\n"
        "    m.update_state(convert(a[5:]), convert(b[5:]), sample_weight=convert(SW[5:len(a)]))\n"
        "    m.update_state(convert(a), convert(b))\n"
        "    out.append(float(m.result()))\n"
    )
    code = (
        f"CASES = {ACCURACY_CASES!r}\nfrom keras import metrics\nns = dict(inputs, metrics=metrics, np=np)\n"
        "convert = keras.ops.convert_to_tensor\nSW = inputs['SW']\n" + run + "result['out'] = out\n"
    )
    expected = keras_oracle.run(code, **ARRAYS)["out"]
    scope = dict(
        CASES=ACCURACY_CASES,
        ns=dict(ARRAYS, metrics=metrics, np=np),
        convert=torch.as_tensor,
        SW=SW,
        eval=eval,
        float=float,
    )
    exec(run, scope)
    np.testing.assert_allclose(scope["out"], expected, rtol=1e-6)


def test_accuracy_counting_update_is_the_per_sample_one(monkeypatch):
    from keraslite.metrics.reduction_metrics import MeanMetricWrapper

    for expr, yt, yp in ACCURACY_CASES:
        ns = dict(ARRAYS, metrics=metrics, np=np)
        y_true, y_pred = torch.as_tensor(eval(yt, ns)), torch.as_tensor(eval(yp, ns))
        fast = eval(expr, ns)
        fast.update_state(y_true, y_pred)
        with monkeypatch.context() as patch:
            patch.setattr(MeanMetricWrapper, "_unweighted_sum", None)
            patch.setattr(type(fast), "_unweighted_sum", None)
            slow = eval(expr, ns)
            slow.update_state(y_true, y_pred)
        assert float(fast.result()) == float(slow.result()), expr
        assert float(fast.count) == float(slow.count), expr
