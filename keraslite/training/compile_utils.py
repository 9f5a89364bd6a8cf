"""What `compile()` resolves: the per-output losses (with weights) and metrics.

Both work on *flat* lists aligned with the model's flat outputs. Targets given as a
dict are matched to outputs by output name, lists by position, before they get here.
"""

from __future__ import annotations

import inspect

import torch

from keraslite import losses as losses_module
from keraslite import metrics as metrics_module
from keraslite.backend import state
from keraslite.losses.loss import Loss, LossFunctionWrapper
from keraslite.metrics.metric import Metric
from keraslite.metrics.reduction_metrics import Mean, MeanMetricWrapper


def _object_name(obj) -> str:
    if isinstance(obj, str):
        return obj
    if hasattr(obj, "name") and isinstance(obj.name, str):
        return obj.name
    return getattr(obj, "__name__", type(obj).__name__)


def _resolve_loss(identifier, where: str) -> Loss | None:
    """A loss identifier -> a `Loss` object (functions are wrapped, named as given)."""
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        return _DeferredCrossentropy(identifier)
    try:
        loss = losses_module.get(identifier)
    except ValueError as error:
        raise ValueError(f"{error}. Unknown loss for {where}. Received: loss={identifier!r}") from None
    if isinstance(loss, Loss):
        return loss
    if not callable(loss):
        raise TypeError(
            f"Could not interpret loss for {where}: expected a loss name, `Loss` object or function. "
            f"Received: loss={identifier!r}"
        )
    return LossFunctionWrapper(loss, name=identifier if isinstance(identifier, str) else _object_name(loss))


class _DeferredCrossentropy(Loss):
    """`loss="crossentropy"`: binary / sparse / categorical chosen on the first batch by shapes."""

    def __init__(self, name):
        super().__init__(name=name)
        self._resolved = None

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self._resolved is None:
            is_binary, is_sparse = binary_or_sparse(y_true, y_pred)
            fn = (
                losses_module.binary_crossentropy
                if is_binary
                else losses_module.sparse_categorical_crossentropy
                if is_sparse
                else losses_module.categorical_crossentropy
            )
            self._resolved = LossFunctionWrapper(fn, name=self.name)
        return self._resolved(y_true, y_pred, sample_weight)


def binary_or_sparse(y_true, y_pred) -> tuple[bool, bool]:
    """Keras's rule for `"accuracy"`/`"crossentropy"`: binary if predictions have one unit,
    sparse if labels have lower rank (or one column against several)."""
    is_binary = y_pred.shape[-1] == 1
    is_sparse = y_true.ndim < y_pred.ndim or (y_true.shape[-1] == 1 and y_pred.shape[-1] > 1)
    return is_binary, is_sparse


