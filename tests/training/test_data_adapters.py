"""Every input kind fit/evaluate/predict accept, and their errors."""

import warnings

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.training import data_adapters


def two_input_model():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    x = layers.concatenate([a, b])
    model = keras.Model([a, b], layers.Dense(1, name="out")(x))
    model.compile(optimizer="sgd", loss="mse")
    return model


rng = np.random.default_rng(0)
A = rng.random((20, 3)).astype("float32")
B = rng.random((20, 2)).astype("float32")
Y = rng.random((20, 1)).astype("float32")


def test_numpy_lists_dicts_and_torch_tensors():
    model = two_input_model()
    for x, y in [
        ([A, B], Y),
        ({"a": A, "b": B}, {"out": Y}),
        ((torch.tensor(A), torch.tensor(B)), torch.tensor(Y)),
        ([A.astype("float64"), B], Y.tolist()),
    ]:
        history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        assert len(history.history["loss"]) == 1
    assert model.predict({"a": A, "b": B}, verbose=0).shape == (20, 1)


def test_dataloader_generator_and_pydataset():
    model = two_input_model()
    dataset = torch.utils.data.TensorDataset(torch.tensor(A), torch.tensor(B), torch.tensor(Y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=5)

    class Pairs(torch.utils.data.Dataset):
        def __len__(self):
            return 20

        def __getitem__(self, i):
            return (A[i], B[i]), Y[i]

    loader2 = torch.utils.data.DataLoader(Pairs(), batch_size=10)
    assert len(model.fit(loader2, epochs=2, verbose=0).epoch) == 2
    calls = []

    def generator():
        for i in range(0, 20, 5):
            calls.append(i)
            yield {"a": A[i : i + 5], "b": B[i : i + 5]}, Y[i : i + 5]

    history = model.fit(generator(), epochs=1, verbose=0)
    assert calls == [0, 5, 10, 15] and len(history.epoch) == 1

    class Seq(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.epochs_ended = 0

        def __len__(self):
            return 4

        def __getitem__(self, index):
            s = slice(index * 5, (index + 1) * 5)
            return [A[s], B[s]], Y[s]

        def on_epoch_end(self):
            self.epochs_ended += 1

    seq = Seq()
    model.fit(seq, epochs=3, verbose=0)
    assert seq.epochs_ended == 3
    assert isinstance(model.evaluate(seq, verbose=0), float)
    assert model.predict(seq, verbose=0).shape == (20, 1)
    assert model.fit(seq, epochs=1, steps_per_epoch=2, verbose=0).history["loss"]
    del loader


def test_steps_per_epoch_on_arrays_and_shuffle_changes_order():
    model = two_input_model()
    history = model.fit([A, B], Y, batch_size=4, epochs=2, steps_per_epoch=3, verbose=0)
    assert int(model.optimizer.iterations) == 6 and len(history.epoch) == 2
    structure = data_adapters.Structure(["a", "b"], ["out"])
    adapter = data_adapters.ArrayDataAdapter([A, B], Y, None, structure, batch_size=20, shuffle=True)
    (xa, _), (ya,), _ = next(adapter.batches())
    assert not torch.equal(xa, torch.tensor(A))  # permuted
    order = [int(np.where((A == row).all(1))[0][0]) for row in xa.numpy()]
    np.testing.assert_array_equal(ya.numpy(), Y[order])  # x and y stay aligned


def test_errors():
    model = two_input_model()

    def generator():
        yield [A, B], Y

    with pytest.raises(ValueError, match="`validation_split` is only supported"):
        model.fit(generator(), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="`y` argument is not supported"):
        model.fit(generator(), Y, verbose=0)
    with pytest.raises(ValueError, match="expects 2 input"):
        model.fit(A, Y, verbose=0)
    with pytest.raises(ValueError, match="not sufficient to split"):
        model.fit([A[:1], B[:1]], Y[:1], validation_split=0.5, verbose=0)
    with pytest.raises(ValueError, match="unexpected key"):
        model.fit([A, B], {"nope": Y}, verbose=0)
    with pytest.raises(TypeError, match="object"):
        model.fit([A, np.array([None] * 20)], Y, verbose=0)


def test_inputs_one_trailing_axis_of_size_one_off_take_the_input_rank():
    images = keras.Input(shape=(5, 5, 1))
    model = keras.Model(images, layers.Dense(2)(layers.Flatten()(images)))
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.random((12, 5, 5)).astype("float32"), rng.random((12, 2)).astype("float32")
    assert len(model.fit(x, y, batch_size=4, validation_split=0.25, verbose=0).history["val_loss"]) == 1
    assert np.isfinite(model.evaluate(x, y, verbose=0))
    assert model.predict(x, verbose=0).shape == (12, 2)
    assert np.isfinite(model.train_on_batch(x, y)) and model.predict_on_batch(x).shape == (12, 2)

    def batches():
        for start in range(0, 12, 4):
            yield x[start : start + 4, :, :, None, None], y[start : start + 4]  # one axis too many

    assert len(model.fit(batches(), epochs=1, verbose=0).epoch) == 1
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5, 5, 1\)\. Received: shape=\(12, 5, 5, 2\)"):
        model.predict(np.zeros((12, 5, 5, 2), "float32"), verbose=0)


def test_batch_size_is_ignored_for_data_that_brings_its_own_batches():
    # Keras accepts `batch_size` with a DataLoader, generator or PyDataset and ignores it:
    # the batches are the data's. fit's default `shuffle=True` warns where order is the data's.
    model = two_input_model()

    class Rows(torch.utils.data.Dataset):
        def __len__(self):
            return 20

        def __getitem__(self, i):
            return (A[i], B[i]), Y[i]

    loader = torch.utils.data.DataLoader(Rows(), batch_size=5)

    class Steps(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.steps = self.params["steps"]

    steps = Steps()
    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored.*torch DataLoader"):
        model.fit(loader, batch_size=64, epochs=1, verbose=0, callbacks=[steps])
    assert steps.steps == 4 and int(model.optimizer.iterations) == 4

    def generator():
        for i in range(0, 20, 10):
            yield (A[i : i + 10], B[i : i + 10]), Y[i : i + 10]

    with pytest.warns(UserWarning, match="`shuffle=True` was passed, but will be ignored.*generator"):
        model.fit(generator(), batch_size=64, epochs=1, verbose=0)
    assert int(model.optimizer.iterations) == 6

    class Halves(keras.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, index):
            s = slice(index * 10, (index + 1) * 10)
            return (A[s], B[s]), Y[s]

    # A PyDataset is shuffled by index: the only warning is that `batch_size` is not used
    # (Keras ignores it silently; keraslite says so once per call).
    for call in (
        lambda: model.fit(Halves(), batch_size=64, epochs=1, verbose=0),
        lambda: model.fit(loader, batch_size=64, epochs=1, shuffle=False, verbose=0),
        lambda: model.evaluate(loader, batch_size=64, verbose=0),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        assert [str(w.message)[:25] for w in caught] == ["`batch_size=64` is ignore"]
    assert int(model.optimizer.iterations) == 12
    with pytest.warns(UserWarning, match="batch_size=3"):
        assert model.predict(Halves(), batch_size=3, verbose=0).shape == (20, 1)


def dict_input_model():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    model = keras.Model({"a": a, "b": b}, layers.Dense(1, name="out")(layers.concatenate([a, b])))
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_dict_keys_that_name_no_input_warn_and_are_ignored():
    extra = {"a": A, "b": B, "id": np.arange(20)}
    for model in (dict_input_model(), keras.Sequential([keras.Input((3,), name="a"), layers.Dense(1)])):
        model.compile(optimizer="sgd", loss="mse")
        for run in (
            lambda: model.fit(extra, Y, batch_size=5, epochs=1, verbose=0),
            lambda: model.evaluate(extra, Y, verbose=0),
            lambda: model.predict(extra, verbose=0),
            lambda: model.train_on_batch(extra, Y),
        ):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                run()
            messages = [str(w.message) for w in caught]
            assert len(messages) == 1, messages  # once per call, not per batch
            assert "The structure of `inputs` doesn't match the expected structure" in messages[0]
            assert (
                "'id'] that name no input" in messages[0]
                and "Received: inputs with keys ['a', 'b', 'id']" in messages[0]
            )
    # The values the model gets are its own inputs, by name.
    model = dict_input_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(model.predict(extra, verbose=0), model.predict({"a": A, "b": B}, verbose=0))


def test_a_list_input_model_picks_its_inputs_out_of_a_dict_silently():
    # Keras's rule for a model built on a list of inputs: a dict is read by input name.
    model = two_input_model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit({"a": A, "b": B, "id": np.arange(20)}, Y, epochs=1, verbose=0)


def test_steps_per_epoch_holds_when_validation_split_cuts_the_data():
    # Keras runs `steps_per_epoch` training steps and the whole validation part.
    x = np.random.rand(1000, 4).astype("float32")
    y = np.random.rand(1000, 1).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    counts = {"train": 0, "test": 0}

    class Count(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            counts["train"] += 1

        def on_test_batch_end(self, batch, logs=None):
            counts["test"] += 1

    model.fit(x, y, batch_size=32, steps_per_epoch=3, validation_split=0.2, epochs=1, verbose=0, callbacks=[Count()])
    assert counts == {"train": 3, "test": 7}


def test_text_inputs_train_and_predict_as_numpy_strings():
    # A model with a string input (StringLookup inside): text batches stay NumPy arrays of str.
    import keraslite as keras

    text = keras.Input(shape=(1,), dtype="string", name="color")
    number = keras.Input(shape=(1,), name="size")
    lookup = keras.layers.StringLookup(vocabulary=["red", "green", "blue"], output_mode="one_hot")
    features = keras.layers.concatenate([lookup(text), number])
    model = keras.Model([text, number], keras.layers.Dense(1, activation="sigmoid")(features))
    model.compile("adam", "binary_crossentropy")
    colors = np.array([["red"], ["blue"], ["green"], ["red"]] * 4)
    sizes = np.arange(16, dtype="float32").reshape(16, 1)
    labels = (colors[:, 0] == "red").astype("float32")
    history = model.fit({"color": colors, "size": sizes}, labels, batch_size=4, epochs=2, shuffle=True, verbose=0)
    assert len(history.history["loss"]) == 2
    predictions = model.predict({"color": np.array([[b"red"]]), "size": np.ones((1, 1), "float32")}, verbose=0)
    assert predictions.shape == (1, 1)


def test_fit_on_an_infinite_dataset_continues_across_epochs():
    import keraslite as keras
    from keraslite.utils.dataset import Dataset

    seen = []
    x = np.arange(12, dtype="float32").reshape(12, 1)
    ds = Dataset.from_tensor_slices((x, x)).repeat().batch(4)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(batch)

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "shuffle ignored" warning for a dataset
        history = model.fit(ds, steps_per_epoch=2, epochs=3, verbose=0, callbacks=[Record()])
    assert len(history.history["loss"]) == 3 and seen == [0, 1] * 3


def test_validation_data_nested_differently_from_training_data():
    # A custom train_step on ((unlabeled, _), (labeled, labels)) batches; validation on (images, labels).
    import torch

    import keraslite as keras
    from keraslite.utils.dataset import Dataset

    class TwoStreams(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            (unlabeled, _), (labeled, labels) = data
            return {"seen": torch.tensor(float(unlabeled.shape[0] + labeled.shape[0]))}

        def test_step(self, data):
            images, labels = data
            return {"acc": (self(images)[:, 0] > 0).float().mean()}

    x = np.ones((8, 3), "float32")
    y = np.ones((8,), "float32")
    train = Dataset.zip((Dataset.from_tensor_slices((x, y)).batch(4), Dataset.from_tensor_slices((x, y)).batch(4)))
    model = TwoStreams()
    model.compile(optimizer="sgd")
    history = model.fit(train, validation_data=Dataset.from_tensor_slices((x, y)).batch(4), epochs=1, verbose=0)
    assert "val_acc" in history.history


def test_py_dataset_on_epoch_begin_runs_as_each_pass_starts(keras_oracle):
    code = (
        "class Counted(keras.utils.PyDataset):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.calls = []\n"
        "    def __len__(self):\n"
        "        return 2\n"
        "    def __getitem__(self, i):\n"
        "        self.calls.append('batch')\n"
        "        return np.ones((2, 3), 'float32'), np.ones((2, 1), 'float32')\n"
        "    def on_epoch_begin(self):\n"
        "        self.calls.append('begin')\n"
        "    def on_epoch_end(self):\n"
        "        self.calls.append('end')\n"
        "data = Counted()\n"
        "model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
        "model.compile(loss='mse')\n"
        "model.fit(data, epochs=1, verbose=0)\n"  # Keras's first fit also peeks once, to build its metrics
        "data.calls.clear()\n"
        "model.fit(data, epochs=2, verbose=0)\n"
        "fit_calls = list(data.calls); data.calls.clear()\n"
        "model.evaluate(data, verbose=0)\n"
        "evaluate_calls = list(data.calls); data.calls.clear()\n"
        "model.predict(data, verbose=0)\n"
        "result.update(fit=fit_calls.count('begin'), evaluate=evaluate_calls.count('begin'),\n"
        "              predict=data.calls.count('begin'), first=data.calls[0])\n"
    )
    expected = keras_oracle.run(code)
    namespace = {"keras": keras, "np": np, "result": {}}
    exec(code.replace("result.update(", "result = dict("), namespace)
    assert keras.utils.PyDataset.on_epoch_begin(None) is None
    assert namespace["result"] == expected
