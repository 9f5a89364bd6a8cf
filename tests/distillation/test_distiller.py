"""keras.distillation.Distiller: fit's loss values against real Keras 3.15.1 on the same
weights and data, the loss mixing rules, validation errors, and the config round trip."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import layers
from keraslite.distillation import Distiller, FeatureDistillation, LogitsDistillation

ORACLE_MODELS = """
def mk(units, name):
    inp = keras.Input((4,))
    h = keras.layers.Dense(units, activation="relu", name="hidden")(inp)
    out = keras.layers.Dense(3, name="logits")(h)
    return keras.Model(inp, out, name=name)
teacher, student = mk(8, "teacher"), mk(8, "student")
teacher.set_weights([inputs[f"teacher_{i}"] for i in range(4)])
student.set_weights([inputs[f"student_{i}"] for i in range(4)])
"""


def _models():
    def make(name):
        inputs = keras.Input((4,))
        hidden = layers.Dense(8, activation="relu", name="hidden")(inputs)
        return keras.Model(inputs, layers.Dense(3, name="logits")(hidden), name=name)

    return make("teacher"), make("student")


def _data():
    rng = np.random.default_rng(0)
    return rng.random((16, 4)).astype("float32"), rng.integers(0, 3, 16)


# (keraslite distillation losses, the same in Keras, weights, student_loss_weight)
CASES = {
    "logits_by_name_and_features": (
        lambda: [
            LogitsDistillation(temperature=2.0),
            FeatureDistillation(teacher_layer_name="hidden", student_layer_name="hidden"),
        ],
        "[keras.distillation.LogitsDistillation(temperature=2.0), "
        "keras.distillation.FeatureDistillation(teacher_layer_name='hidden', student_layer_name='hidden')]",
        [1.0, 0.5],
        0.3,
    ),
    "kl_object_single_loss": (
        lambda: LogitsDistillation(temperature=4.0, loss=keras.losses.KLDivergence()),
        "keras.distillation.LogitsDistillation(temperature=4.0, loss=keras.losses.KLDivergence())",
        None,
        0.5,
    ),
    "features_only": (
        lambda: [FeatureDistillation(loss="mae")],
        "[keras.distillation.FeatureDistillation(loss='mae')]",
        None,
        0.0,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fit_and_evaluate_losses_match_keras(keras_oracle, case):
    make_losses, keras_losses, weights, student_weight = CASES[case]
    keras.utils.set_random_seed(0)  # the same weights whatever ran before in this process
    teacher, student = _models()
    x, y = _data()
    arrays = {f"teacher_{i}": w for i, w in enumerate(teacher.get_weights())}
    arrays.update({f"student_{i}": w for i, w in enumerate(student.get_weights())})
    expected = keras_oracle.run(
        ORACLE_MODELS
        + f"d = keras.distillation.Distiller(teacher, student, {keras_losses}, distillation_loss_weights={weights}, "
        f"student_loss_weight={student_weight})\n"
        "d.compile(optimizer=keras.optimizers.SGD(0.1), loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n"
        "h = d.fit(inputs['x'], inputs['y'], epochs=3, batch_size=8, shuffle=False, verbose=0).history\n"
        "for k, v in h.items():\n    result['fit_' + k] = np.array(v)\n"
        "for k, v in d.evaluate(inputs['x'], inputs['y'], verbose=0, return_dict=True).items():\n"
        "    result['eval_' + k] = np.array(v)\n"
        "result['student'] = student.get_weights()\n",
        x=x,
        y=y,
        **arrays,
    )
    distiller = Distiller(
        teacher, student, make_losses(), distillation_loss_weights=weights, student_loss_weight=student_weight
    )
    distiller.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = distiller.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history
    fit_keys = {k[4:] for k in expected if k.startswith("fit_")}
    assert set(history) == fit_keys == {"loss", "accuracy", "student_loss", "distillation_loss", "total_loss"}
    for key in fit_keys:
        np.testing.assert_allclose(history[key], expected["fit_" + key], rtol=1e-5, atol=1e-6, err_msg=key)
    logs = distiller.evaluate(x, y, verbose=0, return_dict=True)
    for key in fit_keys:
        # After 6 SGD steps, float32 rounding (other kernels than Keras's) moves a temperature-4
        # KL by a few 1e-5 relative on some weights: the evaluate figures get 1e-4.
        np.testing.assert_allclose(logs[key], expected["eval_" + key], rtol=1e-4, atol=1e-6, err_msg=key)
    for ours, theirs in zip(student.get_weights(), expected["student"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_config_round_trip_and_keras_config(keras_oracle):
    teacher, student = _models()
    losses = [
        LogitsDistillation(temperature=2.0),
        FeatureDistillation(teacher_layer_name="hidden", student_layer_name="hidden"),
    ]
    distiller = Distiller(teacher, student, losses, distillation_loss_weights=[1.0, 0.5], student_loss_weight=0.3)
    config = distiller.get_config()
    expected = keras_oracle.run(
        ORACLE_MODELS.replace("teacher.set_weights", "pass  # ").replace("student.set_weights", "pass  # ")
        + "d = keras.distillation.Distiller(teacher, student, [keras.distillation.LogitsDistillation(temperature=2.0), "
        "keras.distillation.FeatureDistillation(teacher_layer_name='hidden', student_layer_name='hidden')], "
        "distillation_loss_weights=[1.0, 0.5], student_loss_weight=0.3)\n"
        "import json\nresult['config'] = json.dumps(d.get_config())\n"
    )
    import json

    keras_config = json.loads(expected["config"])
    assert sorted(config) == sorted(keras_config)
    for key in ("name", "trainable", "distillation_losses", "distillation_loss_weights", "student_loss_weight"):
        assert config[key] == keras_config[key], key

    restored = Distiller.from_config(config)
    assert [type(loss) for loss in restored.distillation_losses] == [LogitsDistillation, FeatureDistillation]
    assert restored.distillation_losses[0].temperature == 2.0
    assert restored.distillation_loss_weights == [1.0, 0.5] and restored.student_loss_weight == 0.3
    assert restored.teacher.trainable is False and restored.student.name == "student"
    # Keras's own config (its teacher and student configs included) loads here too.
    from_keras = Distiller.from_config(keras_config)
    assert from_keras.distillation_losses[1].teacher_layer_name == "hidden"
    assert [w.shape for w in from_keras.student.get_weights()] == [w.shape for w in student.get_weights()]
    # Through the registry, as a saved file would be read.
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(distiller))
    assert isinstance(again, Distiller) and again.get_config()["distillation_losses"] == config["distillation_losses"]


def test_distillation_loss_configs_match_keras(keras_oracle):
    expected = keras_oracle.run(
        "import json\n"
        "result['c'] = json.dumps([keras.distillation.LogitsDistillation(loss=['kl_divergence', None]).get_config(), "
        "keras.distillation.FeatureDistillation(loss={'a': 'mse', 'b': keras.losses.MeanAbsoluteError()})"
        ".get_config(), "
        "keras.saving.serialize_keras_object(keras.distillation.LogitsDistillation(5.0))])"
    )
    import json

    ours = [
        LogitsDistillation(loss=["kl_divergence", None]).get_config(),
        FeatureDistillation(loss={"a": "mse", "b": keras.losses.MeanAbsoluteError()}).get_config(),
        keras.saving.serialize_keras_object(LogitsDistillation(5.0)),
    ]
    assert json.loads(json.dumps(ours)) == json.loads(expected["c"])
    restored = FeatureDistillation.from_config(ours[1])
    assert isinstance(restored.loss["b"], keras.losses.MeanAbsoluteError)
    assert LogitsDistillation.from_config(ours[0]).loss[1] is None


def test_student_loss_weight_one_uses_only_the_student_loss():
    teacher, student = _models()
    x, y = _data()
    distiller = Distiller(teacher, student, LogitsDistillation(), student_loss_weight=1.0)
    distiller.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    logs = distiller.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["distillation_loss"] == 0.0 and logs["loss"] == pytest.approx(logs["student_loss"])
    # The teacher is frozen; only the student trains.
    assert teacher.trainable is False
    assert {id(w) for w in distiller.trainable_weights} == {id(w) for w in student.trainable_weights}


def test_custom_distillation_loss_and_subclassed_student():
    class MeanGap(keras.distillation.DistillationLoss):
        def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
            return keras.ops.mean(keras.ops.abs(teacher_outputs - student_outputs))

    class Student(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(3)

        def call(self, inputs):
            return self.dense(inputs)

    teacher, _ = _models()
    x, y = _data()
    distiller = Distiller(teacher, Student(), MeanGap(), student_loss_weight=0.0)
    distiller.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with torch.no_grad():
        gap = float(torch.mean(torch.abs(teacher(x) - distiller.student(x))))
    logs = distiller.evaluate(x, y, verbose=0, return_dict=True, batch_size=16)
    assert logs["distillation_loss"] == pytest.approx(gap, rel=1e-5)
    history = distiller.fit(x, y, epochs=3, verbose=0).history
    assert history["loss"][-1] < history["loss"][0]


def test_errors_name_the_argument():
    teacher, student = _models()
    with pytest.raises(ValueError, match="student_loss_weight must be between 0.0 and 1.0, got 1.5"):
        Distiller(teacher, student, LogitsDistillation(), student_loss_weight=1.5)
    with pytest.raises(ValueError, match=r"Number of distillation_loss_weights \(1\) must match"):
        Distiller(teacher, student, [LogitsDistillation(), FeatureDistillation()], distillation_loss_weights=[1.0])
    with pytest.raises(ValueError, match="'distillation_losses' cannot be `None`"):
        Distiller(teacher, student, None)
    with pytest.raises(ValueError, match="In student model: No such layer: nope"):
        Distiller(teacher, student, FeatureDistillation(teacher_layer_name="hidden", student_layer_name="nope"))
    with pytest.raises(ValueError, match="Teacher must be a keras.Model"):
        Distiller(layers.Dense(3), student, LogitsDistillation())
    inputs = keras.Input((5,))
    wider = keras.Model(inputs, layers.Dense(3)(inputs))
    with pytest.raises(ValueError, match="Teacher and student input shapes are incompatible"):
        Distiller(teacher, wider, LogitsDistillation())
    with pytest.raises(ValueError, match="temperature must be positive"):
        LogitsDistillation(temperature=0)
    with pytest.raises(ValueError, match="at least one non-`None` value"):
        FeatureDistillation(loss=[None])
    distiller = Distiller(teacher, student, LogitsDistillation())
    with pytest.raises(ValueError, match="'loss' cannot be `None`"):
        distiller.compile(optimizer="sgd")


def test_save_and_load_keras_file(tmp_path):
    teacher, student = _models()
    x, y = _data()
    distiller = Distiller(teacher, student, [LogitsDistillation(2.0), FeatureDistillation("mse", "hidden", "hidden")])
    distiller.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    distiller.fit(x, y, epochs=1, verbose=0)
    distiller.save(tmp_path / "distiller.keras")
    # As in Keras: a model with its own `compile()` is loaded uncompiled, with a warning.
    with pytest.warns(UserWarning, match="`compile\\(\\)` was not called as part of model loading"):
        restored = keras.models.load_model(tmp_path / "distiller.keras")
    assert isinstance(restored, Distiller) and restored.teacher.trainable is False
    np.testing.assert_allclose(restored.predict(x, verbose=0), distiller.predict(x, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(restored.teacher.predict(x, verbose=0), teacher.predict(x, verbose=0), rtol=1e-6)
