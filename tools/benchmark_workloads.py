"""The workloads of tools/benchmark.py: data, the Keras-API model (run by keraslite and by
Keras 3) and the hand-written PyTorch module doing the same work, for each.

W1 MNIST MLP, W2 toy ResNet, W3 ticket model (the seed guide's three); W4 a transformer
encoder classifier (Embedding, MultiHeadAttention, LayerNormalization, FFN; sequence 128),
W5 ResNet50 from `applications` (weights=None, 96x96x3, 10 classes), W6 a text model
(Embedding with mask_zero, bidirectional LSTM then bidirectional GRU; right-padded
sequences of 64 tokens, the torch side packs them so that both skip the padding).
"""

from __future__ import annotations

import numpy as np

WORKLOADS = {
    "W1": "MNIST MLP, batch 64",
    "W2": "toy ResNet, batch 64",
    "W3": "ticket model, batch 32",
    "W4": "transformer encoder, seq 128, batch 32",
    "W5": "ResNet50 96x96, batch 16",
    "W6": "Embedding + BiLSTM/BiGRU masked, batch 64",
}
BATCH = {"W1": 64, "W2": 64, "W3": 32, "W4": 32, "W5": 16, "W6": 64}
# evaluate / predict batch sizes (the 64 and 1024, smaller where 1024 rows do not fit)
INFER_BATCHES = {
    "W1": (64, 1024),
    "W2": (64, 1024),
    "W3": (64, 1024),
    "W4": (64, 256),
    "W5": (16, 64),
    "W6": (64, 1024),
}
# training steps timed per run: (full run, --quick)
STEPS = {"W1": (300, 40), "W2": (60, 8), "W3": (60, 8), "W4": (40, 6), "W5": (12, 3), "W6": (40, 6)}
SEQ_LEN = {"W4": 128, "W6": 64}
VOCAB = {"W4": 5000, "W6": 10000}


def make_data(workload, n, rng):
    if workload == "W1":
        return {"x": rng.random((n, 784), dtype=np.float32), "y": rng.integers(0, 10, n)}
    if workload in ("W2", "W5"):
        side = 32 if workload == "W2" else 96
        return {
            "x": rng.random((n, side, side, 3), dtype=np.float32),
            "y": np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)],
        }
    if workload == "W4":
        return {"x": rng.integers(1, VOCAB["W4"], (n, SEQ_LEN["W4"])).astype("int32"), "y": rng.integers(0, 2, n)}
    if workload == "W6":
        tokens = rng.integers(1, VOCAB["W6"], (n, SEQ_LEN["W6"])).astype("int32")
        lengths = rng.integers(8, SEQ_LEN["W6"] + 1, n)
        tokens[np.arange(SEQ_LEN["W6"])[None, :] >= lengths[:, None]] = 0  # right padding
        return {"x": tokens, "y": rng.integers(0, 2, (n, 1)).astype("float32")}
    return {
        "title": rng.integers(10000, size=(n, 10)).astype("float32"),
        "body": rng.integers(10000, size=(n, 100)).astype("float32"),
        "tags": rng.integers(2, size=(n, 12)).astype("float32"),
        "priority": rng.random((n, 1), dtype=np.float32),
        "department": rng.integers(2, size=(n, 4)).astype("float32"),
    }


