"""Shared fixtures: paths, small media makers, and the real-model track of the
treadmill clip (computed once per session)."""

from __future__ import annotations

import os
from pathlib import Path

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


os.environ.setdefault("GLOG_minloglevel", "2")
