"""tf.keras 2's `keras.preprocessing` classes that Keras 3 dropped (`ImageDataGenerator`,
`Tokenizer`, `TimeseriesGenerator`, ...); the face `keraslite/preprocessing/` re-exports them."""
