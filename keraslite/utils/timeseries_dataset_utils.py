"""`keras.utils.timeseries_dataset_from_array`: sliding windows over an array as a dataset of
`(windows, targets)` batches."""

from __future__ import annotations

import numpy as np

from keraslite.utils.dataset import Dataset


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
    format="tf",
):
    """Creates a dataset of sliding windows over a timeseries provided as array.

    Window `i` starts at `start_index + i * sequence_stride` and holds `sequence_length`
    timesteps `sampling_rate` apart; its target is `targets[start_index + i * sequence_stride]`.
    Only timesteps in `[start_index, end_index)` are used.

    Args:
        data: Array with the timesteps along axis 0.
        targets: Targets aligned with `data` along axis 0, or `None` (windows only).
        sequence_length: Timesteps per window.
        sequence_stride: Timesteps between the starts of consecutive windows.
        sampling_rate: Timesteps between the rows inside one window.
        batch_size: Windows per batch, or `None` for single windows.
        shuffle: Shuffle the windows (their order; the windows themselves stay intact).
        seed: Seed for the shuffle.
        start_index: First timestep used (default 0).
        end_index: One past the last timestep used (default `len(data)`).
        format: `"tf"` or `"grain"`; both give the same dataset here.

    Returns:
        A dataset of `(batch, sequence_length, ...)` windows, with targets when given.
    """
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= len(data):
            raise ValueError(
                f"`start_index` must be lower than the length of the data. Received: start_index={start_index}, "
                f"for data of length {len(data)}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, and "
                f"end_index={end_index}"
            )
        if end_index >= len(data):
            raise ValueError(
                f"`end_index` must be lower than the length of the data. Received: end_index={end_index}, for "
                f"data of length {len(data)}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: sampling_rate={sampling_rate}")
    if sampling_rate >= len(data):
        raise ValueError(
            f"`sampling_rate` must be lower than the length of the data. Received: sampling_rate={sampling_rate}, "
            f"for data of length {len(data)}"
        )
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: sequence_stride={sequence_stride}")
    if sequence_stride >= len(data):
        raise ValueError(
            "`sequence_stride` must be lower than the length of the data. Received: "
            f"sequence_stride={sequence_stride}, for data of length {len(data)}"
        )
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    start_index = 0 if start_index is None else start_index
    end_index = len(data) if end_index is None else end_index
    data = np.asarray(data)[start_index:end_index]
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)[start_index:]
        num_seqs = min(num_seqs, len(targets))
    starts = np.arange(0, max(num_seqs, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(starts)
    offsets = np.arange(0, sequence_length * sampling_rate, sampling_rate)

    def window(start):
        start = int(start)
        rows = data[start + offsets]
        return rows if targets is None else (rows, targets[start])

    dataset = Dataset.from_tensor_slices(starts)._map_elements(window)
    if shuffle:  # the windows' order is shuffled again within a buffer, each pass
        dataset = dataset.shuffle(buffer_size=batch_size * 8 if batch_size is not None else 1024, seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset
