"""Optimizers: update rules equal to Keras 3's over 10 steps, schedules, clipping, state order, configs."""

import numpy as np
import pytest
import torch

import keraslite as keras
from keraslite import optimizers
from keraslite.optimizers import schedules

SHAPES = [(5, 3), (3,), (4, 2, 2)]
STEPS = 10

# (class name, constructor kwargs) — each is checked against Keras 3 step by step.
CASES = [
    ("SGD", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True, "learning_rate": 0.01}),
    ("AdamW", {"learning_rate": 0.01}),
    ("Adagrad", {"learning_rate": 0.1}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adamax", {}),
    ("Nadam", {}),
    ("Lion", {}),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("SGD", {"learning_rate": 0.1, "global_clipnorm": 0.5}),
    ("Adam", {"clipvalue": 0.1, "weight_decay": 0.1}),
    ("SGD", {"learning_rate": "exp"}),
    ("Adam", {"learning_rate": "cos"}),
    ("RMSprop", {"learning_rate": "piece"}),
    ("SGD", {"learning_rate": "poly"}),
    ("SGD", {"learning_rate": "inv"}),
    ("SGD", {"learning_rate": "restart"}),
    ("Adam", {"learning_rate": "restart1"}),
    ("Adafactor", {}),
    ("Adafactor", {"learning_rate": 0.01, "relative_step": False, "clip_threshold": 0.5}),
    ("Adafactor", {"learning_rate": "exp"}),
    ("Ftrl", {"learning_rate": 0.1}),
    (
        "Ftrl",
        {
            "learning_rate": 0.1,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.01,
            "beta": 0.5,
            "learning_rate_power": -0.7,
        },
    ),
    ("Lamb", {"learning_rate": 0.01}),
    ("Lamb", {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("Muon", {"learning_rate": 0.01}),
    ("Muon", {"learning_rate": 0.01, "nesterov": False, "rms_rate": None, "adam_lr_ratio": 0.5}),
    ("ScheduleFreeAdamW", {}),
    ("ScheduleFreeAdamW", {"warmup_steps": 4, "weight_decay": 0.01}),
    ("Adam", {"use_ema": True}),
    (
        "SGD",
        {"learning_rate": 0.1, "momentum": 0.5, "use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 3},
    ),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "gradient_accumulation_steps": 3}),
    ("Adam", {"gradient_accumulation_steps": 2, "clipnorm": 0.5}),
    (
        "LossScaleOptimizer",
        {"inner_optimizer": "optimizers.Adam(0.01)", "initial_scale": 4.0, "dynamic_growth_steps": 3},
    ),
]

_SCHEDULES = {
    "exp": "schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5)",
    "cos": "schedules.CosineDecay(0.001, decay_steps=5, alpha=0.1, warmup_target=0.01, warmup_steps=3)",
    "piece": "schedules.PiecewiseConstantDecay([2, 5], [0.01, 0.005, 0.001])",
    "poly": "schedules.PolynomialDecay(0.1, decay_steps=6, end_learning_rate=0.01, power=2.0)",
    "inv": "schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True)",
    "restart": "schedules.CosineDecayRestarts(0.1, first_decay_steps=2, t_mul=1.5, m_mul=0.5, alpha=0.1)",
    "restart1": "schedules.CosineDecayRestarts(0.01, first_decay_steps=3, t_mul=1.0)",
}


def _data():
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=s).astype("float32") for s in SHAPES]
    grads = [[rng.normal(size=s).astype("float32") for s in SHAPES] for _ in range(STEPS)]
    return weights, grads


def _make(module_name, name, kwargs):
    kw = dict(kwargs)
    if isinstance(kw.get("learning_rate"), str):
        kw["learning_rate"] = _SCHEDULES[kw["learning_rate"]]
    raw = ("learning_rate", "inner_optimizer")  # expressions, not literals
    args = ", ".join(f"{k}={v if k in raw and isinstance(v, str) else repr(v)}" for k, v in kw.items())
    return f"{module_name}.{name}({args})"


