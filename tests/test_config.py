"""`keras.config`: every public name Keras 3 has, with its signature, and the switches that
have a meaning on PyTorch."""

import inspect

import pytest

import keraslite as keras
from keraslite import config

# Names keraslite adds to `keras.config` (the default device of its one backend).
KERASLITE_ONLY = {"get_device", "set_device", "dialect", "set_dialect"}


def describe(function) -> list:
    """(name, kind, default) of each parameter, comparable across processes."""
    return [
        [p.name, p.kind.name, None if p.default is inspect.Parameter.empty else repr(p.default)]
        for p in inspect.signature(function).parameters.values()
    ]


def test_config_has_every_keras_name_with_its_signature(keras_oracle):
    expected = keras_oracle.run(
        "import inspect\n"
        "result['signatures'] = {\n"
        "    name: [[p.name, p.kind.name, None if p.default is inspect.Parameter.empty else repr(p.default)]\n"
        "           for p in inspect.signature(getattr(keras.config, name)).parameters.values()]\n"
        "    for name in dir(keras.config) if not name.startswith('_')}\n"
    )["signatures"]
    assert len(expected) >= 25
    ours = {name for name in dir(config) if not name.startswith("_")}
    assert sorted(set(expected) - ours) == []
    assert sorted(ours - set(expected) - KERASLITE_ONLY) == []
    for name, parameters in expected.items():
        assert describe(getattr(config, name)) == parameters, name


def test_traceback_filtering_switch():
    assert config.is_traceback_filtering_enabled() is True
    config.disable_traceback_filtering()
    try:
        assert config.is_traceback_filtering_enabled() is False
    finally:
        config.enable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is True


def test_flash_attention_switch_is_none_when_enabled_as_in_keras():
    # `enable` restores the automatic choice: Keras reports it as None, not True.
    assert config.is_flash_attention_enabled() is None
    config.disable_flash_attention()
    try:
        assert config.is_flash_attention_enabled() is False
    finally:
        config.enable_flash_attention()
    assert config.is_flash_attention_enabled() is None


def test_interactive_logging_switch_is_shared_with_utils():
    assert config.is_interactive_logging_enabled() is True
    keras.utils.disable_interactive_logging()
    try:
        assert config.is_interactive_logging_enabled() is False
        assert keras.utils.is_interactive_logging_enabled() is False
    finally:
        config.enable_interactive_logging()
    assert keras.utils.is_interactive_logging_enabled() is True


def test_max_epochs_and_steps_getters_follow_setters():
    assert config.max_epochs() is None and config.max_steps_per_epoch() is None
    config.set_max_epochs(3)
    config.set_max_steps_per_epoch(5)
    try:
        assert config.max_epochs() == 3 and config.max_steps_per_epoch() == 5
    finally:
        config.set_max_epochs(None)
        config.set_max_steps_per_epoch(None)
    assert config.max_epochs() is None and config.max_steps_per_epoch() is None


def test_nnx_is_jax_only():
    assert config.is_nnx_enabled() is False


def test_set_backend_accepts_torch_and_refuses_the_others():
    config.set_backend("torch")
    assert config.backend() == "torch"
    with pytest.raises(ValueError, match="PyTorch only.*Received: backend='jax'"):
        config.set_backend("jax")
    with pytest.raises(ValueError, match="Available backends.*Received: backend='theano'"):
        config.set_backend("theano")


def test_dtype_policy_is_the_global_policy():
    assert config.dtype_policy().name == "float32"
    config.set_dtype_policy("mixed_bfloat16")
    try:
        assert config.dtype_policy().name == "mixed_bfloat16"
        assert keras.mixed_precision.global_policy() is config.dtype_policy()
        assert keras.layers.Dense(2).dtype_policy.name == "mixed_bfloat16"
    finally:
        config.set_dtype_policy(keras.DTypePolicy("float32"))
    assert config.dtype_policy().name == "float32"


def test_set_dtype_policy_names_the_wrong_argument():
    with pytest.raises(ValueError, match=r"Invalid `policy` argument.*Received: policy=3 \(of type <class 'int'>\)"):
        config.set_dtype_policy(3)
    assert config.dtype_policy().name == "float32"
