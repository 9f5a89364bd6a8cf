"""The loops behind `fit`, `evaluate` and `predict` (kept flat, one function each).

Each runs one `TrainingState` (training_state.py): the state makes the data adapter,
owns the step runner and the data structure, and knows the model's inputs and outputs;
the loop only drives batches, callbacks and the progress bar. The model is reached
through its public Keras face (`train_step`, `test_step`, `reset_metrics`,
`stop_training`) and the callbacks' protocol (`_initial_epoch`, `_in_fit_validation`).
"""

from __future__ import annotations

import contextlib
import numbers
import warnings

import torch

from keraslite.backend import tree
from keraslite.backend.conversion import to_numpy
from keraslite.backend.state import max_epochs, max_steps_per_epoch
from keraslite.callbacks.callback import CallbackList
from keraslite.callbacks.history import History, ProgbarLogger
from keraslite.distribution import process
from keraslite.training import data_adapters
from keraslite.training.training_state import keras_order


@contextlib.contextmanager
def cpu_performance_mode(device: torch.device):
    """Flush denormal floats to zero while training on CPU.

    Random or collapsing training drives running averages (RMSprop's velocities, Adam's
    second moments) into the denormal range, where x86 CPUs are many times slower;
    TensorFlow flushes them, so Keras users never see it. torch has no getter for the
    flag, so it is switched off again afterwards.
    """
    if device.type != "cpu":
        yield
        return
    changed = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if changed:
            torch.set_flush_denormal(False)


def cap_steps(adapter):
    """Apply the debugging cap of `keras.config.set_max_steps_per_epoch` to one epoch of
    `adapter`, as Keras caps every fit, validation, evaluate and predict epoch."""
    limit = max_steps_per_epoch()
    if adapter is not None and limit and (adapter.num_batches is None or limit < adapter.num_batches):
        warnings.warn(f"Limiting steps_per_epoch to {limit}", stacklevel=3)
        adapter.num_batches = limit
    return adapter


def resolve_verbose(verbose) -> int:
    if not process.is_primary_process():
        return 0  # in a multi-process run only rank 0 prints
    if verbose == "auto":
        return 1
    return int(verbose)


def make_callback_list(model, callbacks, verbose, epochs, steps, add_history):
    """The callbacks of one loop: the user's, a progress bar when verbose, and `History` for fit.

    `callbacks` is a list (nested structures are flattened) or a single callback, as Keras 3
    and tf.keras 2 both take it (`callbacks=EarlyStopping(...)`)."""
    if isinstance(callbacks, CallbackList):
        callbacks = callbacks.callbacks
    callbacks = tree.flatten(callbacks) if callbacks else []
    progbar = next((c for c in callbacks if isinstance(c, ProgbarLogger)), None)
    if verbose and progbar is None:
        progbar = ProgbarLogger()
        callbacks.insert(0, progbar)
    history = None
    if add_history:
        history = History()
        callbacks.append(history)
    params = {"verbose": verbose, "epochs": epochs, "steps": steps}
    return CallbackList(callbacks, model=model, params=params), progbar, history


