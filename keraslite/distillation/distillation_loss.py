"""`keras.distillation`'s losses: how a teacher's outputs are compared with a student's.

`DistillationLoss` is the base class; `LogitsDistillation` compares temperature-scaled
final outputs, `FeatureDistillation` final outputs or the outputs of named intermediate
layers. Each holds one loss per output (a nested structure, `None` skipping an output),
and its `compute_loss` returns one scalar. Behaviour is Keras 3.15.1's, including that a
loss given by name resolves to Keras's loss *function* (so `"kl_divergence"` is applied to
the scaled logits directly; only a `keras.losses.KLDivergence` instance gets softmax and
the temperature² factor).
"""

from __future__ import annotations

import torch

from keraslite import ops, tree
from keraslite.losses import lookup as losses_lookup
from keraslite.losses.classes import KLDivergence
from keraslite.serialization.serialization_lib import serialize_keras_object


def _to_loss_function(loss_item):
    """A loss name -> Keras's loss function; loss objects, functions and `None` stay."""
    if loss_item is None:
        return None
    if isinstance(loss_item, str):
        loss_fn = losses_lookup.get(loss_item)
        if loss_fn is None:
            raise ValueError(f"Unknown loss function: '{loss_item}'.")
        return loss_fn
    return loss_item


def _losses_from_argument(loss, owner: str, message: str):
    converted = tree.map_structure(_to_loss_function, loss)
    if all(item is None for item in tree.flatten(converted)):
        raise ValueError(message.format(owner=owner))
    return converted


def _sum_of(loss_values) -> torch.Tensor:
    """The sum of a structure of scalar losses (a skipped output counts 0.0, made on the
    losses' device: no host-to-device copy per step)."""
    flat = tree.flatten(loss_values)
    device = next((v.device for v in flat if isinstance(v, torch.Tensor)), None)
    return ops.sum(
        ops.stack([v if isinstance(v, torch.Tensor) else torch.full((), float(v), device=device) for v in flat])
    )


