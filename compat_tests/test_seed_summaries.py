"""Conformance: every model of the seed guide, built with the guide's code, prints the
guide's summary table line for line (trailing spaces aside), and the models the guide
builds without printing a table have the structure and parameter counts Keras gives."""

import os

import numpy as np
import pytest
from seed_cells import build_all

DATA = os.path.join(os.path.dirname(__file__), "data", "seed_summaries.txt")

# The seed is TensorFlow-2-era code: it reaches Keras through `tensorflow`, so keraslite
# behaves as tf.keras 2 (names and tables). The cells run with the aliases installed, which
# choose that dialect themselves; the tables are printed after, so the tests ask for it too.
pytestmark = pytest.mark.usefixtures("tf2_dialect")


def _expected_tables():
    tables, key = {}, None
    with open(DATA) as handle:
        for line in handle.read().splitlines():
            if line.startswith("#"):
                continue
            if line.startswith("=== "):
                key = line[4:]
                tables[key] = []
            else:
                tables[key].append(line)
    return tables


EXPECTED = _expected_tables()


@pytest.fixture(scope="module")
def seed_models():
    return build_all()


@pytest.mark.parametrize("key", list(EXPECTED))
def test_summary_matches_guide(seed_models, key):
    printed = []
    seed_models[key].summary(print_fn=printed.append)
    assert [line.rstrip() for line in printed] == [line.rstrip() for line in EXPECTED[key]]


def test_all_seven_guide_tables_are_checked():
    assert len(EXPECTED) == 7


def test_ensemble_model(seed_models):
    model = seed_models["ensemble"]
    assert [layer.name for layer in model.layers][1:] == ["model", "model_1", "model_2", "average"]
    assert model.count_params() == 3 * 129
    x = np.random.default_rng(0).random((3, 128)).astype("float32")
    members = seed_models["_ensemble_members"]
    expected = sum(m(x).detach().numpy() for m in members) / 3
    np.testing.assert_allclose(model(x).detach().numpy(), expected, rtol=1e-6)


def test_ticket_model(seed_models):
    model = seed_models["ticket"]
    assert model.input_names == ["title", "body", "tags"]
    assert model.output_names == ["priority", "department"]
    counts = {layer.name: layer.count_params() for layer in model.layers}
    assert counts["embedding"] == 640000 and counts["lstm"] == 98816 and counts["lstm_1"] == 12416
    assert counts["priority"] == 173 and counts["department"] == 692
    assert model.count_params() == 1392097
    rng = np.random.default_rng(0)
    priority, department = model(
        {
            "title": rng.integers(10000, size=(4, 10)),
            "body": rng.integers(10000, size=(4, 100)),
            "tags": rng.integers(2, size=(4, 12)).astype("float32"),
        }
    )
    assert tuple(priority.shape) == (4, 1) and tuple(department.shape) == (4, 4)


def test_shared_embedding(seed_models):
    shared, input_a, input_b, encoded_a, encoded_b = seed_models["shared_embedding"]
    assert input_a.dtype == "int32"
    assert encoded_a.shape == (None, None, 128) and encoded_b.shape == (None, None, 128)
    assert len(shared._inbound_nodes) == 2
    assert shared.count_params() == 128000


def test_custom_dense_model(seed_models):
    model = seed_models["custom_dense"]
    layer = model.layers[1]
    assert type(layer).__name__ == "CustomDense" and layer.name == "custom_dense"
    assert [tuple(w.shape) for w in layer.weights] == [(4, 10), (10,)]
    assert model(np.ones((2, 4), "float32")).shape == (2, 10)


def test_nested_models_share_weights(seed_models):
    autoencoder = seed_models["autoencoder_nested"]
    encoder = seed_models["encoder_nested"]
    assert autoencoder.get_layer("encoder") is encoder
    x = np.random.default_rng(1).random((2, 28, 28, 1)).astype("float32")
    direct = seed_models["decoder"](encoder(x))
    np.testing.assert_allclose(autoencoder(x).detach().numpy(), direct.detach().numpy(), rtol=1e-6)


def test_feature_extraction_from_intermediate_outputs(seed_models):
    """The guide's feature-extraction pattern (shown on VGG19), on the toy ResNet."""
    import keraslite as keras

    model = seed_models["toy_resnet"]
    features_list = [layer.output for layer in model.layers]
    feat_extraction_model = keras.Model(inputs=model.input, outputs=features_list)
    img = np.random.random((1, 32, 32, 3)).astype("float32")
    extracted_features = feat_extraction_model(img)
    assert len(extracted_features) == len(model.layers)
    assert [tuple(f.shape) for f in extracted_features][-1] == (1, 10)
    np.testing.assert_allclose(
        extracted_features[-1].detach().numpy(), model(img).detach().numpy(), rtol=1e-5, atol=1e-6
    )
