"""The routine's demos: a few seconds of each movement of the programme (cut from the
rendered samples by `python -m formcheck.sample_reports sample_videos --demos-only`),
shown looping on the set-up card. Each must be a real clip (many frames, moving),
small enough to keep in the repository."""

from pathlib import Path

import numpy as np
import pytest

from formcheck import routine as rt
from formcheck.sample_reports import DEMO_SUFFIX, demo_for, demo_span
from formcheck.video import probe, read_frames

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
MOVEMENTS = sorted({s.movement for s in rt.SEED_ROUTINE.steps})


@pytest.mark.parametrize("movement", MOVEMENTS)
def test_every_movement_of_the_programme_has_a_moving_demo_clip(movement):
    demo = demo_for(SAMPLES, movement)
    assert demo is not None, f"no {movement}{DEMO_SUFFIX}: run `python -m formcheck.sample_reports --demos-only`"
    assert demo.stat().st_size <= 40 * 1024, demo.stat().st_size
    frames = [f for _, f in read_frames(demo)]
    info = probe(demo)
    assert len(frames) >= 30 and len(frames) / info.fps >= 2.5, (len(frames), info.fps)  # seconds, not a still
    assert frames[0].shape[1] <= 480  # small: the card shows it at about 300 px
    # The person moves: at some point at least 1% of the pixels differ from the first frame by more
    # than 30 levels (coding noise between neighbouring frames changes at most 0.01% so).
    first = frames[0].astype(int)
    moved = max(float((np.abs(f.astype(int) - first).max(axis=2) > 30).mean()) for f in frames)
    assert moved >= 0.01, moved


def test_the_demos_together_stay_small():
    total = sum(p.stat().st_size for p in SAMPLES.glob(f"*{DEMO_SUFFIX}"))
    assert 0 < total <= 300 * 1024, total


def test_demo_span_is_the_first_rep_or_getting_into_the_first_hold():
    assert demo_span({"reps": [{"start_s": 1.0, "peak_s": 3.0, "end_s": 4.9}, {"start_s": 6, "end_s": 9}]}) == (
        pytest.approx(0.7), pytest.approx(5.2))
    assert demo_span({"reps": [], "holds": [{"start_s": 2.0, "end_s": 8.0}]}) == (0.0, 3.5)
    assert demo_span({"reps": [], "holds": [], "steps": [{}]}) is None


def test_no_demo_for_a_movement_without_one(tmp_path):
    assert demo_for(tmp_path, "clamshell") is None
