"""`keras.models`: Model, Sequential and (de)serialization entry points."""

from keraslite.models.cloning import clone_model as clone_model
from keraslite.models.functional import Functional as Functional
from keraslite.models.model import Model as Model
from keraslite.models.sequential import Sequential as Sequential
from keraslite.saving.saving_api import load_model as load_model
from keraslite.saving.saving_api import model_from_json as model_from_json
from keraslite.saving.saving_api import save_model as save_model
