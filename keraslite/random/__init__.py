"""`keras.random`."""

from keraslite.random.random import beta as beta
from keraslite.random.random import binomial as binomial
from keraslite.random.random import categorical as categorical
from keraslite.random.random import dropout as dropout
from keraslite.random.random import gamma as gamma
from keraslite.random.random import normal as normal
from keraslite.random.random import randint as randint
from keraslite.random.random import shuffle as shuffle
from keraslite.random.random import truncated_normal as truncated_normal
from keraslite.random.random import uniform as uniform
from keraslite.random.seed_generator import SeedGenerator as SeedGenerator
