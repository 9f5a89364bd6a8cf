"""`tf.TensorArray` in the TF shim, against real TensorFlow 2.21's results on the same calls."""

import numpy as np
import pytest

from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_write_read_stack_gather_concat(tf):  # noqa: F811
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    ta = ta.write(0, [1.0, 2.0]).write(1, [3.0, 4.0])
    assert int(ta.size()) == 2 and str(ta.size().dtype) == "torch.int32"
    assert ta.stack().numpy().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert ta.read(1).numpy().tolist() == [3.0, 4.0]
    assert ta.gather([1, 0]).numpy().tolist() == [[3.0, 4.0], [1.0, 2.0]]
    assert ta.concat().numpy().tolist() == [1.0, 2.0, 3.0, 4.0]
    # Unwritten indices read as zeros of the element shape once it is known.
    assert tf.TensorArray(tf.float32, size=3).write(0, 1.0).stack().numpy().tolist() == [1.0, 0.0, 0.0]
    assert tf.TensorArray(tf.float32, size=3, element_shape=[2]).stack().shape == (3, 2)
    assert tf.TensorArray(tf.float32, size=0).stack().shape == (0,)
    with pytest.raises(ValueError, match="never written"):
        tf.TensorArray(tf.float32, size=2).read(0)
    with pytest.raises(tf.errors.OutOfRangeError, match="not resizeable"):
        tf.TensorArray(tf.float32, size=3).write(5, 1.0)


def test_unstack_scatter_split(tf):  # noqa: F811
    rows = tf.TensorArray(tf.int32, size=2).unstack([[1, 2], [3, 4]])
    assert rows.read(0).numpy().tolist() == [1, 2] and rows.dtype == tf.int32
    scattered = tf.TensorArray(tf.float32, size=2).scatter([1, 0], [[1.0], [2.0]])
    assert scattered.stack().numpy().tolist() == [[2.0], [1.0]]
    pieces = tf.TensorArray(tf.float32, size=2).split([1.0, 2.0, 3.0], [1, 2])
    assert pieces.read(1).numpy().tolist() == [2.0, 3.0]


def test_gradients_flow_through_stack_and_a_tf_function_rnn(tf):  # noqa: F811
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        ta = tf.TensorArray(tf.float32, size=2).write(0, x * 2).write(1, x * 3)
        loss = tf.reduce_sum(ta.stack())
    assert tape.gradient(loss, x).numpy().tolist() == [5.0, 5.0]

    # The dynamic RNN of TensorFlow's "Effective TensorFlow 2" guide.
    cell = tf.keras.layers.LSTMCell(units=4)

    @tf.function(input_signature=[tf.TensorSpec(dtype=tf.float32, shape=[None, None, 3])])
    def run(inputs):
        inputs = tf.transpose(inputs, [1, 0, 2])
        steps, batch = tf.shape(inputs)[0], tf.shape(inputs)[1]
        outputs = tf.TensorArray(tf.float32, steps)
        state = cell.get_initial_state(batch_size=batch)
        for i in tf.range(steps):
            output, state = cell(inputs[i], state)
            outputs = outputs.write(i, output)
        return tf.transpose(outputs.stack(), [1, 0, 2])

    assert tuple(run(np.random.rand(2, 5, 3).astype("float32")).shape) == (2, 5, 4)
