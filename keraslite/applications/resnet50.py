"""`keras.applications.resnet50` (the same functions as `keras.applications.resnet`)."""

from keraslite.applications.resnet import ResNet50 as ResNet50
from keraslite.applications.resnet import decode_predictions as decode_predictions
from keraslite.applications.resnet import preprocess_input as preprocess_input
