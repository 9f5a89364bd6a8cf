"""`tf.config`: device listing and the no-op memory settings tutorials call."""

from __future__ import annotations

import collections

import torch

from keraslite.compat.tensorflow.missing import module_getattr

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])


def list_physical_devices(device_type=None) -> list:
    """The CPU and any CUDA GPUs, as `PhysicalDevice(name, device_type)`."""
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    if torch.cuda.is_available():
        devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(torch.cuda.device_count())]
    if device_type is None:
        return devices
    return [d for d in devices if d.device_type == device_type.upper()]


list_logical_devices = list_physical_devices


def run_functions_eagerly(run_eagerly: bool) -> None:
    """Accepted for compatibility: keraslite always runs eagerly."""


experimental_run_functions_eagerly = run_functions_eagerly


def functions_run_eagerly() -> bool:
    """True: `tf.function`s run as the Python functions they are."""
    return True


def get_visible_devices(device_type=None) -> list:
    return list_physical_devices(device_type)


def set_visible_devices(devices, device_type=None) -> None:
    """Accepted for compatibility: choose the device with `keras.backend.set_device`."""


class _Experimental:
    @staticmethod
    def set_memory_growth(device, enable) -> None:
        """Accepted for compatibility: PyTorch's allocator grows on demand."""

    @staticmethod
    def list_physical_devices(device_type=None):
        return list_physical_devices(device_type)


experimental = _Experimental()
__getattr__ = module_getattr("tf.config")
