"""`keras.utils`."""
