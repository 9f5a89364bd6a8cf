"""`state_dict()` keys of a functional model (and a Sequential) by structure, not by name.

A functional model registers its layers as submodules under their names, which are
process-wide auto names (`dense`, `dense_1`, ... `dense_7` in the fourth model built), so
torch's own keys would differ between two instances of one architecture. As Keras's weight
files do (`layers/dense`, `layers/dense_1`), the keys name each layer of a model by its
class in snake case, numbered in the model's layer order among layers of that class:

    Input -> Dense -> BatchNormalization -> Dense        (any layer names)
    dense.kernel, dense.bias, batch_normalization._gamma, ..., dense_1.kernel, dense_1.bias

A nested model adds its own level (`functional.dense.kernel`); sublayers inside a layer and
the attributes of a subclassed model keep their attribute names (already structural). So
`b.load_state_dict(a.state_dict())` works between any two instances of one architecture.

Loading also reads keys in the earlier scheme (layer names: what a fresh process's models
had), for each model level whose keys do not all fit the structural names. The renaming is
two `nn.Module` state-dict hooks; `named_parameters()` keeps the submodules' real names.
"""

from __future__ import annotations

import itertools

from keraslite.saving.keras_layout import keras_snake_case


def structural_names(model) -> dict[str, str]:
    """{submodule name (the layer's target) -> structural name} for the model's layers."""
    targets = getattr(model, "_layer_targets", None) or {}
    used: dict[str, int] = {}
    names = {}
    for layer, target in targets.items():
        base = keras_snake_case(type(layer).__name__)
        count = used.get(base)
        used[base] = 0 if count is None else count + 1
        names[target] = base if count is None else f"{base}_{count + 1}"
    return names


def _rename_first_component(state_dict, prefix: str, mapping: dict[str, str]) -> None:
    """Rename `prefix + old + rest` to `prefix + new + rest` in place, keeping the order."""
    if not mapping or all(old == new for old, new in mapping.items()):
        return
    items = list(state_dict.items())
    state_dict.clear()
    for key, value in items:
        if key.startswith(prefix):
            head, dot, rest = key[len(prefix) :].partition(".")
            if dot and head in mapping:
                key = f"{prefix}{mapping[head]}.{rest}"
        state_dict[key] = value


def _save_hook(module, state_dict, prefix, local_metadata) -> None:
    _rename_first_component(state_dict, prefix, structural_names(module))


def _has_state(module) -> bool:
    return next(itertools.chain(module.parameters(), module.buffers()), None) is not None


def _load_hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
    names = structural_names(module)
    to_target = {structural: target for target, structural in names.items()}
    given = {key[len(prefix) :].partition(".")[0] for key in state_dict if key.startswith(prefix)}
    stateful_targets = {target for target in names if _has_state(module._modules[target])}
    stateful_structural = {names[target] for target in stateful_targets}
    # Structural keys when every key names a layer that way (a partial dict, `strict=False`,
    # included), unless only the earlier reading (keys by layer name) covers every layer.
    structural_complete = stateful_structural <= given
    legacy_complete = stateful_targets <= given
    structural = given <= set(to_target) and (structural_complete or not legacy_complete)
    if structural:
        _rename_first_component(state_dict, prefix, to_target)
    # else: keys by layer name (the earlier scheme), which are the submodules' own names.
    module.__dict__["_state_dict_load_reading"] = (prefix, structural)


def _rename_keys(keys: list, prefix: str, mapping: dict[str, str]) -> None:
    for index, key in enumerate(keys):
        if key.startswith(prefix):
            head, dot, rest = key[len(prefix) :].partition(".")
            if dot and head in mapping:
                keys[index] = f"{prefix}{mapping[head]}.{rest}"


def _after_load_hook(module, incompatible_keys) -> None:
    """Missing and unexpected keys are reported in the scheme the keys were read in."""
    prefix, structural = module.__dict__.pop("_state_dict_load_reading", ("", False))
    if structural:
        names = structural_names(module)
        _rename_keys(incompatible_keys.missing_keys, prefix, names)
        _rename_keys(incompatible_keys.unexpected_keys, prefix, names)


def install(model) -> None:
    """Give `model` (a functional model) structural state-dict keys; once per model."""
    if getattr(model, "_structural_state_dict_keys", False):
        return
    object.__setattr__(model, "_structural_state_dict_keys", True)
    register_save = getattr(model, "register_state_dict_post_hook", None)
    if register_save is not None:
        register_save(_save_hook)
    else:  # torch < 2.2: the same hook through the older entry point
        model._register_state_dict_hook(_save_hook)
    register_load = getattr(model, "register_load_state_dict_pre_hook", None)
    if register_load is not None:
        register_load(_load_hook)
    else:
        model._register_load_state_dict_pre_hook(_load_hook, with_module=True)
    model.register_load_state_dict_post_hook(_after_load_hook)
