"""A camera behind (or at the head of) a body on all fours, above the line of its back,
sees the trunk longer than a level end view does: the screen ratio alone read such
frames "oblique". The metric landmarks still show the trunk pointing along the camera
axis with the hips square to it (views.END_DEPTH, views.END_YAW_DEG)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from formcheck.landmarks import PoseTrack
from formcheck.views import clip_view, frame_views

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"


def test_the_fire_hydrant_sample_filmed_from_behind_reads_feet_end_on_every_frame():
    # Own render, camera at the feet end: 336 frames read feet_end and 192 oblique before.
    track = PoseTrack.load_npz(SAMPLES / "fire_hydrant.track.npz")
    views = Counter(frame_views(track))
    assert views["feet_end"] == int(track.detected.sum())
    assert clip_view(track) == "feet_end"


def test_side_and_front_samples_keep_their_views():
    for name, view in (("clamshell", "front"), ("donkey_kick", "side"), ("straight_leg_raise", "side"),
                       ("hamstring_stretch", "side"), ("running", "front")):
        track = PoseTrack.load_npz(SAMPLES / f"{name}.track.npz")
        views = Counter(v for v in frame_views(track) if v is not None)
        assert views[view] == sum(views.values()), (name, views)


def test_a_trunk_turned_away_from_the_camera_axis_stays_oblique():
    """The same fire hydrant frames with the metric body turned 60° about the vertical:
    the trunk no longer points at the camera and the hips are not square to it."""
    track = PoseTrack.load_npz(SAMPLES / "fire_hydrant.track.npz")
    a = np.radians(60.0)
    rot = np.array([[np.cos(a), 0.0, np.sin(a)], [0.0, 1.0, 0.0], [-np.sin(a), 0.0, np.cos(a)]])
    turned = track.replace(world=track.world @ rot.T)
    before, after = frame_views(track), frame_views(turned)
    # frames whose screen ratio is between the flat and end bands
    mid = np.array([v == "feet_end" for v in before]) & np.array([v == "oblique" for v in after])
    assert mid.sum() >= 150
    assert "feet_end" not in set(after[mid])
