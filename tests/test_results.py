"""The result records: one shape for reps, holds, steps and faults, offline, live and running."""

import json

import pytest

from formcheck.report import validate_report
from formcheck.results import FaultHit, Hold, Rep, Step, metrics_json, parse_events, upgrade_events

FAULT = FaultHit("feet_apart", "Keep your feet glued together", "warn", 0.214, 0.1)
REP = Rep(index=1, set=1, side="right", start_s=1.2, peak_s=2.9, end_s=4.733, hold_s=None, partial=False,
          metrics={"peak_deg": 39.864, "feet_gap_rise": 0.214}, faults=(FAULT,), unjudged=("pelvis_roll",),
          form_judged=True)
HOLD = Hold(side="left", start_s=1.667, end_s=8.533, duration_s=6.87, target_s=4.0, metrics={"knee_angle_deg": 175.2},
            faults=(), unjudged=(), form_judged=True)
STEP = Step(index=3, side="left", contact_s=2.3383, midstance_s=2.4009, toe_off_s=2.6604, timing_estimated=False,
            metrics={"stance_s": 0.322, "fppa_deg": 12.886}, faults=())


@pytest.mark.parametrize("record", [FAULT, REP, HOLD, STEP], ids=["fault", "rep", "hold", "step"])
def test_json_round_trip(record):
    doc = json.loads(json.dumps(record.to_json()))
    assert type(record).from_json(doc) == record


def test_report_key_order_is_the_reports():
    # The sample reports are compared byte for byte: the records write their keys in the report's order.
    assert list(REP.to_json()) == ["index", "set", "side", "start_s", "peak_s", "end_s", "hold_s", "partial",
                                   "metrics", "faults", "unjudged", "form_judged"]
    assert list(HOLD.to_json()) == ["side", "start_s", "end_s", "duration_s", "target_s", "metrics", "faults",
                                    "unjudged", "form_judged"]
    assert list(STEP.to_json()) == ["side", "contact_s", "midstance_s", "toe_off_s", "timing_estimated", "metrics",
                                    "faults", "index"]
    assert list(FAULT.to_json()) == ["code", "message", "severity", "value", "limit"]


@pytest.mark.parametrize("change, error", [
    (lambda d: d.pop("form_judged"), r"rep: missing 'form_judged'"),
    (lambda d: d.update(set="1"), r"rep.set: expected int, got str"),
    (lambda d: d.update(start_s=True), r"rep.start_s: expected float, got bool"),
    (lambda d: d.update(metrics={"peak_deg": "high"}), r"rep.metrics.peak_deg: expected a number"),
    (lambda d: d.update(unjudged="pelvis_roll"), r"rep.unjudged: expected list"),
    (lambda d: d["faults"][0].update(severity="fatal"), r"severity must be warn or error"),
    (lambda d: d["faults"][0].pop("limit"), r"rep.faults\[0\]: missing 'limit'"),
])
def test_other_shapes_are_refused(change, error):
    d = REP.to_json()
    change(d)
    with pytest.raises(ValueError, match=error):
        Rep.from_json(d)


def test_an_int_is_a_float_and_extra_fields_are_ignored():
    d = dict(REP.to_json(), start_s=1, later_field="x")
    assert Rep.from_json(d).start_s == 1


def test_metrics_json_rounds_and_drops_non_finite():
    assert metrics_json({"a": 1.23456, "b": float("nan"), "c": float("inf"), "d": None}) == {"a": 1.235}


def test_validate_report_reads_events_as_records():
    report = {"schema": "formcheck.report/1", "exercise": "clamshell", "source": {}, "pose_coverage": 1.0,
              "reps": [REP.to_json()], "holds": [HOLD.to_json()], "steps": [STEP.to_json()], "summary": {},
              "warnings": []}
    validate_report(report)
    assert parse_events(report) == ([REP], [HOLD], [STEP])
    old = dict(report, steps=[{k: v for k, v in STEP.to_json().items() if k != "index"}])
    with pytest.raises(ValueError, match=r"report.steps\[0\]: missing 'index'"):
        validate_report(old)


def test_upgrade_brings_older_reports_to_the_records_shape():
    """What reports saved before 2026-11-28 lacked: the rep's and hold's unjudged list
    and form_judged (they were judged as a whole), a step's index."""
    old_rep = {k: v for k, v in REP.to_json().items() if k not in ("unjudged", "form_judged")}
    old_hold = {k: v for k, v in HOLD.to_json().items() if k not in ("unjudged", "form_judged")}
    old_steps = [{k: v for k, v in STEP.to_json().items() if k != "index"}] * 2
    old = {"reps": [old_rep], "holds": [old_hold], "steps": old_steps, "exercise": "clamshell"}
    new = upgrade_events(old)
    reps, holds, steps = parse_events(new)
    assert reps[0].unjudged == () and reps[0].form_judged is True and reps[0].faults == (FAULT,)
    assert holds[0].form_judged is True
    assert [s.index for s in steps] == [1, 2]
    assert "unjudged" not in old["reps"][0]  # the input is left alone
    assert upgrade_events(new) == new  # a current report does not change
