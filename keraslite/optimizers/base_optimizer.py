"""`Optimizer`: Keras's optimizer API (apply_gradients, iterations, learning_rate,
variables, configs) over torch foreach kernels.

State layout (what `optimizer.variables` lists, in Keras 3's order, which the saving
code writes as `optimizer/vars/0..n`):

    [iteration, learning_rate (absent when the learning rate is a schedule),
     then the slots made by `build`, in the order each optimizer documents]

A slot made "per variable" for several names is interleaved per model variable, as Keras
does (Adam: `m_0, v_0, m_1, v_1, ...`; amsgrad's `velocity_hat_i` follow all of them).
A slot takes its variable's `_layout`; under `keras.distribution.ModelParallel` the slots are
kept per shard, and `get_weights` / `set_weights` / `save_own_variables` (and saving) see
each through its whole-shaped view (`distribution.sharded_variables.keras_variables`).

Every quantity used in an update (learning rate, step count, bias corrections) is a
0-d tensor on the weights' device: the update never syncs with the host and, under
`torch.compile`, a changed learning rate does not trigger a recompilation.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import torch

from keraslite import initializers
from keraslite.backend import dtypes, state
from keraslite.backend.variable import Variable
from keraslite.distribution.sharded_variables import keras_variables
from keraslite.optimizers.schedules.learning_rate_schedule import LearningRateSchedule
from keraslite.serialization.serialization_lib import deserialize_keras_object, serialize_keras_object


def _scalar_variable(value, dtype: torch.dtype, name: str, path: str) -> Variable:
    return Variable(torch.tensor(value, dtype=dtype, device=state.get_device()), trainable=False, name=name, path=path)


class Optimizer:
    """Base class of Keras optimizers.

    Args:
        learning_rate: a float, a `keras.optimizers.schedules.LearningRateSchedule`,
            or a callable taking the iteration count.
        weight_decay: if set, weights are multiplied by `1 - weight_decay * lr` before each update.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient element to `[-clipvalue, clipvalue]`.
        global_clipnorm: clip all gradients together to this global L2 norm.
        loss_scale_factor: multiply the loss by this before backward, divide gradients by it.
        name: the optimizer's name (auto: `adam`, `adam_1`, ...).
    """

    def __init__(
        self,
        learning_rate,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if "lr" in kwargs:
            learning_rate = kwargs.pop("lr")  # the tf.keras 2.x spelling used by old tutorials
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        if gradient_accumulation_steps is not None and (
            not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 2
        ):
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
        if (
            use_ema
            and ema_overwrite_frequency is not None
            and (not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1)
        ):
            raise ValueError(
                "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                f"Received: ema_overwrite_frequency={ema_overwrite_frequency}"
            )
        self.name = name or state.unique_name(state.to_snake_case(type(self).__name__))
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list = []
        self._index: dict[int, int] = {}
        self._exclude_ids: set = set()
        self._exclude_pattern = None
        self._iterations = _scalar_variable(0, torch.int64, "iteration", f"{self.name}/iteration")
        self._variables.append(self._iterations)
        if isinstance(learning_rate, LearningRateSchedule) or (
            callable(learning_rate) and not isinstance(learning_rate, (int, float))
        ):
            self._learning_rate = learning_rate
        else:
            if isinstance(learning_rate, (np.floating, np.integer)):
                learning_rate = float(learning_rate)
            if not isinstance(learning_rate, (float, int)) or isinstance(learning_rate, bool):
                raise ValueError(
                    "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a "
                    "callable (that takes in the current iteration value and returns the corresponding learning "
                    f"rate value). Received instead: learning_rate={learning_rate}"
                )
            self._learning_rate = _scalar_variable(
                float(learning_rate), torch.float32, "learning_rate", f"{self.name}/learning_rate"
            )
            self._variables.append(self._learning_rate)

    # ------------------------------------------------------------------ state
    @property
    def iterations(self):
        """The number of update steps taken (an int64 variable). With
        `gradient_accumulation_steps`, the number of actual updates: `apply` calls // steps."""
        if self.gradient_accumulation_steps:
            return torch.div(self._iterations, self.gradient_accumulation_steps, rounding_mode="floor")
        return self._iterations

    @property
    def variables(self) -> list[Variable]:
        """All optimizer state, in Keras 3's order (see the module docstring)."""
        return list(self._variables)

    def add_variable(
        self, shape, initializer="zeros", dtype=None, aggregation="none", layout=None, name=None
    ) -> Variable:
        """An optimizer state variable (non-trainable). `layout` (a distribution layout in
        Keras) is accepted and has no effect on one device."""
        dtype = dtypes.standardize_dtype(dtype) if dtype is not None else state.floatx()
        if isinstance(initializer, (int, float)) and not isinstance(initializer, bool):
            value = torch.full(tuple(shape), float(initializer), dtype=dtypes.to_torch_dtype(dtype))
        else:
            value = initializers.get(initializer)(tuple(shape), dtype=dtype)
        variable = Variable(
            torch.as_tensor(value).to(state.get_device()),
            trainable=False,
            aggregation=aggregation,
            name=name or "variable",
            path=f"{self.name}/{name}",
        )
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros") -> Variable:
        """A slot with the shape, dtype and device of `reference_variable`, named as Keras names it."""
        reference = reference_variable
        name = name or "var"
        ref_name = getattr(reference, "path", None) or getattr(reference, "name", "variable")
        full = f"{str(ref_name).replace('/', '_').replace(':', '_')}_{name}"
        if isinstance(initializer, str) and initializer == "zeros":
            data = torch.zeros_like(reference, memory_format=torch.preserve_format).detach()
        elif isinstance(initializer, (int, float)) and not isinstance(initializer, bool):
            data = torch.full_like(reference, float(initializer)).detach()
        else:
            data = torch.as_tensor(initializers.get(initializer)(tuple(reference.shape))).to(
                reference.device, reference.dtype
            )
        # A slot takes its variable's layout, as in Keras (under ModelParallel: the shard it is kept for).
        layout = getattr(reference, "_layout", None)
        variable = Variable(data, trainable=False, name=full, path=f"{self.name}/{full}", layout=layout)
        self._variables.append(variable)
        return variable

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per model variable for each name in `name`, interleaved per variable."""
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        lists = tuple([] for _ in names)
        for variable in trainable_variables:
            for i, (slot, init) in enumerate(zip(names, inits)):
                lists[i].append(self.add_variable_from_reference(variable, slot, init))
        return lists[0] if isinstance(name, str) else lists

    def assign(self, variable, value) -> None:
        """`variable[...] = value`, in place (Keras's hook for custom `update_step`s)."""
        with torch.no_grad():
            variable.copy_(torch.as_tensor(value, dtype=variable.dtype, device=variable.device))

    def assign_add(self, variable, value) -> None:
        """`variable += value`, in place."""
        with torch.no_grad():
            variable.add_(torch.as_tensor(value, dtype=variable.dtype, device=variable.device))

    def assign_sub(self, variable, value) -> None:
        """`variable -= value`, in place."""
        with torch.no_grad():
            variable.sub_(torch.as_tensor(value, dtype=variable.dtype, device=variable.device))

    def _get_variable_index(self, variable) -> int:
        """The position of a model variable in the list the optimizer was built with."""
        return self._index[id(variable)]

    def build(self, variables) -> None:
        """Create the optimizer state for `variables` (done on the first update)."""
        variables = list(variables)
        if variables:
            device = variables[0].device
            if self._iterations.device != device:
                self._iterations.data = self._iterations.data.to(device)
                if isinstance(self._learning_rate, Variable):
                    self._learning_rate.data = self._learning_rate.data.to(device)
        self._trainable_variables = variables
        self._index = {id(v): i for i, v in enumerate(variables)}
        self._decay_mask = [self._use_weight_decay(v) for v in variables]
        self._constrained = [v for v in variables if getattr(v, "constraint", None) is not None]
        if any(getattr(v, "overwrite_with_gradient", False) for v in variables):
            # Variables overwritten by their gradients need `apply`'s per-variable path; the
            # trainer's fast path stays free of that check for every other optimizer.
            self._fast_apply = self.apply
        # Keras makes these before any optimizer's own slots.
        self._model_variables_moving_average = (
            self.add_optimizer_variables(variables, "average") if self.use_ema else []
        )
        self._accumulated_gradients = (
            self.add_optimizer_variables(variables, "gradient_accumulator") if self.gradient_accumulation_steps else []
        )
        self.built = True

    def _slots(self, slot_list, variables):
        if variables is self._trainable_variables or len(variables) == len(slot_list):
            return slot_list
        return [slot_list[self._index[id(v)]] for v in variables]

    # ------------------------------------------------------------------ learning rate
    @property
    def learning_rate(self):
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, LearningRateSchedule) or (
            callable(value) and not isinstance(value, (torch.Tensor, float, int))
        ):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = value
            return
        if not isinstance(self._learning_rate, Variable):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                "constructor argument, hence its learning rate is not settable. If you need the learning "
                "rate to be settable, you should instantiate the optimizer with a float `learning_rate` argument."
            )
        with torch.no_grad():
            self._learning_rate.fill_(float(value) if not isinstance(value, torch.Tensor) else value.detach())

    @property
    def lr(self):
        return self.learning_rate

    @lr.setter
    def lr(self, value):
        self.learning_rate = value

    def _get_current_learning_rate(self) -> torch.Tensor:
        rate = self._learning_rate
        if isinstance(rate, Variable):
            return rate
        value = rate(self.iterations)
        if not isinstance(value, torch.Tensor):
            value = torch.tensor(float(value), dtype=torch.float32, device=self._iterations.device)
        return value.to(torch.float32)

    # ------------------------------------------------------------------ weight decay
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exclude variables (objects, or names containing any of `var_names`) from weight decay."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        if self._exclude_pattern is not None and re.search(self._exclude_pattern, getattr(variable, "name", "")):
            return False
        return True

    def _apply_weight_decay(self, variables, lr) -> None:
        if self.weight_decay is None:
            return
        decayed = [v for v, use in zip(variables, self._decay_flags(variables)) if use]
        if decayed:
            torch._foreach_mul_(decayed, 1 - self.weight_decay * lr)

    def _decay_flags(self, variables):
        if variables is self._trainable_variables:
            return self._decay_mask
        return [self._use_weight_decay(v) for v in variables]

    # ------------------------------------------------------------------ clipping
    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            clipped = []
            for g in grads:
                l2sum = torch.sum(torch.square(g))
                l2norm = torch.sqrt(l2sum)
                clipped.append(g * self.clipnorm / torch.clamp(l2norm, min=self.clipnorm))
            return clipped
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = torch.sqrt(torch.stack([torch.sum(torch.square(g)) for g in grads]).sum())
            # NaN/inf norms propagate into the gradients, as in Keras.
            scale = self.global_clipnorm * torch.minimum(
                1.0 / norm, torch.tensor(1.0 / self.global_clipnorm, device=norm.device)
            ) + (norm - norm)
            return torch._foreach_mul(grads, scale)
        if self.clipvalue and self.clipvalue > 0:
            return [torch.clamp(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    # ------------------------------------------------------------------ updates
    def apply_gradients(self, grads_and_vars):
        """Apply `[(gradient, variable), ...]`; returns `iterations`."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(list(grads), list(variables))
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """Update `trainable_variables` with `grads` (one per variable; `None` skips it)."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on a list "
                    "of variables. Call `optimizer.build(trainable_variables)` first."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
            unknown = [v for v in trainable_variables if id(v) not in self._index]
            if unknown:
                raise ValueError(
                    f"Unknown variable: {getattr(unknown[0], 'path', unknown[0])!r}. This optimizer can only be called "
                    "for the variables it was originally built with. When working with a new set of variables, "
                    "you should recreate a new optimizer instance."
                )
        if any(g is None for g in grads):
            kept = [(g, v) for g, v in zip(grads, trainable_variables) if g is not None]
            grads = [g for g, _ in kept]
            trainable_variables = [v for _, v in kept]
        if any(getattr(v, "overwrite_with_gradient", False) for v in trainable_variables):
            grads, trainable_variables = _overwrite_with_gradients(list(grads), trainable_variables)
        if grads:
            self._apply_dense(list(grads), trainable_variables)
            for variable in trainable_variables:
                constraint = getattr(variable, "constraint", None)
                if constraint is not None:
                    with torch.no_grad():
                        variable.copy_(constraint(variable))
        with torch.no_grad():
            self._iterations.add_(1)

    def _fast_apply(self, grads, variables) -> None:
        """The trainer's update: `variables` is the list the optimizer was built with
        (checked by identity, so this costs no per-variable Python work)."""
        if not self.built:
            self.build(variables)
        if variables is not self._trainable_variables and (
            len(variables) != len(self._trainable_variables)
            or any(a is not b for a, b in zip(variables, self._trainable_variables))
        ):
            self.apply(grads, variables)
            return
        if any(g is None for g in grads):
            self.apply(grads, variables)
            return
        variables = self._trainable_variables
        if torch.is_grad_enabled():
            with torch.no_grad():
                self._update_no_grad(grads, variables)
        else:
            self._update_no_grad(grads, variables)

    def _update_no_grad(self, grads, variables) -> None:
        Optimizer._apply_dense.__wrapped__(self, grads, variables)
        for variable in self._constrained:
            variable.copy_(variable.constraint(variable))
        self._iterations.add_(1)

    @torch.no_grad()
    def _apply_dense(self, grads, variables) -> None:
        """Unscale, (accumulate,) clip, decay, update, (average); everything stays on the
        device (no host sync)."""
        grads = [g.to(v.dtype) if g.dtype != v.dtype else g for g, v in zip(grads, variables)]
        if self.loss_scale_factor is not None:
            grads = torch._foreach_div(grads, self.loss_scale_factor)
        if self.gradient_accumulation_steps:
            self._accumulate_then_update(grads, variables)
        else:
            self._clip_decay_update(grads, variables)
        if self.use_ema:
            self._update_moving_averages()

    def _clip_decay_update(self, grads, variables) -> None:
        grads = self._clip_gradients(grads)
        lr = self._get_current_learning_rate()
        self._apply_weight_decay(variables, lr)
        self._update_step(grads, variables, lr)

    def _accumulate_then_update(self, grads, variables) -> None:
        """Every `gradient_accumulation_steps`-th step updates with the mean of the gradients
        accumulated since the last update; the other steps only accumulate. Both outcomes
        are computed and one is kept per tensor with `torch.where`, so that which step this
        is never has to be read on the host."""
        steps = self.gradient_accumulation_steps
        is_update_step = torch.remainder(self._iterations + 1, steps) == 0
        accumulators = [self._accumulated_gradients[self._index[id(v)]] for v in variables]
        excluded = {id(self._iterations)} | {id(a) for a in self._accumulated_gradients}
        excluded |= {id(a) for a in self._model_variables_moving_average}
        touched = list(variables) + [v for v in self._variables if id(v) not in excluded]
        before = [t.detach().clone() for t in touched]
        mean_grads = torch._foreach_div(torch._foreach_add(grads, accumulators), float(steps))
        self._clip_decay_update(mean_grads, variables)
        for tensor, old in zip(touched, before):
            tensor.copy_(torch.where(is_update_step, tensor, old))
        for accumulator, grad in zip(accumulators, grads):
            accumulator.copy_(torch.where(is_update_step, torch.zeros_like(accumulator), accumulator + grad))

    def _update_moving_averages(self) -> None:
        """Keras's EMA of the model variables (the first step copies them), and their
        periodic overwrite with the averages when `ema_overwrite_frequency` is set."""
        variables = self._trainable_variables
        averages = self._model_variables_moving_average
        momentum = (self.iterations != 0).to(torch.float32) * self.ema_momentum
        for variable, average in zip(variables, averages):
            rate = momentum.to(average.dtype)
            average.copy_(rate * average + (1 - rate) * variable)
        if self.ema_overwrite_frequency:
            overwrite = torch.remainder(self.iterations + 1, self.ema_overwrite_frequency) == 0
            for variable, average in zip(variables, averages):
                variable.copy_(torch.where(overwrite, average, variable))

    def _update_step(self, grads, variables, lr) -> None:
        """The update of all variables at once; by default, Keras's per-variable
        `update_step` for each (what a custom optimizer written for Keras overrides)."""
        if type(self).update_step is Optimizer.update_step:
            raise NotImplementedError(f"{type(self).__name__} must implement `update_step` (or `_update_step`).")
        for gradient, variable in zip(grads, variables):
            self.update_step(gradient, variable, lr)

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Update one variable with its gradient (Keras's per-variable hook). Built-in
        optimizers update all variables together; this runs that update for one."""
        if type(self)._update_step is Optimizer._update_step:
            raise NotImplementedError(f"{type(self).__name__} must implement `update_step`.")
        with torch.no_grad():
            self._update_step([gradient], [variable], learning_rate)

    @staticmethod
    def _addcdiv_(variables, numerators, denominators, scale: torch.Tensor) -> None:
        """`variables += scale * numerators / denominators` in one pass per tensor.

        On CPU the per-tensor scalar goes in as a tensor (no host sync, no temporary);
        elsewhere the numerators are scaled first (a CUDA scalar tensor cannot be read
        by the fused kernel without a sync; the compiler fuses the two anyway)."""
        if scale.device.type == "cpu" and not torch.compiler.is_compiling():
            torch._foreach_addcdiv_(
                variables, numerators, denominators, scale.reshape(1).expand(len(variables)).contiguous()
            )
        else:
            torch._foreach_addcdiv_(variables, torch._foreach_mul(numerators, scale), denominators, value=1)

    def _step_count(self, offset: int = 1) -> torch.Tensor:
        """`iterations + offset` as float32 (Keras's `local_step`)."""
        return (self.iterations + offset).to(torch.float32)

    def scale_loss(self, loss):
        return loss * self.loss_scale_factor if self.loss_scale_factor is not None else loss

    def finalize_variable_values(self, var_list) -> None:
        """Keras's end-of-fit hook: with `use_ema`, the model variables take their averages."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    def _overwrite_model_variables_with_average_value(self, trainable_variables) -> None:
        trainable_variables = list(trainable_variables)
        averages = self._model_variables_moving_average
        if len(trainable_variables) != len(averages):
            raise ValueError(
                f"The length of model variables ({len(trainable_variables)}) to override does not match the length "
                f"of model variables stored in the optimizer ({len(averages)}). Please check if the optimizer was "
                "called on your model."
            )
        with torch.no_grad():
            for variable, average in zip(trainable_variables, averages):
                variable.copy_(average)

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """One update computed from the given values of the optimizer state and of the model
        variables; returns `(new trainable values, new optimizer values)` and leaves the
        optimizer's and the model's own state unchanged."""
        if not self.built:
            raise ValueError(
                f"To call `stateless_apply`, {type(self).__name__} must be built (i.e. its variables must have been "
                "created). You can build it via `optimizer.build(trainable_variables)`."
            )
        own = self.variables
        optimizer_variables, trainable_variables = list(optimizer_variables), list(trainable_variables)
        if len(optimizer_variables) != len(own):
            raise ValueError(
                f"Argument `optimizer_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}().variables. Received list with length {len(optimizer_variables)}, but "
                f"expected {len(own)} variables."
            )
        if len(trainable_variables) != len(self._trainable_variables):
            raise ValueError(
                "Argument `optimizer_variables` must be a list of tensors corresponding 1:1 to the trainable "
                f"variables list that the optimizer was built with. Received len(trainable_variables) == "
                f"{len(trainable_variables)} whereas the optimizer was built with {len(self._trainable_variables)} "
                "variables."
            )
        targets = list(self._trainable_variables) + own
        values = trainable_variables + optimizer_variables
        saved = [t.data for t in targets]
        try:
            for target, value in zip(targets, values):
                target.data = torch.as_tensor(value).to(device=target.device, dtype=target.dtype).clone()
            self.apply(list(grads))
            new_values = [t.data for t in targets]
        finally:
            for target, data in zip(targets, saved):
                target.data = data
        count = len(self._trainable_variables)
        return new_values[:count], new_values[count:]

    def save_own_variables(self, store) -> None:
        """Write the state into `store` (a dict-like) under keys `"0"`, `"1"`, ... in `variables` order."""
        for index, variable in enumerate(keras_variables(self.variables)):
            store[str(index)] = variable.numpy()

    def load_own_variables(self, store) -> None:
        """Read the state written by `save_own_variables`; a count mismatch warns and loads nothing."""
        variables = keras_variables(self.variables)
        if len(store.keys()) != len(variables):
            message = (
                f"Skipping variable loading for optimizer '{self.name}', because it has {len(variables)} variables "
                f"whereas the saved optimizer has {len(store.keys())} variables. "
            )
            if not variables:
                message += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(message, stacklevel=2)
            return
        for index, variable in enumerate(variables):
            variable.assign(np.asarray(store[str(index)]))

    # ------------------------------------------------------------------ weights & config
    def get_weights(self) -> list[np.ndarray]:
        # Under ModelParallel a slot kept per shard is read whole (a collective on every rank).
        return [v.numpy() for v in keras_variables(self._variables)]

    def set_weights(self, weights) -> None:
        weights = list(weights)
        if len(weights) != len(self._variables):
            raise ValueError(
                f"Optimizer variable count mismatch: the optimizer has {len(self._variables)} variables, "
                f"received {len(weights)} values."
            )
        for variable, value in zip(keras_variables(self._variables), weights):
            variable.assign(value)

    def get_config(self) -> dict:
        rate = self._learning_rate
        if isinstance(rate, Variable):
            learning_rate = float(rate.detach().cpu())
        else:
            learning_rate = serialize_keras_object(rate)
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_keras_object(config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _overwrite_with_gradients(grads: list, variables: list) -> tuple[list, list]:
    """Keras's rule for variables marked `overwrite_with_gradient`: each takes its gradient
    as its new value, and is left out of the optimizer's update. Returns the rest."""
    kept_grads, kept_variables = [], []
    with torch.no_grad():
        for grad, variable in zip(grads, variables):
            if getattr(variable, "overwrite_with_gradient", False):
                variable.copy_(grad.to(dtype=variable.dtype))
            else:
                kept_grads.append(grad)
                kept_variables.append(variable)
    return kept_grads, kept_variables
