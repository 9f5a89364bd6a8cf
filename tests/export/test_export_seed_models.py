"""Every model the seed guide builds (examples/guide_*.py) exports to ONNX and to a
`torch.export` program with a dynamic batch: onnxruntime and the loaded program give
`model.predict`'s numbers (atol 1e-5) at two batch sizes.

The architectures are the guide's, made smaller where the guide's sizes do not matter
(vocabulary, units, VGG19's input: no top, 32x32)."""

import numpy as np
import onnxruntime
import torch

import keraslite as keras
from keraslite import layers, ops, tree

ATOL = 1e-5


def _to_numpy(value):
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


def _close(actual, expected, what):
    actual, expected = tree.flatten(actual), tree.flatten(expected)
    assert len(actual) == len(expected), f"{what}: {len(actual)} outputs, expected {len(expected)}"
    for index, (a, e) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(_to_numpy(a), e, rtol=0, atol=ATOL, err_msg=f"{what}, output {index}")


def check_exports(model, batches, tmp_path, onnx=True):
    """Export `model` both ways (`onnx=False`: torch.export only) and compare each artifact
    with `model.predict` on each of `batches` (input structures of different batch sizes)."""
    if onnx:
        model.export(tmp_path / "model.onnx", format="onnx", verbose=False)
        session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"])
        assert session.get_inputs()[0].shape[0] == "batch"
    model.export(tmp_path / "model.pt2", format="torch", verbose=False)
    program = torch.export.load(str(tmp_path / "model.pt2")).module()
    for inputs in batches:
        expected = tree.map_structure(np.asarray, model.predict(inputs, verbose=0))
        if onnx:
            feeds = dict(zip([i.name for i in session.get_inputs()], tree.flatten(inputs)))
            _close(session.run(None, feeds), expected, "onnxruntime")
        with torch.no_grad():
            _close(program(tree.map_structure(torch.from_numpy, inputs)), expected, "torch.export")


def _floats(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def mnist_mlp():
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(inputs=inputs, outputs=layers.Dense(10)(x), name="mnist_model")


def encoder_decoder():
    encoder_input = keras.Input(shape=(28, 28, 1), name="original_img")
    x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    encoder = keras.Model(encoder_input, layers.GlobalMaxPooling2D()(x), name="encoder")
    decoder_input = keras.Input(shape=(16,), name="encoded_img")
    x = layers.Reshape((4, 4, 1))(decoder_input)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    decoder = keras.Model(decoder_input, layers.Conv2DTranspose(1, 3, activation="relu")(x), name="decoder")
    autoencoder_input = keras.Input(shape=(28, 28, 1), name="img")
    autoencoder = keras.Model(autoencoder_input, decoder(encoder(autoencoder_input)), name="autoencoder")
    return encoder, decoder, autoencoder


def ensemble():
    def get_model():
        inputs = keras.Input(shape=(128,))
        return keras.Model(inputs, layers.Dense(1)(inputs))

    members = [get_model() for _ in range(3)]
    inputs = keras.Input(shape=(128,))
    return keras.Model(inputs=inputs, outputs=layers.average([member(inputs) for member in members]))


def ticket_router(num_words=100, num_tags=12, num_departments=4):
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.LSTM(16)(layers.Embedding(num_words, 8)(title_input))
    body_features = layers.LSTM(8)(layers.Embedding(num_words, 8)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    return keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs=[layers.Dense(1, name="priority")(x), layers.Dense(num_departments, name="department")(x)],
    )


def toy_resnet():
    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.5)(layers.Dense(256, activation="relu")(x))
    return keras.Model(inputs, layers.Dense(10)(x), name="toy_resnet")


def shared_embedding_model():
    shared_embedding = layers.Embedding(1000, 16)
    text_input_a = keras.Input(shape=(None,), dtype="int32")
    text_input_b = keras.Input(shape=(None,), dtype="int32")
    return keras.Model([text_input_a, text_input_b], [shared_embedding(text_input_a), shared_embedding(text_input_b)])


def vgg19_features():
    vgg19 = keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
    return keras.Model(inputs=vgg19.input, outputs=[layer.output for layer in vgg19.layers])


