"""`keras.utils.text_dataset_from_directory`: a folder of class subfolders of `.txt` files as
a dataset of `(texts, labels)` batches; texts are NumPy str arrays, keraslite's strings."""

from __future__ import annotations

from keraslite.utils import dataset_utils


def _read_text(path: str, max_length) -> str:
    with open(path, "rb") as file:
        content = file.read()
    if max_length is not None:
        content = content[:max_length]  # bytes, as tf.strings.substr counts them
    return content.decode("utf-8", errors="ignore")


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    format="tf",
    verbose=True,
):
    """Generates a dataset from text files in a directory.

    With `labels="inferred"`, each subfolder of `directory` is a class (alphanumeric order,
    or the order of `class_names`) and its `.txt` files its examples.

    Args:
        directory: The folder the text files are in.
        labels: `"inferred"`, `None` (texts only) or a list of integer labels in the sorted
            order of the file paths.
        label_mode: `"int"` (int32 indices), `"categorical"` (float32 one-hot),
            `"binary"` (float32 `(batch, 1)`, two classes) or `None` (no labels).
        class_names: The classes' order when labels are inferred.
        batch_size: Batch size, or `None` for single texts.
        max_length: Texts are cut to this many bytes.
        shuffle: Shuffle the files (else they are in alphanumeric order).
        seed: Seed for the shuffle and the split.
        validation_split: Fraction of the files kept for validation.
        subset: `"training"`, `"validation"` or `"both"` (returns `[train, validation]`).
        follow_links: Follow symbolic links to subfolders.
        format: `"tf"` or `"grain"`; both give the same dataset here.
        verbose: Print how many files and classes were found.

    Returns:
        A dataset of string batches (NumPy str arrays of shape `(batch,)`), with labels
        unless `label_mode` is `None`, and a `class_names` attribute.
    """
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    options = {
        "batch_size": batch_size,
        "shuffle": shuffle,
        "seed": seed,
        "validation_split": validation_split,
        "subset": subset,
        "follow_links": follow_links,
        "verbose": verbose,
    }
    return dataset_utils.from_directory(
        directory,
        labels,
        label_mode,
        class_names,
        (".txt",),
        options,
        lambda path: _read_text(path, max_length),
        "text",
    )
