"""`IndexLookup`: the vocabulary machinery behind StringLookup, IntegerLookup and
TextVectorization (Keras 3's semantics: mask index, OOV indices, adapt by frequency,
invert, int / one_hot / multi_hot / count / tf_idf outputs)."""

from __future__ import annotations

import collections
import os

import numpy as np
import torch

from keraslite.layers.base_layer import Layer
from keraslite.layers.preprocessing import hash_functions
from keraslite.layers.preprocessing.categorical import category_output_shape, encode_categorical

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(Layer):
    """Maps tokens to indices through a vocabulary. Subclasses choose the token kind.

    Index layout (output_mode "int"): `[mask (if mask_token)] [OOV * num_oov_indices]
    [vocabulary...]`; in the other modes the mask takes no index.
    """

    _is_string = True

    def __init__(
        self,
        max_tokens,
        num_oov_indices,
        mask_token,
        oov_token,
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        oov_method="floormod",
        salt=None,
        name=None,
        **kwargs,
    ):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(
                f"`num_oov_indices` must be greater than or equal to 0. Received: num_oov_indices={num_oov_indices}"
            )
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(
                f"The `oov_method` argument of {type(self).__name__} must be one of 'floormod', 'farmhash'. "
                f"Received: oov_method={oov_method}"
            )
        if salt is not None:
            if not self._is_string and oov_method != "farmhash":
                raise ValueError(
                    f"`salt` can only be used when `oov_method='farmhash'`. Received: oov_method={oov_method}"
                )
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError(
                    "The `salt` argument for `IndexLookup` can only be a tuple of 2 integers, or a single integer. "
                    f"Received: salt={salt}."
                )
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(
                f"The `output_mode` argument value of the {type(self).__name__} layer must be one of "
                f"{_OUTPUT_MODES}. Received: output_mode={output_mode}"
            )
        if invert and output_mode != "int":
            raise ValueError(
                f"`output_mode` must be `'int'` when `invert` is true. Received: output_mode={output_mode}"
            )
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
                f"Received: idf_weights={idf_weights} and output_mode={output_mode}"
            )
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(name=name, **kwargs)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._tokens: list = []
        self._index: dict = {}
        self._device_table = None
        self.idf_weights = None
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0
        if self.output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError(
                "When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` argument must "
                "also be provided."
            )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # ------------------------------------------------------------ vocabulary
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The size of the vocabulary, mask and OOV indices included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int" and vocab:
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index() :]

    def _as_tokens(self, values) -> list:
        raise NotImplementedError

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (a list / 1D array, or a text file path, one token per line)
        and, for tf_idf, the matching IDF weights."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                f"output_mode={self.output_mode} and idf_weights={idf_weights}"
            )
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as handle:
                vocabulary = handle.read().splitlines()
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        vocabulary = self._as_tokens(vocabulary)
        if len(vocabulary) == 0:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please uniquify your dataset. The repeated "
                f"terms are: {repeated}"
            )
        for what, token in (("mask_token", self.mask_token), ("oov_token", self.oov_token if self.invert else None)):
            if token is not None and token in tokens:
                raise ValueError(
                    "Found reserved "
                    + ("mask" if what == "mask_token" else "OOV")
                    + " token at unexpected location in `vocabulary`. "
                    "Note that passed `vocabulary` does not need to include the OOV and mask tokens. Either remove "
                    "all mask and "
                    "OOV tokens, or include them only at the start of the vocabulary in precisely this order: "
                    f"{special}. "
                    f"Received: {what}={token} at vocabulary index "
                    f"{len(vocabulary) - 1 - vocabulary[::-1].index(token)}"
                )
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size "
                f"is {token_start + len(tokens)}; `max_tokens` is {self.max_tokens}."
            )
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            weights = np.asarray(idf_weights, dtype="float64")
            if len(weights) != len(vocabulary):
                raise ValueError(
                    f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is {len(weights)}; "
                    f"len(vocabulary) is {len(vocabulary)}"
                )
            if weights.ndim != 1:
                raise ValueError(
                    f"TF-IDF data must be a 1-index array. Received: type(idf_weights)={type(idf_weights)}"
                )
            front = 0 if found_special else token_start
            front_value = 0.0 if found_special else float(np.average(weights))
            back = (
                self.max_tokens - front - len(weights) if self.pad_to_max_tokens and self.max_tokens is not None else 0
            )
            weights = np.pad(weights, (front, back), "constant", constant_values=(front_value, 0))
            self.idf_weights = torch.as_tensor(weights, dtype=torch.float32)

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {token: start + i for i, token in enumerate(self._tokens)}
        self._device_table = None
        self._record_vocabulary_size()

    def _record_vocabulary_size(self) -> None:
        if self.output_mode == "int" or self.pad_to_max_tokens:
            self._frozen_vocab_size = self.vocabulary_size()
            return
        if self._frozen_vocab_size is not None and self.vocabulary_size() != self._frozen_vocab_size and self._called:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the vocabulary size "
                "cannot be "
                f"changed after the layer is called. Old vocab size is {self._frozen_vocab_size}, new vocab size is "
                f"{self.vocabulary_size()}"
            )
        self._frozen_vocab_size = self.vocabulary_size()

    _called = False

    # ------------------------------------------------------------ adapt
    def adapt(self, data, steps: int | None = None) -> None:
        """Build the vocabulary from `data` (a list, NumPy array or tensor of tokens, or an
        iterable of such batches): tokens by decreasing count, ties by decreasing token."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, torch.Tensor)):
            batch = self._as_token_array(data)
            self.update_state(batch.reshape(-1, 1) if batch.ndim == 1 else batch)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def _as_token_array(self, data) -> np.ndarray:
        raise NotImplementedError

    def update_state(self, data) -> None:
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` argument or "
                "`set_vocabulary()` method."
            )
        if not isinstance(data, list) or (data and not isinstance(data[0], list)):
            array = self._as_token_array(data)
            rows = [array.reshape(-1).tolist()] if array.ndim <= 1 else [row.reshape(-1).tolist() for row in array]
        else:
            rows = data  # already a list of token lists (TextVectorization)
        for row in rows:
            self._token_counts.update(row)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(row))
        self._num_documents += len(rows)

    def finalize_state(self) -> None:
        if self._has_input_vocabulary or not self._token_counts:
            self._record_vocabulary_size()
            return
        counts = dict(self._token_counts)
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[: self.max_tokens - self._token_start_index()]
        tokens = [token for token, _ in ranked]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            document_counts = np.asarray([self._document_counts[t] for t in tokens], dtype="float64")
            idf = np.log(1 + self._num_documents / (1 + document_counts)).astype("float32")
            idf = np.pad(idf, (self._token_start_index(), 0), constant_values=float(np.mean(idf)) if idf.size else 0.0)
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = torch.as_tensor(idf, dtype=torch.float32)
        self.reset_state()

    def reset_state(self) -> None:
        if self._has_input_vocabulary:
            return
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------ lookup
    def _oov_bucket(self, token) -> int:
        if not self._is_string and self.oov_method != "farmhash":
            return int(token) % self.num_oov_indices
        data = str(token).encode("utf-8")
        value = (
            hash_functions.siphash24(tuple(self.salt), data)
            if self.salt is not None
            else hash_functions.fingerprint64(data)
        )
        return value % self.num_oov_indices

    def _lookup_list(self, flat: list) -> np.ndarray:
        """Token list -> int64 indices (Python dict; strings and host-side integers)."""
        default = self._oov_start_index() if self.num_oov_indices == 1 else -1
        out = np.fromiter((self._index.get(t, default) for t in flat), dtype="int64", count=len(flat))
        if self.mask_token is not None:
            mask_value = 0 if self.output_mode == "int" else -1
            masked = np.fromiter((t == self.mask_token for t in flat), dtype=bool, count=len(flat))
            out[masked] = mask_value
        else:
            masked = np.zeros(len(flat), dtype=bool)
        missing = np.nonzero((out == -1) & ~masked)[0] if self.num_oov_indices != 1 else ()
        if len(missing):
            if self.num_oov_indices == 0:
                raise ValueError(
                    "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                    f"{[flat[i] for i in missing]}, consider setting `num_oov_indices=1`."
                )
            start = self._oov_start_index()
            for i in missing:
                out[i] = start + self._oov_bucket(flat[i])
        return out

    def _invert_list(self, flat: list) -> list:
        start = self._token_start_index()
        out = []
        for index in flat:
            if self.mask_token is not None and index == 0:
                out.append(self.mask_token)
            elif start <= index < start + len(self._tokens):
                out.append(self._tokens[index - start])
            else:
                out.append(self.oov_token)
        return out

    def _encode(self, indices: torch.Tensor) -> torch.Tensor:
        """int64 indices -> the output of `output_mode` (float32 outside "int")."""
        self._called = True
        if self.output_mode == "int":
            return indices
        if self._frozen_vocab_size is None and not self.pad_to_max_tokens:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must set the layer's "
                "vocabulary before calling it. Either pass a `vocabulary` argument to the layer, or call `adapt` "
                "with some sample data."
            )
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        encoded = encode_categorical(indices, mode, depth, torch.float32)
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be provided.")
            encoded = encoded * self.idf_weights.to(encoded.device)
        return encoded

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return category_output_shape(input_shape, self.output_mode, depth)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "invert": self.invert,
                "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices,
                "oov_token": self.oov_token,
                "mask_token": self.mask_token,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
                "pad_to_max_tokens": self.pad_to_max_tokens,
                "idf_weights": _listify(self.input_idf_weights),
                "vocabulary": _listify(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size,
                "oov_method": self.oov_method,
                "salt": self.salt,
            }
        )
        return config

    # Keras's saving hooks: an adapted vocabulary travels as an asset file, idf weights as a variable.
    def save_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = self.idf_weights.numpy()

    def load_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = torch.as_tensor(np.asarray(store["idf_weights"]), dtype=torch.float32)

    def save_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(str(token) for token in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self._is_string else [int(line) for line in lines]
        idf = self.idf_weights.numpy() if self.output_mode == "tf_idf" and self.idf_weights is not None else None
        has_input = self._has_input_vocabulary
        self._has_input_vocabulary = False
        self.set_vocabulary(values, idf_weights=idf)
        self._has_input_vocabulary = has_input

    def get_build_config(self):
        return {}

    def build_from_config(self, config) -> None:
        self.built = True


def _listify(value):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value
