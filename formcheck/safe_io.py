"""Writing files safely: the one atomic-write helper, and output checks made
before any slow work starts.

`atomic_path(dest)` yields a temporary path in the destination's folder; the
file appears under its real name only when the block finishes without error
(fsync, then rename), so a crash, an error or Ctrl-C never leaves a half-written
or stray file behind. Files are created owner-only (0600) when `private=True`.

`check_output(path, kinds, inputs)` refuses, with one clear line, an output
that would overwrite an input, is a folder, has the wrong extension or sits in
a folder that cannot be written. No OpenCV, MediaPipe or Streamlit here.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from formcheck.errors import FormCheckError

__all__ = ["OutputError", "atomic_path", "atomic_write_bytes", "atomic_write_text", "check_output",
           "json_safe", "dumps_json", "PART_SUFFIX", "private_dir"]

PART_SUFFIX = ".part"  # temporary files carry this in their name (never listed as results)


class OutputError(FormCheckError):
    """An output path that cannot or must not be written."""


def private_dir(path: str | os.PathLike) -> Path:
    """Create `path` (and parents) if needed and make it owner-only (0700)."""
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(p, 0o700)
    return p


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike, *, private: bool = False, mkdir: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; on success it is fsynced and renamed
    to `dest`, on any exception (KeyboardInterrupt included) it is removed.

    The temporary name keeps `dest`'s extension (some writers pick the format
    from it) and contains PART_SUFFIX. `private=True` makes the result 0600.
    """
    dest = Path(dest)
    if mkdir:
        dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=PART_SUFFIX + dest.suffix, dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        if not private:  # mkstemp makes 0600; ordinary outputs follow the umask like any other file
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if private:
            os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def atomic_write_bytes(dest: str | os.PathLike, data: bytes, *, private: bool = False) -> Path:
    with atomic_path(dest, private=private) as tmp:
        tmp.write_bytes(data)
    return Path(dest)


def atomic_write_text(dest: str | os.PathLike, text: str, *, private: bool = False) -> Path:
    with atomic_path(dest, private=private) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(dest)


def json_safe(obj):
    """A copy of `obj` with every NaN or infinite float replaced by None (JSON null)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_safe(v) for v in obj]
    if hasattr(obj, "tolist") and callable(obj.tolist):  # numpy scalars and arrays
        return json_safe(obj.tolist())
    return obj


def dumps_json(obj, indent: int | None = 2) -> str:
    """Strict JSON: non-finite numbers become null, and anything else that is not
    valid JSON raises instead of being written."""
    return json.dumps(json_safe(obj), indent=indent, allow_nan=False)


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_output(path: str | os.PathLike, suffixes: tuple[str, ...], what: str,
                 inputs: tuple[str | os.PathLike, ...] = ()) -> Path:
    """Refuse an output path that cannot be right, before any slow work:

    - the same file as one of `inputs` (it would destroy the input),
    - an existing folder,
    - an extension not in `suffixes` (lower-case, with the dot),
    - a folder that does not exist and cannot be made, or cannot be written.

    Returns the path. Raises OutputError with one line naming the option `what`.
    """
    p = Path(path).expanduser()
    if not str(path).strip():
        raise OutputError(f"{what}: the output path is empty")
    for src in inputs:
        if _same_file(p, Path(src).expanduser()):
            raise OutputError(f"{what} {p} is the input file; it would be overwritten. Choose another name")
    if p.is_dir():
        raise OutputError(f"{what} {p} is a folder; give a file name ending in {' or '.join(suffixes)}")
    if p.suffix.lower() not in suffixes:
        got = p.suffix or "no extension"
        raise OutputError(f"{what} must end in {' or '.join(suffixes)}, got {got} ({p.name})")
    parent = p.parent
    probe = parent
    while not probe.exists():  # the nearest existing ancestor decides whether the folder can be made
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"{what} {p}: {probe} is a file, not a folder")
    try:  # a real write, as permission bits say nothing about read-only disks (or root)
        fd, name = tempfile.mkstemp(prefix=".formcheck-write-test-", dir=probe)
        os.close(fd)
        os.unlink(name)
    except OSError as e:
        raise OutputError(f"{what} {p}: cannot write in {probe} ({e.strerror or e})") from None
    if p.exists() and not os.access(p, os.W_OK) and not os.access(parent, os.W_OK):
        raise OutputError(f"{what} {p}: the file exists and cannot be replaced (permission denied)")
    return p
