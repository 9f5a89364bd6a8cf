"""`tf.math`: the math functions, and `tf.math.top_k`, `in_top_k`, `l2_normalize`,
`confusion_matrix` ..."""

from __future__ import annotations

import torch

from keraslite.compat.tensorflow.dtypes import as_dtype
from keraslite.compat.tensorflow.eager import wrap
from keraslite.compat.tensorflow.errors import InvalidArgumentError
from keraslite.compat.tensorflow.math_ops import *  # noqa: F401,F403  (the namespace is the module's names)
from keraslite.compat.tensorflow.math_ops import TopKV2 as TopKV2  # noqa: F401
from keraslite.compat.tensorflow.missing import module_getattr
from keraslite.ops.dispatch import to_tensor

__getattr__ = module_getattr("tf.math")


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype="int32", name=None):
    """`tf.math.confusion_matrix`: the `num_classes x num_classes` matrix whose entry
    `[i, j]` counts (or sums the `weights` of) the examples of label `i` predicted as `j`;
    `num_classes` defaults to the largest label or prediction plus one."""
    labels = to_tensor(labels).reshape(-1).to(torch.int64)
    predictions = to_tensor(predictions).reshape(-1).to(torch.int64)
    if labels.shape != predictions.shape:
        raise ValueError(
            f"`labels` and `predictions` of confusion_matrix must have the same number of elements, "
            f"got {labels.numel()} and {predictions.numel()}."
        )
    for argument, values in (("labels", labels), ("predictions", predictions)):
        if values.numel() and int(values.min()) < 0:
            raise InvalidArgumentError(None, None, f"`{argument}` contains negative values")
    if num_classes is None:
        num_classes = int(torch.maximum(labels.max(), predictions.max())) + 1 if labels.numel() else 0
    else:
        num_classes = int(num_classes)
        for argument, values in (("labels", labels), ("predictions", predictions)):
            if values.numel() and int(values.max()) >= num_classes:
                raise InvalidArgumentError(None, None, f"`{argument}` out of bound (num_classes={num_classes})")
    torch_dtype = as_dtype(dtype).torch_dtype
    counts = (
        torch.ones(labels.shape, dtype=torch_dtype, device=labels.device)
        if weights is None
        else to_tensor(weights).reshape(-1).to(device=labels.device, dtype=torch_dtype)
    )
    matrix = torch.zeros(num_classes * num_classes, dtype=torch_dtype, device=labels.device)
    matrix.index_add_(0, labels * num_classes + predictions, counts)
    return wrap(matrix.reshape(num_classes, num_classes))
