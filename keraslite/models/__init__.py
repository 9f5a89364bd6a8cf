"""`keras.models`: Model, Sequential and (de)serialization entry points."""
from keraslite.models.model import Functional as Functional
from keraslite.models.model import Model as Model
from keraslite.models.sequential import Sequential as Sequential
