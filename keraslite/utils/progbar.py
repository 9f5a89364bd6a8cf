"""`Progbar`: the progress line Keras prints during fit/evaluate/predict, in the layout of the
dialect (`keras.config.dialect()`) in effect when the bar is made.

Keras 3 ("keras3"):

    1875/1875 ━━━━━━━━━━━━━━━━━━━━ 2s 1ms/step - accuracy: 0.8000 - loss: 0.5000
    1875/1875 - 2s - 1ms/step - accuracy: 0.8000 - loss: 0.5000          (verbose=2)

written as Keras 3 writes it: the count in bold and the bar in green and grey (ANSI codes),
redrawn in place (backspaces and `\r`) wherever Keras redraws (a terminal, a notebook, any
POSIX system, so also a pipe there), the metrics in Keras 3's order (sorted, the `val_` ones
after the rest), the time per step measured from the end of the first step.

tf.keras 2 ("tf2"):

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

from keraslite.backend import state
from keraslite.backend.dialect_defaults import tf2_defaults
from keraslite.backend.interactive_logging import is_interactive_logging_enabled, print_msg

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def _is_interactive(stream) -> bool:
    try:
        return stream.isatty() or "ipykernel" in sys.modules or "PYCHARM_HOSTED" in os.environ
    except (AttributeError, ValueError):
        return False


def _keras3_redraws(stream) -> bool:
    # Keras 3 redraws in place on any POSIX system, whether or not the output is a terminal.
    return _is_interactive(stream) or "posix" in sys.modules


def _keras3_order(keys) -> list:
    # Keras 3's logs are sorted by name, the validation ones (added after) following the rest.
    keys = list(keys)
    return sorted(k for k in keys if not k.startswith("val_")) + sorted(k for k in keys if k.startswith("val_"))


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
        width: width of the bar in characters (20, Keras 3's; 30, tf.keras 2's, when the "tf2"
            dialect leaves it out).
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

    @tf2_defaults(width=30)
    def __init__(
        self,
        target,
        width: int = 20,
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
        self._keras3 = state.dialect() == "keras3"
        self.width = width if width is not None else (20 if self._keras3 else 30)  # None: the dialect's
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stream = stream
        # A log gets one line per epoch, never the redraws of a terminal.
        if self._keras3:
            self._dynamic = _keras3_redraws(self.out)
        else:
            self._dynamic = is_interactive_logging_enabled() and _is_interactive(self.out)
        self._time_after_first_step = None
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
        if self._keras3:
            self._update_keras3(current, now, finalize)
            return
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

    # ------------------------------------------------------------------ Keras 3's layout
    def _step_duration(self, current, now) -> float:
        # The first step (tracing, warm-up) is left out of the estimate once there are others.
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            duration = (now - self._time_after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return duration

    def _update_keras3(self, current, now, finalize) -> None:
        per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw_keras3(current, now, per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            line = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s - "
            line += format_time_per_unit(per_unit, self.unit_name)
            for key in _keras3_order(self._values):
                value = self._values[key]
                line += f" - {key}: {value:.4f}" if value > 1e-3 else f" - {key}: {value:.4e}"
            print_msg(line + "\n", line_break=False, stream=self.out)
        self._last_update = now

    def _draw_keras3(self, current, now, per_unit, finalize) -> None:
        message = "\b" * self._total_width + "\r" if self._dynamic else "\n"
        if self.target:
            digits = int(math.log10(self.target)) + 1
            count = f"{current:{digits}d}/{self.target}"
            filled = int(self.width * current / self.target)
            bar = f"{_BOLD}{count}{_RESET} "
            if filled > 0:
                bar += f"{_GREEN}{'━' * filled}{_RESET}"
            bar += f"{_GREY}{'━' * (self.width - filled)}{_RESET}"
            visible = len(count) + 1 + self.width
        else:
            bar = f"{current:7d}/Unknown"
            visible = len(bar)
        if self.target and not finalize:
            eta = per_unit * (self.target - current)
            if eta > 3600:
                when = f"{int(eta // 3600)}:{int(eta % 3600) // 60:02d}:{int(eta % 60):02d}"
            elif eta > 60:
                when = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                when = f"{int(eta)}s"
        else:
            when = f"{now - self._start:.0f}s"
        info = f" {when} {format_time_per_unit(per_unit, self.unit_name)}"
        info += "".join(f" - {key}: {format_value(self._values[key])}" for key in _keras3_order(self._values))
        width = visible + len(info)  # what shows: the escape codes take no room
        info = f" {_BOLD}{when}{_RESET}" + info[len(when) + 1 :]
        message += bar + info + " " * max(0, self._total_width - width)
        if finalize:
            message += "\n"
        print_msg(message, line_break=False, stream=self.out)
        self._total_width = width

    def add(self, n: int, values=None) -> None:
        self.update(self._seen + n, values)
