"""Conformance: the seed guide's code runs unchanged under `keraslite run`.

The examples/ scripts are the guide's code cells (compat_tests/data/guide_cells.json,
copied from the guide), unchanged; each run here is a `keraslite run` subprocess whose
printed summary tables are compared line by line with the guide's
(compat_tests/data/guide_summaries.txt).
"""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXAMPLES = os.path.join(ROOT, "examples")
DATA = os.path.join(HERE, "data")

with open(os.path.join(DATA, "guide_cells.json")) as _file:
    CELLS = {cell["id"]: cell for cell in json.load(_file)}
with open(os.path.join(DATA, "example_scripts.json")) as _file:
    SCRIPTS = json.load(_file)
with open(os.path.join(DATA, "guide_summaries.txt")) as _file:
    GUIDE_TABLES = [table.splitlines() for table in _file.read().strip().split("\n\n")]


def run_example(name, cwd, env=None, timeout=400):
    environment = dict(os.environ, **(env or {}))
    environment.setdefault("KERASLITE_DEVICE", "cpu")
    # One intra-op thread: on a shared CI machine torch's spinning worker threads make
    # small steps 10x slower, and the examples are small.
    environment.setdefault("OMP_NUM_THREADS", "1")
    return subprocess.run(
        [sys.executable, "-m", "keraslite", "run", os.path.join(EXAMPLES, name)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def printed_tables(stdout):
    """The summary tables in a script's output (from `Model: "..."` to the closing rule)."""
    lines, tables, index = stdout.splitlines(), [], 0
    while index < len(lines):
        if lines[index].startswith('Model: "'):
            end = index
            while not lines[end].startswith("Non-trainable params"):
                end += 1
            tables.append([line.rstrip() for line in lines[index : end + 2]])
            index = end + 2
        else:
            index += 1
    return tables


def assert_tables_match(stdout, expected_tables):
    tables = printed_tables(stdout)
    assert len(tables) == len(expected_tables), stdout
    for printed, expected in zip(tables, expected_tables):
        assert printed == [line.rstrip() for line in expected]


_RULE_PREFIXES = ("_", "=", "Model:", "Layer (type)", "Total params", "Trainable params", "Non-trainable params")


def assert_tables_match_except_names(stdout, expected_tables):
    """For a section run on its own, auto-names restart (`conv2d` where the guide, having
    built other models first, prints `conv2d_8`): compare everything but the names."""
    tables = printed_tables(stdout)
    assert len(tables) == len(expected_tables), stdout
    for printed, expected in zip(tables, expected_tables):
        assert len(printed) == len(expected)
        name_end, params_end = (32, 65) if len(expected[1]) == 98 else (29, 65)
        for got, want in zip(printed, [line.rstrip() for line in expected]):
            if want.startswith(_RULE_PREFIXES) or not want[:name_end].strip():
                if want.startswith(_RULE_PREFIXES):
                    assert got == want
                continue
            assert got[name_end:params_end].rstrip() == want[name_end:params_end].rstrip(), (got, want)
            # The class labels ("(Conv2D)", maybe cut at the column edge) agree.
            got_label = got[:name_end].rstrip().split(" (", 1)[-1].rstrip(")")
            want_label = want[:name_end].rstrip().split(" (", 1)[-1].rstrip(")")
            common = min(len(got_label), len(want_label))
            assert common >= 3 and got_label[:common] == want_label[:common], (got, want)


def write_vgg19_weights(models_dir):
    """A VGG19 ImageNet weights file in tf.keras's HDF5 layout, every value 0.001. The
    datasets are never written (HDF5 returns the fill value), so the file is a few kB."""
    import h5py

    layers = [("input_1", [])]
    channels = 3
    for block, (convs, filters) in enumerate(zip((2, 2, 4, 4, 4), (64, 128, 256, 512, 512)), start=1):
        for index in range(1, convs + 1):
            layers.append((f"block{block}_conv{index}", [("kernel", (3, 3, channels, filters)), ("bias", (filters,))]))
            channels = filters
        layers.append((f"block{block}_pool", []))
    layers += [
        ("flatten", []),
        ("fc1", [("kernel", (25088, 4096)), ("bias", (4096,))]),
        ("fc2", [("kernel", (4096, 4096)), ("bias", (4096,))]),
        ("predictions", [("kernel", (4096, 1000)), ("bias", (1000,))]),
    ]
    os.makedirs(models_dir, exist_ok=True)
    with h5py.File(os.path.join(models_dir, "vgg19_weights_tf_dim_ordering_tf_kernels.h5"), "w") as file:
        file.attrs["layer_names"] = [name.encode() for name, _ in layers]
        for name, weights in layers:
            group = file.create_group(name)
            group.attrs["weight_names"] = [f"{name}/{weight}:0".encode() for weight, _ in weights]
            for weight, shape in weights:
                group.create_dataset(f"{name}/{weight}:0", shape=shape, dtype="float32", fillvalue=0.001)


def assert_png(path):
    with open(path, "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n", path


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_example_is_the_guides_code_unchanged(name):
    with open(os.path.join(EXAMPLES, name)) as file:
        text = file.read()
    header, _, body = text.partition("\nimport numpy as np\n")
    assert all(line.startswith("#") or not line for line in header.splitlines()), (
        "only comments before the guide's code"
    )
    expected = "\n\n".join(CELLS[cell_id]["code"] for cell_id in SCRIPTS[name])
    assert "import numpy as np\n" + body == expected + "\n"


def test_full_guide_script_has_every_cell_in_order():
    assert SCRIPTS["functional_api_guide.py"] == list(CELLS)
    starts = [CELLS[cell_id]["lines"][0] for cell_id in SCRIPTS["functional_api_guide.py"]]
    assert starts == sorted(starts)


def write_learnable_mnist(datasets_dir):
    """mnist.npz at the real sizes (the guide reshapes to 60000 and 10000 rows): each
    image is blank but for a bright row at its label, so training can learn it."""
    import numpy as np

    rng = np.random.default_rng(0)
    arrays = {}
    for split, count in (("train", 60000), ("test", 10000)):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = np.zeros((count, 28, 28), np.uint8)
        images[np.arange(count), labels * 2 + 4] = 255
        arrays[f"x_{split}"], arrays[f"y_{split}"] = images, labels
    os.makedirs(datasets_dir, exist_ok=True)
    np.savez_compressed(os.path.join(datasets_dir, "mnist.npz"), **arrays)


@pytest.fixture(scope="module")
def keras_home(tmp_path_factory):
    """A Keras cache holding MNIST, CIFAR-10 (small, real format) and VGG19 weights."""
    from keraslite.datasets import fixtures

    home = tmp_path_factory.mktemp("keras_home")
    write_learnable_mnist(str(home / "datasets"))
    fixtures.write_cifar10(str(home / "datasets"))
    write_vgg19_weights(str(home / "models"))
    return {"KERAS_HOME": str(home), "KERASLITE_OFFLINE": "1", "KERASLITE_TRUST_CACHE": "1"}


def _check_full_guide(result, tmp_path):
    assert_tables_match(result.stdout, GUIDE_TABLES)
    _check_mnist(result)
    _check_ticket_training(result)
    _check_cifar(result)
    assert "(1, 10, 32)" in result.stdout.splitlines()
    for png in (
        "my_first_model.png",
        "my_first_model_with_shape_info.png",
        "multi_input_and_output_model.png",
        "mini_resnet.png",
    ):
        assert_png(tmp_path / png)


def _check_main_job(result, tmp_path):
    assert_tables_match(result.stdout, GUIDE_TABLES)
    _check_ticket_training(result)
    assert "(1, 10, 32)" in result.stdout.splitlines()
    assert "Epoch 1/5" not in result.stdout  # no MNIST cell: it needs a download
    for png in (
        "my_first_model.png",
        "my_first_model_with_shape_info.png",
        "multi_input_and_output_model.png",
        "mini_resnet.png",
    ):
        assert_png(tmp_path / png)
    assert (tmp_path / "path_to_my_model").is_dir()


def _check_mnist(result):
    lines = result.stdout.replace("\r", "\n").splitlines()
    for epoch in range(1, 6):
        assert f"Epoch {epoch}/5" in lines
    final = [line for line in lines if "val_accuracy" in line][-1]
    assert "loss:" in final and "accuracy:" in final
    accuracy = float([line for line in lines if line.startswith("Test accuracy:")][0].split()[-1])
    assert accuracy > 0.9  # the generated digits are learnable: training works
    assert [line for line in lines if line.startswith("Test loss:")]


def _check_ticket_training(result):
    lines = result.stdout.replace("\r", "\n").splitlines()
    assert "Epoch 1/2" in lines and "Epoch 2/2" in lines
    epoch_lines = [line for line in lines if "department_loss" in line]
    assert epoch_lines and all("priority_loss" in line and "loss:" in line for line in epoch_lines)


def _check_cifar(result):
    lines = result.stdout.replace("\r", "\n").splitlines()
    assert "Epoch 1/1" in lines
    assert any("val_acc" in line and " acc:" in line for line in lines)


def _check_custom_rnn(result):
    assert result.stdout.splitlines() == ["(1, 10, 32)"]


# What each example must print (beyond running to completion under `keraslite run`).
CHECKS = {
    "functional_api_guide.py": _check_full_guide,
    "main_job.py": _check_main_job,
    "guide_01_mnist_mlp.py": lambda result, path: (
        assert_tables_match(result.stdout, GUIDE_TABLES[:1]),
        _check_mnist(result),
        assert_png(path / "my_first_model.png"),
    ),
    "guide_02_autoencoders.py": lambda result, path: assert_tables_match(result.stdout, GUIDE_TABLES[1:6]),
    "guide_03_ensembling.py": lambda result, path: None,
    "guide_04_ticket_routing.py": lambda result, path: (
        _check_ticket_training(result),
        assert_png(path / "multi_input_and_output_model.png"),
    ),
    "guide_05_toy_resnet.py": lambda result, path: (
        assert_tables_match_except_names(result.stdout, GUIDE_TABLES[6:7]),
        _check_cifar(result),
        assert_png(path / "mini_resnet.png"),
    ),
    "guide_06_shared_layers.py": lambda result, path: None,
    "guide_07_feature_extraction.py": lambda result, path: None,
    "guide_08_custom_layers.py": lambda result, path: None,
    "guide_09_functional_strengths.py": lambda result, path: None,
    "guide_10_mix_and_match.py": lambda result, path: _check_custom_rnn(result),
}


# examples/ that are not the seed guide's code, each tested where it belongs.
NOT_SEED = {
    "distributed_mnist.py": "the torchrun example of keras.distribution (tests/distribution/test_example.py)",
}


def test_every_example_is_checked():
    seed_scripts = sorted(name for name in os.listdir(EXAMPLES) if name.endswith(".py") and name not in NOT_SEED)
    assert sorted(CHECKS) == sorted(SCRIPTS) == seed_scripts


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_example_runs_unchanged(name, keras_home, tmp_path):
    """Each example under `keraslite run`, with the datasets and weights it downloads
    already in the cache (and downloads forbidden)."""
    result = run_example(name, tmp_path, env=keras_home)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    CHECKS[name](result, tmp_path)


def test_full_guide_offline_stops_at_the_first_load_data(tmp_path):
    """No network and nothing cached: the script prints the first table, then stops at
    `keras.datasets.mnist.load_data()` with a message naming the file to place."""
    result = run_example(
        "functional_api_guide.py", tmp_path, env={"KERAS_HOME": str(tmp_path / "keras_home"), "KERASLITE_OFFLINE": "1"}
    )
    assert result.returncode == 1
    assert_tables_match(result.stdout.split("Downloading data")[0], GUIDE_TABLES[:1])
    last_line = result.stderr.strip().splitlines()[-1]
    assert "mnist.npz" in last_line and os.path.join("keras_home", "datasets") in last_line
    assert f'File "{os.path.join(EXAMPLES, "functional_api_guide.py")}"' in result.stderr