# ---------------------------------------------------------------- Keras-API models
def keras_model(keras, workload):
    layers = keras.layers
    rmsprop = keras.optimizers.RMSprop(1e-3)
    if workload == "W1":
        inputs = keras.Input(shape=(784,))
        x = layers.Dense(64, activation="relu")(inputs)
        x = layers.Dense(64, activation="relu")(x)
        model = keras.Model(inputs, layers.Dense(10)(x))
        sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(loss=sparse, optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
        return model
    if workload == "W2":
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
        x = layers.Dense(256, activation="relu")(x)
        x = layers.Dropout(0.5)(x)
        model = keras.Model(inputs, layers.Dense(10)(x))
        model.compile(optimizer=rmsprop, loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["acc"])
        return model
    if workload == "W4":
        inputs = keras.Input(shape=(SEQ_LEN["W4"],), dtype="int32")
        x = layers.Embedding(VOCAB["W4"], 64)(inputs)
        attention = layers.MultiHeadAttention(num_heads=4, key_dim=16, dropout=0.1)(x, x)
        x = layers.LayerNormalization(epsilon=1e-6)(layers.add([x, layers.Dropout(0.1)(attention)]))
        ffn = layers.Dense(64)(layers.Dense(128, activation="relu")(x))
        x = layers.LayerNormalization(epsilon=1e-6)(layers.add([x, layers.Dropout(0.1)(ffn)]))
        x = layers.Dropout(0.1)(layers.GlobalAveragePooling1D()(x))
        model = keras.Model(inputs, layers.Dense(2)(x))
        sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(optimizer=rmsprop, loss=sparse, metrics=["accuracy"])
        return model
    if workload == "W5":
        model = keras.applications.ResNet50(
            weights=None, input_shape=(96, 96, 3), classes=10, classifier_activation=None
        )
        model.compile(optimizer=rmsprop, loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["acc"])
        return model
    if workload == "W6":
        inputs = keras.Input(shape=(None,), dtype="int32")
        x = layers.Embedding(VOCAB["W6"], 64, mask_zero=True)(inputs)
        x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
        x = layers.Bidirectional(layers.GRU(32))(x)
        model = keras.Model(inputs, layers.Dense(1)(x))
        model.compile(
            optimizer=rmsprop, loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=["binary_accuracy"]
        )
        return model
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(12,), name="tags")
    title_features = layers.LSTM(128)(layers.Embedding(10000, 64)(title_input))
    body_features = layers.LSTM(32)(layers.Embedding(10000, 64)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    model = keras.Model(
        [title_input, body_input, tags_input],
        [layers.Dense(1, name="priority")(x), layers.Dense(4, name="department")(x)],
    )
    model.compile(
        optimizer=rmsprop,
        loss=[
            keras.losses.BinaryCrossentropy(from_logits=True),
            keras.losses.CategoricalCrossentropy(from_logits=True),
        ],
        loss_weights=[1.0, 0.2],
    )
    return model


def keras_xy(workload, data):
    if workload == "W3":
        return {k: data[k] for k in ("title", "body", "tags")}, {
            "priority": data["priority"],
            "department": data["department"],
        }
    return data["x"], data["y"]


# ---------------------------------------------------------------- hand-written torch
def torch_model(torch, workload):
    nn = torch.nn
    if workload == "W1":
        return nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    if workload == "W2":

        class ToyResNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.c1, self.c2 = nn.Conv2d(3, 32, 3), nn.Conv2d(32, 64, 3)
                self.c3, self.c4 = nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 64, 3, padding=1)
                self.c5, self.c6 = nn.Conv2d(64, 64, 3, padding=1), nn.Conv2d(64, 64, 3, padding=1)
                self.c7 = nn.Conv2d(64, 64, 3)
                self.d1, self.drop, self.d2 = nn.Linear(64, 256), nn.Dropout(0.5), nn.Linear(256, 10)

            def forward(self, x):
                relu = torch.relu
                b1 = torch.max_pool2d(relu(self.c2(relu(self.c1(x)))), 3)
                b2 = relu(self.c4(relu(self.c3(b1)))) + b1
                b3 = relu(self.c6(relu(self.c5(b2)))) + b2
                x = relu(self.c7(b3)).mean(dim=(2, 3))
                return self.d2(self.drop(relu(self.d1(x))))

        return ToyResNet()
    if workload == "W4":
        return _transformer(torch)
    if workload == "W5":
        return _resnet50(torch)
    if workload == "W6":
        return _text_model(torch)

    class Ticket(nn.Module):
        def __init__(self):
            super().__init__()
            self.e1, self.e2 = nn.Embedding(10000, 64), nn.Embedding(10000, 64)
            self.l1, self.l2 = nn.LSTM(64, 128, batch_first=True), nn.LSTM(64, 32, batch_first=True)
            self.priority, self.department = nn.Linear(128 + 32 + 12, 1), nn.Linear(128 + 32 + 12, 4)

        def forward(self, title, body, tags):
            t = self.l1(self.e1(title))[1][0][0]
            b = self.l2(self.e2(body))[1][0][0]
            x = torch.cat([t, b, tags], dim=1)
            return self.priority(x), self.department(x)

    return Ticket()


def _transformer(torch):
    nn = torch.nn

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB["W4"], 64)
            self.attention = nn.MultiheadAttention(64, 4, dropout=0.1, batch_first=True)
            self.norm1, self.norm2 = nn.LayerNorm(64, eps=1e-6), nn.LayerNorm(64, eps=1e-6)
            self.ffn = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64))
            self.drop1, self.drop2, self.drop3 = nn.Dropout(0.1), nn.Dropout(0.1), nn.Dropout(0.1)
            self.head = nn.Linear(64, 2)

        def forward(self, tokens):
            x = self.embedding(tokens)
            attention = self.attention(x, x, x, need_weights=False)[0]
            x = self.norm1(x + self.drop1(attention))
            x = self.norm2(x + self.drop2(self.ffn(x)))
            return self.head(self.drop3(x.mean(dim=1)))

    return Encoder()


