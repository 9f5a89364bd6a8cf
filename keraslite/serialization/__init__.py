"""The object registry and Keras 3's object config schema: the lowest-level serialization,
used by activations, initializers, layers, losses and everything else that has a config.
Files (`.keras`, `.h5`, directories) are `keraslite.saving`'s; this package only turns
objects into config dicts and back."""
