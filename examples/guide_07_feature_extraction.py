# Extract and reuse nodes in the graph of layers (VGG19 features).
#
# Downloads the VGG19 ImageNet weights on first use.
# The code below is the guide's code, unchanged (TensorFlow 2.1-era tf.keras).
# Run it with keraslite:  keraslite run examples/guide_07_feature_extraction.py

import numpy as np

import tensorflow as tf

from tensorflow import keras
from tensorflow.keras import layers

tf.keras.backend.clear_session()  # For easy reset of notebook state.

vgg19 = tf.keras.applications.VGG19()

features_list = [layer.output for layer in vgg19.layers]

feat_extraction_model = keras.Model(inputs=vgg19.input, outputs=features_list)

img = np.random.random((1, 224, 224, 3)).astype('float32')
extracted_features = feat_extraction_model(img)