class CustomDense(layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {"units": self.units}


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense_1 = layers.Dense(64, activation="relu")
        self.dense_2 = layers.Dense(10)

    def call(self, inputs):
        return self.dense_2(self.dense_1(inputs))


class CustomRNN(layers.Layer):
    """The guide's mix-and-match RNN: a Python loop over time steps, then a classifier (a
    functional model or a layer); the state's batch size is read from the inputs."""

    def __init__(self, classifier, units=32):
        super().__init__()
        self.units = units
        self.projection_1 = layers.Dense(units=units, activation="tanh")
        self.projection_2 = layers.Dense(units=units, activation="tanh")
        self.classifier = classifier

    def call(self, inputs):
        outputs = []
        state = ops.zeros(shape=(ops.shape(inputs)[0], self.units))
        for t in range(inputs.shape[1]):
            y = self.projection_1(inputs[:, t, :]) + self.projection_2(state)
            state = y
            outputs.append(y)
        return self.classifier(ops.stack(outputs, axis=1))


def sequence_classifier(units=32):
    inputs = keras.Input((None, units))
    return keras.Model(inputs, layers.Dense(1)(layers.GlobalAveragePooling1D()(inputs)))


def test_mnist_mlp(tmp_path):
    check_exports(mnist_mlp(), [_floats(1, 784), _floats(5, 784)], tmp_path)


def test_autoencoder_and_its_parts(tmp_path):
    encoder, decoder, autoencoder = encoder_decoder()
    images = [np.abs(_floats(2, 28, 28, 1)), np.abs(_floats(3, 28, 28, 1, seed=1))]
    check_exports(autoencoder, images, tmp_path)  # holds the encoder and the decoder
    check_exports(encoder, images, tmp_path, onnx=False)
    check_exports(decoder, [np.abs(_floats(2, 16)), np.abs(_floats(3, 16, seed=1))], tmp_path, onnx=False)


def test_ensemble(tmp_path):
    check_exports(ensemble(), [_floats(1, 128), _floats(4, 128)], tmp_path)


def test_ticket_routing_multi_input_multi_output(tmp_path):
    rng = np.random.default_rng(0)

    def batch(size, title_length, body_length):
        # Word ids as float32: the guide's inputs keep `keras.Input`'s default dtype.
        return [
            rng.integers(0, 100, (size, title_length)).astype("float32"),
            rng.integers(0, 100, (size, body_length)).astype("float32"),
            rng.integers(0, 2, (size, 12)).astype("float32"),
        ]

    # Other batch sizes and sequence lengths than the export's samples.
    check_exports(ticket_router(), [batch(3, 10, 20), batch(5, 7, 15)], tmp_path)


def test_toy_resnet(tmp_path):
    check_exports(toy_resnet(), [_floats(1, 32, 32, 3), _floats(3, 32, 32, 3)], tmp_path)


def test_shared_embedding(tmp_path):
    rng = np.random.default_rng(0)
    batches = [[rng.integers(0, 1000, (size, length)).astype("int32") for length in (7, 4)] for size in (3, 5)]
    check_exports(shared_embedding_model(), batches, tmp_path)


def test_vgg19_feature_extractor(tmp_path):
    check_exports(vgg19_features(), [_floats(1, 32, 32, 3), _floats(2, 32, 32, 3)], tmp_path)


def test_custom_layer(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, CustomDense(10)(inputs))
    check_exports(model, [_floats(1, 4), _floats(6, 4)], tmp_path)
    revived = keras.Model.from_config(model.get_config(), custom_objects={"CustomDense": CustomDense})
    check_exports(revived, [_floats(2, 4)], tmp_path)


def test_subclassed_mlp(tmp_path):
    mlp = MLP()
    mlp(np.zeros((1, 32), "float32"))
    check_exports(mlp, [_floats(1, 32), _floats(3, 32)], tmp_path)


def test_mix_and_match_custom_rnn(tmp_path):
    # A custom RNN layer around a functional classifier, inside a functional model.
    inputs = keras.Input((10, 5))
    x = layers.Conv1D(32, 3)(inputs)
    model = keras.Model(inputs, CustomRNN(sequence_classifier())(x))
    check_exports(model, [_floats(2, 10, 5), _floats(16, 10, 5)], tmp_path)
