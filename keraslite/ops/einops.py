"""`keras.ops.rearrange`: einops-style axis rearrangement (one reshape, one permute,
one reshape)."""

from __future__ import annotations

import math
import re

from keraslite.ops.dispatch import keras_op, to_tensor

_GROUP = re.compile(r"\(([^)]*)\)|(\S+)")


def _parse_side(side: str, pattern: str):
    """'b (h w) c' -> [['b'], ['h', 'w'], ['c']]."""
    groups = []
    for match in _GROUP.finditer(side):
        names = match.group(1).split() if match.group(1) is not None else [match.group(2)]
        for name in names:
            if not name.isidentifier():
                raise ValueError(f"`rearrange`: axis names must be identifiers. Received {name!r} in {pattern!r}")
        groups.append(names)
    return groups


@keras_op
def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, merge and split axes as described by an einops pattern.

    `"b h w c -> b c h w"` permutes, `"b h w c -> b (h w) c"` merges, and
    `"b (h1 h) w c -> (b h1) h w c"` with `h1=2` splits (a split group may leave one
    length unknown; it is inferred). Every input axis must appear in the output.
    """
    tensor = to_tensor(tensor)
    if pattern.count("->") != 1:
        raise ValueError(f"`rearrange` needs a pattern 'input -> output'. Received: pattern={pattern!r}")
    left, right = (_parse_side(side, pattern) for side in pattern.split("->"))
    if len(left) != tensor.ndim:
        raise ValueError(
            f"`rearrange`: the pattern's input side has {len(left)} axes but the tensor has {tensor.ndim} "
            f"(shape {tuple(tensor.shape)}). Received: pattern={pattern!r}"
        )
    lengths = dict(axes_lengths)
    for group, size in zip(left, tensor.shape):
        unknown = [name for name in group if name not in lengths]
        if len(group) == 1 and unknown:
            lengths[group[0]] = size
            continue
        if len(unknown) > 1:
            raise ValueError(
                f"`rearrange`: cannot infer the lengths of {unknown} in {pattern!r}; pass them as keywords."
            )
        known = math.prod(lengths[name] for name in group if name not in unknown)
        if unknown:
            lengths[unknown[0]] = size // known
        if math.prod(lengths[name] for name in group) != size:
            raise ValueError(
                f"`rearrange`: axis group {group} has length {size}, which does not split into "
                f"{[lengths.get(n) for n in group]}. Received: pattern={pattern!r}, axes_lengths={axes_lengths}"
            )
    input_names = [name for group in left for name in group]
    output_names = [name for group in right for name in group]
    if sorted(input_names) != sorted(output_names):
        raise ValueError(
            f"`rearrange`: the input axes {input_names} and the output axes {output_names} must be the same. "
            f"Received: pattern={pattern!r}"
        )
    split = tensor.reshape([lengths[name] for name in input_names])
    permuted = split.permute([input_names.index(name) for name in output_names])
    return permuted.reshape([math.prod(lengths[name] for name in group) for group in right])
