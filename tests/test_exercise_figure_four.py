"""Supine figure-four stretch on synthetic-kit tracks with exact truth.

Tolerances: hold count and sides exact (the side is the crossed leg, found from
which ankle rests on the other knee); the flagged (hold, fault) pairs equal the
truth on clean tracks and reach >= 0.9 precision and recall with realistic
noise, dropouts and leg swaps (kit.REALISTIC) over several seeds; hold start
within 1.5 s and duration within 3 s of the script (the detector counts the last
moments of the move into position, longer when the thigh moves less).
"""

import pytest

from formcheck.analysis import AnalysisOptions
from formcheck.exercises import get_exercise
from formcheck_synth.camera import VIEW_DIRECTIONS
from formcheck_synth.scripts import CameraSpec, Scenario
from tests.helpers import CLEAN, analyze_scenario, flagged_holds, precision_recall, realistic, truth_flags

NAME = "figure_four"
EX = get_exercise(NAME)
# Holds 1-2 right, 3-4 left (the side switches inside the clip); hold 4 lasts 6 s
# against a 10 s target.
FAULTS = {2: {"ankle_off_knee": 0.2}, 3: {"thigh_not_pulled": 60.0}, 4: {"short_hold": 6.0}}
TARGET = 10.0
ALL = {"ankle_off_knee", "thigh_not_pulled", "short_hold"}


def run(view="right", defects=CLEAN, faults=FAULTS, target=TARGET, sides=("right", "left"), sets=2, hold_s=12.0):
    sc = Scenario(NAME, sides=sides, sets=sets, hold_s=hold_s, faults=faults, camera=CameraSpec(view=view))
    return analyze_scenario(sc, defects, AnalysisOptions(hold_target_s=target))


@pytest.mark.parametrize("view", ["right", "left"])
def test_clean_tracks_exact(view):
    truth, rep = run(view=view)
    assert rep["view"] == "side"
    assert [h["side"] for h in rep["holds"]] == [h["side"] for h in truth["holds"]] == ["right"] * 2 + ["left"] * 2
    assert flagged_holds(rep["holds"]) == truth_flags(truth, ALL) == {(2, "ankle_off_knee"), (3, "thigh_not_pulled"),
                                                           (4, "short_hold")}
    for got, want in zip(rep["holds"], truth["holds"]):
        assert got["start_s"] == pytest.approx(want["start_s"], abs=1.5)
        assert got["duration_s"] == pytest.approx(want["duration_s"], abs=3.0)
        assert got["metrics"]["support_hip_flexion_deg"] == pytest.approx(
            want["metrics"]["support_hip_flexion_deg"], abs=5.0)
        assert got["metrics"]["ankle_to_knee"] == pytest.approx(want["metrics"]["ankle_to_knee_shank"], abs=0.1)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("view", ["right", "left"])
def test_realistic_defects(view, seed):
    truth, rep = run(view=view, defects=realistic(seed))
    assert [h["side"] for h in rep["holds"]] == [h["side"] for h in truth["holds"]]
    p, r = precision_recall(flagged_holds(rep["holds"]), truth_flags(truth, ALL))
    assert p >= 0.9 and r >= 0.9, (p, r, flagged_holds(rep["holds"]))


@pytest.mark.parametrize("sides,sets", [(("left",), 1), (("right", "left"), 1), (("left", "right"), 3)])
def test_hold_counts_and_side_switches(sides, sets):
    truth, rep = run(faults={}, sides=sides, sets=sets, hold_s=8.0, target=6.0)
    assert [h["side"] for h in rep["holds"]] == [h["side"] for h in truth["holds"]]
    assert len(rep["holds"]) == len(sides) * sets
    assert flagged_holds(rep["holds"]) == set()


def test_hold_target_changed():
    """The same 12 s holds: short against the default 30 s, fine against 10 s."""
    truth, rep = run(faults={}, target=None)
    assert {c for _, c in flagged_holds(rep["holds"])} == {"short_hold"} and len(rep["holds"]) == 4
    assert all(h["target_s"] == 30.0 for h in rep["holds"])
    truth, rep = run(faults={}, target=10.0)
    assert flagged_holds(rep["holds"]) == set()
    truth, rep = run(faults={}, target=15.0)
    assert len(flagged_holds(rep["holds"])) == 4


