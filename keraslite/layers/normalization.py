"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization.

Weights keep Keras's names and order (`gamma`, `beta`, then BatchNormalization's
non-trainable `moving_mean`, `moving_variance`). The work is done by torch's fused
kernels (`F.batch_norm`, `F.layer_norm`, `F.group_norm`) on channel-first *views* of
channels-last tensors, so no call copies its input.
"""

from __future__ import annotations

import torch
import torch.distributed.nn.functional as distributed_functional
import torch.nn.functional as F

from keraslite import constraints, initializers, regularizers
from keraslite.distribution import process
from keraslite.graph.input_spec import InputSpec
from keraslite.layers.base_layer import Layer
from keraslite.layers.core import serialize_object

# Keras's `backend.epsilon()`: guards the masked-moment division.
_FUZZ = 1e-7


def _check_axes(layer, axes, input_shape):
    for axis in axes:
        if axis >= len(input_shape) or axis < -len(input_shape):
            raise ValueError(
                f"Axis {axis} is out of bounds for input shape {tuple(input_shape)}. Received: axis={layer.axis}"
            )


class _AffineNormalization(Layer):
    """Shared arguments of the layers with a `gamma` scale and a `beta` offset."""

    def __init__(
        self,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = None
        self.beta = None

    def _add_affine_weights(self, shape, gamma=True, beta=True):
        if self.scale and gamma:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
        if self.center and beta:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis if isinstance(self.axis, (list, tuple)) else [self.axis], input_shape)
        return input_shape

    def _affine_config(self):
        return {
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": serialize_object(self.beta_initializer),
            "gamma_initializer": serialize_object(self.gamma_initializer),
            "beta_regularizer": serialize_object(self.beta_regularizer),
            "gamma_regularizer": serialize_object(self.gamma_regularizer),
            "beta_constraint": serialize_object(self.beta_constraint),
            "gamma_constraint": serialize_object(self.gamma_constraint),
        }


class BatchNormalization(_AffineNormalization):
    """Normalizes with batch statistics in training and moving statistics in inference.

    In training (`training=True` and the layer trainable) the output uses the batch's mean
    and (biased) variance, and the moving statistics are updated with Keras's convention
    `moving = moving * momentum + batch * (1 - momentum)`. A frozen layer
    (`trainable=False`) always runs in inference mode, as in Keras 3.

    Args:
        axis: the features axis (default -1, channels-last).
        momentum: momentum of the moving statistics (default 0.99).
        epsilon: added to the variance (default 1e-3).
        center, scale: whether to learn `beta` / `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer, *_regularizer, *_constraint: as usual.
        renorm: batch renormalization (Ioffe, 2017): in training the batch statistics are
            corrected towards moving ones by `r = batch_std / renorm_std` and
            `d = (batch_mean - renorm_mean) / renorm_std` (no gradient through them);
            adds the weights `moving_stddev`, `renorm_mean`, `renorm_stddev`.
        renorm_clipping: optional dict with "rmin", "rmax", "dmax" bounding `r` and `d`.
        renorm_momentum: momentum of `renorm_mean` / `renorm_stddev`.
        synchronized: in a multi-process run (`keras.distribution`, torchrun), compute the
            training batch statistics over the global batch of all processes (one
            all-reduce per call, with gradients through it: `torch.nn.SyncBatchNorm`'s
            semantics); otherwise each process normalizes with its own part of the batch.
            In one process it changes nothing.

    Input shape: any. Output shape: same as input.
    """

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        synchronized=False,
        **kwargs,
    ):
        super().__init__(
            center=center,
            scale=scale,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            beta_regularizer=beta_regularizer,
            gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint,
            gamma_constraint=gamma_constraint,
            **kwargs,
        )
        self.axis = int(axis)
        if renorm:
            renorm_clipping = dict(renorm_clipping or {})
            unknown = set(renorm_clipping) - {"rmax", "rmin", "dmax"}
            if unknown:
                raise ValueError(
                    f"Received invalid keys for `renorm_clipping` argument: {renorm_clipping}. "
                    "Supported values: ['rmax', 'rmin', 'dmax']."
                )
            rmin, rmax, dmax = (renorm_clipping.get(k) for k in ("rmin", "rmax", "dmax"))
            if rmin is not None and rmax is not None and rmin > rmax:
                raise ValueError(
                    "rmax should be greater than rmin in the `renorm_clipping` argument. "
                    f"Received: rmax={rmax}, rmin={rmin}."
                )
            if dmax is not None and dmax < 0:
                raise ValueError(
                    f"dmax should be non-negative in the `renorm_clipping` argument. Received: dmax={dmax}."
                )
        self.synchronized = synchronized
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.moving_mean = None
        self.moving_variance = None

    def build(self, input_shape):
        _check_axes(self, [self.axis], input_shape)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f'Layer "{self.name}" (BatchNormalization) needs a known size on axis {self.axis}. Received: '
                f"input_shape={tuple(input_shape)}"
            )
        shape = (dim,)
        self._add_affine_weights(shape)
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=shape, initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=shape, initializer=self.moving_variance_initializer, trainable=False
        )
        if self.renorm:
            # Batch renormalization tracks standard deviations (initialized to the square
            # root of the variance initializer); moving_variance is derived from them.
            def stddev_initializer(shape, dtype=None):
                return torch.sqrt(torch.as_tensor(self.moving_variance_initializer(shape, dtype=dtype)))

            self.moving_stddev = self.add_weight(
                name="moving_stddev", shape=shape, initializer=stddev_initializer, trainable=False
            )
            self.renorm_mean = self.add_weight(
                name="renorm_mean", shape=shape, initializer=self.moving_mean_initializer, trainable=False
            )
            self.renorm_stddev = self.add_weight(
                name="renorm_stddev", shape=shape, initializer=stddev_initializer, trainable=False
            )
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self.built = True

    def _renormalized(self, x, mask, axis, ndim):
        """Training output with batch renormalization, and the statistics updates."""
        mean, var = self._moments(x, mask, axis, ndim)
        stddev = torch.sqrt(var + self.epsilon)
        with torch.no_grad():
            renorm_stddev = torch.clamp(self.renorm_stddev.to(mean.dtype), min=self.epsilon**0.5)
            r = stddev / renorm_stddev
            d = (mean - self.renorm_mean.to(mean.dtype)) / renorm_stddev
            clipping = self.renorm_clipping or {}
            if clipping.get("rmin") is not None:
                r = torch.clamp(r, min=clipping["rmin"])
            if clipping.get("rmax") is not None:
                r = torch.clamp(r, max=clipping["rmax"])
            if clipping.get("dmax") is not None:
                d = torch.clamp(d, -clipping["dmax"], clipping["dmax"])
        # (x * r + d) * gamma + beta, folded into one scale and offset.
        scale = r if self.gamma is None else r * self.gamma
        offset = d if self.gamma is None else d * self.gamma
        if self.beta is not None:
            offset = offset + self.beta
        shape = [1] * x.ndim
        shape[1] = -1
        y = (x - mean.view(shape)) / stddev.view(shape) * scale.view(shape) + offset.view(shape)
        with torch.no_grad():
            mean, stddev = mean.detach(), stddev.detach()
            rm, m = self.renorm_momentum, self.momentum
            self.renorm_mean.mul_(rm).add_(mean, alpha=1.0 - rm)
            self.renorm_stddev.mul_(rm).add_(stddev, alpha=1.0 - rm)
            self.moving_mean.mul_(m).add_(mean, alpha=1.0 - m)
            self.moving_stddev.mul_(m).add_(stddev, alpha=1.0 - m)
            self.moving_variance.copy_(torch.relu(self.moving_stddev.square() - self.epsilon))
        return y

    def call(self, inputs, training=None, mask=None):
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(
                "The mask provided should be one dimension less than the inputs. Received: "
                f"mask.shape={tuple(mask.shape)}, inputs.shape={tuple(inputs.shape)}"
            )
        axis = self.axis % inputs.ndim
        # torch wants the features on dim 1; moving them there is a view, not a copy.
        x = inputs if axis == 1 or inputs.ndim == 1 else inputs.movedim(axis, 1)
        channels = x.shape[1] if x.ndim > 1 else x.shape[0]
        count = x.numel() // max(channels, 1)
        if training and self.trainable and self.renorm:
            y = self._renormalized(x, mask, axis, inputs.ndim)
        elif training and self.trainable and self.synchronized and x.ndim > 1 and process.is_multi_process():
            mean, var = self._global_moments(x, mask)
            with torch.no_grad():
                self._update_moving(mean.detach(), var.detach())
            y = self._affine(x, mean, var)
        elif training and self.trainable:
            if mask is None and count > 1:
                # The fused kernel normalizes with the batch statistics and reports them in
                # two scratch buffers (momentum 1 overwrites them); torch's running variance
                # is the unbiased one, Keras's update uses the biased one.
                batch_mean = torch.zeros_like(self.moving_mean)
                batch_var = torch.zeros_like(self.moving_variance)
                y = F.batch_norm(x, batch_mean, batch_var, self.gamma, self.beta, True, 1.0, self.epsilon)
                # (Not in place: autograd saved the scratch buffers for the backward.)
                with torch.no_grad():
                    self._update_moving(batch_mean, batch_var * ((count - 1) / count))
            else:
                mean, var = self._moments(x, mask, axis, inputs.ndim)
                with torch.no_grad():
                    self._update_moving(mean.detach(), var.detach())
                y = self._affine(x, mean, var)
        else:
            y = F.batch_norm(x, self.moving_mean, self.moving_variance, self.gamma, self.beta, False, 0.0, self.epsilon)
        return y if axis == 1 or inputs.ndim == 1 else y.movedim(1, axis)

    def _update_moving(self, mean, var):
        m = self.momentum
        self.moving_mean.mul_(m).add_(mean.to(self.moving_mean.dtype), alpha=1.0 - m)
        self.moving_variance.mul_(m).add_(var.to(self.moving_variance.dtype), alpha=1.0 - m)

    def _global_moments(self, x, mask):
        """Mean and (biased) variance per channel over the batches of every process: one
        all-reduce of the sums, through which autograd sends the gradients back to each."""
        dims = [d for d in range(x.ndim) if d != 1]
        if mask is None:
            weights = None
            count = torch.full((x.shape[1],), x.numel() / x.shape[1], dtype=x.dtype, device=x.device)
        else:
            weights = mask.to(x.dtype).unsqueeze(1).expand_as(x)
            count = weights.sum(dim=dims)
        weighted = x if weights is None else x * weights
        sums = torch.cat([weighted.sum(dim=dims), (weighted * x).sum(dim=dims), count])
        total, squares, count = distributed_functional.all_reduce(sums).split(x.shape[1])
        mean = total / count
        return mean, torch.clamp(squares / count - mean.square(), min=0.0)

    def _moments(self, x, mask, axis, ndim):
        """Batch mean/variance per channel of `x` (features on dim 1), weighted by `mask`."""
        dims = [d for d in range(x.ndim) if d != 1]
        if mask is None:
            var, mean = torch.var_mean(x, dim=dims, correction=0)
            return mean, var
        # The mask covers every axis but the features axis: put its dims in x's order.
        weights = mask.to(x.dtype).unsqueeze(1)
        weights = weights.expand_as(x)
        total = weights.sum(dim=dims)
        mean = (x * weights).sum(dim=dims) / (total + _FUZZ)
        shape = [1] * x.ndim
        shape[1] = -1
        centered = (x - mean.view(shape)) * weights
        var = centered.square().sum(dim=dims) / (total + _FUZZ)
        return mean, var

    def _affine(self, x, mean, var):
        shape = [1] * x.ndim
        shape[1] = -1
        inv = torch.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            inv = inv * self.gamma
        offset = -mean * inv
        if self.beta is not None:
            offset = offset + self.beta
        return x * inv.view(shape) + offset.view(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon})
        config.update(self._affine_config())
        config.update(
            {
                "moving_mean_initializer": serialize_object(self.moving_mean_initializer),
                "moving_variance_initializer": serialize_object(self.moving_variance_initializer),
                "synchronized": self.synchronized,
                "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum,
            }
        )
        return config


class SyncBatchNormalization(BatchNormalization):
    """tf.keras 2's `tf.keras.layers.experimental.SyncBatchNormalization`: BatchNormalization
    whose training statistics are computed over every process of a multi-process run
    (`synchronized=True`, which is how Keras 3 spells it); in one process it is
    BatchNormalization. Its config is tf.keras 2's (no `synchronized` or `renorm` keys)."""

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=0.001,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        for keras3_only in ("synchronized", "renorm", "renorm_clipping", "renorm_momentum"):
            kwargs.pop(keras3_only, None)
        super().__init__(
            axis=axis,
            momentum=momentum,
            epsilon=epsilon,
            center=center,
            scale=scale,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            moving_mean_initializer=moving_mean_initializer,
            moving_variance_initializer=moving_variance_initializer,
            beta_regularizer=beta_regularizer,
            gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint,
            gamma_constraint=gamma_constraint,
            synchronized=True,
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        for keras3_only in ("synchronized", "renorm", "renorm_clipping", "renorm_momentum"):
            config.pop(keras3_only)
        return config


class LayerNormalization(_AffineNormalization):
    """Normalizes each sample over `axis` (default the last), then scales and shifts.

    Args:
        axis: int or list of ints, the axes to normalize over (`gamma`/`beta` span them).
        epsilon: added to the variance (default 1e-3).
        center, scale, beta/gamma initializer/regularizer/constraint: as usual.
        rms_scaling: deprecated Keras argument (scales by the variance, no offset).

    Input shape: any. Output shape: same as input.
    """

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        rms_scaling = kwargs.pop("rms_scaling", False)
        super().__init__(
            center=center,
            scale=scale,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            beta_regularizer=beta_regularizer,
            gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint,
            gamma_constraint=gamma_constraint,
            **kwargs,
        )
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")
        self.epsilon = epsilon
        self.rms_scaling = rms_scaling
        self.autocast = False

    def build(self, input_shape):
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        _check_axes(self, axes, input_shape)
        self.axis = axes
        shape = tuple(input_shape[d] for d in axes)
        self._add_affine_weights(shape, gamma=True, beta=not self.rms_scaling)
        if self.rms_scaling and self.gamma is None:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        self.built = True

    def call(self, inputs):
        ndim = inputs.ndim
        axes = sorted(a % ndim for a in self.axis)
        if not self.rms_scaling and axes == list(range(ndim - len(axes), ndim)):
            return F.layer_norm(inputs, tuple(inputs.shape[ndim - len(axes) :]), self.gamma, self.beta, self.epsilon)
        broadcast = [inputs.shape[d] if d in axes else 1 for d in range(ndim)]
        var, mean = torch.var_mean(inputs, dim=axes, keepdim=True, correction=0)
        inv = torch.rsqrt(var + self.epsilon)
        if self.rms_scaling:
            return inputs * inv * self.gamma.reshape(broadcast)
        if self.gamma is not None:
            inv = inv * self.gamma.reshape(broadcast)
        offset = -mean * inv
        if self.beta is not None:
            offset = offset + self.beta.reshape(broadcast)
        return inputs * inv + offset

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "rms_scaling": self.rms_scaling,
            }
        )
        config.update(self._affine_config())
        return config


class GroupNormalization(_AffineNormalization):
    """Normalizes over groups of channels (`groups=-1`: instance normalization,
    `groups=1`: layer normalization over all non-batch axes).

    Args:
        groups: number of groups (divides the channel count; default 32).
        axis: the channels axis (default -1).
        epsilon: added to the variance (default 1e-3).
        center, scale, beta/gamma initializer/regularizer/constraint: as usual.

    Input shape: any of rank >= 2. Output shape: same as input.
    """

    def __init__(
        self,
        groups=32,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(
                "Received an invalid value for argument `groups`, expected a positive integer (or `-1` for instance "
                f"normalization). Received: groups={groups}"
            )
        super().__init__(
            center=center,
            scale=scale,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            beta_regularizer=beta_regularizer,
            gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint,
            gamma_constraint=gamma_constraint,
            **kwargs,
        )
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.autocast = False

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined dimension but the layer received an input "
                f"with shape {tuple(input_shape)}."
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number of channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number of channels ({dim}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self._add_affine_weights((dim,))
        self.built = True

    def call(self, inputs):
        ndim = inputs.ndim
        axis = self.axis % ndim
        if axis == 1 and inputs.is_contiguous():
            # torch's group_norm groups the channels on dim 1 exactly as Keras groups its axis.
            return F.group_norm(inputs, self.groups, self.gamma, self.beta, self.epsilon)
        # Channels-last: group in place with a view (B, positions, groups, channels/group).
        # (torch 2.x's CPU group_norm backward crashes on channels_last-strided inputs.)
        x = inputs if axis == ndim - 1 else inputs.movedim(axis, -1)
        grouped = x.reshape(x.shape[0], -1, self.groups, x.shape[-1] // self.groups)
        var, mean = torch.var_mean(grouped, dim=(1, 3), keepdim=True, correction=0)
        y = ((grouped - mean) * torch.rsqrt(var + self.epsilon)).reshape(x.shape)
        if self.gamma is not None:
            y = y * self.gamma
        if self.beta is not None:
            y = y + self.beta
        return y if axis == ndim - 1 else y.movedim(-1, axis)

    def get_config(self):
        config = super().get_config()
        config.update({"groups": self.groups, "axis": self.axis, "epsilon": self.epsilon})
        config.update(self._affine_config())
        return config


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm along `axis` (int or list; default -1).

    Input shape: any. Output shape: same as input.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: axis={axis}"
            )
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        # Keras: x * min(rsqrt(sum(x^2)), 1/1e-12).
        square_sum = inputs.square().sum(dim=self.axis, keepdim=True)
        return inputs * torch.clamp(torch.rsqrt(square_sum), max=1e12)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis if isinstance(self.axis, list) else [self.axis], input_shape)
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class RMSNormalization(Layer):
    """Root-mean-square normalization: `x * rsqrt(mean(x^2 over axis) + epsilon) * scale`.

    Args:
        axis: int or list of ints to normalize over (default -1); `scale` spans them.
        epsilon: added to the mean square (default 1e-6).

    Input shape: any. Output shape: same as input.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon
        # Keras's RMSNormalization does not pass a mask on (unlike LayerNormalization).

    def build(self, input_shape):
        axes = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        _check_axes(self, axes, input_shape)
        self.axis = axes
        self.scale = self.add_weight(name="scale", shape=tuple(input_shape[d] for d in axes), initializer="ones")
        self.built = True

    def call(self, inputs):
        ndim = inputs.ndim
        axes = sorted(a % ndim for a in self.axis)
        if axes == list(range(ndim - len(axes), ndim)):
            return F.rms_norm(inputs, tuple(inputs.shape[ndim - len(axes) :]), self.scale, self.epsilon)
        broadcast = [inputs.shape[d] if d in axes else 1 for d in range(ndim)]
        inv = torch.rsqrt(inputs.square().mean(dim=axes, keepdim=True) + self.epsilon)
        return inputs * inv * self.scale.reshape(broadcast)

    def compute_output_shape(self, input_shape):
        _check_axes(self, self.axis if isinstance(self.axis, (list, tuple)) else [self.axis], input_shape)
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
