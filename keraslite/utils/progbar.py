"""`Progbar`: the progress line Keras prints during fit/evaluate/predict.

    750/750 [==============================] - 2s 3ms/step - loss: 0.3471 - accuracy: 0.9009

In a terminal the line is redrawn in place (`\\r`), at most every `interval` seconds,
so that printing never slows training; when the output is piped to a file only the
final line of each epoch is written (no control characters in logs). With interactive
logging off (`keras.config.disable_interactive_logging()`) that final line goes to Python's
`logging` instead of the stream, as Keras sends it to its logger.
"""

from __future__ import annotations

import math
import os
import sys
import time

from keraslite.backend.interactive_logging import is_interactive_logging_enabled, print_msg


def _is_interactive(stream) -> bool:
    try:
        return stream.isatty() or "ipykernel" in sys.modules or "PYCHARM_HOSTED" in os.environ
    except (AttributeError, ValueError):
        return False


def format_time_per_unit(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def format_value(value: float) -> str:
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


class Progbar:
    """A progress bar.

    Args:
        target: total number of steps (None if unknown).
        width: width of the bar in characters.
        verbose: 1 (bar), 2 (one line at the end), 0 (silent).
        interval: minimum seconds between redraws.
        stateful_metrics: names of values shown as given; every other value is shown as
            its average over the steps so far (Keras's default: all values averaged).
        stateless_metrics: alternatively, the names of the values to average (the others
            are shown as given). Only one of the two may be set.
        unit_name: what a step is called (`step`, `sample`).
        stream: where to write (default `sys.stdout`).

    The final update of a bar (`finalize`) shows every value as given.
    """

    def __init__(
        self,
        target,
        width: int = 30,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name: str = "step",
        stream=None,
    ):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided. "
                f"Received: stateful_metrics={stateful_metrics}, stateless_metrics={stateless_metrics}"
            )
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        if self.stateful_metrics is None and self.stateless_metrics is None:
            self.stateful_metrics = set()
        self._sums: dict = {}
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stream = stream
        # A log gets one line per epoch, never the redraws of a terminal.
        self._dynamic = is_interactive_logging_enabled() and _is_interactive(self.out)
        self._start = time.time()
        self._last_update = 0.0
        self._total_width = 0
        self._seen = 0
        self._values: dict = {}

    @property
    def out(self):
        return self.stream if self.stream is not None else sys.stdout

    def should_update(self) -> bool:
        """Whether `update` would draw now: callers compute (and sync) values only then."""
        return self.verbose == 1 and self._dynamic and time.time() - self._last_update >= self.interval

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for key, value in values or []:
            value = float(value)
            if self.stateful_metrics is not None:
                averaged = key not in self.stateful_metrics
            else:
                averaged = key in self.stateless_metrics
            if averaged and not finalize:
                # Weighted by the steps since the last update, as Keras averages.
                steps = max(current - self._seen, 1)
                total, count = self._sums.get(key, (0.0, 0))
                self._sums[key] = (total + value * steps, count + steps)
                value = self._sums[key][0] / self._sums[key][1]
            self._values[key] = value
        self._seen = current
        now = time.time()
        if self.verbose == 1:
            if not finalize and (not self._dynamic or now - self._last_update < self.interval):
                return
            self._draw(current, now, finalize)
        elif self.verbose == 2 and finalize:
            self._draw_line(current, now)
        self._last_update = now

    def _bar(self, current) -> str:
        if self.target is None:
            return f"{current:7d}/Unknown"
        digits = int(math.log10(self.target)) + 1 if self.target > 0 else 1
        bar = f"{current:{digits}d}/{self.target} ["
        progress = current / self.target if self.target else 1.0
        filled = int(self.width * progress)
        if filled > 0:
            bar += "=" * (filled - 1)
            bar += ">" if current < self.target else "="
        bar += "." * (self.width - filled)
        return bar + "]"

    def _values_text(self) -> str:
        return "".join(f" - {key}: {format_value(value)}" for key, value in self._values.items())

    def _draw(self, current, now, finalize) -> None:
        bar = self._bar(current)
        elapsed = now - self._start
        per_unit = elapsed / current if current else 0.0
        if self.target is not None and current < self.target:
            eta = per_unit * (self.target - current)
            if eta > 3600:
                eta_text = f"{int(eta // 3600)}:{int(eta % 3600) // 60:02d}:{int(eta % 60):02d}"
            elif eta > 60:
                eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                eta_text = f"{int(eta)}s"
            info = f" - ETA: {eta_text}"
        else:
            info = f" - {elapsed:.0f}s {format_time_per_unit(per_unit, self.unit_name)}"
        info += self._values_text()
        line = bar + info
        if self._dynamic:
            padding = " " * max(0, self._total_width - len(line))
            text = "\r" + line + padding
        else:
            text = line
        self._total_width = len(line)
        if finalize:
            text += "\n"
        print_msg(text, line_break=False, stream=self.out)

    def _draw_line(self, current, now) -> None:
        elapsed = now - self._start
        digits = int(math.log10(self.target)) + 1 if self.target else 1
        count = f"{current:{digits}d}/{self.target}" if self.target else f"{current}"
        line = f"{count} - {elapsed:.0f}s{self._values_text()}"
        print_msg(line, stream=self.out)

    def add(self, n: int, values=None) -> None:
        self.update(self._seen + n, values)
