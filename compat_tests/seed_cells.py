"""The seed guide's models, built in-process by the guide's own code.

`data/guide_cells.json` holds every code cell of the guide, in order (the examples/
scripts are made of the same cells). `build_all()` runs the cells that build models,
unchanged, with `tensorflow`/`keras` resolving to keraslite, and returns the models by a
short key. Auto-names continue from cell to cell as in the guide (`conv2d_4` in the
second encoder, `dense_6` in the toy ResNet), so the cells run in order after
`clear_session()`. Cells that only print, plot, save, train or download are skipped:
none of them makes a layer.
"""

import contextlib
import io
import json
import os

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "guide_cells.json")

# cell id -> {key: the variable(s) holding the model after that cell}
CAPTURE = {
    "model": {"mnist_model": "model", "_mnist_inputs": "inputs"},
    "autoencoder": {"encoder": "encoder", "autoencoder": "autoencoder"},
    "nested_autoencoder": {"encoder_nested": "encoder", "decoder": "decoder", "autoencoder_nested": "autoencoder"},
    "ensembling": {"ensemble": "ensemble_model", "_ensemble_members": ("model1", "model2", "model3")},
    "ticket_model": {"ticket": "model"},
    "toy_resnet": {"toy_resnet": "model"},
    "shared_layers": {
        "shared_embedding": ("shared_embedding", "text_input_a", "text_input_b", "encoded_input_a", "encoded_input_b")
    },
    "custom_dense": {"custom_dense": "model"},
}
BUILD_CELLS = (
    "setup",
    "input",
    "img_inputs",
    "dense_call",
    "more_layers",
    "model",
    "autoencoder",
    "nested_autoencoder",
    "ensembling",
    "ticket_model",
    "toy_resnet",
    "shared_layers",
    "custom_dense",
)


def build_all():
    from keraslite.compat import install_aliases, uninstall_aliases
    from keraslite.graph import display

    with open(DATA) as handle:
        cells = {cell["id"]: cell for cell in json.load(handle)}
    namespace, models = {"__name__": "seed_guide"}, {}
    install_aliases()
    try:
        for cell_id in BUILD_CELLS:
            with contextlib.redirect_stdout(io.StringIO()):  # the cells' own summary() calls
                exec(compile(cells[cell_id]["code"], f"<guide cell {cell_id}>", "exec"), namespace)
            for key, names in CAPTURE.get(cell_id, {}).items():
                models[key] = tuple(namespace[n] for n in names) if isinstance(names, tuple) else namespace[names]
    finally:
        uninstall_aliases()
        display.set_display_types(tuple, str)
    return models
