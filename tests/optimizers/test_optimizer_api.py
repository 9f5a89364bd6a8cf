"""Optimizer API beyond the update rules: LossScaleOptimizer's skipped steps, configs of the
newer optimizers (checked against Keras 3), custom `update_step`s, the stateless and
save/load methods, legacy names, and updates that never read a tensor on the host."""

import contextlib

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import optimizers

CONFIGS = [
    "Adafactor(beta_2_decay=-0.5, relative_step=False)",
    "Ftrl(l1_regularization_strength=0.1, beta=0.2)",
    "Lamb(beta_1=0.8)",
    "Muon(exclude_layers=['head'], ns_steps=3)",
    "ScheduleFreeAdamW(warmup_steps=10)",
    "Adam(use_ema=True, ema_overwrite_frequency=5, gradient_accumulation_steps=4)",
    "LossScaleOptimizer(optimizers.SGD(0.1), initial_scale=8.0)",
    "schedules.CosineDecayRestarts(0.1, 10, t_mul=1.5, m_mul=0.9, alpha=0.01)",
]


def test_configs_match_keras_and_round_trip(keras_oracle):
    code = (
        "import keras.optimizers as optimizers\nfrom keras.optimizers import schedules\n"
        f"result['configs'] = [eval('optimizers.' + e).get_config() for e in {CONFIGS!r}]"
    )
    expected = keras_oracle.run(code)["configs"]
    for expression, theirs in zip(CONFIGS, expected):
        obj = eval("optimizers." + expression, {"optimizers": optimizers})
        ours = obj.get_config()
        if "inner_optimizer" in ours:  # Keras names its torch class's module
            assert ours["inner_optimizer"]["config"] == pytest.approx(theirs["inner_optimizer"]["config"])
            ours, theirs = dict(ours, inner_optimizer=None), dict(theirs, inner_optimizer=None)
        assert sorted(ours) == sorted(theirs), expression
        for key, value in theirs.items():
            assert ours[key] == (pytest.approx(value) if isinstance(value, float) else value), (expression, key)
        assert type(obj).from_config(obj.get_config()).get_config() == obj.get_config()
    assert isinstance(optimizers.get("lamb"), optimizers.Lamb)
    assert isinstance(optimizers.deserialize(optimizers.serialize(optimizers.Ftrl())), optimizers.Ftrl)


def test_loss_scale_optimizer_skips_non_finite_steps_like_keras(keras_oracle):
    rng = np.random.default_rng(2)
    weights = rng.normal(size=(3, 2)).astype("float32")
    grads = rng.normal(size=(6, 3, 2)).astype("float32") * 8.0
    grads[2, 0, 0] = np.nan
    grads[4, 1, 1] = np.inf
    code = (
        "opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.1), initial_scale=8.0, "
        "dynamic_growth_steps=2)\nv = keras.Variable(inputs['w'])\nscales = []\n"
        "for g in inputs['g']:\n"
        "    opt.apply([keras.ops.convert_to_tensor(g)], [v])\n"
        "    scales.append(float(opt.dynamic_scale.numpy()))\n"
        "result.update(w=v.numpy(), scales=scales, it=int(opt.iterations), n=len(opt.variables),"
        " loss=float(opt.scale_loss(2.0)))"
    )
    expected = keras_oracle.run(code, w=weights, g=grads)
    opt = keras.mixed_precision.LossScaleOptimizer(optimizers.Adam(0.1), initial_scale=8.0, dynamic_growth_steps=2)
    variable = keras.Variable(torch.tensor(weights))
    scales = []
    for g in grads:
        opt.apply([torch.tensor(g)], [variable])
        scales.append(float(opt.dynamic_scale))
    np.testing.assert_allclose(variable.detach().numpy(), expected["w"], rtol=1e-6, atol=1e-6)
    assert scales == expected["scales"]
    assert int(opt.iterations) == expected["it"] and len(opt.variables) == expected["n"]
    assert float(opt.scale_loss(2.0)) == expected["loss"]
    assert keras.mixed_precision.LossScaleOptimizer is optimizers.LossScaleOptimizer
    assert keras.mixed_precision.Policy().name == keras.config.floatx()  # name=None, as in Keras


