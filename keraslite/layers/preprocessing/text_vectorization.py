"""TextVectorization: raw strings -> token indices or bag-of-token vectors."""

from __future__ import annotations

import numpy as np
import torch

from keraslite.backend import state
from keraslite.graph.keras_tensor import KerasTensor
from keraslite.layers.base_layer import Layer
from keraslite.layers.preprocessing import strings as text
from keraslite.layers.preprocessing.lookup import StringLookup

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


class TextVectorization(Layer):
    """Turns strings into sequences of token indices (or multi-hot / count / tf-idf
    vectors): standardize, split, optional n-grams, then a `StringLookup` whose mask
    token is "" (index 0 pads) and OOV token "[UNK]" (index 1).

    torch has no string tensors: call the layer on a str, a list of str, a NumPy array
    of str of shape `(batch,)` or `(batch, 1)`; it returns a torch tensor (int64 indices
    for "int", float32 otherwise). Use it on data before the model (or in a
    `Dataset`/generator), since a functional graph carries only tensors.

    Args:
        max_tokens: the vocabulary size limit (mask and OOV included).
        standardize: "lower_and_strip_punctuation" (default), "lower",
            "strip_punctuation", None, or a callable on a NumPy str array.
        split: "whitespace" (default), "character", None, or a callable str -> tokens.
        ngrams: None, an int n (1..n-grams) or a tuple of widths.
        output_mode: "int" (default), "multi_hot", "count" or "tf_idf" ("one_hot" too).
        output_sequence_length: "int" mode: pad/truncate to this length (else pad to
            the longest sequence of the batch).
        pad_to_max_tokens: encode to `max_tokens` columns.
        vocabulary: a list of tokens or a file path; else call `adapt`.
        idf_weights: with a vocabulary in "tf_idf" mode.
        sparse, ragged: must be False (torch backend).
        encoding: of bytes inputs.
    """

    def __init__(
        self,
        max_tokens=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary=None,
        idf_weights=None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        name=None,
        **kwargs,
    ):
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if ragged:
            raise ValueError("`ragged=True` can only be used with the TensorFlow backend.")
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(
                f"The `standardize` argument value of the TextVectorization layer must be one of {_STANDARDIZE}, "
                f"None or a callable. Received: standardize={standardize}"
            )
        if not (split is None or callable(split) or split in _SPLIT):
            raise ValueError(
                f"The `split` argument value of the TextVectorization layer must be one of {_SPLIT}, None or a "
                f"callable. Received: split={split}"
            )
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        modes = ("int", "one_hot", "multi_hot", "count", "tf_idf")
        if output_mode not in modes:
            raise ValueError(
                f"The `output_mode` argument value of the TextVectorization layer must be one of {modes}. Received: "
                f"output_mode={output_mode}"
            )
        if not (
            ngrams is None
            or isinstance(ngrams, int)
            or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))
        ):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None or isinstance(output_sequence_length, int)):
            raise ValueError(
                "`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. Received: "
                f"output_sequence_length={output_sequence_length}"
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                f"output_sequence_length={output_sequence_length}."
            )
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._ragged = ragged
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            has_input_vocabulary=has_input_vocabulary,
            encoding=encoding,
            vocabulary_size=vocabulary_size,
            name=f"{self.name}_lookup",
        )
        self.built = True

    # ------------------------------------------------------------ vocabulary
    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Learn the vocabulary from strings: a list / NumPy array of str, or an
        iterable of such batches."""
        self.reset_state()
        if isinstance(data, (str, list, tuple, np.ndarray)):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    def save_own_variables(self, store) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)

    # ------------------------------------------------------------ preprocessing
    def _standardize_array(self, array: np.ndarray) -> np.ndarray:
        if self._standardize is None:
            return array
        if callable(self._standardize):
            return text.as_numpy_strings(self._standardize(array), self._encoding)
        flat = array.reshape(-1).tolist()
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            flat = [text.lower_ascii(s) for s in flat]
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            flat = [text.strip_punctuation(s) for s in flat]
        return np.asarray(flat, dtype=str).reshape(array.shape) if flat else array

    def _preprocess(self, inputs):
        """Strings -> a list of token lists (one per row), or, with `split=None`, the
        standardized string array itself."""
        if isinstance(inputs, torch.Tensor):
            raise TypeError(
                f"TextVectorization layer {self.name} takes strings (a list or NumPy array of str); torch tensors "
                "cannot hold strings."
            )
        array = self._standardize_array(text.as_numpy_strings(inputs, self._encoding))
        if self._split is None:
            if self._ngrams is not None:
                return [text.ngrams([s], self._ngrams) for s in array.reshape(-1).tolist()]
            return array
        if array.ndim > 1:
            if array.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, the input rank must be 1 or the last shape "
                    f"dimension must be 1. Received: inputs.shape={array.shape} with rank={array.ndim}"
                )
            array = array[..., 0]
        if self._split == "whitespace":
            splitter = text.split_whitespace
        elif self._split == "character":
            splitter = text.split_characters
        else:
            splitter = lambda s: [str(t) for t in self._split(s)]  # noqa: E731
        rows = [splitter(s) for s in array.reshape(-1).tolist()]
        if self._ngrams is not None:
            rows = [text.ngrams(row, self._ngrams) for row in rows]
        return rows

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, KerasTensor):
            return super().__call__(inputs, *args, **kwargs)
        # Real strings are no tensors: compute directly (no build, no dtype conversion).
        return self.call(inputs)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(
            self.compute_output_shape(inputs.shape), "int64" if self._output_mode == "int" else "float32"
        )

    def call(self, inputs):
        scalar = isinstance(inputs, (str, bytes))
        tokens = self._preprocess([inputs] if scalar else inputs)
        lookup = self._lookup_layer
        if isinstance(tokens, np.ndarray):
            out = lookup.call(tokens)
            return out[0] if scalar else out
        lengths = [len(row) for row in tokens]
        flat = [t for row in tokens for t in row]
        flat_indices = lookup._lookup_list(flat)
        if self._output_mode == "int":
            width = (
                self._output_sequence_length if self._output_sequence_length is not None else max(lengths, default=0)
            )
            padded = np.zeros((len(tokens), width), dtype="int64")
        else:
            # Ragged rows for the encoder: pad with -1, which encodes to nothing.
            padded = np.full((len(tokens), max(lengths, default=0)), -1, dtype="int64")
        position = 0
        for row, length in enumerate(lengths):
            keep = min(length, padded.shape[1])
            padded[row, :keep] = flat_indices[position : position + keep]
            position += length
        indices = torch.from_numpy(padded).to(state.get_device())
        if self._output_mode == "int":
            lookup._called = True
            out = indices
        else:
            out = lookup._encode(indices)
        return out[0] if scalar else out

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        lookup = self._lookup_layer
        depth = lookup.max_tokens if lookup.pad_to_max_tokens else lookup._frozen_vocab_size
        # One row of tokens per string (a trailing axis of 1 is the string itself).
        if self._output_mode == "one_hot" and self._split is not None:
            return (input_shape[0], None, depth)
        return (input_shape[0], depth)

    def get_config(self) -> dict:
        config = super().get_config()
        lookup = self._lookup_layer
        config.update(
            {
                "max_tokens": lookup.max_tokens,
                "standardize": self._standardize,
                "split": self._split,
                "ngrams": self._ngrams_arg,
                "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens,
                "sparse": lookup.sparse,
                "ragged": self._ragged,
                "vocabulary": _listify(lookup.input_vocabulary),
                "idf_weights": _listify(lookup.input_idf_weights),
                "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size(),
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)


def _listify(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value
