"""`tf.test`: the device questions tutorials ask (`tf.test.is_gpu_available()`)."""

from __future__ import annotations

import torch

from keraslite.compat.tensorflow.missing import module_getattr

__getattr__ = module_getattr("tf.test")


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None) -> bool:
    """Whether torch sees a CUDA GPU (of at least `min_cuda_compute_capability`, a
    `(major, minor)` pair)."""
    if not torch.cuda.is_available():
        return False
    if min_cuda_compute_capability is None:
        return True
    return any(
        torch.cuda.get_device_capability(i) >= tuple(min_cuda_compute_capability)
        for i in range(torch.cuda.device_count())
    )


def is_built_with_cuda() -> bool:
    return torch.version.cuda is not None


def is_built_with_gpu_support() -> bool:
    return torch.version.cuda is not None or torch.version.hip is not None


def is_built_with_rocm() -> bool:
    return torch.version.hip is not None


def gpu_device_name() -> str:
    """`/device:GPU:0` when a GPU is there, else the empty string."""
    return "/device:GPU:0" if torch.cuda.is_available() else ""