def run_fit(
    state,
    x,
    y,
    batch_size,
    epochs,
    verbose,
    callbacks,
    validation_split,
    validation_data,
    shuffle,
    class_weight,
    sample_weight,
    initial_epoch,
    steps_per_epoch,
    validation_steps,
    validation_batch_size,
    validation_freq,
):
    model = state.model
    if max_epochs() and max_epochs() < epochs:
        warnings.warn(f"Limiting epochs to {max_epochs()}", stacklevel=3)
        epochs = max_epochs()
    _check_validation_arguments(validation_split, validation_batch_size)
    adapter = state.make_adapter(x, y, sample_weight, batch_size, steps_per_epoch, shuffle, class_weight)
    val_adapter = None
    if validation_data is None and validation_split:
        if not isinstance(adapter, data_adapters.ArrayDataAdapter):
            raise ValueError(
                "`validation_split` is only supported for Tensors or NumPy arrays, found the following type in the "
                f"input: {type(x).__name__}"
            )
        adapter, val_adapter = adapter.split(validation_split)
        if validation_batch_size:
            val_adapter = val_adapter.with_batch_size(validation_batch_size, validation_steps)
        elif validation_steps:
            val_adapter.num_batches = validation_steps
    elif validation_data is not None:
        if (
            isinstance(validation_data, (tuple, list))
            and len(validation_data) in (2, 3)
            and not isinstance(validation_data, torch.utils.data.DataLoader)
        ):
            vx, vy, vsw = data_adapters.unpack_x_y_sample_weight(tuple(validation_data))
            val_adapter = state.make_adapter(vx, vy, vsw, validation_batch_size or batch_size, validation_steps)
        else:
            val_adapter = state.make_adapter(validation_data, steps=validation_steps)

    adapter, val_adapter = cap_steps(adapter), cap_steps(val_adapter)
    callback_list, progbar, history = make_callback_list(
        model, callbacks, verbose, epochs, adapter.num_batches, add_history=True
    )
    device = model._device()
    model.stop_training = False
    state.structure = adapter.structure
    runner = state.prepare_runner(training=True, build_optimizer=False)  # built at the first step
    needs_batch_logs = callback_list.needs_batch_logs("train")
    progress = progbar.update if progbar is not None and verbose == 1 else None
    custom_step = state.custom_train_step
    last_logs = {}
    step_logs = (lambda: state.custom_step_logs(last_logs)) if custom_step else state.current_logs

    def logs_fn():
        return keras_order(step_logs())

    # Mid-epoch the bar (rank 0 only) draws rank 0's own figures: reducing them would be a
    # collective that the other ranks, drawing nothing, never join.
    progress_logs = (
        (lambda: keras_order(state.local_logs())) if state.data_parallel is not None and not custom_step else logs_fn
    )
    epoch_logs = {}
    with cpu_performance_mode(device):
        callback_list.on_train_begin()
        # BackupAndRestore may move the starting epoch while training begins.
        resumed = getattr(model, "_initial_epoch", None)
        model._initial_epoch = None
        start_epoch = initial_epoch if resumed is None else resumed
        for epoch in range(start_epoch, epochs):
            model.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            step = -1
            for step, batch in enumerate(adapter.batches()):
                if step == 0 and epoch == start_epoch:
                    state.first_batch(adapter, batch)
                    runner = state.prepare_runner(training=True)  # a subclassed model's weights exist now
                if needs_batch_logs:
                    callback_list.on_train_batch_begin(step)
                if custom_step:
                    last_logs = model.train_step(state.pack_batch(batch))  # the user's step, eager
                else:
                    runner.train_step(*batch)
                if needs_batch_logs:
                    callback_list.on_train_batch_end(step, logs_fn())  # host sync: a callback asked for batch logs
                if progress is not None:
                    progress(step + 1, progress_logs)
                if model.stop_training:
                    break
            if step < 0:
                warnings.warn("Your input ran out of data; interrupting training.", stacklevel=3)
                break
            if progbar is not None and progbar.progbar is not None and progbar.progbar.target is None:
                progbar.progbar.target = step + 1
                progbar.progbar._seen = step + 1
            epoch_logs = logs_fn()  # host sync: once per epoch
            if val_adapter is not None and _should_validate(epoch, validation_freq):
                model._in_fit_validation = True
                try:
                    val_logs = run_evaluate(state, None, None, None, 0, None, None, None, val_adapter, callback_list)
                finally:
                    model._in_fit_validation = False
                epoch_logs.update({f"val_{k}": v for k, v in keras_order(val_logs).items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            adapter.on_epoch_end()
            if model.stop_training:
                break
            if getattr(adapter, "exhausted", False) and adapter.num_batches is not None:
                break
        if epochs > 0 and state.optimizer is not None and state.optimizer.built:
            # As Keras: an optimizer with `use_ema` gives the model its averages when fit ends.
            state.optimizer.finalize_variable_values(state.train_params)
        callback_list.on_train_end(epoch_logs)
    return history


def _check_validation_arguments(validation_split, validation_batch_size) -> None:
    """Refused before any data is touched: a split outside [0, 1) would cut the data at a
    negative or past-the-end index (1.0 itself gets Keras's "not sufficient to split")."""
    data_adapters.check_batch_size(validation_batch_size, "validation_batch_size")
    if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real):
        raise ValueError(
            f"`validation_split` must be a float in [0, 1). Received: validation_split={validation_split!r}"
        )
    if not 0.0 <= validation_split <= 1.0:
        raise ValueError(
            "`validation_split` must be a float in [0, 1): the fraction of the data held out for validation. "
            f"Received: validation_split={validation_split}"
        )


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, int):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def run_evaluate(state, x, y, batch_size, verbose, sample_weight, steps, callbacks, adapter=None, callback_list=None):
    """Evaluate on `x, y`, or (validation inside `fit`) on `adapter` with fit's callbacks;
    validation keeps fit's data structure."""
    model = state.model
    if adapter is None:
        adapter = cap_steps(state.make_adapter(x, y, sample_weight, batch_size, steps))
        state.structure = adapter.structure
    elif state.structure is None:
        state.structure = adapter.structure
    owns_callbacks = callback_list is None
    progbar = None
    if owns_callbacks:
        callback_list, progbar, _ = make_callback_list(
            model, callbacks, verbose, 1, adapter.num_batches, add_history=False
        )
    runner = state.prepare_runner(training=False)
    model.reset_metrics()
    needs_batch_logs = callback_list.needs_batch_logs("test")
    progress = progbar.update if progbar is not None and verbose == 1 else None
    custom_step = state.custom_test_step
    last_logs = {}
    step_logs = (lambda: state.custom_step_logs(last_logs)) if custom_step else state.current_logs

    def logs_fn():
        return keras_order(step_logs())

    progress_logs = (
        (lambda: keras_order(state.local_logs())) if state.data_parallel is not None and not custom_step else logs_fn
    )
    with cpu_performance_mode(model._device()):
        callback_list.on_test_begin()
        step = -1
        for step, batch in enumerate(adapter.batches()):
            if step == 0:
                state.first_batch(adapter, batch)
            if needs_batch_logs:
                callback_list.batch_begin("test", step)
            if custom_step:
                last_logs = model.test_step(state.pack_batch(batch, adapter.structure))
            else:
                runner.test_step(*batch)
            if needs_batch_logs:
                callback_list.batch_end("test", step, logs_fn())
            if progress is not None:
                progress(step + 1, progress_logs)
        if progbar is not None and progbar.progbar is not None:
            progbar.progbar._seen = step + 1
            if progbar.progbar.target is None:
                progbar.progbar.target = step + 1
        logs = step_logs()  # returned in compiled order (evaluate's list); callbacks get Keras's
        callback_list.on_test_end(keras_order(logs))
    return logs


