"""SwapEMAWeights: evaluate and predict with the optimizer's moving averages of the weights."""

from __future__ import annotations

import torch

from keraslite.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """With an optimizer built with `use_ema=True`, swap the model's weights with their
    moving averages around evaluation and prediction (and, with `swap_on_epoch=True`,
    around each epoch end, so that checkpoints saved there hold the averages).

    Args:
        swap_on_epoch: also swap at each epoch end (and back at the next epoch's start).
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _ema_optimizer(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
        if not getattr(optimizer, "use_ema", False) or not hasattr(optimizer, "_model_variables_moving_average"):
            raise ValueError(
                "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                f"Received: use_ema={getattr(optimizer, 'use_ema', None)}"
            )
        return optimizer

    @torch.no_grad()
    def _swap_variables(self):
        optimizer = self._ema_optimizer()
        for variable, average in zip(optimizer._trainable_variables, optimizer._model_variables_moving_average):
            held = variable.detach().clone()
            variable.copy_(average)
            average.copy_(held)

    @torch.no_grad()
    def _finalize_ema_values(self):
        # Fit's end copies the averages into the model: they must be the averages again.
        optimizer = self._ema_optimizer()
        for variable, average in zip(optimizer._trainable_variables, optimizer._model_variables_moving_average):
            average.copy_(variable)

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True
            if epoch == self.params.get("epochs", 0) - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_predict_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False
