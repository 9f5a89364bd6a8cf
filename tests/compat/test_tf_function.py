"""`tf.function` objects, their concrete functions, and `tf.autograph` in the TF shim."""

import numpy as np

from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_function_object_calls_and_counts_signatures(tf):  # noqa: F811
    def square_plus(x, b=1.0):
        return x * x + b

    fn = tf.function(square_plus)
    assert fn.python_function is square_plus and fn.__name__ == "square_plus"
    assert float(fn(tf.constant(3.0))) == 10.0
    fn(tf.constant(4.0))  # same signature: no new trace
    fn(tf.constant([1.0, 2.0]))
    fn(tf.constant(2))
    assert fn.experimental_get_tracing_count() == 3


def test_concrete_function_from_spec_and_from_tensor(tf):  # noqa: F811
    fn = tf.function(lambda x: tf.reduce_sum(x * 2.0))
    concrete = fn.get_concrete_function(tf.TensorSpec(shape=[None, 3], dtype=tf.float32))
    text = str(concrete)
    assert "TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)" in text
    assert "Output Type:\n  TensorSpec(shape=(), dtype=tf.float32, name=None)" in text
    np.testing.assert_allclose(concrete(tf.ones((2, 3))).numpy(), 12.0)
    from_tensor = fn.get_concrete_function(tf.constant([1.0, 2.0]))
    assert from_tensor.structured_input_signature[0][0] == tf.TensorSpec((2,), tf.float32)


def test_decorated_method_binds_and_decorator_arguments(tf):  # noqa: F811
    class Scaler(tf.Module):
        def __init__(self):
            super().__init__()
            self.factor = tf.Variable(3.0)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def __call__(self, x):
            return x * self.factor

    scaler = Scaler()
    np.testing.assert_allclose(scaler(tf.constant([1.0, 2.0])).numpy(), [3.0, 6.0])
    assert "x (POSITIONAL_OR_KEYWORD)" in str(scaler.__call__.get_concrete_function())


def test_function_wraps_a_model(tf):  # noqa: F811
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    fn = tf.function(model)
    data = tf.random.uniform([4, 3])
    np.testing.assert_allclose(fn(data).numpy(), model(data).numpy())
    assert "TensorSpec(shape=(4, 2)" in str(fn.get_concrete_function(data))


def test_autograph_to_code_is_the_source(tf):  # noqa: F811
    def branchy(x):
        if tf.reduce_sum(x) <= 1:
            return x * x
        return x - 1

    assert "if tf.reduce_sum(x) <= 1:" in tf.autograph.to_code(branchy)
    assert tf.autograph.experimental.do_not_convert(branchy) is branchy


def test_a_concrete_function_and_a_call_of_its_signature_are_one_trace(tf):  # noqa: F811
    fn = tf.function(lambda x: x + 1.0)
    fn.get_concrete_function(tf.TensorSpec([2], tf.float32))
    fn(tf.constant([1.0, 2.0]))
    assert fn.experimental_get_tracing_count() == 1


def test_string_specs_trace_and_string_tensors_have_dtype_string(tf, tmp_path):  # noqa: F811
    # The export pattern of TensorFlow's audio tutorial: one function taking a file name
    # (a scalar `tf.string`) or a batch of samples.
    path = tmp_path / "values.txt"
    path.write_text("1 2 3")
    assert tf.constant("a").dtype == tf.string and tf.io.read_file(str(path)).dtype == tf.string
    assert tf.constant([1.0]).dtype != tf.string and tf.as_dtype(np.dtype("S3")) == tf.string

    class Export(tf.Module):
        @tf.function
        def __call__(self, x):
            if x.dtype == tf.string:
                x = tf.constant([[float(v) for v in tf.io.read_file(x).numpy().split()]])
            return {"total": tf.reduce_sum(x, axis=-1)}

    export = Export()
    by_name = export.__call__.get_concrete_function(x=tf.TensorSpec(shape=(), dtype=tf.string))
    assert by_name.structured_input_signature[1]["x"] == tf.TensorSpec((), tf.string)
    assert by_name.structured_outputs is None  # the placeholder "" is no file to read
    by_values = export.__call__.get_concrete_function(x=tf.TensorSpec(shape=[None, 3], dtype=tf.float32))
    assert by_values.structured_outputs["total"].dtype == tf.float32
    assert export(tf.constant(str(path)))["total"].numpy().tolist() == [6.0]
    assert repr(tf.TensorSpec.from_tensor(tf.constant("a"))) == "TensorSpec(shape=(), dtype=tf.string, name=None)"
