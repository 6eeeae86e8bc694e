"""Exercises as data, one source per number: the rule types refuse what would silently go unjudged (a
mistyped camera view, a hold target written twice or nowhere), the hold target lives in one condition,
and every judge (exercises, running) compares through `Cond.holds`."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from formcheck.exercises import EXERCISES
from formcheck.exercises.base import Cond, Fault
from formcheck.gait import rules as gait_rules
from formcheck.judging import judge
from formcheck.landmarks import SIDES, other_side
from formcheck.views import VIEWS


def _fault(**kw) -> Fault:
    base = dict(code="x", when=(Cond("peak_deg", ">", 10.0),), cue="c", label="l", source="[own] test")
    return Fault(**{**base, **kw})


def test_a_mistyped_view_in_a_fault_is_refused():
    with pytest.raises(ValueError, match=r"fault x: unknown camera view\(s\) \['sideways'\]"):
        _fault(views=("side", "sideways"))
    assert _fault(views=("side", "oblique")).views == ("side", "oblique")
    assert _fault(views=None).views is None  # any view


def test_a_mistyped_view_in_an_exercise_is_refused():
    clam = EXERCISES["clamshell"]
    with pytest.raises(ValueError, match="unknown camera view"):
        replace(clam, views=(*clam.views, "font"))
    with pytest.raises(ValueError, match="best_view 'side' is not one of its views"):
        replace(clam, best_view="side")


def test_every_view_named_anywhere_is_a_known_view():
    named = {v for ex in EXERCISES.values() for f in ex.faults for v in (f.views or ())}
    named |= {v for ex in EXERCISES.values() for v in ex.views}
    named |= {v for f in (*gait_rules.STEP_FAULTS, *gait_rules.CLIP_FAULTS, *gait_rules.BASELINE_FAULTS.values())
              for v in (f.views or ())}
    assert named <= set(VIEWS) and {"side", "front", "feet_end"} <= named


def test_hold_target_is_written_once():
    # held stretches: 30 s (Bandy & Irion); the straight leg raise's top hold: 3 s (clinical-criteria.md 3.4)
    assert {n: e.hold_target_s for n, e in EXERCISES.items()} == {
        "clamshell": None, "donkey_kick": None, "fire_hydrant": None, "straight_leg_raise": 3.0,
        "hamstring_stretch": 30.0, "running_lunge": 30.0, "figure_four": 30.0}
    for ex in EXERCISES.values():
        targets = [c for f in ex.faults for c in f.when if c.target]
        assert len(targets) == (ex.hold_target_s is not None)
        assert ex.hold is None or not hasattr(ex.hold, "target_s")  # the hold engine carries no second copy


def test_a_hold_exercise_without_or_with_two_targets_is_refused():
    ham = EXERCISES["hamstring_stretch"]
    plain = tuple(replace(f, when=tuple(replace(c, target=False) for c in f.when)) for f in ham.faults)
    with pytest.raises(ValueError, match="needs exactly one hold target"):
        replace(ham, faults=plain)
    twice = (*ham.faults, _fault(code="y", when=(Cond("duration_s", "<", 20.0, target=True),)))
    with pytest.raises(ValueError, match="needs exactly one hold target"):
        replace(ham, faults=twice)
    clam = EXERCISES["clamshell"]
    with pytest.raises(ValueError, match="only hold exercises"):
        replace(clam, faults=(*clam.faults, _fault(code="y", when=(Cond("duration_s", "<", 3.0, target=True),))))


def test_cond_holds_with_and_without_the_users_target():
    c = Cond("duration_s", "<", 30.0, target=True)
    assert c.holds(29.9) and not c.holds(30.0)
    assert c.holds(44.0, target_s=45.0) and not c.holds(46.0, target_s=45.0)
    assert c.limit_for(None) == 30.0 and c.limit_for(45.0) == 45.0
    plain = Cond("peak_deg", ">", 10.0)
    assert plain.limit_for(45.0) == 10.0 and plain.holds(10.5, target_s=45.0) and not plain.holds(9.0)
    with pytest.raises(ValueError, match="expected '>' or '<'"):
        Cond("peak_deg", ">=", 10.0)


@pytest.mark.parametrize("held, target, fires", [(20.0, None, True), (31.0, None, False),
                                                 (31.0, 45.0, True), (46.0, 45.0, False), (11.0, 10.0, False)])
def test_judge_uses_the_users_hold_target(held, target, fires):
    ham = EXERCISES["hamstring_stretch"]
    faults, unjudged = judge(ham, {"duration_s": held}, "side", target)
    short = [f for f in faults if f.code == "short_hold"]
    assert bool(short) == fires
    if fires:
        assert short[0].limit == (target if target is not None else 30.0) and short[0].value == held
    assert "short_hold" not in unjudged


def test_judge_top_hold_of_a_straight_leg_raise():
    slr = EXERCISES["straight_leg_raise"]
    faults, _ = judge(slr, {"hold_s": 2.5, "knee_lag_deg": 4.0, "range_share": 1.0, "peak_deg": 40.0}, "side")
    assert [(f.code, f.limit) for f in faults] == [("short_hold", 3.0)]
    faults, _ = judge(slr, {"hold_s": 2.5, "knee_lag_deg": 4.0, "range_share": 1.0, "peak_deg": 40.0}, "side", 2.0)
    assert faults == []


def test_judge_view_and_missing_metric():
    slr = EXERCISES["straight_leg_raise"]
    faults, unjudged = judge(slr, {"knee_lag_deg": 25.0, "hold_s": math.nan}, "front")
    assert faults == [] and unjudged["knee_bent"] == "this camera view cannot see it"
    faults, unjudged = judge(slr, {"knee_lag_deg": 25.0}, "side")
    assert [f.code for f in faults] == ["knee_bent"] and unjudged["short_hold"] == "its landmarks were not visible"


def test_running_rules_judge_the_same_way():
    rules = gait_rules.rules_for("front", has_baseline=False)
    hits = gait_rules.judge({"fppa_deg": 16.0, "heel_offset": 0.1}, rules)
    assert [(h.code, h.limit) for h in hits] == [("knee_valgus", gait_rules.FPPA_ABS_DEG)]
    assert gait_rules.judge({"fppa_deg": math.nan, "fppa_over_other_leg_deg": None}, rules) == []



@pytest.mark.parametrize("heel, shin, flagged", [
    (0.20, 2.6, False),   # s37's jogger: landing ahead of the hip with a vertical shin is normal running
    (0.35, 2.0, False),
    (0.05, 14.0, False),  # a shin read forward with the foot under the hip: no overstride
    (0.25, 12.0, True),
    (0.25, math.nan, False),  # the shin unread: nothing to confirm the heel's reading
])
def test_overstride_needs_the_shin_forward_and_the_heel_ahead(heel, shin, flagged):
    rules = gait_rules.rules_for("side", has_baseline=False)
    hits = gait_rules.judge({"overstride": heel, "tibia_angle_deg": shin}, rules)
    assert [h.code for h in hits] == (["overstride"] if flagged else [])
    if flagged:
        assert (hits[0].value, hits[0].limit) == (12.0, gait_rules.TIBIA_DEG)


def test_also_conditions_gate_an_exercise_fault_the_same_way():
    fault = Fault("x", (Cond("knee_angle_deg", ">", 10.0),), cue="c", label="l", source="own",
                  also=(Cond("feet_gap", ">", 1.0),))
    assert fault.confirmed({"feet_gap": 2.0}) and not fault.confirmed({"feet_gap": 0.5})
    assert not fault.confirmed({}) and not fault.confirmed({"feet_gap": math.nan})
    ex = replace(EXERCISES["clamshell"], faults=(fault,))
    assert [f.code for f in judge(ex, {"knee_angle_deg": 20.0, "feet_gap": 2.0}, None)[0]] == ["x"]
    assert judge(ex, {"knee_angle_deg": 20.0, "feet_gap": 0.5}, None)[0] == []
    with pytest.raises(ValueError, match="fault y uses unknown metric 'nope'"):
        replace(EXERCISES["clamshell"], faults=(replace(fault, code="y", also=(Cond("nope", ">", 1.0),)),))

def test_other_side():
    assert [other_side(s) for s in SIDES] == ["right", "left"]
    with pytest.raises(ValueError, match="side must be 'left' or 'right', got 'auto'"):
        other_side("auto")
