"""Keras 3's `keras.distribution` objects on `torch.distributed`.

`DeviceMesh` / `TensorLayout` describe devices and how a tensor is laid out over them
(their `backend_mesh` / `backend_layout` are torch's `DeviceMesh` and DTensor placements);
`DataParallel` and `ModelParallel` are the two strategies `fit` understands (training/
runs them with DistributedDataParallel and FSDP); `LayoutMap` maps variable paths (regular
expressions) to layouts. `set_distribution` / `distribution()` hold the current one.

Every process drives one device, so a distribution over N devices needs N processes
(`torchrun --nproc_per_node=N`), and `set_distribution` says so when it is not the case.
"""

from __future__ import annotations

import collections
import contextlib
import math
import re
import warnings

import numpy as np
import torch

from keraslite.distribution import process

DEFAULT_BATCH_DIM_NAME = "batch"

_current = {"distribution": None}


class DeviceMesh:
    """A cluster of devices for distributed computation (Keras's `DeviceMesh`).

    Args:
        shape: the mesh's shape, e.g. `(8,)` for data parallelism only, `(4, 2)` for
            data and model parallelism.
        axis_names: one name per axis of `shape` (used by `TensorLayout` axes).
        devices: the devices, `keras.distribution.list_devices()` by default.
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ValueError(f"Shape and axis_names cannot be empty. Received: shape={shape}, axis_names={axis_names}")
        if len(shape) != len(axis_names):
            raise ValueError(
                f"Shape and axis_names should have same size. Received: shape={shape}, axis_names={axis_names}"
            )
        if devices is None:
            devices = process.list_devices()
        devices = np.array(devices)
        if math.prod(shape) != math.prod(devices.shape):
            raise ValueError(
                f"Shape does not match the number of devices. Received: shape={shape}; devices.shape={devices.shape}"
            )
        self._shape = shape
        self._axis_names = axis_names
        self._devices = np.reshape(devices, shape)
        self._backend_mesh = None

    @property
    def shape(self):
        return self._shape

    @property
    def axis_names(self):
        return self._axis_names

    @property
    def devices(self):
        return self._devices

    @property
    def backend_mesh(self):
        """torch's `DeviceMesh` over the run's processes (rank i drives device i of the mesh)."""
        if self._backend_mesh is None:
            self._backend_mesh = torch.distributed.device_mesh.init_device_mesh(
                process.device_type_of_backend(), tuple(self._shape), mesh_dim_names=tuple(self._axis_names)
            )
        return self._backend_mesh

    def __repr__(self):
        return f"<{self.__class__.__name__} shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """How a tensor is laid out over a `DeviceMesh` (Keras's `TensorLayout`).

    Args:
        axes: one entry per tensor dimension: a mesh axis name to shard that dimension
            over, or `None` to keep it whole.
        device_mesh: the `DeviceMesh`; may be set later (once).
    """

    def __init__(self, axes, device_mesh=None):
        self._axes = tuple(axes)
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def axes(self):
        return self._axes

    @property
    def device_mesh(self):
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh):
        if self._device_mesh is not None:
            raise ValueError(f"Cannot override device mesh value. Existing value is {self._device_mesh}")
        self._device_mesh = device_mesh
        self._validate_axes()

    @property
    def backend_layout(self):
        """torch DTensor placements, one per mesh axis: `Shard(dim)` where a tensor
        dimension names that axis, `Replicate()` elsewhere."""
        placements = []
        for axis_name in self._device_mesh.axis_names:
            dims = [i for i, axis in enumerate(self._axes) if axis == axis_name]
            placements.append(torch.distributed.tensor.Shard(dims[0]) if dims else torch.distributed.tensor.Replicate())
        return placements

    def sharded_dims(self) -> list[int]:
        """The tensor dimensions this layout shards."""
        return [i for i, axis in enumerate(self._axes) if axis is not None]

    def _validate_axes(self):
        if self._device_mesh:
            valid_axis_names = set(self._device_mesh.axis_names)
            axis_names = set(self._axes) - {None}
            if axis_names - valid_axis_names:
                raise ValueError(
                    f"Invalid axis names for Layout. Valid axis names: {valid_axis_names}, Got {axis_names}"
                )

    def __repr__(self):
        return f"<{self.__class__.__name__} axes={self.axes}, device_mesh={self.device_mesh}>"


class Distribution:
    """Base class of the distribution strategies (`DataParallel`, `ModelParallel`).

    Args:
        device_mesh: a `DeviceMesh`.
        batch_dim_name: the mesh axis the batch is split over.
        auto_shard_dataset: split the data among the processes (`False` when each
            process's data is already its own shard).
    """

    def __init__(self, device_mesh, batch_dim_name=None, auto_shard_dataset=True):
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset
        self._num_processes = process.num_processes()
        self._process_id = process.process_id()
        self._is_multi_process = self._num_processes > 1

    @property
    def num_processes(self):
        """Total number of processes in the cluster."""
        return self._num_processes

    @property
    def num_model_replicas(self):
        """Number of model replicas."""
        raise NotImplementedError()

    @property
    def data_shard_id(self):
        """Which shard of the data this process reads."""
        num_model_replicas = self.num_model_replicas
        if num_model_replicas >= self.num_processes:
            return self._process_id
        return self._process_id // (self.num_processes // num_model_replicas)

    def get_data_layout(self, data_shape):
        raise NotImplementedError()

    def get_variable_layout(self, variable):
        raise NotImplementedError()

    def get_tensor_layout(self, path):
        raise NotImplementedError()

    @contextlib.contextmanager
    def scope(self):
        """Context manager to make the `Distribution` current."""
        original_scope = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(original_scope)

    @property
    def device_mesh(self):
        return self._device_mesh

    @property
    def batch_dim_name(self):
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self):
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, auto_shard_dataset):
        self._auto_shard_dataset = auto_shard_dataset

    def distribute_dataset(self, dataset):
        """The dataset as given: keraslite shards data inside `fit` (each process takes its
        part of every global batch), whatever its type."""
        return dataset

    def __repr__(self):
        return f"<{self.__class__.__name__} device_mesh={self.device_mesh}>"


class DataParallel(Distribution):
    """Data parallelism: the model is replicated, every global batch is split over the
    devices, and gradients are averaged (by torch's DistributedDataParallel in `fit`).

    Give a 1D `device_mesh`, or `devices`, or neither (all of `list_devices()`).

    Args:
        device_mesh: a `DeviceMesh`; its first axis is the data-parallel one.
        devices: a list of devices for a 1D mesh.
        auto_shard_dataset: split the data among the processes (default `True`).
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh:
            if not isinstance(device_mesh, DeviceMesh):
                raise ValueError(
                    "Expect `mesh` to be an instance of `DeviceMesh`. "
                    f"Received: mesh={device_mesh} (of type {type(device_mesh)})"
                )
            super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)
            if self.device_mesh.devices.ndim != 1:
                warnings.warn(
                    f"Expect the input mesh to be 1D, but received mesh.devices.ndim={device_mesh.devices.ndim}. "
                    "The first axis will be used for data-parallel sharding.",
                    stacklevel=2,
                )
            return
        devices = np.array(devices if devices else process.list_devices())
        device_mesh = DeviceMesh(shape=devices.shape, axis_names=[DEFAULT_BATCH_DIM_NAME], devices=devices)
        super().__init__(device_mesh, DEFAULT_BATCH_DIM_NAME, auto_shard_dataset)

    @property
    def num_model_replicas(self):
        return self.device_mesh.devices.size

    def get_data_layout(self, data_shape):
        data_shard_spec = [None] * len(data_shape)
        data_shard_spec[0] = self.batch_dim_name
        return TensorLayout(data_shard_spec, self.device_mesh)

    def get_variable_layout(self, variable):
        if getattr(variable, "_layout", None) is not None:
            return variable._layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return None


class ModelParallel(Distribution):
    """Model parallelism: the weights a `LayoutMap` names are sharded over the mesh's
    model axis (by FSDP2's `fully_shard` in `fit`); the batch is split over its batch axis.

    Args:
        layout_map: a `LayoutMap` from variable paths to layouts.
        batch_dim_name: the mesh axis the data is split over (default: the first).
        auto_shard_dataset: split the data among the processes (default `True`).
    """

    def __init__(self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True, **kwargs):
        kwargs.pop("device_mesh", None)
        if layout_map is None:
            raise ValueError("You must specify a layout_map argument.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(f"Argument `layout_map` must be a `LayoutMap` instance. Received: layout_map={layout_map}")
        device_mesh = layout_map.device_mesh
        batch_dim_name = batch_dim_name or device_mesh.axis_names[0]
        super().__init__(device_mesh, batch_dim_name, auto_shard_dataset)
        self._layout_map = layout_map
        if (
            self._is_multi_process
            and self.num_processes > self.num_model_replicas
            and self.num_processes % self.num_model_replicas != 0
        ):
            raise ValueError(
                "If `num_processes` is greater than `num_model_replicas`, `num_processes` must be divisible by "
                f"`num_model_replicas`. Got num_processes={self.num_processes}, "
                f"num_model_replicas={self.num_model_replicas}."
            )

    @property
    def num_model_replicas(self):
        return self.device_mesh.shape[self.device_mesh.axis_names.index(self.batch_dim_name)]

    def get_data_layout(self, data_shape):
        data_shard_spec = [None] * len(data_shape)
        data_shard_spec[0] = self.batch_dim_name
        return TensorLayout(data_shard_spec, self.device_mesh)

    def get_variable_layout(self, variable):
        if getattr(variable, "_layout", None) is not None:
            return variable._layout
        variable_layout = self._layout_map[variable.path]
        if variable_layout is not None:
            return variable_layout
        return TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path):
        return self._layout_map[path]


class LayoutMap(collections.abc.MutableMapping):
    """A dict from variable paths to `TensorLayout`s whose keys are regular expressions:
    a lookup tries the exact key, then every key as a pattern (`re.fullmatch`); two
    matching patterns are an error, none gives `None`. A tuple of axis names may be
    stored for a `TensorLayout`.

    Args:
        device_mesh: the `DeviceMesh` the layouts refer to.
    """

    def __init__(self, device_mesh):
        self._layout_map = collections.OrderedDict()
        self._device_mesh = device_mesh

    def __getitem__(self, key):
        if key in self._layout_map:
            return self._layout_map[key]
        matching_keys = [pattern for pattern in self._layout_map if re.fullmatch(pattern, key)]
        if len(matching_keys) > 1:
            raise ValueError(
                f"Path '{key}' matches multiple layout specification keys: {matching_keys}. Please make sure each "
                "tensor/variable path only matches at most one layout specification key in the LayoutMap."
            )
        if len(matching_keys) == 1:
            return self._layout_map[matching_keys[0]]
        return None

    def __setitem__(self, key, layout):
        if key in self._layout_map:
            raise ValueError(
                f"{key} already exist in the LayoutMap with value {self._layout_map[key]}. Please make sure to "
                "not use duplicated keys."
            )
        if isinstance(layout, tuple):
            layout = TensorLayout(axes=layout, device_mesh=None)
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"{layout} should be a TensorLayout type, got {type(layout)}")
        if layout.device_mesh is None and self._device_mesh is not None:
            layout.device_mesh = self._device_mesh
        self._layout_map[key] = layout

    def __delitem__(self, key):
        return self._layout_map.pop(key)

    def __len__(self):
        return len(self._layout_map)

    def __iter__(self):
        return iter(self._layout_map)

    @property
    def device_mesh(self):
        return self._device_mesh


def distribute_tensor(tensor, layout):
    """`tensor` laid out as `layout` says: a torch DTensor over the run's processes (each
    holds its shard), or the tensor itself in a one-process run. Symbolic tensors
    (`keras.Input`) are returned unchanged, as in Keras."""
    if not isinstance(tensor, torch.Tensor) or not process.is_multi_process():
        return tensor  # a KerasTensor, or a one-process run: one device holds it all
    if not isinstance(layout, TensorLayout):
        raise ValueError(f"keras.distribution.distribute_tensor expects a `TensorLayout`. Received: layout={layout!r}")
    if layout.device_mesh is None:
        raise ValueError(f"The layout has no device mesh. Received: layout={layout}")
    return torch.distributed.tensor.distribute_tensor(tensor, layout.device_mesh.backend_mesh, layout.backend_layout)


def distribution():
    """Retrieve the current distribution from global context."""
    return _current["distribution"]


def set_distribution(value):
    """Set the distribution as the global distribution setting.

    Each process drives one device: a distribution over N devices needs N processes
    (`torchrun --nproc_per_node=N` and `keras.distribution.initialize()` first); anything
    else is an error here, not a hang or a silent single-device run later.

    Args:
        value: a `Distribution` instance (or `None` to clear it).
    """
    if value is not None:
        check_distribution_fits_run(value)
    _current["distribution"] = value


def check_distribution_fits_run(value) -> None:
    """Raise a clear error when `value` cannot run on this run's processes."""
    if not isinstance(value, Distribution):
        raise ValueError(
            f"Expected a `keras.distribution.Distribution` (DataParallel, ModelParallel). Received: value={value!r}"
        )
    launched = process.launched_world_size()
    if launched > 1 and not process.is_initialized():
        raise RuntimeError(process.INITIALIZE_FIRST.format(world_size=launched))
    count = int(value.device_mesh.devices.size)
    processes = process.num_processes()
    what = f"{type(value).__name__} (device_mesh={value.device_mesh})"
    if value.num_processes != processes:
        raise RuntimeError(
            f"keras.distribution: {what} was created before `keras.distribution.initialize()`: it saw "
            f"{value.num_processes} process(es), the run has {processes}. Create it after `initialize()`."
        )
    if count != processes:
        raise RuntimeError(process.LAUNCH_WITH_TORCHRUN.format(what=what, count=count, processes=processes))
