"""What Keras 2 had and Keras 3 dropped, kept for TF-2-era code: the tf.keras 2 backend
functions (`backend.py`) and the legacy preprocessing classes (`preprocessing/`). Reached
through the public faces (`keras.backend`, `keras.preprocessing`), not imported from here."""
