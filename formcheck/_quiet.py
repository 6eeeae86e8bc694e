"""Keeping native libraries' log lines off the user's terminal."""

from __future__ import annotations

import contextlib
import os
import sys
import threading

__all__ = ["quiet_stderr", "StderrCapture", "STDERR_LOCK"]

# Held while descriptor 2 is pointed elsewhere (and by Python code writing to the terminal,
# e.g. the progress bar): video.read_ahead decodes in a second thread, and without it one
# thread's redirection could swallow or capture another thread's output, or restore the
# wrong descriptor.
STDERR_LOCK = threading.RLock()


@contextlib.contextmanager
def quiet_stderr():
    """Silence C++ logging written straight to file descriptor 2 (TFLite and absl
    start-up messages) while the block runs; Python's own stderr is unaffected after."""
    fd = 2  # native code writes to descriptor 2 whatever Python's sys.stderr is
    try:
        sys.stderr.flush()
        os.fstat(fd)
    except (AttributeError, OSError, ValueError):
        yield
        return
    with STDERR_LOCK:
        saved = os.dup(fd)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
            yield
        finally:
            os.dup2(saved, fd)
            os.close(devnull)
            os.close(saved)


class StderrCapture:
    """Collect what native code writes to file descriptor 2 while `active()` blocks
    run (FFmpeg's decoder complaints), instead of letting it reach the terminal.
    Use briefly around native calls only: Python writes to stderr in between
    (the progress bar) still reach the terminal."""

    def __init__(self):
        self._file = None
        self._fd = None
        try:
            os.fstat(2)  # native code writes to descriptor 2 whatever Python's sys.stderr is
        except OSError:
            return
        self._fd = 2
        import tempfile

        self._file = tempfile.TemporaryFile()

    @contextlib.contextmanager
    def active(self):
        if self._file is None:
            yield
            return
        with STDERR_LOCK:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()
            saved = os.dup(self._fd)
            try:
                os.dup2(self._file.fileno(), self._fd)
                yield
            finally:
                os.dup2(saved, self._fd)
                os.close(saved)

    def lines(self) -> list[str]:
        """The captured lines (and closes the capture)."""
        if self._file is None:
            return []
        self._file.seek(0)
        text = self._file.read().decode("utf-8", "replace")
        self._file.close()
        self._file = None
        return [ln for ln in text.splitlines() if ln.strip()]
