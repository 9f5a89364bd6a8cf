import copy

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.backend.variable import Variable


def test_variable_is_a_parameter_with_keras_api():
    layer = layers.Dense(3, name="d")
    layer.build((None, 2))
    kernel = layer.kernel
    assert isinstance(kernel, torch.nn.Parameter)
    assert kernel.name == "kernel" and kernel.path == "d/kernel"
    assert kernel.numpy().shape == (2, 3)
    kernel.assign(np.ones((2, 3)))
    assert np.all(layer.get_weights()[0] == 1)
    with pytest.raises(ValueError, match=r"variable.shape=\(2, 3\).*value.shape=\(3, 2\)"):
        kernel.assign(np.ones((3, 2)))


def test_trainable_flag_is_requires_grad():
    v = Variable(torch.zeros(2), trainable=True, name="v")
    v.trainable = False
    assert not v.requires_grad


def test_deepcopy_keeps_metadata():
    v = Variable(torch.ones(2), name="w", path="layer/w")
    w = copy.deepcopy(v)
    assert isinstance(w, Variable) and w.path == "layer/w" and torch.equal(w, v) and w is not v


def test_assign_add_sub():
    v = Variable(torch.zeros(2), name="v")
    v.assign_add(np.array([1.0, 2.0]))
    v.assign_sub(1.0)
    np.testing.assert_array_equal(v.numpy(), [0.0, 1.0])


# ---------------------------------------------------------------------- Keras 3's constructor
# Each form as Keras 3 documents it: `Variable(initializer, shape=None, dtype=None, trainable=True,
# autocast=True, aggregation="none", synchronization="auto", name=None)`.
_CONSTRUCTIONS = {
    "array_keeps_float64": "keras.Variable(np.arange(6.0).reshape(2, 3))",
    "array_by_keyword": "keras.Variable(initializer=np.ones((2, 2), 'float32'), trainable=False)",
    "python_float": "keras.Variable(3.5)",
    "list_of_floats": "keras.Variable([1.0, 2.0])",
    "python_int": "keras.Variable(7, trainable=False)",
    "cast_to_float16": "keras.Variable(np.ones(3), dtype='float16')",
    "cast_to_int32": "keras.Variable(np.array([1.5, 2.5]), dtype='int32', trainable=False)",
    "initializer_object": "keras.Variable(keras.initializers.Constant(2.0), shape=(2, 2), dtype='float32', name='c')",
    "initializer_name": "keras.Variable('ones', shape=(3,), name='o')",
    "initializer_callable": "keras.Variable(lambda shape, dtype: np.full(shape, 4.0), shape=(2,))",
    "all_positional": "keras.Variable(np.ones(2), (2,), 'float32', False, True, 'mean', 'on_read', 'pos')",
}

_DESCRIBE = """
for key, code in constructions.items():
    variable = eval(code)
    result[key + '/value'] = np.asarray(variable.numpy())
    result[key + '/meta'] = [
        dtype_name(variable.dtype), [int(d) for d in variable.shape], bool(variable.trainable),
        variable.name, variable.path, variable.aggregation, variable.synchronization,
    ]
"""


def test_constructor_forms_match_keras(keras_oracle):
    expected = keras_oracle.run(
        f"constructions = {_CONSTRUCTIONS!r}\ndtype_name = keras.backend.standardize_dtype\n" + _DESCRIBE
    )
    namespace = {
        "keras": keras,
        "np": np,
        "constructions": _CONSTRUCTIONS,
        "dtype_name": keras.backend.standardize_dtype,
        "result": {},
    }
    exec(_DESCRIBE, namespace)
    received = namespace["result"]
    for key in _CONSTRUCTIONS:
        assert received[key + "/meta"] == expected[key + "/meta"], key
        np.testing.assert_array_equal(received[key + "/value"], expected[key + "/value"], err_msg=key)
        assert received[key + "/value"].dtype == expected[key + "/value"].dtype, key


def test_made_directly_it_is_still_a_parameter_and_assignable():
    array = np.ones((2, 2), "float32")
    variable = keras.Variable(array, name="w")
    assert isinstance(variable, torch.nn.Parameter) and variable.requires_grad
    variable.assign(np.full((2, 2), 3.0))
    np.testing.assert_array_equal(array, 1.0)  # the array it came from is not written through
    np.testing.assert_array_equal(variable.numpy(), 3.0)
    assert variable.ndim == 2 and variable.autocast
    # Only floating variables can require grad in torch: others are made non-trainable.
    assert not keras.Variable(0, dtype="int32").trainable


