"""`keras.legacy` (`keras.legacy.saving`: tf.keras 2 serialization), and what Keras 2 had and
Keras 3 dropped, kept for TF-2-era code: the tf.keras 2 backend functions (`backend.py`) and
the legacy preprocessing classes (`preprocessing/`), reached through the public faces
(`keras.backend`, `keras.preprocessing`)."""

from keraslite.legacy import saving as saving