def test_loss_scale_optimizer_in_fit():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizers.LossScaleOptimizer(optimizers.SGD(0.05)), loss="mse")
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = x.sum(-1, keepdims=True)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert float(model.optimizer.dynamic_scale) == 2.0**15


class _SignSGD(optimizers.Optimizer):
    """A custom optimizer written the Keras 3 way: per-variable `update_step` with `assign_*`."""

    def __init__(self, learning_rate=0.1, name="sign_sgd"):
        super().__init__(learning_rate=learning_rate, name=name)

    def build(self, variables):
        super().build(variables)
        self.steps = self.add_optimizer_variables(variables, "steps")

    def update_step(self, gradient, variable, learning_rate):
        self.assign_add(self.steps[self._get_variable_index(variable)], torch.ones_like(variable))
        self.assign_sub(variable, learning_rate * torch.sign(gradient))


def test_custom_update_step_stateless_apply_and_own_variables():
    variable = keras.Variable(torch.zeros(3))
    opt = _SignSGD()
    opt.apply_gradients([(torch.tensor([1.0, -2.0, 0.0]), variable)])
    np.testing.assert_allclose(variable.detach().numpy(), [-0.1, 0.1, 0.0], atol=1e-7)
    np.testing.assert_allclose(opt.steps[0].detach().numpy(), [1, 1, 1])
    opt.assign(variable, torch.ones(3))
    assert variable.detach().tolist() == [1.0, 1.0, 1.0]
    # stateless_apply: new values come back, nothing is changed in place.
    before = [v.detach().clone() for v in opt.variables]
    new_trainables, new_state = opt.stateless_apply(opt.variables, [torch.tensor([1.0, 1.0, -1.0])], [variable])
    np.testing.assert_allclose(new_trainables[0].numpy(), [0.9, 0.9, 1.1], atol=1e-7)
    assert int(new_state[0]) == 2 and int(opt.iterations) == 1
    assert all(torch.equal(a, b) for a, b in zip(before, opt.variables))
    assert variable.detach().tolist() == [1.0, 1.0, 1.0]
    # save_own_variables / load_own_variables round trip.
    store = {}
    opt.save_own_variables(store)
    assert sorted(store) == ["0", "1", "2"]
    other = _SignSGD()
    other.build([variable])
    other.load_own_variables(store)
    assert int(other.iterations) == 1 and other.steps[0].detach().tolist() == [1.0, 1.0, 1.0]
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        _SignSGD().load_own_variables(store)
    with pytest.raises(NotImplementedError, match="update_step"):
        optimizers.Optimizer(0.1).apply_gradients([(torch.ones(3), keras.Variable(torch.zeros(3)))])


def test_tf_keras_2_experimental_names_are_the_current_optimizers():
    assert optimizers.experimental.AdamW is optimizers.AdamW
    assert optimizers.experimental.SGD is optimizers.SGD and optimizers.experimental.Optimizer is optimizers.Optimizer


def test_legacy_names_refuse_as_in_keras_3():
    for name in ("Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"):
        with pytest.raises(ImportError, match="not supported in Keras 3"):
            getattr(optimizers.legacy, name)(learning_rate=0.1)


@contextlib.contextmanager
def _no_host_reads():
    """Reading a tensor's value on the host (`bool`, `float`, `int`, `.item()`) raises."""

    def refuse(*args, **kwargs):
        raise AssertionError("host sync in an optimizer step")

    saved = {name: getattr(torch.Tensor, name) for name in ("__bool__", "__float__", "__int__", "item")}
    for name in saved:
        setattr(torch.Tensor, name, refuse)
    try:
        yield
    finally:
        for name, method in saved.items():
            setattr(torch.Tensor, name, method)


