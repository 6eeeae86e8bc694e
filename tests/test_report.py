"""The report contract and its plain-language summary."""

import json

import pytest

from formcheck.pipeline import analyze
from formcheck.report import SCHEMA, summary_text, validate_report, write_json
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario


@pytest.fixture(scope="module")
def report():
    b = build(Scenario("clamshell", reps=4, faults={2: {"feet_apart": 0.12}}, camera=CameraSpec(view="back")))
    return analyze(track_from_motion(b.motion, b.camera), "clamshell", source="clam.mp4")


def test_required_fields(report):
    validate_report(report)
    assert report["schema"] == SCHEMA
    assert set(report["source"]) == {"path", "fps", "frames", "duration_s", "width", "height"}
    assert report["summary"]["rep_count"] == 4
    assert report["summary"]["fault_counts"] == {"feet_apart": 1}
    r = report["reps"][1]
    assert r["faults"][0] == {"code": "feet_apart", "message": "Keep your feet glued together",
                              "severity": "warn", "value": pytest.approx(r["metrics"]["feet_gap_rise"], abs=1e-3),
                              "limit": 0.10}
    json.dumps(report)  # plain JSON types only


def test_summary_reads_like_coaching(report):
    text = summary_text(report)
    assert "4 reps" in text and "rep  2" in text and "Keep your feet glued together" in text
    # From behind, pelvis roll cannot be seen: a rep without faults is not called "good",
    # it says what was checked and what was not (issue 10, honest summaries).
    assert "rep  1 (set 1, right) from 0:01.9 to " in text
    # The note says once that this view cannot see the pelvis roll; the rep counts it (session 26).
    assert "3 checks passed, 1 could not be made from this camera view (see the note)" in text
    assert "'pelvis_roll' (pelvis rolls back) was not checked: this view cannot see it" in text
    assert "3 with no fault seen in the checks made" in text
    assert "good" not in text


def test_validate_rejects_missing(report):
    bad = dict(report)
    del bad["summary"]
    with pytest.raises(ValueError, match="summary"):
        validate_report(bad)


def test_write_json_atomic(report, tmp_path):
    p = tmp_path / "r" / "report.json"
    write_json(report, p)
    assert json.loads(p.read_text())["schema"] == SCHEMA
    assert [f.name for f in p.parent.iterdir()] == ["report.json"]
