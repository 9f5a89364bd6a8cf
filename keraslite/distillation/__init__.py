"""`keras.distillation`: knowledge distillation from a teacher model to a student (re-exports)."""

from keraslite.distillation.distillation_loss import DistillationLoss as DistillationLoss
from keraslite.distillation.distillation_loss import FeatureDistillation as FeatureDistillation
from keraslite.distillation.distillation_loss import LogitsDistillation as LogitsDistillation
from keraslite.distillation.distiller import Distiller as Distiller
