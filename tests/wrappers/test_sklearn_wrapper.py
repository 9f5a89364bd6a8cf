"""keras.wrappers: scikit-learn's API (fit/predict/score, clone, Pipeline) around keraslite
models, with numbers checked against Keras 3.15.1's wrappers on the same weights and data."""

import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import keraslite as keras
from keraslite.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer

# The builder both sides use: a small MLP whose weights are given, trained with plain SGD.
BUILDER = """
def build(X, y, weights, activation):
    inputs = keras.Input((X.shape[1],))
    hidden = keras.layers.Dense(6, activation="relu")(inputs)
    n_outputs = y.shape[1] if len(y.shape) > 1 else 1
    model = keras.Model(inputs, keras.layers.Dense(n_outputs, activation=activation)(hidden))
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="categorical_crossentropy" if activation == "softmax"
                  else "mse")
    return model
"""
namespace = {"keras": keras}
exec(BUILDER, namespace)
build = namespace["build"]


def _weights(n_in, n_out, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(n_in, 6), (6,), (6, n_out), (n_out,)]
    return [rng.normal(0, 0.5, s).astype("float32") for s in shapes]


def _oracle(keras_oracle, code, **arrays):
    return keras_oracle.run(
        BUILDER
        + "from keras.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer\n"
        + "weights = [inputs[f'w{i}'] for i in range(4)]\nX, y = inputs['X'], inputs['y']\n"
        + code,
        **arrays,
    )


