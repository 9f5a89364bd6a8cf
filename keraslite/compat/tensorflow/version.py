"""`tf.version`: the TensorFlow API generation the shim follows."""

VERSION = "2.16.1"
GIT_VERSION = "keraslite"
COMPILER_VERSION = ""
GRAPH_DEF_VERSION = 0
GRAPH_DEF_VERSION_MIN_CONSUMER = 0
GRAPH_DEF_VERSION_MIN_PRODUCER = 0
