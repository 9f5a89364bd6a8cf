"""Import aliases: `keras`, `tensorflow`, `tensorflow.keras` and `tf_keras` -> keraslite.

A meta-path finder placed first on `sys.meta_path` answers imports of those names
with the keraslite module objects themselves (`import keras` gives `keraslite`,
`from tensorflow.keras import layers` gives `keraslite.layers`, `import tensorflow`
gives the TensorFlow shim). Nothing is installed on disk under those names: the
aliases exist in the process that installed them, and only while they are installed.

The finder also tells keraslite which era the code was written for (`keras.config.dialect()`,
docs/ARCHITECTURE.md decision 10): reaching Keras through `tensorflow` or `tf_keras` means
tf.keras 2 ("tf2"), `import keras` means Keras 3 ("keras3"). `import keras` wins whatever the
order, since Keras 3 tutorials often import TensorFlow too, for `tf.data`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

from keraslite.backend import state
from keraslite.graph import call_context

# Alias prefix -> real module prefix. Longest prefixes are matched first, so
# `tensorflow.keras.layers` goes to keraslite.layers, not to the shim.
ALIASES = {
    "tensorflow.keras.layers.experimental.preprocessing": "keraslite.layers.preprocessing",
    "keras.layers.experimental.preprocessing": "keraslite.layers.preprocessing",
    "tensorflow.keras.layers.experimental": "keraslite.compat.layers_experimental",
    "keras.layers.experimental": "keraslite.compat.layers_experimental",
    "tensorflow.keras.backend": "keraslite.backend_api",
    "tf_keras.backend": "keraslite.backend_api",
    "keras.backend": "keraslite.backend_api",
    "tensorflow.keras": "keraslite",
    "tensorflow": "keraslite.compat.tensorflow",
    "tf_keras": "keraslite",
    "keras": "keraslite",
}
_ROOTS = ("keras", "tensorflow", "tf_keras")


def resolve(fullname: str) -> str | None:
    """The keraslite module name an aliased import stands for, or None."""
    for alias in sorted(ALIASES, key=len, reverse=True):
        if fullname == alias or fullname.startswith(alias + "."):
            return ALIASES[alias] + fullname[len(alias) :]
    return None


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system an already-imported keraslite module."""

    def __init__(self, target: str, on_import=None):
        self.target = target
        self._original_spec = None
        # Called when the import really happens (not when something merely probes with
        # `importlib.util.find_spec("tensorflow")`): notes the dialect a root import implies.
        self._on_import = on_import

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self._original_spec = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        # The import system stamped the alias spec on the module; give it its own back
        # so that keraslite keeps reporting its real name and location.
        if self._original_spec is not None:
            module.__spec__ = self._original_spec
        if self._on_import is not None:
            self._on_import()
        # The TensorFlow shim re-applies its process-wide settings (how shapes print) each
        # time it is imported under the name `tensorflow`, even if it was imported before.
        on_alias_import = getattr(module, "_on_alias_import", None)
        if on_alias_import is not None:
            on_alias_import()


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds `keras*`, `tensorflow*` and `tf_keras*` as keraslite modules, and notes the
    dialect the first import of each root implies."""

    def __init__(self):
        self.saw_keras = False

    def _note_dialect(self, root: str) -> None:
        if root == "keras":
            self.saw_keras = True
            state.set_import_dialect("keras3")
        elif not self.saw_keras:
            state.set_import_dialect("tf2")

    def find_spec(self, fullname, path=None, target=None):
        root = fullname.partition(".")[0]
        if root not in _ROOTS:
            return None
        real = resolve(fullname)
        if real is None:
            return None
        try:
            found = importlib.util.find_spec(real)
        except ModuleNotFoundError:
            found = None
        if found is None:
            if real.startswith("keraslite.compat.tensorflow."):
                # `tensorflow.python...`, `tensorflow.compat.v1`...: parts the shim leaves out.
                raise ModuleNotFoundError(
                    f"No module named '{fullname}': keraslite's TensorFlow shim has no "
                    f"`{fullname}`. Use the `keras` API (keras.ops for tensor functions) instead.",
                    name=fullname,
                )
            raise ModuleNotFoundError(
                f"No module named '{fullname}' (under keraslite it would be `{real}`, which does not exist).",
                name=fullname,
            )
        is_package = found.submodule_search_locations is not None
        on_import = (lambda: self._note_dialect(root)) if fullname == root else None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(real, on_import), is_package=is_package)


_finder: AliasFinder | None = None
_shadowed: dict = {}
_dialect_before: str | None = None


def _alias_names_in(modules) -> list[str]:
    return [name for name in list(modules) if name.partition(".")[0] in _ROOTS]


def install_aliases() -> None:
    """Make `keras`, `tensorflow`, `tensorflow.keras` and `tf_keras` import keraslite.

    For notebooks and test suites; `keraslite run` calls it for scripts. Modules of a
    real Keras/TensorFlow already imported under those names are set aside (and put
    back by `uninstall_aliases()`).
    """
    global _finder, _dialect_before
    if _finder is not None:
        return
    _dialect_before = state.import_dialect()
    for name in _alias_names_in(sys.modules):
        module = sys.modules[name]
        real = resolve(name)
        if real is not None and sys.modules.get(real) is module:
            continue
        _shadowed[name] = sys.modules.pop(name)
    _finder = AliasFinder()
    sys.meta_path.insert(0, _finder)


def uninstall_aliases() -> None:
    """Remove the aliases (and the alias entries of `sys.modules`), restoring what
    `install_aliases()` set aside and the dialect from before."""
    global _finder
    if _finder is None:
        return
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name in _alias_names_in(sys.modules):
        del sys.modules[name]
    sys.modules.update(_shadowed)
    _shadowed.clear()
    # Settings the shim made on its import as `tensorflow` end with the aliases.
    call_context.set_outermost_output_wrapper(None)
    if _dialect_before is not None:
        state.set_import_dialect(_dialect_before)


def aliases_installed() -> bool:
    """Whether `install_aliases()` is in effect."""
    return _finder is not None