def _per_output(value, output_names: list[str], argument: str, allow_single: bool):
    """Spread a compile argument (single, list or dict keyed by output name) over outputs."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = [k for k in value if k not in output_names]
        if unknown:
            raise ValueError(
                f"In the dict argument `{argument}`, key {unknown[0]!r} does not correspond to any model output. "
                f"Received: {argument}={value!r}. Model outputs: {output_names}"
            )
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"When passing a list as `{argument}`, it should have one entry per model output. The model has "
                f"{n} output(s) {output_names}, but you passed {argument}={value!r} (length {len(value)})."
            )
        return list(value)
    if not allow_single and n > 1 and value is not None:
        raise ValueError(
            f"`{argument}` must be a list or dict with one entry per output {output_names}. "
            f"Received: {argument}={value!r}"
        )
    return [value] * n


class CompileLoss:
    """The total loss: `sum(weight_i * loss_i(y_i, pred_i, sw_i))` over outputs with a loss.

    With more than one loss, each output's unweighted loss is also tracked (`<output>_loss`).
    """

    def __init__(self, loss, loss_weights, output_names: list[str]):
        self.output_names = output_names
        n = len(output_names)
        if isinstance(loss, (list, tuple)) and n == 1 and len(loss) == 1:
            loss = loss[0]
        raw = _per_output(loss, output_names, "loss", allow_single=True)
        self.losses = [_resolve_loss(identifier, f"output {name!r}") for identifier, name in zip(raw, output_names)]
        if loss_weights is None:
            weights = [None] * n
        elif isinstance(loss_weights, (int, float)) and n == 1:
            weights = [float(loss_weights)]
        else:
            if isinstance(loss_weights, (list, tuple)) and len(loss_weights) != n:
                given = sum(loss is not None for loss in self.losses)
                raise ValueError(
                    f"`loss_weights` must match the number of losses, got {given} losses "
                    f"and {len(loss_weights)} weights. Received: loss_weights={loss_weights!r}"
                )
            weights = _per_output(loss_weights, output_names, "loss_weights", allow_single=False)
        self.weights = [None if w is None else float(w) for w in weights]
        self.active = [i for i, loss in enumerate(self.losses) if loss is not None]
        self.trackers = [Mean(name=f"{output_names[i]}_loss") for i in self.active] if len(self.active) > 1 else []

    def __call__(self, y_true: list, y_pred: list, sample_weight: list | None):
        total = None
        for position, index in enumerate(self.active):
            sw = sample_weight[index] if sample_weight is not None else None
            try:
                value = self.losses[index](y_true[index], y_pred[index], sw)
            except RuntimeError as error:  # no cost on the hot path: only a failed step looks
                self._raise_if_shapes_differ(index, y_true[index], y_pred[index], error)
                raise
            if self.trackers:
                self.trackers[position].update_state(value.detach(), sample_weight=y_pred[index].shape[0])
            weight = self.weights[index]
            if weight is not None:
                value = value * weight
            total = value if total is None else total + value
        return total

    def _raise_if_shapes_differ(self, index: int, target, output, error: BaseException) -> None:
        """torch's "size of tensor a (3) must match..." as Keras users need it: which output,
        which loss, the shapes expected and received."""
        target_shape, output_shape = tuple(getattr(target, "shape", ())), tuple(getattr(output, "shape", ()))
        # Keras's losses align ranks by a trailing axis of size 1 and broadcast the rest.
        if len(target_shape) == len(output_shape) + 1 and target_shape[-1:] == (1,):
            target_shape = target_shape[:-1]
        elif len(output_shape) == len(target_shape) + 1 and output_shape[-1:] == (1,):
            output_shape = output_shape[:-1]
        try:
            torch.broadcast_shapes(target_shape, output_shape)
            return
        except RuntimeError:
            pass
        loss = self.losses[index]
        loss_name = getattr(loss, "name", None) or _object_name(loss)
        raise ValueError(
            f"The target for output '{self.output_names[index]}' does not fit it: loss {loss_name} compares "
            f"arrays of the same shape. Expected: a target of shape {tuple(output.shape)} (one batch; or "
            f"broadcastable to it). Received: y of shape {tuple(target.shape)}"
        ) from error


class CompileMetrics:
    """Per-output metric lists, resolved on the first batch (the `"accuracy"` rule needs
    the label and prediction shapes)."""

    def __init__(self, metrics, weighted_metrics, output_names: list[str]):
        self.output_names = output_names
        if state.dialect() == "tf2":
            # tf.keras 2 took a single metric (`metrics=tf.metrics.BinaryAccuracy()`); Keras 3 refuses it.
            metrics, weighted_metrics = (
                [value] if value is not None and not isinstance(value, (list, tuple, dict)) else value
                for value in (metrics, weighted_metrics)
            )
        self._user = (metrics, weighted_metrics)
        for argument, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
            if value is not None and not isinstance(value, (list, tuple, dict)):
                raise TypeError(
                    f"Type of `{argument}` argument not understood. Expected a list or dictionary, found: {value!r}"
                )
            self._validate(value, argument)
        self.built = False
        self.unweighted: list[list[Metric]] = []
        self.weighted: list[list[Metric]] = []

    def _validate(self, value, argument):
        if value is None:
            return
        if isinstance(value, dict):
            _per_output(value, self.output_names, argument, allow_single=True)
            items = [v for vs in value.values() for v in (vs if isinstance(vs, (list, tuple)) else [vs])]
        else:
            items = [v for vs in value for v in (vs if isinstance(vs, (list, tuple)) else [vs])]
        for item in items:
            if item is None:
                continue
            if isinstance(item, str) and item.lower() in ("accuracy", "acc"):
                continue
            try:
                metrics_module.get(item)
            except ValueError:
                raise ValueError(
                    f"Unknown metric for `{argument}`: could not interpret metric identifier {item!r}."
                ) from None

    def _spread(self, value):
        n = len(self.output_names)
        if not value:
            return [[] for _ in range(n)]
        if isinstance(value, dict):
            spread = _per_output(value, self.output_names, "metrics", allow_single=True)
        elif n > 1 and len(value) == n:  # one entry per output, as Keras 3 reads it
            spread = list(value)
        else:
            spread = [list(value)] * n  # otherwise the same metrics for every output, as Keras 2 did
        return [list(v) if isinstance(v, (list, tuple)) else ([] if v is None else [v]) for v in spread]

    def build(self, y_true: list, y_pred: list) -> None:
        metrics, weighted = self._user
        self.unweighted = [
            [_make_metric(m, yt, yp) for m in ms] for ms, yt, yp in zip(self._spread(metrics), y_true, y_pred)
        ]
        self.weighted = [
            [_make_metric(m, yt, yp) for m in ms] for ms, yt, yp in zip(self._spread(weighted), y_true, y_pred)
        ]
        self.built = True
        self._names = self._result_names()

    def _result_names(self):
        names, seen = [], set()
        multi = len(self.output_names) > 1
        for group, weighted in ((self.unweighted, False), (self.weighted, True)):
            for index, metric_list in enumerate(group):
                for metric in metric_list:
                    name = metric.name
                    if weighted and (f"{self.output_names[index]}_{name}" if multi else name) in seen:
                        name = f"weighted_{name}"
                    full = f"{self.output_names[index]}_{name}" if multi else name
                    base, count = full, 1
                    while full in seen:
                        full = f"{base}_{count}"
                        count += 1
                    seen.add(full)
                    names.append(full)
        return names

    @property
    def metrics(self) -> list[Metric]:
        return [m for group in (self.unweighted, self.weighted) for ms in group for m in ms]

    def update_state(self, y_true: list, y_pred: list, sample_weight: list | None) -> None:
        if not self.built:
            self.build(y_true, y_pred)
        for metric_list, yt, yp in zip(self.unweighted, y_true, y_pred):
            for metric in metric_list:
                metric.update_state(yt, yp)
        for index, (metric_list, yt, yp) in enumerate(zip(self.weighted, y_true, y_pred)):
            sw = sample_weight[index] if sample_weight is not None else None
            for metric in metric_list:
                metric.update_state(yt, yp, sample_weight=sw)

    def results(self) -> dict:
        if not self.built:
            return {}
        return {name: metric.result() for name, metric in zip(self._names, self.metrics)}

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()


def _make_metric(identifier, y_true, y_pred) -> Metric:
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        is_binary, is_sparse = binary_or_sparse(y_true, y_pred)
        cls = (
            metrics_module.BinaryAccuracy
            if is_binary
            else metrics_module.SparseCategoricalAccuracy
            if is_sparse
            else metrics_module.CategoricalAccuracy
        )
        return cls(name=identifier)
    metric = metrics_module.get(identifier)
    if inspect.isclass(metric):
        metric = metric()
    if not isinstance(metric, Metric):
        # As Keras: the wrapper is made under the function's name (its variables' paths keep
        # it: `mean_absolute_error/total`), then takes the name it was asked by (`mae`).
        metric = MeanMetricWrapper(metric, name=_object_name(metric))
    if isinstance(identifier, str):
        metric.name = identifier
    return metric