def test_classifier_fit_predict_score_match_keras(keras_oracle):
    X, y = make_classification(n_samples=40, n_features=5, n_classes=3, n_informative=3, random_state=0)
    X = X.astype("float32")
    weights = _weights(5, 3)
    fit = "dict(epochs=3, batch_size=8, shuffle=False, verbose=0)"
    expected = _oracle(
        keras_oracle,
        f"est = SKLearnClassifier(build, model_kwargs=dict(weights=weights, activation='softmax'), fit_kwargs={fit})\n"
        "est.fit(X, y)\nresult['raw'] = est.decision_function(X)\nresult['pred'] = est.predict(X)\n"
        "result['score'] = est.score(X, y)\nresult['loss'] = np.array(est.history_.history['loss'])\n",
        X=X,
        y=y,
        **{f"w{i}": w for i, w in enumerate(weights)},
    )
    estimator = SKLearnClassifier(
        build,
        model_kwargs=dict(weights=weights, activation="softmax"),
        fit_kwargs=dict(epochs=3, batch_size=8, shuffle=False, verbose=0),
    )
    assert estimator.fit(X, y) is estimator
    np.testing.assert_array_equal(estimator.classes_, [0, 1, 2])
    np.testing.assert_allclose(estimator.history_.history["loss"], expected["loss"], rtol=1e-5)
    np.testing.assert_allclose(estimator.decision_function(X), expected["raw"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(estimator.predict(X), expected["pred"])
    assert estimator.score(X, y) == pytest.approx(float(expected["score"]))
    assert estimator.n_features_in_ == 5


def test_regressor_with_a_model_instance_is_cloned_and_scores(keras_oracle):
    X, y = make_regression(n_samples=32, n_features=4, noise=0.1, random_state=0)
    X, y = X.astype("float32"), (y / 100).astype("float32")
    model = build(X, y, _weights(4, 1), None)
    estimator = SKLearnRegressor(model, fit_kwargs=dict(epochs=2, verbose=0))
    estimator.fit(X, y)
    assert estimator.model_ is not model and estimator.model_.compiled
    # A clone of the compiled model: fresh weights and optimizer, same config.
    assert estimator.model_.optimizer is not model.optimizer
    assert estimator.model_.get_config()["layers"][1]["config"]["units"] == 6
    prediction = estimator.predict(X)
    assert prediction.shape == (32,)
    r2 = 1 - ((y - prediction) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert estimator.score(X, y) == pytest.approx(r2, rel=1e-5)

    # Same numbers as Keras's wrapper with a builder of the same weights.
    weights = _weights(4, 1, seed=1)
    expected = _oracle(
        keras_oracle,
        "est = SKLearnRegressor(build, model_kwargs=dict(weights=weights, activation=None))\n"
        "est.fit(X, y, epochs=2, batch_size=8, shuffle=False, verbose=0)\n"
        "result['pred'] = est.predict(X)\nresult['score'] = est.score(X, y)\n",
        X=X,
        y=y,
        **{f"w{i}": w for i, w in enumerate(weights)},
    )
    estimator = SKLearnRegressor(build, model_kwargs=dict(weights=weights, activation=None))
    estimator.fit(X, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    np.testing.assert_allclose(estimator.predict(X), expected["pred"], rtol=1e-5, atol=1e-6)
    assert estimator.score(X, y) == pytest.approx(float(expected["score"]), rel=1e-5)


def test_clone_gives_an_unfitted_estimator_with_the_same_params():
    X, y = make_classification(n_samples=24, n_features=5, random_state=1)
    model = build(X, np.eye(2)[y], _weights(5, 2), "softmax")
    estimator = SKLearnClassifier(model, model_kwargs={"unused": 1}, fit_kwargs=dict(epochs=1, verbose=0))
    estimator.fit(X, y)
    copy = clone(estimator)
    assert type(copy) is SKLearnClassifier and not hasattr(copy, "model_")
    # A model is callable, so Keras's `__sklearn_clone__` passes it on as it is (each fit clones it).
    assert copy.model is model
    # Keras's `__sklearn_clone__` keeps model, warm_start and model_kwargs; fit_kwargs are dropped.
    assert copy.get_params()["model_kwargs"] == {"unused": 1} and copy.fit_kwargs is None
    copy.fit(X, y, epochs=1, verbose=0)
    assert copy.predict(X).shape == (24,)
    builder_estimator = SKLearnRegressor(build, model_kwargs={"weights": None})
    assert clone(builder_estimator).model is build


def test_transformer_in_a_pipeline(keras_oracle):
    X, y = make_classification(n_samples=40, n_features=5, random_state=2)
    X = X.astype("float32")
    weights = _weights(5, 1, seed=3)
    fit_kwargs = dict(epochs=2, batch_size=8, shuffle=False, verbose=0)
    pipeline = make_pipeline(
        StandardScaler(),
        SKLearnTransformer(build, model_kwargs={"weights": weights, "activation": None}, fit_kwargs=fit_kwargs),
        LogisticRegression(),
    )
    pipeline.fit(X, y)
    assert pipeline.predict(X).shape == (40,) and 0.0 <= pipeline.score(X, y) <= 1.0
    # The transformer step was fitted on the scaled inputs and the labels: Keras's gives the same embedding.
    scaled = pipeline.steps[0][1].transform(X).astype("float32")
    expected = _oracle(
        keras_oracle,
        "est = SKLearnTransformer(build, model_kwargs=dict(weights=weights, activation=None))\n"
        "est.fit(X, y, epochs=2, batch_size=8, shuffle=False, verbose=0)\nresult['t'] = est.transform(X)\n",
        X=scaled,
        y=y,
        **{f"w{i}": w for i, w in enumerate(weights)},
    )
    np.testing.assert_allclose(pipeline.steps[1][1].transform(scaled), expected["t"], rtol=1e-5, atol=1e-5)


def test_errors_as_in_keras():
    X, y = make_classification(n_samples=16, n_features=4, random_state=0)
    inputs = keras.Input((4,))
    uncompiled = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    with pytest.raises(RuntimeError, match="Given model needs to be compiled, and have a loss and an optimizer"):
        SKLearnClassifier(uncompiled).fit(X, y)
    model = build(X, np.eye(2)[y], _weights(4, 2), "softmax")
    with pytest.raises(ValueError, match="only one class is present"):
        SKLearnClassifier(model).fit(X, np.zeros(16, dtype=int))
    with pytest.raises(ValueError, match="Only binary and multiclass target types are supported"):
        SKLearnClassifier(model).fit(X, np.linspace(0, 1, 16))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SKLearnClassifier(model).predict(X)
    with pytest.raises(RuntimeError, match="metadata routing is enabled"):
        SKLearnClassifier(model).set_fit_request(sample_weight=True)


def test_keraslite_imports_without_scikit_learn():
    code = (
        "import sys\nsys.modules['sklearn'] = None\n"
        "import keraslite as keras\nfrom keraslite.wrappers import SKLearnRegressor\n"
        "try:\n    SKLearnRegressor(model=None)\nexcept ImportError as e:\n    print(e)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert output.stdout.strip() == (
        "SKLearnRegressor requires `scikit-learn` to be installed. Run `pip install scikit-learn` to install it."
    ), output.stderr