def test_auto_names_and_name_scope_paths():
    assert [keras.Variable(0.0).name for _ in range(3)] == ["variable", "variable_1", "variable_2"]
    with keras.name_scope("encoder"):
        scoped = keras.Variable(1.0, name="scale")
    assert (scoped.name, scoped.path) == ("scale", "encoder/scale")


def test_a_layer_holds_a_variable_made_directly():
    class Scaled(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.scale = keras.Variable(2.0, name="scale")
            self.count = keras.Variable(0, dtype="int32", trainable=False, name="count")

        def call(self, inputs):
            return inputs * self.scale

    layer = Scaled()
    np.testing.assert_allclose(layer(np.ones((1, 2), "float32")).detach().numpy(), 2.0)
    assert [w.name for w in layer.trainable_weights] == ["scale"]
    assert [w.name for w in layer.non_trainable_weights] == ["count"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"initializer": "zeros"}, r"`shape` argument should be specified\. Received: .*shape=None"),
        ({"initializer": "ones", "shape": (None, 2)}, r"fully-defined.*Received: shape=\(None, 2\)"),
        ({"initializer": 1.0, "name": "a/b"}, r"cannot contain character `/`\. Received: name=a/b"),
        ({"initializer": 1.0, "aggregation": "max"}, r"`aggregation`.*Received: aggregation=max"),
        ({"initializer": 1.0, "synchronization": "never"}, r"`synchronization`.*Received: synchronization=never"),
    ],
)
def test_constructor_errors_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        keras.Variable(**kwargs)


def test_numpy_takes_torch_force_keyword():
    """torch's own code (torch.onnx.export) reads parameters with `numpy(force=True)`."""
    from keraslite.backend.variable import Variable

    variable = Variable(np.arange(3, dtype="float32"))
    variable.requires_grad_(True)
    for kwargs in ({}, {"force": True}, {"force": False}):
        result = variable.numpy(**kwargs)
        assert isinstance(result, np.ndarray) and result.tolist() == [0.0, 1.0, 2.0]


def test_overwrite_with_gradient_property_and_optimizer_rule(keras_oracle):
    expected = keras_oracle.run(
        "layer = keras.layers.Layer()\n"
        "scale = layer.add_weight(shape=(2,), initializer='ones', overwrite_with_gradient=True, name='scale')\n"
        "w = keras.Variable(np.ones((2,), 'float32'), name='w')\n"
        "opt = keras.optimizers.SGD(0.5)\n"
        "opt.apply([keras.ops.convert_to_tensor(inputs['g']), keras.ops.convert_to_tensor(inputs['g'])], [scale, w])\n"
        "result.update(flag=scale.overwrite_with_gradient, default=w.overwrite_with_gradient,\n"
        "              scale=scale.numpy(), w=w.numpy())\n",
        g=np.array([3.0, -1.0], "float32"),
    )
    layer = keras.layers.Layer()
    scale = layer.add_weight(shape=(2,), initializer="ones", overwrite_with_gradient=True, name="scale")
    w = keras.Variable(np.ones((2,), "float32"), name="w")
    assert scale.overwrite_with_gradient == expected["flag"] and w.overwrite_with_gradient == expected["default"]
    opt = keras.optimizers.SGD(0.5)
    g = torch.tensor([3.0, -1.0])
    opt.apply([g, g], [scale, w])
    np.testing.assert_allclose(scale.numpy(), expected["scale"])
    np.testing.assert_allclose(w.numpy(), expected["w"])
    with pytest.raises(TypeError, match="must be a boolean"):
        w.overwrite_with_gradient = 1


def test_variables_made_under_inference_mode_can_train():
    """A model first called inside `torch.inference_mode()` makes its weights there; they are
    normal tensors, so a later `fit` can compute gradients of them."""
    with torch.inference_mode():
        variable = keras.Variable(keras.initializers.GlorotUniform(), shape=(3, 2))
        inputs = keras.Input((5, 3))
        model = keras.Model(inputs, layers.Dense(1)(layers.GRU(2)(inputs)))
        model(np.zeros((2, 5, 3), "float32"))
    assert not variable.is_inference() and variable.requires_grad
    assert not any(w.value.is_inference() for w in model.weights)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(np.ones((4, 5, 3), "float32"), np.zeros((4, 1), "float32"), verbose=0)
    assert np.isfinite(history.history["loss"]).all()
