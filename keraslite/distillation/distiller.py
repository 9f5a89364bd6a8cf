"""`keras.distillation.Distiller`: a model that trains a student from a frozen teacher.

The Distiller is a subclassed `Model` whose forward is the student's. Its `compute_loss`
(which `fit` and `evaluate` call, training/step.py) mixes the student's supervised loss
with the weighted distillation losses as Keras 3.15.1 does:

    total = student_loss_weight * student_loss
            + (1 - student_loss_weight) * sum_i(weight_i * distillation_loss_i)

and records `student_loss`, `distillation_loss` and `total_loss` in three `Mean` trackers
held as attributes (so they show in `model.metrics` and in the logs, as in Keras).
Intermediate features come from one functional "feature extractor" per model, built over
the model's own layers, with outputs `{"final_output": ..., layer_name: ...}`.
"""

from __future__ import annotations

import torch

from keraslite import ops, tree
from keraslite.distillation.distillation_loss import _to_loss_function
from keraslite.layers.base_layer import Layer
from keraslite.metrics.reduction_metrics import Mean
from keraslite.models.functional import Functional
from keraslite.models.model import Model
from keraslite.models.sequential import Sequential
from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object


class Distiller(Model):
    """Trains `student` from `teacher` (knowledge distillation).

    Args:
        teacher: a trained `keras.Model`; it is frozen (`trainable = False`).
        student: the `keras.Model` to train; read it back from `distiller.student`.
        distillation_losses: one distillation loss (`LogitsDistillation`,
            `FeatureDistillation`, or a `DistillationLoss` subclass) or a list of them.
        distillation_loss_weights: one weight per distillation loss (a list of the same
            length); `None` weighs each 1.0.
        student_loss_weight: the weight, in [0, 1], of the student's supervised loss; the
            distillation losses get `1 - student_loss_weight`. Defaults to 0.5.
        name: the model's name. Defaults to `"distiller"`.
        **kwargs: passed to `Model`.

    Example:

    ```python
    distiller = keras.distillation.Distiller(
        teacher=teacher,
        student=student,
        distillation_losses=keras.distillation.LogitsDistillation(temperature=3.0),
    )
    distiller.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    distiller.fit(x_train, y_train, epochs=10)
    trained_student = distiller.student
    ```
    """

    def __init__(
        self,
        teacher,
        student,
        distillation_losses,
        distillation_loss_weights=None,
        student_loss_weight=0.5,
        name="distiller",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        _validate_models(teacher, student)
        self.teacher = teacher
        self.student = student

        if not isinstance(student_loss_weight, (int, float)) or isinstance(student_loss_weight, bool):
            raise ValueError(f"student_loss_weight must be a number, got {type(student_loss_weight)}")
        if student_loss_weight < 0.0 or student_loss_weight > 1.0:
            raise ValueError(f"student_loss_weight must be between 0.0 and 1.0, got {student_loss_weight}")
        self.student_loss_weight = student_loss_weight

        if distillation_losses is None:
            raise ValueError(
                "'distillation_losses' cannot be `None`. Provide a distillation loss (e.g., LogitsDistillation or "
                "FeatureDistillation) or a list of distillation losses."
            )
        if not isinstance(distillation_losses, (list, tuple)):
            # Keras ignores the given weights for a single loss.
            self.distillation_losses = [distillation_losses]
            self.distillation_loss_weights = [1.0]
        else:
            self.distillation_losses = distillation_losses
            if distillation_loss_weights is None:
                self.distillation_loss_weights = [1.0] * len(distillation_losses)
            elif len(distillation_loss_weights) != len(distillation_losses):
                raise ValueError(
                    f"Number of distillation_loss_weights ({len(distillation_loss_weights)}) must match number of "
                    f"distillation_losses ({len(distillation_losses)})"
                )
            else:
                self.distillation_loss_weights = distillation_loss_weights

        for distillation_loss in self.distillation_losses:
            distillation_loss.validate_model_compatibility(teacher, student)
        self._teacher_feature_extractor = _feature_extractor(
            self.teacher, _layer_names(self.distillation_losses, "teacher")
        )
        self._student_feature_extractor = _feature_extractor(
            self.student, _layer_names(self.distillation_losses, "student")
        )

        self.teacher.trainable = False
        self.student_loss_tracker = Mean(name="student_loss")
        self.distillation_loss_tracker = Mean(name="distillation_loss")
        self.total_loss_tracker = Mean(name="total_loss")

    # ------------------------------------------------------------------ training
    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """Configure training of the student.

        Args:
            optimizer: the optimizer of the student's weights. Defaults to `"adam"`.
            loss: the student's supervised loss (a name, a loss object or function, or a
                structure of them per output); required.
            metrics: a list or tuple of metrics on the student's predictions.
            **kwargs: passed to `Model.compile`.
        """
        if loss is None:
            raise ValueError("'loss' cannot be `None`.")
        self._student_loss = tree.map_structure(_to_loss_function, loss)
        self._student_loss_for_serialization = loss
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list or tuple, got {type(metrics)}")
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)

    def call(self, inputs, training=None, **kwargs):
        """The student's predictions."""
        return self.student(inputs, training=training, **kwargs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The combined loss of one batch (see the module docstring); `sample_weight` is
        not used, as in Keras."""
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss = 0.0
        if self.student_loss_weight > 0.0 and y is not None:
            loss_values = tree.map_structure(
                lambda loss, target, pred: loss(target, pred), self._student_loss, y, y_pred
            )
            flat = tree.flatten(loss_values)
            student_loss = ops.sum(ops.stack(flat)) if len(flat) > 1 else flat[0]
            if isinstance(student_loss, torch.Tensor) and student_loss.dim() > 0:
                student_loss = ops.mean(student_loss)

        distillation_loss = 0.0
        if self.student_loss_weight < 1.0:
            teacher_features = self._teacher_features(x)
            student_features = self._student_features(x, y_pred)
            for loss_fn, weight in zip(self.distillation_losses, self.distillation_loss_weights):
                teacher_output, student_output = self._features_for(loss_fn, teacher_features, student_features, y_pred)
                loss_fn.validate_outputs(teacher_output, student_output)
                value = loss_fn.compute_loss(teacher_output, student_output)
                if isinstance(value, torch.Tensor) and value.dim() > 0:
                    raise ValueError(
                        f"Distillation loss {type(loss_fn).__name__} returned a non-scalar loss with shape "
                        f"{tuple(value.shape)}. The compute_loss method must return a scalar tensor."
                    )
                distillation_loss = ops.add(distillation_loss, ops.multiply(weight, value))

        total_loss = ops.add(
            ops.multiply(self.student_loss_weight, student_loss),
            ops.multiply(1.0 - self.student_loss_weight, distillation_loss),
        )
        self.student_loss_tracker.update_state(_detached(student_loss))
        self.distillation_loss_tracker.update_state(_detached(distillation_loss))
        self.total_loss_tracker.update_state(_detached(total_loss))
        return total_loss

    def _teacher_features(self, x) -> dict:
        if self._teacher_feature_extractor is not None:
            return self._teacher_feature_extractor(x, training=False)
        return {"final_output": self.teacher(x, training=False)}

    def _student_features(self, x, y_pred) -> dict:
        if self._student_feature_extractor is not None:
            return self._student_feature_extractor(x, training=True)
        return {"final_output": y_pred}

    @staticmethod
    def _features_for(loss_fn, teacher_features, student_features, y_pred):
        """The (teacher, student) values one distillation loss compares."""
        if getattr(loss_fn, "teacher_layer_name", None) is None:
            return teacher_features["final_output"], y_pred
        try:
            return (
                _named_feature(teacher_features, loss_fn.teacher_layer_name),
                _named_feature(student_features, loss_fn.student_layer_name),
            )
        except ValueError as error:
            raise RuntimeError(
                f"Failed to extract features for {type(loss_fn).__name__} targeting teacher layer "
                f"'{loss_fn.teacher_layer_name}' and student layer '{loss_fn.student_layer_name}'. "
                f"Original error: {error}"
            ) from error

    def reset_metrics(self):
        super().reset_metrics()
        self.student_loss_tracker.reset_state()
        self.distillation_loss_tracker.reset_state()
        self.total_loss_tracker.reset_state()

    # ------------------------------------------------------------------ config
    def get_config(self):
        # A layer's base config (name, trainable, dtype): `Model.get_config` would look for
        # the recorded constructor arguments of a user's subclass.
        config = Layer.get_config(self)
        config.update(
            {
                "teacher": serialize_keras_object(self.teacher),
                "student": serialize_keras_object(self.student),
                "distillation_losses": [serialize_keras_object(loss) for loss in self.distillation_losses],
                "distillation_loss_weights": self.distillation_loss_weights,
                "student_loss_weight": self.student_loss_weight,
            }
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=True):
        config = dict(config)
        for key in ("teacher", "student"):
            config[key] = deserialize_keras_object(config[key], custom_objects=custom_objects, safe_mode=safe_mode)
        config["distillation_losses"] = [
            deserialize_keras_object(loss, custom_objects=custom_objects, safe_mode=safe_mode)
            for loss in config["distillation_losses"]
        ]
        return cls(**config)


def _detached(value):
    return value.detach() if isinstance(value, torch.Tensor) else value


def _named_feature(features: dict, layer_name):
    key = layer_name or "final_output"
    if key not in features:
        raise ValueError(f"Layer '{key}' not found in extracted features. Available: {list(features.keys())}")
    return features[key]


def _validate_models(teacher, student) -> None:
    """Both must be models with compatible input/output shapes and the same dtypes."""
    if not isinstance(teacher, Model):
        raise ValueError(f"Teacher must be a keras.Model, got {type(teacher)}")
    if not isinstance(student, Model):
        raise ValueError(f"Student must be a keras.Model, got {type(student)}")
    teacher_inputs, student_inputs = _graph_tensors(teacher, "inputs"), _graph_tensors(student, "inputs")
    teacher_outputs, student_outputs = _graph_tensors(teacher, "outputs"), _graph_tensors(student, "outputs")
    if teacher_inputs is not None and student_inputs is not None:
        tree.map_structure(lambda t, s: _check_shapes(t.shape, s.shape, "input"), teacher_inputs, student_inputs)
    if teacher_outputs is not None and student_outputs is not None:
        tree.map_structure(lambda t, s: _check_shapes(t.shape, s.shape, "output"), teacher_outputs, student_outputs)
    if teacher_inputs is not None and student_inputs is not None:
        tree.map_structure(lambda t, s: _check_dtypes(t.dtype, s.dtype, "input"), teacher_inputs, student_inputs)
        if teacher_outputs is not None and student_outputs is not None:
            tree.map_structure(lambda t, s: _check_dtypes(t.dtype, s.dtype, "output"), teacher_outputs, student_outputs)


def _graph_tensors(model, which: str):
    """A graph model's symbolic `inputs` or `outputs`; `None` for a subclassed model."""
    if not isinstance(model, Functional):
        return None
    try:
        return getattr(model, which)
    except (AttributeError, ValueError):
        return None


def _check_shapes(teacher_shape, student_shape, context: str) -> None:
    if len(teacher_shape) != len(student_shape):
        raise ValueError(
            f"Teacher and student {context} shapes have different dimensions. "
            f"Teacher: {tuple(teacher_shape)}, Student: {tuple(student_shape)}."
        )
    for teacher_dim, student_dim in zip(teacher_shape, student_shape):
        if teacher_dim is not None and student_dim is not None and teacher_dim != student_dim:
            raise ValueError(
                f"Teacher and student {context} shapes are incompatible. Teacher: {tuple(teacher_shape)}, "
                f"Student: {tuple(student_shape)}. All dimensions must match."
            )


def _check_dtypes(teacher_dtype, student_dtype, context: str) -> None:
    if teacher_dtype != student_dtype:
        raise ValueError(
            f"Teacher and student {context} dtypes must match. Teacher: {teacher_dtype}, Student: {student_dtype}."
        )


def _layer_names(distillation_losses, role: str) -> list:
    """The distinct layer names the losses read from the teacher or the student, in order."""
    names = []
    for loss in distillation_losses:
        name = getattr(loss, f"{role}_layer_name", None)
        if name and name not in names:
            names.append(name)
    return names


def _feature_extractor(model, layer_names):
    """A functional model over `model`'s layers returning `{"final_output", *layer_names}`;
    `None` when no layer is named."""
    if not layer_names:
        return None
    if _graph_tensors(model, "inputs") is None:
        raise ValueError(
            f"Cannot create feature extractor for {model.name}. The model has no symbolic inputs attribute."
        )
    final_output = model.layers[-1].output if isinstance(model, Sequential) else model.output
    outputs = {"final_output": final_output}
    for layer_name in layer_names:
        outputs[layer_name] = model.get_layer(name=layer_name).output
    return Functional(inputs=model.inputs, outputs=outputs, name=f"{model.name}_multi_feature_extractor")
