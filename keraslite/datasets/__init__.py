"""`keras.datasets`: small datasets as NumPy arrays, downloaded once into the Keras cache."""
