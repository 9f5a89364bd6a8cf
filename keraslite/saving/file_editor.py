"""`keras.saving.KerasFileEditor`: open a `.keras` or `.weights.h5` file, inspect and edit
its weights (rename, delete or add objects and weights), and write them back as a
`.weights.h5` file, without building the model.

The weights are a tree of dicts following the file's groups (`{"layers": {"dense":
{"0": kernel, "1": bias}}}`); a group's `vars` level is folded into its object, as Keras
shows it.
"""

from __future__ import annotations

import collections
import os
import tempfile

import numpy as np

from keraslite.saving import keras_archive

_MAX_DATASET_BYTES = 1 << 32  # refuse datasets over 4 GiB, as Keras does


def _h5py():
    import h5py  # on first use: 30 ms of import time most programs never spend

    return h5py


class KerasFileEditor:
    """Inspect and edit the weights of a saved Keras model file.

    Args:
        filepath: a `.keras` archive or a `.weights.h5` file.

    Example:

    ```python
    editor = keras.saving.KerasFileEditor("model.keras")
    editor.summary()
    editor.rename_object("dense_3", "dense_4")
    editor.save("edited.weights.h5")
    ```
    """

    def __init__(self, filepath):
        filepath = str(filepath)
        self.filepath = filepath
        self.metadata = None
        self.config = None
        self.model = None
        h5py = _h5py()
        if filepath.endswith(".keras"):
            self.config, self.metadata = keras_archive.read_archive(filepath)
            with keras_archive.open_weights(filepath) as stream, h5py.File(stream, "r") as h5:
                self.weights_dict, self.object_metadata = self._read_group(h5)
        elif filepath.endswith(".weights.h5"):
            with h5py.File(filepath, "r") as h5:
                self.weights_dict, self.object_metadata = self._read_group(h5)
        else:
            raise ValueError(
                f"Invalid filename: expected a `.keras` `.weights.h5` extension. Received: filepath={filepath}"
            )
        print(f"Keras model file '{filepath}'")
        if self.metadata is not None:
            print(f"Saved with Keras {self.metadata.get('keras_version')} - date: {self.metadata.get('date_saved')}")

    # ------------------------------------------------------------------ reading
    def _read_group(self, group, metadata=None, inner_path=""):
        h5py = _h5py()
        metadata = {} if metadata is None else metadata
        attributes = {key: value for key, value in group.attrs.items()}
        if attributes:
            metadata[inner_path] = attributes
        result = collections.OrderedDict()
        for key in group.keys():
            path = f"{inner_path}/{key}"
            link = group.get(key, getclass=True, getlink=True)
            if link in (h5py.ExternalLink, h5py.SoftLink):
                raise ValueError(f"Not allowed: H5 file with {link.__name__} at {path}")
            value = group[key]
            if isinstance(value, h5py.Group):
                if len(value) == 0:
                    continue
                if "vars" in value.keys():
                    if len(value["vars"]) == 0:
                        continue
                    value = value["vars"]
                result[key], metadata = self._read_group(value, metadata, path)
                continue
            if not isinstance(value, h5py.Dataset):
                continue
            if value.external or value.is_virtual:
                raise ValueError(f"Not allowed: H5 file with an external or virtual dataset at {path}")
            if int(np.prod(value.shape, dtype=np.int64)) * value.dtype.itemsize > _MAX_DATASET_BYTES:
                raise ValueError(f"HDF5 dataset at {path} is too large to load safely (limit is 4 GiB).")
            result[key] = value[()]
        return result, metadata

    # ------------------------------------------------------------------ showing
    def summary(self):
        """Print the tree of objects and weights (shape and dtype of each)."""
        print("Weights structure")
        self._print_tree(self.weights_dict, prefix="  ")

    def _print_tree(self, tree, prefix="", inner_path="", first=True):
        items = list(tree.items())
        for index, (key, value) in enumerate(items):
            path = f"{inner_path}/{key}"
            last = index == len(items) - 1
            connector = "> " if first else ("└─ " if last else "├─ ")
            first = False
            if isinstance(value, dict):
                label = f"{prefix}{connector}{key}"
                name = self.object_metadata.get(path, {}).get("name")
                if name is not None:
                    label += f" ('{name}')"
                print(label)
                self._print_tree(value, prefix + ("    " if last else "│   "), path, first=False)
            elif hasattr(value, "shape"):
                print(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")
            else:
                print(f"{prefix}{connector}{key}: {value}")

    def compare(self, reference_model):
        """Compare the file's weights with `reference_model`'s (paths and shapes). Returns
        `{"status": "success" | "error", "error_count": n, "match_count": m}`."""
        print("Running comparison")
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "reference.weights.h5")
            reference_model.save_weights(path)
            with _h5py().File(path, "r") as h5:
                reference, _ = self._read_group(h5)
        errors, matches = 0, 0
        checked = set()

        def walk(target, spec, inner_path, target_name, spec_name):
            nonlocal errors, matches
            for key, value in spec.items():
                path = f"{inner_path}/{key}"
                if path in checked:
                    continue
                if key not in target:
                    errors += 1
                    checked.add(path)
                    kind = "Object" if isinstance(value, dict) else "Weight"
                    print(f"...{kind} {path} present in {spec_name}, missing from {target_name}")
                elif isinstance(value, dict):
                    walk(target[key], value, path, target_name, spec_name)
                elif np.shape(target[key]) != np.shape(value):
                    errors += 1
                    checked.add(path)
                    print(
                        f"...Weight shape mismatch for {path}\n    In {spec_name}: shape={np.shape(value)}\n"
                        f"    In {target_name}: shape={np.shape(target[key])}"
                    )
                elif target_name == "saved file":
                    matches += 1

        walk(self.weights_dict, reference, "", "saved file", "reference model")
        walk(reference, self.weights_dict, "", "reference model", "saved file")
        print("─────────────────────")
        if errors == 0:
            print("Comparison successful: saved file is compatible with the reference model")
            print(f"    Found {matches} matching weight{'' if matches == 1 else 's'}")
        else:
            print(
                f"Found {errors} error{'' if errors == 1 else 's'}: "
                "saved file is not compatible with the reference model"
            )
        return {"status": "success" if errors == 0 else "error", "error_count": errors, "match_count": matches}

    # ------------------------------------------------------------------ editing
    def _edit_object(self, edit, source_name, target_name=None):
        if target_name is not None and "/" in target_name:
            raise ValueError(
                "Argument `target_name` should be a leaf name, not a full path name. "
                f"Received: target_name='{target_name}'"
            )
        if "/" in source_name:
            *parents, leaf = source_name.split("/")
            tree = self.weights_dict
            for element in parents:
                if element not in tree:
                    raise ValueError(f"Path '{source_name}' not found in model.")
                tree = tree[element]
            if leaf not in tree:
                raise ValueError(f"Path '{source_name}' not found in model.")
            edit(tree, source_name=leaf, target_name=target_name)
            return
        holders = []

        def find(tree):
            for value in tree.values():
                if isinstance(value, dict):
                    find(value)
            if source_name in tree:
                holders.append(tree)

        find(self.weights_dict)
        if len(holders) > 1:
            raise ValueError(f"Name '{source_name}' occurs more than once in the model; try passing a complete path")
        if not holders:
            raise ValueError(
                f"Source name '{source_name}' does not appear in the model. Use `editor.summary()` to list all objects."
            )
        edit(holders[0], source_name=source_name, target_name=target_name)

    def rename_object(self, object_name, new_name):
        """Rename an object (e.g. `"dense_2"` or `"layers/dense_2"`) to the leaf name `new_name`."""

        def rename(tree, source_name, target_name):
            tree[target_name] = tree.pop(source_name)

        self._edit_object(rename, object_name, new_name)

    def delete_object(self, object_name):
        """Remove an object (e.g. a layer) and its weights."""
        self._edit_object(lambda tree, source_name, target_name=None: tree.pop(source_name), object_name)

    @staticmethod
    def _check_weights(weights):
        if not isinstance(weights, dict):
            raise ValueError(
                "Argument `weights` should be a dict where keys are weight names (usually '0', '1', etc.) and values "
                f"are NumPy arrays. Received: type(weights)={type(weights)}"
            )

    def add_object(self, object_path, weights):
        """Add an object at `object_path` (e.g. `"layers/dense_2"`) with `weights`
        (`{"0": kernel, "1": bias}`)."""
        self._check_weights(weights)
        *parents, leaf = object_path.split("/")
        tree = self.weights_dict
        for element in parents:
            if element not in tree:
                raise ValueError(f"Path '{'/'.join(parents)}' not found in model.")
            tree = tree[element]
        tree[leaf] = weights

    def delete_weight(self, object_name, weight_name):
        """Remove the weight `weight_name` (e.g. `"0"`) of an object."""

        def delete(tree, source_name, target_name=None):
            if weight_name not in tree[source_name]:
                raise ValueError(
                    f"Weight {weight_name} not found in object {object_name}. "
                    f"Weights found: {list(tree[source_name].keys())}"
                )
            tree[source_name].pop(weight_name)

        self._edit_object(delete, object_name)

    def add_weights(self, object_name, weights):
        """Add weights (`{"2": array}`) to an existing object."""
        self._check_weights(weights)
        self._edit_object(lambda tree, source_name, target_name=None: tree[source_name].update(weights), object_name)

    # ------------------------------------------------------------------ writing
    def save(self, filepath):
        """Write the (edited) weights to a `.weights.h5` file."""
        filepath = str(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(
                f"Invalid `filepath` argument: expected a `.weights.h5` extension. Received: filepath={filepath}"
            )
        with _h5py().File(filepath, "w") as h5:
            self._write(h5, self.weights_dict, "")

    def _write(self, h5, tree, inner_path):
        arrays = {}
        for name, value in tree.items():
            if isinstance(value, dict):
                if value:
                    self._write(h5, value, f"{inner_path}/{name}" if inner_path else name)
            else:
                arrays[name] = value
        if arrays:
            group = h5.require_group(inner_path).create_group("vars") if inner_path else h5.create_group("vars")
            name = self.object_metadata.get("/" + inner_path, {}).get("name")
            if name is not None:
                group.attrs["name"] = name
            for key, value in arrays.items():
                group.create_dataset(key, data=np.asarray(value))

    def resave_weights(self, filepath):
        """Write the weights unchanged (or as edited) to a new `.weights.h5` file."""
        self.save(filepath)
