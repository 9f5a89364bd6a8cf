"""`fit / evaluate / predict` under a multi-process `keras.distribution.ModelParallel`, on
FSDP2 (`torch.distributed.fsdp.fully_shard`).

* Each layer with trainable weights is one FSDP group (`fully_shard`, innermost first), the
  step's forward the root: a weight that the `LayoutMap` names is sharded along the tensor
  dimension its `TensorLayout` names (`Shard(dim)`), every other trainable weight along its
  first dimension (FSDP shards every weight it holds). Between steps each process keeps only
  its shards; a layer's weights are all-gathered for its `call` and resharded after it (so
  only one layer's whole weights exist at a time), and `backward()` reduce-scatters
  (averages) the gradients. keraslite's `Layer.__call__` is Keras's, not `nn.Module`'s, so
  FSDP's gathering wraps `call` (`register_fsdp_forward_method`). Non-trainable weights
  (BatchNormalization's moving statistics) stay whole, per process.
* The optimizer is Keras's, run on each process's shards: a slot per shard, the update
  elementwise, so it equals the update of the whole tensor for the elementwise optimizers
  (SGD, Adam, RMSprop, ...); norm-based clipping and LAMB-style trust ratios would see only
  a shard and are not supported, nor are weight regularizers on sharded weights.
* The model's Keras variables (`model.weights`, `layer.weights`, what `get_weights` and
  saving read) keep no storage once the layers are sharded: each becomes a
  `distribution.sharded_variables.ShardedVariable` over its FSDP parameter, so a process
  holds only its shard of every sharded weight. Reading one gathers it (a collective on
  every rank), writing one writes this process's slice; `model.save` on every rank writes
  one ordinary Keras file on rank 0, the optimizer's slots gathered into whole ones, which
  loads in one process. (`layer.kernel` outside a call is FSDP's DTensor parameter.)
* The data is split over all processes as under `DataParallel` (FSDP is data parallel too).
"""

from __future__ import annotations

import functools

import torch
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import fully_shard, register_fsdp_forward_method
from torch.distributed.tensor import DTensor, Shard

from keraslite.backend.variable import Variable
from keraslite.distribution import process, sharded_variables
from keraslite.layers.base_layer import Layer
from keraslite.training.distributed import DataParallelRun, DistributedStepRunner, _StepForward

OPTIMIZER_ALREADY_BUILT = (
    "keras.distribution.ModelParallel: the optimizer of model '{name}' was already built on the whole "
    "weights; under ModelParallel it keeps one slot per shard. Call `model.compile(...)` again before `fit`."
)
REGULARIZED_WEIGHT = (
    "keras.distribution.ModelParallel: weight '{path}' has a regularizer, which is not supported on sharded "
    "weights (its penalty would be computed from a gathered copy that training does not differentiate). "
    "Remove the regularizer (add the penalty with `add_loss` inside the layer's `call`), or use DataParallel."
)


class ModelParallelRun(DataParallelRun):
    """A `DataParallelRun` whose step runner shards the weights with FSDP2."""

    def make_runner(self, state, jit_compile: bool):
        return ShardedStepRunner(state, jit_compile, self)


