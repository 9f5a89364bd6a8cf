"""`tf.config`: device listing and the no-op memory settings tutorials call.

Logical devices: TensorFlow can split one physical device into several logical ones
(`set_logical_device_configuration(cpu, [LogicalDeviceConfiguration()] * 3)` gives
`/device:CPU:0..2`, which guides use to try `MirroredStrategy` on one machine). keraslite
records the split and `list_logical_devices` lists it, but every logical device is the
same torch device: nothing runs in parallel, and strategies stay one process's view
(`distribute.py`).
"""

from __future__ import annotations

import collections

import torch

from keraslite.compat.tensorflow.missing import module_getattr

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])


class LogicalDeviceConfiguration:
    """`tf.config.LogicalDeviceConfiguration`: one logical device of a split physical one
    (the memory limit and priority are recorded, not enforced)."""

    def __init__(self, memory_limit=None, experimental_priority=None, experimental_device_ordinal=None):
        self.memory_limit = memory_limit
        self.experimental_priority = experimental_priority
        self.experimental_device_ordinal = experimental_device_ordinal

    def __repr__(self) -> str:
        return (
            f"LogicalDeviceConfiguration(memory_limit={self.memory_limit}, "
            f"experimental_priority={self.experimental_priority}, "
            f"experimental_device_ordinal={self.experimental_device_ordinal})"
        )


_logical_configurations: dict = {}  # physical device name -> [LogicalDeviceConfiguration]


def set_logical_device_configuration(device, logical_devices) -> None:
    """Record that `device` (a `PhysicalDevice`) is split into `logical_devices`."""
    if not isinstance(device, PhysicalDevice):
        raise ValueError(f"Expected a PhysicalDevice from tf.config.list_physical_devices(). Received: {device!r}")
    if logical_devices is None:
        _logical_configurations.pop(device.name, None)
        return
    configurations = list(logical_devices)
    if not all(isinstance(c, LogicalDeviceConfiguration) for c in configurations):
        raise ValueError(f"Expected a list of LogicalDeviceConfiguration. Received: {logical_devices!r}")
    _logical_configurations[device.name] = configurations


def get_logical_device_configuration(device):
    """The split recorded for `device`, or None."""
    return _logical_configurations.get(device.name)


def list_logical_devices(device_type=None) -> list:
    """The logical devices (`/device:CPU:0`, ...): each physical device, or the logical
    devices it was split into."""
    devices, counts = [], collections.Counter()
    for physical in list_physical_devices(device_type):
        for _ in _logical_configurations.get(physical.name) or [None]:
            kind = physical.device_type
            devices.append(LogicalDevice(f"/device:{kind}:{counts[kind]}", kind))
            counts[kind] += 1
    return devices


def list_physical_devices(device_type=None) -> list:
    """The CPU and any CUDA GPUs, as `PhysicalDevice(name, device_type)`."""
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    if torch.cuda.is_available():
        devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(torch.cuda.device_count())]
    if device_type is None:
        return devices
    return [d for d in devices if d.device_type == device_type.upper()]


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

    @staticmethod
    def list_logical_devices(device_type=None):
        return list_logical_devices(device_type)

    VirtualDeviceConfiguration = LogicalDeviceConfiguration
    set_virtual_device_configuration = staticmethod(set_logical_device_configuration)
    get_virtual_device_configuration = staticmethod(get_logical_device_configuration)


experimental = _Experimental()
__getattr__ = module_getattr("tf.config")
