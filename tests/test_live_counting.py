"""The live session counts what the offline analysis counts (issue 10): a finished
rep that is another movement (Exercise.not_a_rep, events.other_movement) is left
out live as offline, and the user is told why, in the same words.

Kit tracks with exact truth; counts exact, the live note equal to the offline one.
"""

import numpy as np
import pytest

from formcheck.analysis import analyze_track
from formcheck.events import other_movement_note
from formcheck.exercises import EXERCISES
from formcheck.landmarks import Detection, Lm
from formcheck.live import LiveSession
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario

SLR = EXERCISES["straight_leg_raise"]
LEG = ((Lm.LEFT_KNEE, Lm.RIGHT_KNEE), (Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE), (Lm.LEFT_HEEL, Lm.RIGHT_HEEL),
       (Lm.LEFT_FOOT_INDEX, Lm.RIGHT_FOOT_INDEX))


def _both_legs(reps: int, both: int, share: float = 0.8):
    """Kit track of `reps` right-leg raises; on raise `both` (0-based) the resting left leg
    rises with it, its ankle `share` of the way along the raised leg's line from the hip (a
    double-leg raise, the other leg's share near 1 at the top). -> (track, truth reps)."""
    b = build(Scenario("straight_leg_raise", reps=reps, camera=CameraSpec(view="right")))
    track = track_from_motion(b.motion, b.camera)
    xy, t = track.xy.copy(), track.times
    r = b.truth["reps"][both]
    fr = np.flatnonzero((t >= r["start_s"] - 0.3) & (t <= r["end_s"] + 0.3))
    hip, o_hip = xy[fr, int(Lm.RIGHT_HIP)], xy[fr, int(Lm.LEFT_HIP)]
    for left, right in LEG:
        xy[fr, int(left)] = o_hip + share * (xy[fr, int(right)] - hip)
    return track.replace(xy=xy), b.truth["reps"]


def _live(track):
    live = LiveSession("straight_leg_raise", width=track.width, height=track.height)
    cues = []
    for i in range(len(track)):
        det = Detection(track.xy[i], track.vis[i], track.world[i]) if track.detected[i] else None
        u = live.push(float(track.times[i]), det)
        if u.cue:
            cues.append((u.t, u.cue))
    live.finish()
    return live, cues


def test_a_double_leg_raise_mid_set_is_left_out_live_as_offline():
    """6 raises, the 3rd with both legs: offline counts 5 and says why; live counts the same
    5 (it counted 6 before, 11c2689..7034533), says it in the same words in its final notes,
    and shows the reason as the cue when the movement ends."""
    track, truth = _both_legs(6, 2)
    offline = analyze_track(track, SLR)
    note = other_movement_note(SLR, 1)
    assert len(offline["reps"]) == 5 and note in offline["warnings"]
    live, cues = _live(track)
    assert len(live.reps) == len(offline["reps"]) == 5
    assert [r.start_s for r in live.reps] == pytest.approx([r["start_s"] for r in offline["reps"]], abs=0.5)
    assert live.warnings() == [note]
    said = [t for t, c in cues if c == other_movement_note(SLR, 0)]
    assert said and truth[2]["end_s"] - 0.5 <= said[0] <= truth[2]["end_s"] + 1.0
    assert said[-1] - said[0] < 2.6  # shown for a moment, not for the rest of the set


def test_plain_raises_say_nothing_live():
    b = build(Scenario("straight_leg_raise", reps=4, camera=CameraSpec(view="right")))
    track = track_from_motion(b.motion, b.camera)
    live, cues = _live(track)
    assert len(live.reps) == len(analyze_track(track, SLR)["reps"]) == 4
    assert live.warnings() == [] and not any(c.startswith("Not counted") for _, c in cues)


def test_the_offline_note_is_worded_as_before():
    assert other_movement_note(SLR, 2) == (
        "2 movements were a bent-knee lift (the knee folded past a right angle) or both legs moving together, "
        "not a straight leg raise, and were not counted.")
    assert other_movement_note(SLR, 0).startswith("Not counted: that was a bent-knee lift")