class ShardedStepRunner(DistributedStepRunner):
    """The steps of a `ModelParallel` run (see the module docstring)."""

    owns_parameters = True

    def __init__(self, state, jit_compile: bool, run: ModelParallelRun):
        super().__init__(state, jit_compile, run)
        self._pairs: list[tuple[Variable, torch.nn.Parameter]] = []  # (Keras variable, FSDP parameter)

    def wrap(self) -> None:
        model = self.model
        if self._ddp is not None or not any(p.requires_grad for p in model.parameters()):
            return
        sharding = model.__dict__.get("_model_parallel_sharding")
        if sharding is not None:
            # Sharded by an earlier `fit` (then `compile` again): FSDP shards a module once, so
            # this runner takes over its root and the shards, with a new optimizer on them.
            sharding.root._step_forward = super(DistributedStepRunner, self).forward
            self._ddp = self._ddp_forward = sharding.root
            self._pairs = sharding.pairs
            self._build_optimizer()
            return
        layout_map = self.data_parallel.distribution._layout_map
        mesh = init_device_mesh(process.device_type_of_backend(), (self.data_parallel.world_size,))
        owners = {
            id(param): (module, name)
            for module in model.modules()
            for name, param in module._parameters.items()
            if isinstance(param, Variable) and param.requires_grad
        }
        # In Keras's order (`model.trainable_weights`), which the optimizer's slots follow.
        registered = [
            (*owners[id(variable)], variable)
            for variable in model.trainable_weights
            if variable.requires_grad and id(variable) in owners
        ]
        for _, _, variable in registered:
            if getattr(variable, "regularizer", None) is not None:
                raise ValueError(REGULARIZED_WEIGHT.format(path=variable.path))
        frozen = {p for p in model.parameters() if not p.requires_grad}
        placements = {}
        for _, _, variable in registered:
            layout = layout_map[variable.path]
            dims = layout.sharded_dims() if layout is not None else []
            if dims:
                placements[id(variable)] = dims[0]

        def placement(param):
            return Shard(placements.get(id(param), 0))

        for module in model.modules():
            if isinstance(module, Layer):
                module._weights_sharded = True  # its weights are the Keras variables, not FSDP's parameters
        # One FSDP group per layer with trainable weights, innermost first: a layer's weights
        # are gathered for its `call` only, and resharded after it.
        for module in reversed(list(model.modules())):
            if not isinstance(module, Layer) or module is model:
                continue
            if not any(isinstance(p, Variable) and p.requires_grad for p in module._parameters.values()):
                continue
            original = type(module)
            frozen_below = {p for p in module.parameters() if not p.requires_grad}
            fully_shard(module, mesh=mesh, shard_placement_fn=placement, ignored_params=frozen_below or None)
            _keep_class_name(module, original)
            # keraslite's `Layer.__call__` is Keras's, not `nn.Module.__call__`: FSDP's forward
            # hooks would not run, so its gathering wraps `call` itself.
            register_fsdp_forward_method(module, "call")
        step_module = _StepForward(model, super(DistributedStepRunner, self).forward)
        fully_shard(step_module, mesh=mesh, shard_placement_fn=placement, ignored_params=frozen or None)
        self._ddp = self._ddp_forward = step_module
        self._pairs = [(variable, module._parameters[name]) for module, name, variable in registered]
        for variable, sharded in self._pairs:
            # The Keras variable lets go of its whole tensor: FSDP's shard is the only copy.
            sharded_variables.hold_in_shards(variable, functools.partial(_same, sharded))
        model._model_parallel_sharding = _Sharding(step_module, self._pairs)
        self._build_optimizer()

    def _build_optimizer(self) -> None:
        """Keras variables over each process's shards (they alias FSDP's storage), which the
        model's optimizer trains; each slot it makes gets a whole-shaped view for saving."""
        state = self.state
        shards = []
        for variable, sharded in self._pairs:
            local = sharded.to_local() if isinstance(sharded, DTensor) else sharded.data
            shard = Variable(local.detach(), trainable=True, name=variable.name)
            shard._keras_path = variable.path
            if isinstance(sharded, DTensor):
                # Slots made from this shard take its layout (`add_variable_from_reference`).
                shard._layout = _ShardLayout(sharded.device_mesh, sharded.placements, tuple(sharded.shape))
            shards.append(shard)
        optimizer = state.optimizer
        if optimizer is not None:
            if optimizer.built:
                raise ValueError(OPTIMIZER_ALREADY_BUILT.format(name=self.model.name))
            optimizer.build(shards)
            shards = optimizer._trainable_variables
            for slot in optimizer.variables:
                layout = getattr(slot, "_layout", None)
                if isinstance(layout, _ShardLayout):
                    slot._whole_view = sharded_variables.sharded_view(
                        slot, functools.partial(layout.dtensor, slot), layout.shape
                    )
        state.train_params = shards

    def forward(self, x: list, training: bool) -> list:
        if self._ddp is None:
            return super().forward(x, training)
        # Always through the FSDP root: it gathers the weights of the layers it holds.
        return list(self._ddp(training, *x))

    def train_step(self, x, y, sw):
        state = self.state
        shards = state.train_params
        outputs, loss = self.forward_and_loss(x, y, sw, training=True)
        scaled = loss if state.optimizer.loss_scale_factor is None else loss * state.optimizer.loss_scale_factor
        scaled.backward()  # FSDP reduce-scatters (averages) the gradients into each shard's .grad
        grads = []
        for _, sharded in self._pairs:
            grad = sharded.grad
            grads.append(None if grad is None else grad.to_local() if isinstance(grad, DTensor) else grad)
            sharded.grad = None
        with torch.no_grad():
            state.optimizer._fast_apply(grads, shards)
            self._update_trackers_no_grad(loss, outputs, y, sw, x[0].shape[0] if x else 1)
        return loss


class _Sharding:
    """A model's FSDP sharding, kept on the model (`_model_parallel_sharding`) for the runners
    of later `compile`s: the root module and the (Keras variable, FSDP parameter) pairs."""

    def __init__(self, root: torch.nn.Module, pairs: list):
        self.root = root
        self.pairs = pairs


class _ShardLayout:
    """Where a process's shard sits in its whole tensor (the `_layout` of a shard the
    optimizer trains, and of the slots made from it, as Keras's slots take their variable's
    layout): the mesh, the DTensor placements and the whole shape."""

    def __init__(self, mesh, placements, shape: tuple):
        self.mesh = mesh
        self.placements = tuple(placements)
        self.shape = shape
        self.stride = tuple(torch.empty(shape, device="meta").stride())

    def dtensor(self, local: torch.Tensor) -> DTensor:
        """`local` (this process's shard) as a DTensor of the whole (no communication)."""
        return DTensor.from_local(
            local.detach(),
            self.mesh,
            self.placements,
            run_check=False,
            shape=torch.Size(self.shape),
            stride=self.stride,
        )


def _same(value):
    return value


def _keep_class_name(module, original: type) -> None:
    """`fully_shard` makes a module an instance of a new subclass (`FSDPDense`); a Keras
    config names the class (`"class_name": "Dense"`, its module), so the subclass takes the
    original's names."""
    sharded_class = type(module)
    if sharded_class is not original:
        sharded_class.__name__ = original.__name__
        sharded_class.__qualname__ = original.__qualname__
        sharded_class.__module__ = original.__module__
