"""End to end on sample_videos/: the real pose model on clips rendered by
formcheck_synth, compared with their ground-truth sidecars.

Tolerances: rep and hold counts exact; per-rep (or per-hold) fault flags equal
to the truth for the codes the clip's view can judge; running: median FPPA per
leg within 3° of truth, cadence within 2%.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from formcheck.pipeline import Options, analyze_file

pytestmark = pytest.mark.e2e
SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"
CLIPS = sorted(p for p in SAMPLES.glob("*.mp4") if (p.with_suffix(".json")).exists())


def test_every_sample_scenario_has_its_clip():
    """Each movement the generator has a sample scenario for is committed, within limits."""
    from formcheck_synth.samples import SAMPLES

    names = {p.stem for p in CLIPS}
    assert names == set(SAMPLES)
    for p in CLIPS:
        assert p.stat().st_size <= 2 * 1024 * 1024
        truth = json.loads(p.with_suffix(".json").read_text())
        assert truth["duration_s"] <= 20.0
        assert truth["schema"] == "formcheck.truth/1" and truth["scenario"]["exercise"] == p.stem


@pytest.fixture(scope="module", params=CLIPS, ids=[p.stem for p in CLIPS])
def case(request):
    clip = request.param
    truth = json.loads(clip.with_suffix(".json").read_text())
    # Short samples hold stretches for seconds, not 30 s: their sidecar sets the hold target.
    report = analyze_file(clip, clip.stem, Options(**truth.get("analysis_options", {})))
    return clip.stem, truth, report


def _judged(report):
    return set(report.get("unjudged", []))


def test_counts_exact(case):
    name, truth, report = case
    assert report["pose_coverage"] >= 0.9, f"{name}: person found in only {report['pose_coverage']:.0%} of frames"
    if truth["reps"]:
        assert len(report["reps"]) == len(truth["reps"])
        assert [r["side"] for r in report["reps"]] == [r["side"] for r in truth["reps"]]
    if truth["holds"]:
        assert len(report["holds"]) == len(truth["holds"])
        assert [h["side"] for h in report["holds"]] == [h["side"] for h in truth["holds"]]


def test_fault_flags_match(case):
    name, truth, report = case
    skip = _judged(report)
    for kind in ("reps", "holds"):
        got = [{f["code"] for f in e["faults"]} - skip for e in report[kind]]
        want = [set(e["faults"]) - skip for e in truth[kind]]
        assert got == want, f"{name} {kind}: got {got}, truth {want}"


def test_running_steps_fppa_and_cadence(case):
    name, truth, report = case
    if name != "running":
        pytest.skip("running only")
    gait = report["gait"]
    assert gait["cadence_spm"] == pytest.approx(truth["cadence_spm"], rel=0.02)
    # Every true step is found (contact within 0.1 s, same leg) and flagged as in the truth;
    # steps during the run-up before the first counted step are not part of the truth.
    first, last = truth["steps"][0]["contact_s"] - 0.1, truth["steps"][-1]["contact_s"] + 0.1
    got = [s for s in report["steps"] if first <= s["contact_s"] <= last]
    assert len(got) == len(truth["steps"])
    for g, w in zip(got, truth["steps"]):
        assert g["side"] == w["side"] and g["contact_s"] == pytest.approx(w["contact_s"], abs=0.1)
        assert {f["code"] for f in g["faults"]} - _judged(report) == set(w["faults"]) - _judged(report)
    # The pose model's own FPPA reading per leg (before the bias correction, which was fitted
    # on other renders: docs/gait.md) against the rendered body's own joints, within 3°.
    perfect = truth["perfect_landmarks"]["gait"]["fppa_median_deg"]
    for side in ("left", "right"):
        raw = [s["metrics"]["fppa_raw_deg"] for s in report["steps"] if s["side"] == side]
        assert float(np.median(raw)) == pytest.approx(perfect[side], abs=3.0)


# ---- the precomputed sample reports (formcheck.sample_reports) -------------------------------------
# Each committed <movement>.report.json must equal the analysis of its committed pose track exactly (same
# counts, sides and fault codes; event times within 0.001 s; metrics within 0.001): this is what goes stale
# when the analysis changes. Against a fresh run of the pose model on the clip it must agree in counts, sides
# and fault codes, with event times within 0.1 s and metrics within 1 + 5% of the value: the pose model's
# results differ between CPUs by more than the last digits [measured: on an AMD EPYC machine the running
# sample's left contacts came 0.055 s earlier and a straight leg raise's range read 36.4° against 34.3°,
# landmarks up to 11 px apart, median 0.0003 px; the committed tracks analysed there gave the reports
# exactly]. Regenerate with `make sample-reports`.


def _agree(name: str, pre: dict, got: dict, t_tol: float, close) -> None:
    assert pre["exercise"] == got["exercise"] and pre.get("view") == got.get("view")
    assert pre.get("side") == got.get("side") and pre["warnings"] == got["warnings"]
    for kind, t_key in (("reps", "peak_s"), ("holds", "start_s"), ("steps", "contact_s")):
        assert len(pre[kind]) == len(got[kind]), kind
        for p, q in zip(pre[kind], got[kind]):
            assert p["side"] == q["side"] and p[t_key] == pytest.approx(q[t_key], abs=t_tol)
            assert sorted(f["code"] for f in p["faults"]) == sorted(f["code"] for f in q["faults"])
            assert p["metrics"].keys() == q["metrics"].keys()
            bad = {k: (p["metrics"][k], q["metrics"][k]) for k in p["metrics"]
                   if not close(p["metrics"][k], q["metrics"][k])}
            assert not bad, f"{name} {kind}: precomputed vs this analysis: metrics differ: {bad}"


def _precomputed(name: str) -> dict:
    from formcheck.sample_reports import file_sha256

    path = SAMPLES / f"{name}.report.json"
    assert path.exists(), f"{path.name} missing: run `make sample-reports`"
    pre = json.loads(path.read_text())
    assert pre["precomputed"]["video_sha256"] == file_sha256(SAMPLES / f"{name}.mp4"), "stale: the clip changed"
    assert (SAMPLES / f"{name}.track.npz").exists() and (SAMPLES / f"{name}.annotated.mp4").exists()
    return pre


def test_precomputed_report_equals_the_analysis_of_its_track(case):
    from formcheck.pipeline import analyze, load_track

    name, truth, _ = case
    got = analyze(load_track(SAMPLES / f"{name}.track.npz"), name, Options(**truth.get("analysis_options", {})))
    _agree(name, _precomputed(name), got, 0.001, lambda a, b: abs(a - b) <= 0.001)


def test_precomputed_report_agrees_with_the_pose_model_run_here(case):
    name, _, live = case
    _agree(name, _precomputed(name), live, 0.1, lambda a, b: abs(a - b) <= 1.0 + 0.05 * abs(b))
