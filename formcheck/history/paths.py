"""Where the history lives: the data folder and the names of its files."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DB_NAME", "VIDEO_NAME", "TRACK_NAME", "data_dir", "default_db_path"]


DB_NAME = "formcheck.db"
VIDEO_NAME = "annotated.mp4"
TRACK_NAME = "track.npz"


def data_dir() -> Path:
    """$FORMCHECK_DATA_DIR, else $XDG_DATA_HOME/formcheck, else ~/.local/share/formcheck."""
    env = os.environ.get("FORMCHECK_DATA_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share") / "formcheck"


def default_db_path() -> Path:
    return data_dir() / DB_NAME
