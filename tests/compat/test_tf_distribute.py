"""`tf.distribute` strategies as one process's view of a data-parallel run."""

import numpy as np

import keraslite as keras
from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


def test_mirrored_strategy_scope_trains_a_model(tf):  # noqa: F811
    strategy = tf.distribute.MirroredStrategy()
    assert strategy.num_replicas_in_sync == 1 and not tf.distribute.has_strategy()
    with strategy.scope():
        assert tf.distribute.get_strategy() is strategy
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
    history = model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1


def test_run_reduce_and_datasets(tf):  # noqa: F811
    strategy = tf.distribute.MirroredStrategy()
    per_replica = strategy.run(lambda x: x * 2, args=(tf.constant([1.0, 2.0]),))
    assert float(strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=0)) == 6.0
    assert float(strategy.reduce("MEAN", per_replica, axis=0)) == 3.0
    ds = tf.data.Dataset.range(4).batch(2)
    assert strategy.experimental_distribute_dataset(ds) is ds
    made = strategy.distribute_datasets_from_function(
        lambda context: tf.data.Dataset.range(context.get_per_replica_batch_size(8))
    )
    assert len(list(made)) == 8


def test_average_and_regularization_losses_match_tensorflow(tf, monkeypatch):  # noqa: F811
    # Expected values: real TensorFlow 2.21 on the same inputs.
    assert float(tf.nn.compute_average_loss([1.0, 2.0, 3.0, 4.0])) == 2.5
    weighted = tf.nn.compute_average_loss([1.0, 2.0, 3.0, 4.0], sample_weight=[1.0, 0.0, 1.0, 0.0], global_batch_size=8)
    assert float(weighted) == 0.5
    assert float(tf.nn.scale_regularization_loss(6.0)) == 6.0
    assert float(tf.nn.scale_regularization_loss([1.0, 2.0])) == 3.0
    # Under two replicas in sync both are divided by 2 (the global batch is twice this one).
    from keraslite.compat.tensorflow import distribute

    monkeypatch.setattr(distribute, "_world", lambda: (2, 0))
    with tf.distribute.MirroredStrategy().scope():
        assert float(tf.nn.scale_regularization_loss(tf.constant(6.0))) == 3.0
        assert float(tf.nn.compute_average_loss(tf.constant([1.0, 2.0, 3.0, 4.0]))) == 1.25