@pytest.mark.parametrize(
    "make",
    [
        lambda: optimizers.Adafactor(),
        lambda: optimizers.Ftrl(l1_regularization_strength=0.1),
        lambda: optimizers.Lamb(),
        lambda: optimizers.Muon(),
        lambda: optimizers.ScheduleFreeAdamW(warmup_steps=2),
        lambda: optimizers.Adam(use_ema=True, ema_overwrite_frequency=2, gradient_accumulation_steps=2),
        lambda: optimizers.LossScaleOptimizer(optimizers.SGD(momentum=0.9)),
        lambda: optimizers.SGD(learning_rate=optimizers.schedules.CosineDecayRestarts(0.1, 2)),
    ],
)
def test_updates_never_read_tensors_on_the_host(make):
    variables = [keras.Variable(torch.randn(4, 3)), keras.Variable(torch.randn(3))]
    opt = make()
    opt.build(variables)
    grads = [torch.randn(4, 3), torch.randn(3)]
    with _no_host_reads():
        for _ in range(3):
            opt._fast_apply(grads, variables)
    assert all(torch.isfinite(v).all() for v in variables)


def test_multi_optimizer_matches_keras(keras_oracle):
    rng = np.random.default_rng(4)
    kernel, bias = rng.normal(size=(3, 2)).astype("float32"), rng.normal(size=(2,)).astype("float32")
    grads = rng.normal(size=(5, 8)).astype("float32")
    code = (
        "import keras.optimizers as optimizers\n"
        "dense = keras.layers.Dense(2, name='dense'); dense.build((None, 3))\n"
        "dense.set_weights([inputs['k'], inputs['b']])\n"
        "opt = optimizers.MultiOptimizer(optimizers.OptimizerMap(optimizers.Adam(0.05), "
        "{'dense/kernel': optimizers.SGD(0.1, momentum=0.5)}))\n"
        "for g in inputs['g']:\n"
        "    opt.apply([keras.ops.convert_to_tensor(g[:6].reshape(3, 2)), keras.ops.convert_to_tensor(g[6:])], "
        "dense.trainable_weights)\n"
        "result.update(w=[v.numpy() for v in dense.trainable_weights], n=len(opt.variables), "
        "it=int(opt.iterations), config=opt.get_config())"
    )
    expected = keras_oracle.run(code, k=kernel, b=bias, g=grads)
    dense = keras.layers.Dense(2, name="dense")
    dense.build((None, 3))
    dense.set_weights([kernel, bias])
    opt = optimizers.MultiOptimizer(
        optimizers.OptimizerMap(optimizers.Adam(0.05), {"dense/kernel": optimizers.SGD(0.1, momentum=0.5)})
    )
    for g in grads:
        opt.apply([torch.tensor(g[:6].reshape(3, 2)), torch.tensor(g[6:])], dense.trainable_weights)
    for ours, theirs in zip(dense.trainable_weights, expected["w"]):
        np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=1e-6, atol=1e-6)
    assert len(opt.variables) == expected["n"] and int(opt.iterations) == expected["it"]
    config = opt.get_config()
    assert sorted(config) == sorted(expected["config"])
    assert config["optimizer_map"]["class_name"] == "OptimizerMap"
    clone = optimizers.MultiOptimizer.from_config(config)
    assert isinstance(clone._optimizer_map["dense/kernel"], optimizers.SGD)
    assert isinstance(clone._optimizer_map.default_optimizer, optimizers.Adam)
    with pytest.raises(AttributeError, match="sub-optimizers"):
        opt.learning_rate  # noqa: B018
    with pytest.raises(ValueError, match="LossScaleOptimizer"):
        optimizers.OptimizerMap(optimizers.SGD())["x"] = optimizers.LossScaleOptimizer(optimizers.SGD())


def test_multi_optimizer_in_fit():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, name="out")])
    # As in Keras, a Sequential's weights have paths under the model's (`sequential/out/bias`).
    assert [w.path for w in model.weights] == ["sequential/out/kernel", "sequential/out/bias"]
    opt = optimizers.MultiOptimizer(
        optimizers.OptimizerMap(optimizers.SGD(0.05), {"sequential/out/bias": optimizers.Adam(0.01)})
    )
    model.compile(optimizer=opt, loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    history = model.fit(x, x.sum(-1, keepdims=True), epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert int(opt.iterations) == 12 and int(opt.optimizers[0].iterations) == 12