class DistillationLoss:
    """Base class of distillation losses: subclass it and override `compute_loss`.

    A distillation loss says how knowledge passes from the teacher to the student, from
    matching final logits to matching intermediate features.
    """

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The distillation loss between teacher and student outputs (a scalar tensor).

        Args:
            teacher_outputs: the teacher's outputs: a tensor or a structure of tensors.
            student_outputs: the student's outputs, in the same structure.
            **kwargs: anything a custom loss needs.
        """
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs, student_outputs):
        """Raise `ValueError` when teacher and student outputs differ in structure."""
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher, student):
        """Raise `ValueError` when this loss cannot work with these models (nothing here)."""


class FeatureDistillation(DistillationLoss):
    """Matches the teacher's features with the student's: final outputs, or the outputs
    of one named layer in each model.

    Args:
        loss: a loss name (`"mse"`, `"cosine_similarity"`, ...), a loss object, or a
            structure of them matching the features (`None` skips one); at least one must
            be given. Defaults to `"mse"`.
        teacher_layer_name: the teacher layer whose output is compared; `None` for the
            final output.
        student_layer_name: the student layer whose output is compared; `None` for the
            final output.
    """

    def __init__(self, loss="mse", teacher_layer_name=None, student_layer_name=None):
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = _losses_from_argument(
            loss,
            "FeatureDistillation",
            "The `loss` argument in `{owner}` must contain at least one non-`None` value.",
        )

    def validate_model_compatibility(self, teacher, student):
        """Layer names need graph models (functional or Sequential) that contain them."""
        if self.teacher_layer_name is not None or self.student_layer_name is not None:
            subclassed = [
                role for role, model in (("teacher", teacher), ("student", student)) if _symbolic_inputs(model) is None
            ]
            if subclassed:
                raise ValueError(
                    "FeatureDistillation with specific layer names requires Functional or Sequential models. "
                    f"The {' and '.join(subclassed)} model(s) appear to be subclassed (no symbolic inputs/outputs). "
                    "Either use Functional/Sequential models, or use FeatureDistillation without layer names "
                    "(to distill final outputs only), or use LogitsDistillation instead."
                )
        for role, model, layer_name in (
            ("teacher", teacher, self.teacher_layer_name),
            ("student", student, self.student_layer_name),
        ):
            if layer_name is not None:
                try:
                    model.get_layer(name=layer_name)
                except ValueError as error:
                    raise ValueError(f"In {role} model: {error}") from None

    def validate_outputs(self, teacher_outputs, student_outputs):
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except ValueError as error:
            raise ValueError(
                f"Loss structure mismatch. Loss structure: {_structure_of(self.loss)}, "
                f"Output structure: {_structure_of(teacher_outputs)}. Error: {error}"
            ) from None

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The mean of each loss over its features, summed over the features."""

        def apply_loss(loss_fn, teacher_features, student_features):
            if loss_fn is None:
                return 0.0
            return ops.mean(loss_fn(teacher_features, student_features))

        return _sum_of(tree.map_structure(apply_loss, self.loss, teacher_outputs, student_outputs))

    def get_config(self):
        return {
            "loss": serialize_keras_object(self.loss),
            "teacher_layer_name": self.teacher_layer_name,
            "student_layer_name": self.student_layer_name,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["loss"] = _deserialize_losses(config["loss"])
        return cls(**config)


class LogitsDistillation(DistillationLoss):
    """Matches the student's final outputs with the teacher's, both divided by a temperature.

    Args:
        temperature: the softmax temperature (> 0); higher gives softer targets.
            Defaults to 3.0.
        loss: a loss name, a loss object, or a structure of them matching the outputs
            (`None` skips one); at least one must be given. Defaults to `"kl_divergence"`.
            A `keras.losses.KLDivergence` object compares softmax probabilities and is
            multiplied by temperature²; any other loss (the name `"kl_divergence"`
            included, which resolves to Keras's function) gets the scaled logits.
    """

    def __init__(self, temperature=3.0, loss="kl_divergence"):
        self.temperature = temperature
        self.loss = _losses_from_argument(loss, "LogitsDistillation", "At least one loss must be non-`None`.")
        if not isinstance(temperature, (int, float)) or isinstance(temperature, bool):
            raise ValueError(f"temperature must be a number, got {type(temperature)}")
        if temperature <= 0.0:
            raise ValueError(f"temperature must be positive. Received: temperature={temperature}")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """Each loss on the temperature-scaled outputs, averaged, summed over the outputs."""
        teacher_scaled = tree.map_structure(lambda x: ops.divide(x, self.temperature), teacher_outputs)
        student_scaled = tree.map_structure(lambda x: ops.divide(x, self.temperature), student_outputs)

        def apply_loss(loss_fn, teacher_logits, student_logits):
            if loss_fn is None:
                return 0.0
            if isinstance(loss_fn, KLDivergence):
                teacher_probs = ops.softmax(teacher_logits, axis=-1)
                student_probs = ops.softmax(student_logits, axis=-1)
                return ops.mean(loss_fn(teacher_probs, student_probs)) * (self.temperature**2)
            return ops.mean(loss_fn(teacher_logits, student_logits))

        return _sum_of(tree.map_structure(apply_loss, self.loss, teacher_scaled, student_scaled))

    def get_config(self):
        return {"temperature": self.temperature, "loss": serialize_keras_object(self.loss)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["loss"] = _deserialize_losses(config["loss"])
        return cls(**config)


def _deserialize_losses(config):
    """A serialized loss structure back: lists and plain dicts (per-output losses, which
    carry no "class_name") are walked, as Keras's deserialization walks them."""
    if isinstance(config, (list, tuple)):
        return [_deserialize_losses(item) for item in config]
    if isinstance(config, dict) and "class_name" not in config:
        return {key: _deserialize_losses(value) for key, value in config.items()}
    return losses_lookup.deserialize(config) if config is not None else None


def _symbolic_inputs(model):
    """A graph model's symbolic inputs; `None` for a subclassed model."""
    try:
        return getattr(model, "inputs", None)
    except (AttributeError, ValueError):
        return None


def _structure_of(value):
    return tree.map_structure(lambda _: "*", value)