def _resnet50(torch):
    nn = torch.nn

    class Bottleneck(nn.Module):
        def __init__(self, cin, filters, stride, shortcut):
            super().__init__()
            self.conv1, self.bn1 = nn.Conv2d(cin, filters, 1, stride), nn.BatchNorm2d(filters, 1.001e-5, 0.01)
            self.conv2, self.bn2 = nn.Conv2d(filters, filters, 3, padding=1), nn.BatchNorm2d(filters, 1.001e-5, 0.01)
            self.conv3, self.bn3 = nn.Conv2d(filters, 4 * filters, 1), nn.BatchNorm2d(4 * filters, 1.001e-5, 0.01)
            self.shortcut = (
                nn.Sequential(nn.Conv2d(cin, 4 * filters, 1, stride), nn.BatchNorm2d(4 * filters, 1.001e-5, 0.01))
                if shortcut
                else nn.Identity()
            )

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            y = torch.relu(self.bn2(self.conv2(y)))
            return torch.relu(self.bn3(self.conv3(y)) + self.shortcut(x))

    blocks, cin = [], 64
    for filters, count, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for i in range(count):
            blocks.append(Bottleneck(cin, filters, stride if i == 0 else 1, i == 0))
            cin = 4 * filters
    return nn.Sequential(
        nn.ZeroPad2d(3),
        nn.Conv2d(3, 64, 7, 2),
        nn.BatchNorm2d(64, 1.001e-5, 0.01),
        nn.ReLU(),
        nn.ZeroPad2d(1),
        nn.MaxPool2d(3, 2),
        *blocks,
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(2048, 10),
    )


def _text_model(torch):
    nn = torch.nn
    pack = nn.utils.rnn.pack_padded_sequence

    class Text(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB["W6"], 64, padding_idx=0)
            self.lstm = nn.LSTM(64, 64, batch_first=True, bidirectional=True)
            self.gru = nn.GRU(128, 32, batch_first=True, bidirectional=True)
            self.head = nn.Linear(64, 1)

        def forward(self, tokens):
            lengths = (tokens != 0).sum(dim=1).cpu()  # pack_padded_sequence wants lengths on the host
            packed = pack(self.embedding(tokens), lengths, batch_first=True, enforce_sorted=False)
            sequences = self.lstm(packed)[0]
            final = self.gru(sequences)[1]  # (2, batch, 32): forward and backward final states
            return self.head(torch.cat([final[0], final[1]], dim=1))

    return Text()


def torch_tensors(torch, workload, data):
    if workload == "W1":
        return [torch.from_numpy(data["x"])], [torch.from_numpy(data["y"])]
    if workload in ("W2", "W5"):
        return [torch.from_numpy(data["x"]).permute(0, 3, 1, 2).contiguous()], [torch.from_numpy(data["y"])]
    if workload in ("W4", "W6"):
        return [torch.from_numpy(data["x"]).long()], [torch.from_numpy(data["y"])]
    return (
        [torch.from_numpy(data["title"]).long(), torch.from_numpy(data["body"]).long(), torch.from_numpy(data["tags"])],
        [torch.from_numpy(data["priority"]), torch.from_numpy(data["department"])],
    )


def torch_loss(torch, workload, outputs, targets):
    F = torch.nn.functional
    if workload in ("W1", "W2", "W4", "W5"):
        return F.cross_entropy(outputs, targets[0])
    if workload == "W6":
        return F.binary_cross_entropy_with_logits(outputs, targets[0])
    return F.binary_cross_entropy_with_logits(outputs[0], targets[0]) + 0.2 * F.cross_entropy(outputs[1], targets[1])


def torch_correct(torch, workload, outputs, targets):
    """The accuracy metric's count of correct rows (the Keras models' compiled metric), on the
    device; `None` for W3, which compiles no metric."""
    if workload == "W3":
        return None
    if workload == "W6":
        return ((outputs > 0).float() == targets[0]).sum()
    labels = targets[0].argmax(dim=1) if targets[0].dim() == 2 else targets[0]
    return (outputs.argmax(dim=1) == labels).sum()
