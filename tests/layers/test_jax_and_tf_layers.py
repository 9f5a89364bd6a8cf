"""JaxLayer, FlaxLayer, TFSMLayer: Keras's signatures, and constructing one raises as real
Keras does under its torch backend, saying what the layer needs and what to use instead."""

import inspect

import pytest

from keraslite import layers

CONSTRUCT = """
import inspect
def call_fn(params, inputs):
    return inputs
result['signatures'] = {
    name: str(inspect.signature(getattr(keras.layers, name).__init__))
    for name in ('JaxLayer', 'FlaxLayer', 'TFSMLayer')
}
errors = {}
for name, make in [
    ('JaxLayer', lambda: keras.layers.JaxLayer(call_fn)),
    ('FlaxLayer', lambda: keras.layers.FlaxLayer(object())),
    ('TFSMLayer', lambda: keras.layers.TFSMLayer('/nonexistent/saved_model')),
]:
    try:
        make()
        errors[name] = None
    except Exception as error:
        errors[name] = [type(error).__name__, str(error)]
result['errors'] = errors
"""


def _call_fn(params, inputs):
    return inputs


OURS = {
    "JaxLayer": lambda: layers.JaxLayer(_call_fn, params={}),
    "FlaxLayer": lambda: layers.FlaxLayer(object(), method="__call__"),
    "TFSMLayer": lambda: layers.TFSMLayer("/nonexistent/saved_model", call_endpoint="serving_default"),
}


def test_signatures_and_errors_match_keras(keras_oracle):
    theirs = keras_oracle.run(CONSTRUCT)
    for name, signature in theirs["signatures"].items():
        assert str(inspect.signature(getattr(layers, name).__init__)) == signature
    for name, make in OURS.items():
        with pytest.raises(Exception) as raised:
            make()
        kind, message = theirs["errors"][name]
        if name == "FlaxLayer" and kind == "ModuleNotFoundError":
            # Keras imports flax before it checks the backend; with flax installed it raises
            # JaxLayer's ValueError. keraslite says so without needing flax.
            kind = "ValueError"
        assert type(raised.value).__name__ == kind, name
        # Keras's sentence first, then what the layer needs and what to use instead.
        keras_sentence = message.split(". ")[0] if name != "FlaxLayer" else "is only supported with the JAX"
        assert keras_sentence.replace("JaxLayer", name) in str(raised.value), name


@pytest.mark.parametrize(
    "name, needs",
    [("JaxLayer", "need JAX"), ("FlaxLayer", "needs JAX and Flax"), ("TFSMLayer", "needs TensorFlow")],
)
def test_the_error_says_what_the_layer_needs_and_what_to_use(name, needs):
    with pytest.raises((ValueError, NotImplementedError)) as raised:
        OURS[name]()
    assert needs in str(raised.value) and "TorchModuleWrapper" in str(raised.value)
