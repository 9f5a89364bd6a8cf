"""The seed guide's model-building cells, in the guide's order, as functions.

The code inside each function is the guide's (only `keras`/`layers` come from
keraslite). Auto-names continue from cell to cell as in the guide (`conv2d_4` in the
second encoder, `dense_6` in the toy ResNet), so the cells must run in this order after
`keras.backend.clear_session()`. `build_all()` returns every model by a short key.
"""
import numpy as np
import torch

import keraslite as keras
from keraslite import layers


def build_all(print_fn=print):
    keras.backend.clear_session()
    models = {}

    inputs = keras.Input(shape=(784,))
    img_inputs = keras.Input(shape=(32, 32, 3))  # noqa: F841  (the guide makes it, for demonstration)
    dense = layers.Dense(64, activation='relu')
    x = dense(inputs)
    x = layers.Dense(64, activation='relu')(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name='mnist_model')
    models["mnist_model"] = model
    models["_mnist_inputs"] = inputs

    encoder_input = keras.Input(shape=(28, 28, 1), name='img')
    x = layers.Conv2D(16, 3, activation='relu')(encoder_input)
    x = layers.Conv2D(32, 3, activation='relu')(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation='relu')(x)
    x = layers.Conv2D(16, 3, activation='relu')(x)
    encoder_output = layers.GlobalMaxPooling2D()(x)
    encoder = keras.Model(encoder_input, encoder_output, name='encoder')
    models["encoder"] = encoder

    x = layers.Reshape((4, 4, 1))(encoder_output)
    x = layers.Conv2DTranspose(16, 3, activation='relu')(x)
    x = layers.Conv2DTranspose(32, 3, activation='relu')(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation='relu')(x)
    decoder_output = layers.Conv2DTranspose(1, 3, activation='relu')(x)
    autoencoder = keras.Model(encoder_input, decoder_output, name='autoencoder')
    models["autoencoder"] = autoencoder

    encoder_input = keras.Input(shape=(28, 28, 1), name='original_img')
    x = layers.Conv2D(16, 3, activation='relu')(encoder_input)
    x = layers.Conv2D(32, 3, activation='relu')(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation='relu')(x)
    x = layers.Conv2D(16, 3, activation='relu')(x)
    encoder_output = layers.GlobalMaxPooling2D()(x)
    encoder = keras.Model(encoder_input, encoder_output, name='encoder')
    models["encoder_nested"] = encoder

    decoder_input = keras.Input(shape=(16,), name='encoded_img')
    x = layers.Reshape((4, 4, 1))(decoder_input)
    x = layers.Conv2DTranspose(16, 3, activation='relu')(x)
    x = layers.Conv2DTranspose(32, 3, activation='relu')(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation='relu')(x)
    decoder_output = layers.Conv2DTranspose(1, 3, activation='relu')(x)
    decoder = keras.Model(decoder_input, decoder_output, name='decoder')
    models["decoder"] = decoder

    autoencoder_input = keras.Input(shape=(28, 28, 1), name='img')
    encoded_img = encoder(autoencoder_input)
    decoded_img = decoder(encoded_img)
    autoencoder = keras.Model(autoencoder_input, decoded_img, name='autoencoder')
    models["autoencoder_nested"] = autoencoder

    def get_model():
        inputs = keras.Input(shape=(128,))
        outputs = layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1 = get_model()
    model2 = get_model()
    model3 = get_model()
    inputs = keras.Input(shape=(128,))
    y1 = model1(inputs)
    y2 = model2(inputs)
    y3 = model3(inputs)
    outputs = layers.average([y1, y2, y3])
    ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
    models["ensemble"] = ensemble_model
    models["_ensemble_members"] = (model1, model2, model3)

    num_tags = 12  # Number of unique issue tags
    num_words = 10000  # Size of vocabulary obtained when preprocessing text data
    num_departments = 4  # Number of departments for predictions
    title_input = keras.Input(shape=(None,), name='title')  # Variable-length sequence of ints
    body_input = keras.Input(shape=(None,), name='body')  # Variable-length sequence of ints
    tags_input = keras.Input(shape=(num_tags,), name='tags')  # Binary vectors of size `num_tags`
    title_features = layers.Embedding(num_words, 64)(title_input)
    body_features = layers.Embedding(num_words, 64)(body_input)
    title_features = layers.LSTM(128)(title_features)
    body_features = layers.LSTM(32)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name='priority')(x)
    department_pred = layers.Dense(num_departments, name='department')(x)
    model = keras.Model(inputs=[title_input, body_input, tags_input],
                        outputs=[priority_pred, department_pred])
    models["ticket"] = model

    inputs = keras.Input(shape=(32, 32, 3), name='img')
    x = layers.Conv2D(32, 3, activation='relu')(inputs)
    x = layers.Conv2D(64, 3, activation='relu')(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation='relu', padding='same')(block_1_output)
    x = layers.Conv2D(64, 3, activation='relu', padding='same')(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation='relu', padding='same')(block_2_output)
    x = layers.Conv2D(64, 3, activation='relu', padding='same')(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(64, 3, activation='relu')(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(256, activation='relu')(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs, outputs, name='toy_resnet')
    models["toy_resnet"] = model

    shared_embedding = layers.Embedding(1000, 128)
    text_input_a = keras.Input(shape=(None,), dtype='int32')
    text_input_b = keras.Input(shape=(None,), dtype='int32')
    encoded_input_a = shared_embedding(text_input_a)
    encoded_input_b = shared_embedding(text_input_b)
    models["shared_embedding"] = (shared_embedding, text_input_a, text_input_b, encoded_input_a, encoded_input_b)

    class CustomDense(layers.Layer):
        def __init__(self, units=32):
            super(CustomDense, self).__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer='random_normal',
                                     trainable=True)
            self.b = self.add_weight(shape=(self.units,),
                                     initializer='random_normal',
                                     trainable=True)

        def call(self, inputs):
            # The guide writes tf.matmul; the unchanged text runs under `keraslite run`
            # in test_seed_guide.py. Here the same product comes from torch.
            return torch.matmul(inputs, self.w) + self.b

    inputs = keras.Input((4,))
    outputs = CustomDense(10)(inputs)
    model = keras.Model(inputs, outputs)
    models["custom_dense"] = model
    return models


def random_batch(model, batch=2, seed=0):
    """Random inputs matching a functional model's inputs (ints for Embedding inputs)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for tensor in model.inputs:
        shape = tuple(batch if i == 0 else (d if d is not None else 7) for i, d in enumerate(tensor.shape))
        arrays.append(rng.random(shape).astype("float32"))
    return arrays
