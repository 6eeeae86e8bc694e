"""Keeping native libraries' log lines off the user's terminal."""

from __future__ import annotations

import contextlib
import os
import sys

__all__ = ["quiet_stderr"]


@contextlib.contextmanager
def quiet_stderr():
    """Silence C++ logging written straight to file descriptor 2 (TFLite and absl
    start-up messages) while the block runs; Python's own stderr is unaffected after."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(devnull)
        os.close(saved)
