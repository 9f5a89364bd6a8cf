"""`keras.applications`: reference image-classification architectures, with optional ImageNet weights."""

from keraslite.applications import imagenet_utils as imagenet_utils
from keraslite.applications import mobilenet_v2 as mobilenet_v2
from keraslite.applications import resnet as resnet
from keraslite.applications import resnet50 as resnet50
from keraslite.applications import vgg16 as vgg16
from keraslite.applications import vgg19 as vgg19
from keraslite.applications.mobilenet_v2 import MobileNetV2 as MobileNetV2
from keraslite.applications.resnet import ResNet50 as ResNet50
from keraslite.applications.resnet import ResNet101 as ResNet101
from keraslite.applications.resnet import ResNet152 as ResNet152
from keraslite.applications.vgg16 import VGG16 as VGG16
from keraslite.applications.vgg19 import VGG19 as VGG19
