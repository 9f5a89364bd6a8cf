"""`keras.datasets`: small datasets as NumPy arrays, downloaded once into the Keras cache."""

from keraslite.datasets import boston_housing as boston_housing
from keraslite.datasets import california_housing as california_housing
from keraslite.datasets import cifar10 as cifar10
from keraslite.datasets import cifar100 as cifar100
from keraslite.datasets import fashion_mnist as fashion_mnist
from keraslite.datasets import imdb as imdb
from keraslite.datasets import mnist as mnist
from keraslite.datasets import reuters as reuters
