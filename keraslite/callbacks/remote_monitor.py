"""RemoteMonitor: POST each epoch's logs to a server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from keraslite.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Send `{"epoch": epoch, **logs}` to `root + path` at each epoch end, as an HTTP POST:
    a form with one field `field` holding the JSON (default), or the JSON itself
    (`send_as_json=True`). A server that cannot be reached gives a warning, not an error.

    Uses the standard library's `urllib` (Keras uses `requests`; the requests are the same).

    Args:
        root: the server's root URL.
        path: the path the events are sent to.
        field: the form field holding the JSON.
        headers: extra HTTP headers (a dict).
        send_as_json: send the JSON as the request body (`application/json`).
    """

    def __init__(
        self, root="http://localhost:9000", path="/publish/epoch/end/", field="data", headers=None, send_as_json=False
    ):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            send[key] = value.item() if isinstance(value, (np.ndarray, np.generic)) else value
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
