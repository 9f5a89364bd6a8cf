"""The Metric base API (Keras 3's argument order, add_weight, the stateless methods) and the
configs of the IoU, curve, correlation and R2 metrics, checked against Keras 3."""

import numpy as np
import pytest
import torch

from keraslite import initializers, metrics

CONFIG_CASES = [
    "IoU(3, [0, 2], ignore_class=1)",
    "BinaryIoU(target_class_ids=[1], threshold=0.25)",
    "MeanIoU(4, sparse_y_pred=False)",
    "OneHotIoU(3, [1], name='oh')",
    "OneHotMeanIoU(5)",
    "R2Score(class_aggregation=None, num_regressors=1)",
    "PearsonCorrelation(axis=0)",
    "ConcordanceCorrelation()",
    "PrecisionAtRecall(0.3, num_thresholds=10, class_id=1)",
    "RecallAtPrecision(0.7)",
    "SensitivityAtSpecificity(0.2)",
    "SpecificityAtSensitivity(0.9, name='spec')",
    "AUC(multi_label=True, num_labels=2, curve='PR')",
    "AUC(thresholds=[0.2, 0.6], summation_method='majoring')",
    "AUC(label_weights=[0.5, 1.5])",
    "BinaryCrossentropy(from_logits=True)",
    "CategoricalCrossentropy(label_smoothing=0.1)",
    "SparseCategoricalCrossentropy(ignore_class=0)",
    "CosineSimilarity(axis=0)",
]


def test_configs_match_keras_and_round_trip(keras_oracle):
    code = (
        f"result['configs'] = configs = [eval('keras.metrics.' + e).get_config() for e in {CONFIG_CASES!r}]\n"
        "for c in configs:\n"
        "    if c.get('label_weights') is not None:\n"
        "        c['label_weights'] = keras.ops.convert_to_numpy(c['label_weights']).tolist()\n"
    )
    expected = keras_oracle.run(code)["configs"]
    for expression, theirs in zip(CONFIG_CASES, expected):
        metric = eval("metrics." + expression)
        ours = metric.get_config()
        assert ours == theirs, expression
        clone = type(metric).from_config(metric.get_config())
        assert clone.get_config() == metric.get_config(), expression
        assert type(metrics.deserialize(metrics.serialize(metric))) is type(metric)
    assert isinstance(metrics.get("R2Score"), metrics.R2Score)
    assert metrics.get("pearson_correlation") is metrics.pearson_correlation
    assert metrics.get({"class_name": "OneHotMeanIoU", "config": {"num_classes": 3}}).num_classes == 3


def test_metric_base_takes_dtype_first_and_adds_weights():
    class Counter(metrics.Metric):
        def __init__(self, dtype=None, name=None):
            super().__init__(dtype, name)
            self.count = self.add_weight(name="count")
            self.scale = self.add_variable((2,), initializers.Ones(), aggregation="mean", name="scale")

        def update_state(self, values):
            self.count.assign_add(torch.as_tensor(float(len(values))))

        def result(self):
            return self.count * self.scale.sum()

    counter = Counter("float64", "c")
    assert counter.dtype == "float64" and counter.name == "c"
    assert counter.count.dtype == torch.float64 and counter.scale.aggregation == "mean"
    np.testing.assert_allclose(counter.scale.numpy(), [1.0, 1.0])
    counter.update_state([1, 2, 3])
    assert float(counter.result()) == 6.0
    # A dtype policy gives its compute dtype, as in Keras.
    assert metrics.Mean(dtype="mixed_float16").dtype == "float16"
    assert metrics.AUC(name=None).name != metrics.AUC().name  # automatic names are unique


def test_stateless_methods_leave_the_metric_unchanged():
    mean = metrics.Mean()
    mean.update_state([1.0, 2.0])
    fresh = mean.stateless_reset_state()
    assert [float(v) for v in fresh] == [0.0, 0.0]
    updated = mean.stateless_update_state(fresh, [4.0, 6.0, 8.0])
    assert [float(v) for v in updated] == [18.0, 3.0]
    assert float(mean.stateless_result(updated)) == 6.0
    assert float(mean.result()) == 1.5  # untouched
    with pytest.raises(ValueError, match="corresponding 1:1"):
        mean.stateless_result([torch.tensor(1.0)])


def test_iou_and_curve_errors():
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(num_classes=2, target_class_ids=[2])
    with pytest.raises(ValueError, match="recall"):
        metrics.PrecisionAtRecall(1.5)
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="sum")
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.R2Score().update_state(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


def test_metric_functions_match_keras(keras_oracle):
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 2, (4, 3)).astype("float32")
    y_pred = rng.uniform(0.05, 0.95, (4, 3)).astype("float32")
    names = [
        "binary_focal_crossentropy",
        "categorical_focal_crossentropy",
        "categorical_hinge",
        "concordance_correlation",
        "huber",
        "log_cosh",
        "pearson_correlation",
    ]
    code = f"result['out'] = [getattr(keras.metrics, n)(inputs['t'], inputs['p']) for n in {names!r}]"
    expected = keras_oracle.run(code, t=y_true, p=y_pred)["out"]
    for name, theirs in zip(names, expected):
        ours = getattr(metrics, name)(y_true, y_pred)
        np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-5, atol=1e-6, err_msg=name)


def test_metrics_held_as_attributes_are_tracked_and_reset():
    class F1FromParts(metrics.Metric):
        def __init__(self, name="f1_parts", dtype=None):
            super().__init__(name=name, dtype=dtype)
            self.precision = metrics.Precision()
            self.recall = metrics.Recall()
            self.calls = self.add_variable((), "ones", name="calls")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.precision.update_state(y_true, y_pred, sample_weight)
            self.recall.update_state(y_true, y_pred, sample_weight)
            self.calls.assign_add(torch.tensor(1.0))

        def result(self):
            p, r = self.precision.result(), self.recall.result()
            return 2 * p * r / (p + r)

    metric = F1FromParts()
    assert [v.name for v in metric.variables] == ["calls", "true_positives", "false_positives"] + [
        "true_positives",
        "false_negatives",
    ]
    metric.update_state([1, 0, 1, 1], [0.9, 0.8, 0.2, 0.7])
    assert float(metric.result()) == pytest.approx(2 / 3)
    metric.reset_state()  # Keras's base reset: every variable, the held metrics' too, to zeros
    assert all(float(v.sum()) == 0.0 for v in metric.variables)
    fresh = metric.stateless_reset_state()
    values = metric.stateless_update_state(fresh, [1, 1], [0.9, 0.9])
    assert float(metric.stateless_result(values)) == pytest.approx(1.0)


def test_reset_states_is_tf_keras_2s_reset_state():
    import keraslite as keras

    mean = keras.metrics.Mean()
    mean.update_state([1.0, 3.0])
    mean.reset_states()
    assert float(mean.result()) == 0.0


def test_updates_record_no_graph_with_gradients_on_or_off():
    """`without_grad`: the update's no_grad context is entered only when gradients are on;
    either way the state holds no graph."""
    import torch

    from keraslite import metrics

    for grad_enabled in (True, False):
        metric = metrics.SparseCategoricalAccuracy()
        logits = torch.randn(4, 3, requires_grad=True)
        with torch.set_grad_enabled(grad_enabled):
            metric.update_state(torch.tensor([0, 1, 2, 0]), logits)
            mean = metrics.Mean()
            mean.update_state(logits.sum(dim=1))
        assert not metric.total.requires_grad and metric.total.grad_fn is None
        assert not mean.total.requires_grad and mean.total.grad_fn is None
        assert float(mean.count) == 4.0
