"""The rows of `model.summary()`: the model's layers, and the raw `torch.nn.Module`s a
subclassed model holds beside them (`self.fc1 = torch.nn.Linear(4, 8)`), in attribute order.

Keras 3 wraps such a module in a `TorchModuleWrapper` when it is assigned and lists that
wrapper; keraslite keeps the module itself (the model is a plain `nn.Module`, and
`model.fc1.weight` stays what a torch user expects) and lists it as what it is:
`fc1 (Linear)`, output shape `?` (a module records no calls), its parameters counted.
"""

from __future__ import annotations

import torch

from keraslite.graph.operation import Operation


class TorchModuleEntry:
    """A raw torch module as a summary row: what the table reads from a layer."""

    def __init__(self, path: str, module: torch.nn.Module):
        self.name = path
        self.module = module
        self.class_label = type(module).__name__
        self._inbound_nodes: list = []
        self._build_shapes = None
        self.built = True

    @property
    def weights(self) -> list:
        return list(self.module.parameters())

    @property
    def trainable(self) -> bool:
        return any(p.requires_grad for p in self.module.parameters())

    def count_params(self) -> int:
        return sum(p.numel() for p in self.module.parameters())


def _holds_layers(module: torch.nn.Module) -> bool:
    return any(isinstance(m, Operation) for m in module.modules())


def summary_entries(model) -> list:
    """Layers (as `model.layers` lists them) and raw torch modules, in attribute order. A
    torch container of layers (`nn.ModuleList([Dense(...), ...])`) is looked through, as
    `model.layers` does; a module with no layer inside is one row."""
    entries: list = []
    seen: set = set()

    def visit(module, prefix):
        for key, child in module._modules.items():
            if child is None or id(child) in seen:
                continue
            path = f"{prefix}{key}"
            if isinstance(child, Operation):
                seen.add(id(child))
                entries.append(child)
            elif _holds_layers(child):
                visit(child, path + ".")
            else:
                seen.add(id(child))
                entries.append(TorchModuleEntry(path, child))

    visit(model, "")
    layers = model.layers
    if [e for e in entries if isinstance(e, Operation)] != list(layers):
        return list(layers)  # a model that lists its layers its own way (Sequential, Functional)
    return entries


def class_label(entry) -> str:
    return getattr(entry, "class_label", None) or type(entry).__name__