def test_view_that_cannot_see_the_legs_neither_reports_nor_clears_them():
    """From the feet end the supporting thigh points at the camera: its pull and
    the ankle's place on the knee are not judged (nor cleared); the hold and
    its length still are."""
    truth, rep = run(view="feet_end")
    assert rep["view"] == "feet_end"
    assert [h["side"] for h in rep["holds"]] == ["right"] * 2 + ["left"] * 2
    assert flagged_holds(rep["holds"]) == {(4, "short_hold")}
    assert {"ankle_off_knee", "thigh_not_pulled"} <= set(rep["unjudged"])
    assert "short_hold" not in rep["unjudged"]
    assert any("thigh_not_pulled" in w and "from the side" in w for w in rep["warnings"])


# From the side but turned 30° toward the head (as a real studio clip was filmed),
# the near trunk points away from the camera: on screen it shows about three
# quarters (0.76) of its length, under the 0.8 that judging.EVIDENCE_IN_PLANE_MIN
# asks for; turned 20°, it shows more than 0.8.
HEAD_SIDE = {"right_head30": (-0.866, 0.0, 0.5), "right_head20": (-0.940, 0.0, 0.342)}


@pytest.fixture
def head_side_views(monkeypatch):
    for name, direction in HEAD_SIDE.items():
        monkeypatch.setitem(VIEW_DIRECTIONS, name, direction)


def test_thigh_pull_is_not_judged_where_the_trunk_points_away_from_the_camera(head_side_views):
    truth, rep = run(view="right_head30")
    assert [h["side"] for h in rep["holds"]] == ["right"] * 2 + ["left"] * 2
    # Holds 3-4 (left leg crossed) read the near, right trunk: never flagged, not
    # judged and said why; hold 3's real fault is not cleared either.
    for h in rep["holds"][2:]:
        assert "thigh_not_pulled" in h["unjudged"] and not any(f["code"] == "thigh_not_pulled" for f in h["faults"])
    why = rep["unjudged_reasons"]["thigh_not_pulled"]
    assert why.startswith("your right trunk (shoulder to hip) pointed toward or away from the camera during the hold")
    # Holds 1-2 read the far trunk, which this camera sees across: judged as from the side.
    assert flagged_holds(rep["holds"]) == {(2, "ankle_off_knee"), (4, "short_hold")}
    assert all(h["unjudged"] == [] for h in rep["holds"][:2])


def test_thigh_pull_is_judged_from_a_camera_turned_less(head_side_views):
    truth, rep = run(view="right_head20")
    assert flagged_holds(rep["holds"]) == truth_flags(truth, ALL)
    assert rep["unjudged"] == []


def test_still_hold_with_the_crossed_knee_unseen_is_unread_on_that_side():
    """Own render seed 1's second hold, side-on from the supporting leg's side: the
    crossed (far, right) knee at visibility 0.50 and its ankle read 2.3 shanks from
    the supporting knee (the pose model puts it far behind); the left leg reads 2.9
    and not crossed. The ankle's depth is not trusted with its own knee unseen, so the
    still period is a hold on the right with its position not checked, not nothing."""
    import numpy as np

    from formcheck.events import unread_holds
    from formcheck.landmarks import Lm
    t = np.arange(0, 8, 1 / 30)
    n = len(t)
    vis = np.ones((n, 33))
    vis[:, int(Lm.RIGHT_KNEE)] = 0.5
    anchors = np.tile(np.array([[[500.0, 400.0], [200.0, 400.0]]]), (n, 1, 1))
    sides = {"left": {"crossing_side": np.zeros(n), "ankle_on_knee_3d": np.full(n, 2.9),
                      "support_hip_flexion": np.full(n, 90.0)},
             "right": {"crossing_side": np.ones(n), "ankle_on_knee_3d": np.full(n, 2.3),
                       "support_hip_flexion": np.full(n, 90.0)}}
    holds = unread_holds(EX, t, vis, anchors, sides, [])
    assert [side for side, _, _ in holds] == ["right"]
    _, ev, seen = holds[0]
    assert ev.end_t - ev.start_t == pytest.approx(8.0, abs=1.0)
    assert ("right knee", 0.5) in seen