def run_predict(state, x, batch_size, verbose, steps, callbacks):
    model = state.model
    adapter = cap_steps(state.make_adapter(x, batch_size=batch_size, steps=steps, for_predict=True))
    streamed = not isinstance(adapter, data_adapters.ArrayDataAdapter)  # in-memory data was checked whole
    callback_list, progbar, _ = make_callback_list(model, callbacks, verbose, 1, adapter.num_batches, add_history=False)
    # A multi-process run broadcasts rank 0's weights first (when the model is wrapped).
    runner = state.predict_runner() if state.data_parallel is None else state.prepare_runner(training=False)
    state.structure = adapter.structure
    needs_batch_logs = callback_list.needs_batch_logs("predict")
    outputs: list[list[torch.Tensor]] | None = None
    # jit_compile=True: the compiled predict step; else the forward itself (no wrapper call).
    plain_forward = runner.autocast is None and not runner.jit_compile
    custom_step = state.custom_predict_step
    step_structure = None  # what an overridden `predict_step` returns, for packing the result
    # inference_mode for the whole loop: no autograd bookkeeping, one context for all batches.
    with cpu_performance_mode(model._device()), torch.inference_mode():
        callback_list.on_predict_begin()
        step = -1
        for step, (xs, _, _) in enumerate(adapter.batches()):
            if step == 0 and streamed:
                state.check_inputs(xs)
            if needs_batch_logs:
                callback_list.batch_begin("predict", step)
            if custom_step:
                returned = model.predict_step(state.pack_batch((xs, None, None)))  # the user's step, eager
                step_structure = returned
                flat = [torch.as_tensor(v) for v in tree.flatten(returned)]
            else:
                flat = runner.forward(xs, False) if plain_forward else runner.predict_step(xs)
            if outputs is None:
                outputs = [[] for _ in flat]
            for store, value in zip(outputs, flat):
                store.append(value)
            if needs_batch_logs:
                # Keras's logs: the batch's predictions in the model's output structure.
                packed = tree.pack_sequence_as(step_structure, flat) if custom_step else state.pack_outputs(flat)
                callback_list.batch_end("predict", step, {"outputs": packed})
            if progbar is not None and verbose == 1:
                progbar.update(step + 1, dict)
        if progbar is not None and progbar.progbar is not None:
            progbar.progbar._seen = step + 1
            if progbar.progbar.target is None:
                progbar.progbar.target = step + 1
        callback_list.on_predict_end()
    if outputs is None:
        raise ValueError(
            "Unexpected result of `predict_function` (Empty batch_outputs). Please use "
            "`Model.compile(..., run_eagerly=True)`, or `tf.data.Dataset.prefetch()` to see what went wrong."
        )
    # One device-to-host copy per output, after the loop.
    arrays = [to_numpy(torch.cat(parts) if len(parts) > 1 else parts[0]) for parts in outputs]
    if getattr(adapter, "data_parallel", None) is not None:
        # Each process predicted its part of every batch: every rank returns all rows, in order.
        arrays = adapter.data_parallel.gather_predictions(arrays, adapter.global_batch_sizes)
    return tree.pack_sequence_as(step_structure, arrays) if custom_step else state.pack_outputs(arrays)
