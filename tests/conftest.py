"""Shared fixtures: paths, small media makers, and the real-model track of the
treadmill clip (computed once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TREADMILL = SHARED / "clips" / "treadmill_side_male.mp4"
MODEL = REPO / "models" / "pose_landmarker_full.task"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def treadmill_clip() -> Path:
    if not TREADMILL.exists():
        pytest.skip(f"real clip not found at {TREADMILL} (../shared must sit beside the repo)")
    return TREADMILL


@pytest.fixture(scope="session")
def treadmill_track(treadmill_clip, tmp_path_factory):
    """The raw PoseTrack of the treadmill clip from the real model, once per session."""
    from formcheck.pose import extract_track

    return extract_track(treadmill_clip)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Tests never touch the user's real data or model cache."""
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path / "cache"))
    yield


def write_test_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    from formcheck.video import H264Writer

    with H264Writer(path, fps) as w:
        for f in frames:
            w.write(f)
    return path


def set_mp4_rotation(path: Path, degrees: int) -> None:
    """Patch the display matrix of an MP4's first track header (tkhd) so players
    rotate it, as phones do for portrait clips."""
    import struct

    data = bytearray(path.read_bytes())
    i = data.find(b"tkhd")
    off = i + 4 + (40 if data[i + 4] == 0 else 52)
    one, neg = 0x10000, (-0x10000) & 0xFFFFFFFF
    mats = {90: [0, one, 0, neg, 0, 0, 0, 0, 0x40000000],
            180: [neg, 0, 0, 0, neg, 0, 0, 0, 0x40000000],
            270: [0, neg, 0, one, 0, 0, 0, 0, 0x40000000]}
    data[off:off + 36] = struct.pack(">9I", *mats[degrees])
    path.write_bytes(bytes(data))


os.environ.setdefault("GLOG_minloglevel", "2")
