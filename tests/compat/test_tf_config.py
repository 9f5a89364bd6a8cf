"""`tf.config`'s logical devices: a physical device split into several is recorded and
listed (names as TensorFlow 2.21 gives them)."""

import pytest

from keraslite.compat.tensorflow import config
from tests.compat.tf_fixture import tf  # noqa: F401  (fixture)


@pytest.fixture
def clean_configuration():
    yield
    config._logical_configurations.clear()


def test_split_cpu_lists_three_logical_devices(tf, clean_configuration):  # noqa: F811
    cpu = tf.config.list_physical_devices("CPU")[0]
    assert tf.config.get_logical_device_configuration(cpu) is None
    assert [d.name for d in tf.config.list_logical_devices("CPU")] == ["/device:CPU:0"]
    tf.config.experimental.set_virtual_device_configuration(
        cpu, [tf.config.experimental.VirtualDeviceConfiguration() for _ in range(3)]
    )
    names = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert names == ["/device:CPU:0", "/device:CPU:1", "/device:CPU:2"]
    assert len(tf.config.get_logical_device_configuration(cpu)) == 3
    assert repr(tf.config.LogicalDeviceConfiguration()) == (
        "LogicalDeviceConfiguration(memory_limit=None, experimental_priority=None, experimental_device_ordinal=None)"
    )
    tf.config.set_logical_device_configuration(cpu, None)
    assert len(tf.config.list_logical_devices("CPU")) == 1


def test_bad_configuration_is_refused(tf, clean_configuration):  # noqa: F811
    cpu = tf.config.list_physical_devices("CPU")[0]
    with pytest.raises(ValueError, match="PhysicalDevice"):
        tf.config.set_logical_device_configuration("CPU:0", [tf.config.LogicalDeviceConfiguration()])
    with pytest.raises(ValueError, match="LogicalDeviceConfiguration"):
        tf.config.set_logical_device_configuration(cpu, [1024])
