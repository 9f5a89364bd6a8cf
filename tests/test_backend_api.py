"""`keras.backend` is the face `keraslite.backend_api`: every way of reaching it gives the same
module, and package code still reaches the internal `keraslite.backend` submodules."""

import importlib
import sys

import keraslite
from keraslite import backend_api
from keraslite.compat import install_aliases, uninstall_aliases


def test_keraslite_backend_attribute_is_the_face_with_settings_and_tf_keras_2_functions():
    assert keraslite.backend is backend_api
    assert keraslite.backend.epsilon() == 1e-7 and keraslite.backend.floatx() == "float32"
    assert callable(keraslite.backend.mean) and callable(keraslite.backend.variable)


def test_internal_submodules_still_import_and_resolve_by_attribute():
    from keraslite.backend import state
    from keraslite.backend.variable import Variable

    assert sys.modules["keraslite.backend"] is not backend_api
    assert keraslite.backend.state is state is importlib.import_module("keraslite.backend.state")
    import keraslite.backend.dtypes as dtypes_module

    assert dtypes_module.standardize_dtype("float") == "float32"
    assert keraslite.backend.Variable is Variable


def test_missing_name_is_an_attribute_error_naming_keras_backend():
    try:
        keraslite.backend.no_such_function
    except AttributeError as error:
        assert "keras.backend" in str(error) and "no_such_function" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_every_alias_spelling_gives_the_face():
    install_aliases()
    try:
        import keras.backend as keras_backend
        import tensorflow as tf
        import tf_keras.backend as tf_keras_backend
        from tensorflow.keras import backend as from_tf_keras

        assert from_tf_keras is keras_backend is tf_keras_backend is tf.keras.backend is backend_api
        assert tf.keras.backend.mean is backend_api.mean
        from keras.backend import epsilon

        assert epsilon() == 1e-7
    finally:
        uninstall_aliases()


def test_face_has_keras_3_backend_names(keras_oracle):
    names = keras_oracle.run("result['n'] = [n for n in dir(keras.backend) if not n.startswith('_')]")["n"]
    assert sorted(set(names) - set(dir(backend_api))) == []
