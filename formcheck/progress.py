"""The one terminal progress bar: a single line on stderr, redrawn in place, for the frames of a clip,
the clips of a batch and the bytes of a model download.

    bar = ProgressBar("analysing", count=frames, min_total=300, every=10)
    bar(done, total)            # a ProgressFn: pass it wherever progress(done, total) is called
    bar.end()                   # after the work: ends the line (if anything was shown)
    bar.clear()                 # before an error line: erases the bar, so the error is the only line
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from formcheck._quiet import STDERR_LOCK

__all__ = ["ProgressBar", "BAR_WIDTH", "frames", "clips", "megabytes"]

BAR_WIDTH = 30  # characters of '#' at 100%


def frames(done: int, total: int | None) -> str:
    return f"{done}/{total} frames"


def clips(done: int, total: int | None) -> str:
    return f"{done}/{total} clips"


def megabytes(done: int, total: int | None) -> str:
    return f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"


class ProgressBar:
    """`label [#####     ]  40%  count, note, ~12 s left`; with an unknown total, `label count`.

    min_total: stay silent for shorter jobs (a short clip needs no bar); every: redraw on every
    n-th unit (and on the last), so a fast loop does not flood the terminal."""

    def __init__(self, label: str, count: Callable[[int, int | None], str] = frames, *, min_total: int = 0,
                 every: int = 1, stream: TextIO | None = None):
        self.label = label
        self.count = count
        self.min_total = min_total
        self.every = max(1, every)
        self.stream = stream
        self.t0 = time.monotonic()
        self.shown = False
        self._width = 0  # of the line on screen, to erase it whole

    def _out(self) -> TextIO:
        return self.stream or sys.stderr  # looked up late: tests and the CLI swap sys.stderr

    def __call__(self, done: int, total: int | None, note: str = "") -> None:
        if total is not None and (total < self.min_total or (done % self.every and done != total)):
            return
        if not total:
            line = f"{self.label} {self.count(done, total)}{note}"
        else:
            frac = min(1.0, max(0.0, done / total))
            elapsed = time.monotonic() - self.t0
            eta = f", ~{elapsed / frac - elapsed:.0f} s left" if 0 < frac < 1 else ""
            line = (f"{self.label} [{'#' * int(BAR_WIDTH * frac):<{BAR_WIDTH}}] {frac:4.0%}  "
                    f"{self.count(done, total)}{note}{eta}")
        out = self._out()
        with STDERR_LOCK:  # not while another thread has descriptor 2 redirected (video.read_ahead)
            out.write(f"\r{line}   ")
            out.flush()
        self._width = max(self._width, len(line) + 3)
        self.shown = True

    def end(self) -> None:
        """Finish the line the bar is on (nothing if it never showed)."""
        if self.shown:
            with STDERR_LOCK:
                self._out().write("\n")
                self._out().flush()
            self.shown = False

    def clear(self) -> None:
        """Erase the bar (before an error line, so the error is the only line left)."""
        if self.shown:
            self._out().write("\r" + " " * self._width + "\r")
            self._out().flush()
            self.shown = False
