"""Running clips the analysis must not advise on, end to end with the real pose model.

- sample_videos/running.mp4 (rendered, 60 fps, 170 steps/min) re-encoded to play
  4x slower, as a phone's slow motion does: the report asks what speed it was
  filmed at and gives no cadence or advice; with --time-scale 0.25 the cadence
  is within 3% of the truth.
- Real squat clips from the shared real-footage cache (skipped when absent),
  analysed as running: no FPPA, asymmetry or cadence claims.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from formcheck.cli import main
from formcheck.gait import SLOW_MOTION_QUESTION, GaitOptions, analyze_running
from formcheck.landmarks import PoseTrack
from formcheck.video import capture_fps, read_frames

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_videos" / "running.mp4"
REAL = Path(os.environ.get("FORMCHECK_REAL_CLIPS", Path.home() / ".cache" / "formcheck" / "real_clips"))


def write_retimed(src: Path, out: Path, slower: float, tags: dict[str, str] | None = None) -> Path:
    """The clip's frames re-encoded to play `slower` times slower (H.264, PyAV),
    with container metadata `tags` (e.g. a phone's capture-rate tag)."""
    import av

    frames = [f for _, f in read_frames(src)]
    fps = 60.0 / slower
    opts = {"movflags": "+faststart+use_metadata_tags"}
    with av.open(str(out), "w", options=opts) as c:
        for k, v in (tags or {}).items():
            c.metadata[k] = v
        s = c.add_stream("libx264", rate=Fraction(fps).limit_denominator(1001))
        s.height, s.width = frames[0].shape[:2]
        s.pix_fmt = "yuv420p"
        for f in frames:
            for p in s.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(f), format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return out


@pytest.fixture(scope="module")
def slow_track(tmp_path_factory) -> Path:
    """The running sample at 15 fps (4x slower), through the real model once, as a .npz track."""
    if not SAMPLE.exists():
        pytest.skip("sample_videos/running.mp4 is missing")
    d = tmp_path_factory.mktemp("slow")
    clip = write_retimed(SAMPLE, d / "running_slow.mp4", 4.0)
    out = d / "running_slow.npz"
    assert main(["track", str(clip), "--out", str(out)]) == 0
    return out


def test_slow_motion_clip_asks_instead_of_advising(slow_track, tmp_path, capsys):
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())
    js = tmp_path / "r.json"
    assert main(["analyze", str(slow_track), "-e", "running", "--json", str(js)]) == 0
    out = capsys.readouterr().out
    assert SLOW_MOTION_QUESTION in out and "--time-scale 0.25" in out
    assert "Advice" not in out and "Cadence" not in out and "caves in" not in out
    rep = json.loads(js.read_text())
    gait = rep["gait"]
    assert gait["status"] == "slow_motion" and gait["cadence_spm"] is None and rep["advice"] == []
    assert gait["sanity"]["cadence_measured_spm"] == pytest.approx(truth["cadence_spm"] / 4, rel=0.03)
    assert all(gait["legs"][s]["verdict"] is None for s in ("left", "right"))
    # With the time scale it was filmed at: cadence within 3% of the truth, and a normal report.
    assert main(["analyze", str(slow_track), "-e", "running", "--time-scale", "0.25", "--json", str(js)]) == 0
    fixed = json.loads(js.read_text())
    assert fixed["gait"]["status"] == "running"
    assert fixed["gait"]["cadence_spm"] == pytest.approx(truth["cadence_spm"], rel=0.03)
    assert f"Cadence {fixed['gait']['cadence_spm']:.0f} steps/min" in capsys.readouterr().out


def test_capture_rate_tag_is_read(tmp_path):
    """A phone's slow-motion tag (com.android.capture.fps) is read from the container."""
    clip = write_retimed_short(tmp_path / "tagged.mp4", {"com.android.capture.fps": "240.000000"})
    assert capture_fps(clip) == pytest.approx(240.0)
    assert capture_fps(write_retimed_short(tmp_path / "plain.mp4", {})) is None


def write_retimed_short(out: Path, tags: dict[str, str]) -> Path:
    import av

    with av.open(str(out), "w", options={"movflags": "+faststart+use_metadata_tags"}) as c:
        for k, v in tags.items():
            c.metadata[k] = v
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        for _ in range(5):
            for p in s.encode(av.VideoFrame.from_ndarray(np.zeros((64, 64, 3), np.uint8), format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return out


@pytest.mark.parametrize("name", ["nm_squat_front_healthserv", "nm_squat_side_vengaza", "nm_squat_side_yuyou"])
def test_real_squats_analysed_as_running_make_no_claims(name):
    track_path = REAL / f"{name}.npz"
    if not track_path.exists():
        pytest.skip(f"{track_path} not in the real-footage cache")
    rep = analyze_running(PoseTrack.load_npz(track_path), GaitOptions())
    gait = rep["gait"]
    assert gait["status"] == "not_running"
    assert rep["steps"] == [] and rep["advice"] == [] and gait["cadence_spm"] is None
    assert gait.get("asymmetry", {}).get("fppa_deg") is None
    text = " ".join(gait["summary_lines"])
    assert "no running measures were made" in text and "caves in" not in text and "Cadence" not in text
