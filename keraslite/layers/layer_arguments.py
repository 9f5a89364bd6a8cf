"""Keras's rules for common layer arguments: `data_format`, n-tuples of ints
(`kernel_size`, `strides`, `size` ...) and (before, after) pairs (`padding`, `cropping`)."""

from __future__ import annotations

from keraslite.backend import state


def standardize_data_format(data_format):
    if data_format is None:
        return state.image_data_format()
    data_format = data_format.lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def standardize_tuple(value, n: int, name: str) -> tuple:
    """An int or an n-sequence of ints -> an n-tuple of ints (Keras's argument rule)."""
    if isinstance(value, int):
        return (value,) * n
    try:
        values = tuple(value)
    except TypeError:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}") from None
    if len(values) != n or not all(isinstance(v, int) for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {name}={value!r}")
    return values


def normalize_pairs(value, rank: int, name: str) -> tuple:
    """Keras's padding/cropping argument -> `rank` (before, after) pairs: an int, `rank`
    ints (symmetric per axis), or `rank` pairs."""
    if isinstance(value, int):
        return ((value, value),) * rank
    try:
        items = tuple(value)
    except TypeError:
        items = None
    if items is not None and len(items) == rank:
        pairs = []
        for item in items:
            if isinstance(item, int):
                pairs.append((item, item))
            elif isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(v, int) for v in item):
                pairs.append(tuple(item))
            else:
                pairs = None
                break
        if pairs is not None and all(v >= 0 for pair in pairs for v in pair):
            return tuple(pairs)
    raise ValueError(
        f"`{name}` should be either an int, a tuple of {rank} ints or a tuple of {rank} tuples of 2 ints. Received: "
        f"{name}={value!r}"
    )


def spatial_axes(data_format: str, rank: int) -> tuple:
    return tuple(range(1, rank + 1)) if data_format == "channels_last" else tuple(range(2, rank + 2))