def _run_keraslite(name, kwargs, weights, grads):
    namespace = {"optimizers": optimizers, "schedules": schedules}
    opt = eval(_make("optimizers", name, kwargs), namespace)
    variables = [keras.Variable(torch.tensor(w)) for w in weights]
    for step in grads:
        opt.apply_gradients(zip([torch.tensor(g) for g in step], variables))
    return [v.detach().numpy() for v in variables], opt


def test_update_rules_match_keras(keras_oracle):
    weights, grads = _data()
    lines = ["from keras.optimizers import schedules", "import keras.optimizers as optimizers", "out = []"]
    lines.append("for make in MAKERS:")
    lines.append("    opt = eval(make)")
    lines.append("    vs = [keras.Variable(w) for w in W]")
    lines.append("    for step in G:")
    lines.append("        opt.apply_gradients(zip([keras.ops.convert_to_tensor(g) for g in step], vs))")
    lines.append("    out.extend(np.asarray(v.numpy()) for v in vs)")
    lines.append("    result['n_vars_' + str(len(result) // 2)] = len(opt.variables)")
    lines.append("    result['n_iter_' + str(len(result) // 2)] = int(opt.iterations)")
    lines.append("result['final'] = out")
    makers = [_make("optimizers", n, k) for n, k in CASES]
    code = f"MAKERS = {makers!r}\nW = [inputs[f'w{{i}}'] for i in range({len(SHAPES)})]\n"
    code += f"G = [[inputs[f'g{{s}}_{{i}}'] for i in range({len(SHAPES)})] for s in range({STEPS})]\n" + "\n".join(
        lines
    )
    arrays = {f"w{i}": w for i, w in enumerate(weights)}
    arrays.update({f"g{s}_{i}": g for s, step in enumerate(grads) for i, g in enumerate(step)})
    expected = keras_oracle.run(code, **arrays)
    final = expected["final"]
    for index, (name, kwargs) in enumerate(CASES):
        ours, opt = _run_keraslite(name, kwargs, weights, grads)
        theirs = final[index * len(SHAPES) : (index + 1) * len(SHAPES)]
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6, err_msg=f"{name} {kwargs}")
        assert len(opt.variables) == expected[f"n_vars_{index}"], (name, kwargs)
        assert int(opt.iterations) == expected[f"n_iter_{index}"], (name, kwargs)


def test_variables_order_and_names():
    opt = optimizers.Adam(amsgrad=True, name="adam")
    dense = keras.layers.Dense(2, name="d")
    dense.build((None, 3))
    opt.build(dense.trainable_weights)
    names = [v.name for v in opt.variables]
    assert names == [
        "iteration",
        "learning_rate",
        "d_kernel_momentum",
        "d_kernel_velocity",
        "d_bias_momentum",
        "d_bias_velocity",
        "d_kernel_velocity_hat",
        "d_bias_velocity_hat",
    ]
    assert opt.variables[2].path == "adam/d_kernel_momentum"


def test_learning_rate_settable_and_config_round_trip():
    opt = optimizers.RMSprop(learning_rate=0.01)
    assert abs(float(opt.learning_rate) - 0.01) < 1e-9
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == 0.5
    config = opt.get_config()
    assert config["rho"] == 0.9 and config["epsilon"] == 1e-7 and config["learning_rate"] == 0.5
    clone = optimizers.RMSprop.from_config(config)
    assert clone.get_config() == config
    scheduled = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="not settable"):
        scheduled.learning_rate = 0.1
    assert isinstance(optimizers.get("adam"), optimizers.Adam)
    assert isinstance(optimizers.get("RMSprop"), optimizers.RMSprop)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get("nope")
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_constraint_applied_after_update():
    variable = keras.Variable(torch.ones(3))
    variable.constraint = keras.constraints.NonNeg()
    optimizers.SGD(learning_rate=10.0).apply_gradients([(torch.ones(3), variable)])
    assert torch.all(variable == 0)
