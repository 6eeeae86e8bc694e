"""The physio report for a period: patient, prescribed versus done, trend charts
(per fault and view, left/right), key frames, as HTML and as a PDF that renders."""

import shutil
import subprocess

import pytest

from formcheck import physio
from formcheck import routine as rt
from formcheck.history import History
from formcheck.pipeline import analyze
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.scripts import CameraSpec, Scenario


def fill(hist: History) -> int:
    """Three weeks of clamshells from two views (from behind: feet apart judged; feet end:
    pelvis roll judged too), a junk session left out of trends, and one routine run."""
    plan = rt.Routine("p", (rt.Step("clamshell", 1, reps=4, rest_s=0, sides=("right",)),
                            rt.Step("hamstring_stretch", 1, reps=None, hold_s=30, sides=("right", "left"))))
    st, _ = rt.begin(plan, 0)
    for ev in [(rt.ready, 1), (rt.rep, 2), (rt.rep, 3), (rt.rep, 4), (rt.rep, 5), (rt.ready, 6), (rt.hold, 7, 30.0),
               (rt.ready, 8), (rt.hold, 9, 12.0)]:
        st, _ = ev[0](st, *ev[1:])
    st = rt.finish(st, 10)
    from dataclasses import asdict

    rid = hist.save_routine("p", rt.routine_to_dict(plan), [asdict(e) for e in st.log],
                            rt.prescribed_vs_done(plan, st.log), created_at="2026-11-19T18:00:00+00:00")
    sid = None
    for k, (when, view, faults) in enumerate([
            ("2026-11-03T18:00:00+00:00", "back", {2: {"feet_apart": 0.15}, 3: {"feet_apart": 0.15}}),
            ("2026-11-11T18:00:00+00:00", "feet_end", {2: {"feet_apart": 0.15}}),
            ("2026-11-19T18:00:00+00:00", "back", {})]):
        b = build(Scenario("clamshell", reps=4, faults=faults, camera=CameraSpec(view=view), seed=k))
        track = track_from_motion(b.motion, b.camera)
        sid = hist.save_session(analyze(track, "clamshell"), "live", "x", created_at=when, track=track, pain=3 - k,
                                routine_id=rid if k == 2 else None)
    junk = hist.save_session(analyze(track, "clamshell"), "live", "junk", created_at="2026-11-20T10:00:00+00:00")
    hist.set_excluded(junk, True)
    return sid


def test_report_has_patient_prescribed_vs_done_charts_and_key_frames():
    hist = History()
    fill(hist)
    data = physio.collect(hist, "2026-11-01", "2026-11-30", patient="J. Runner (ID 0042)")
    assert len(data["sessions"]) == 3  # the excluded one is left out
    titles = [c["title"] for c in data["charts"]]
    assert "Clamshell: share of reps with each fault" in titles and "Knee pain after sessions" in titles
    faults = [f for f in data["trends"]["by_fault"] if f["code"] == "feet_apart"]
    assert {f["view"] for f in faults} == {"back", "feet_end"}  # like with like: one line per view
    assert {f["week"]: f["with_fault"] for f in faults if f["view"] == "back"} == {"2026-11-02": 2, "2026-11-16": 0}
    (kf,) = [k for k in data["key_frames"] if k["code"] == "feet_apart"]
    assert kf["png"][:8] == b"\x89PNG\r\n\x1a\n" and kf["drawn"] and kf["times"] == 3
    html = physio.to_html(data)
    assert "J. Runner (ID 0042)" in html and "Prescribed versus done" in html and "4 / 4 reps" in html
    assert "right 30/30 s, left 12/30 s" in html and html.count("<svg") == len(data["charts"])
    assert "data:image/png;base64," in html


def test_pdf_renders(tmp_path):
    hist = History()
    fill(hist)
    pdf = physio.to_pdf(physio.collect(hist, "2026-11-01", "2026-11-30", patient="J. Runner"))
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000
    out = tmp_path / "r.pdf"
    out.write_bytes(pdf)
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed: PDF written but not rasterised")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2


def test_empty_period():
    data = physio.collect(History(), "2026-01-01", "2026-01-31", patient="")
    assert "No sessions were recorded" in physio.to_html(data)
    assert physio.to_pdf(data)[:5] == b"%PDF-"
