"""Every implemented exercise, the same way: the sample scenario of each movement
as a synthetic-kit track (exact truth, no pose model).

- The CLI analyses a saved track for every name and prints a readable
  rep-by-rep (or hold-by-hold) summary; counts and fault flags equal the truth.
- The live path (frame by frame, One Euro filter) gives the same reps or holds
  and the same faults as the offline path on the same track; times agree
  within the live filter's lag (0.3 s).
- Every fault code has a cue, a source and a limit, and names the views that see it.

Tolerances: counts exact; flags exact on clean tracks.
"""

import json

import pytest

from formcheck.cli import main
from formcheck.exercises import EXERCISES, MOVEMENTS
from formcheck.landmarks import Detection
from formcheck.live import LiveSession
from formcheck.pipeline import Options, analyze
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.samples import SAMPLE_OPTIONS, SAMPLES

NAMES = sorted(EXERCISES)


def _kit(name):
    built = build(SAMPLES[name])
    return built.truth, track_from_motion(built.motion, built.camera)


def _flags(units, skip=()):
    return [sorted({f["code"] if isinstance(f, dict) else f for f in u["faults"]} - set(skip)) for u in units]


def test_every_movement_is_implemented_with_a_sample_scenario():
    assert set(MOVEMENTS) - {"running"} == set(EXERCISES)
    assert set(MOVEMENTS) == set(SAMPLES)


@pytest.mark.parametrize("name", NAMES)
def test_cli_summary_for_every_exercise(name, tmp_path, capsys):
    truth, track = _kit(name)
    npz, out = tmp_path / f"{name}.npz", tmp_path / "r.json"
    track.save_npz(npz)
    hold = SAMPLE_OPTIONS.get(name, {}).get("hold_target_s")
    args = ["analyze", str(npz), "--exercise", name, "--json", str(out)] + (["--hold", str(hold)] if hold else [])
    assert main(args) == 0
    text = capsys.readouterr().out
    report = json.loads(out.read_text())
    kind = "reps" if EXERCISES[name].kind == "reps" else "holds"
    assert len(report[kind]) == len(truth[kind]) > 0
    skip = report.get("unjudged", [])
    assert _flags(report[kind], skip) == _flags(truth[kind], skip)
    # Readable: one line per rep or hold, with the plain cue of each fault found.
    word = "rep" if kind == "reps" else "hold"
    assert sum(line.strip().startswith(f"{word} ") for line in text.splitlines()) == len(truth[kind])
    for u in report[kind]:
        for f in u["faults"]:
            assert f["message"] in text


@pytest.mark.parametrize("name", NAMES)
def test_live_matches_offline(name):
    truth, track = _kit(name)
    hold = SAMPLE_OPTIONS.get(name, {}).get("hold_target_s")
    off = analyze(track, name, Options(hold_target_s=hold))
    live = LiveSession(name, hold_target_s=hold, width=track.width, height=track.height)
    for i in range(len(track)):
        det = Detection(track.xy[i], track.vis[i], track.world[i]) if track.detected[i] else None
        live.push(float(track.times[i]), det)
    live.finish()
    kind = "reps" if EXERCISES[name].kind == "reps" else "holds"
    got, want = [u.to_json() for u in getattr(live, kind)], off[kind]
    assert len(got) == len(want) == len(truth[kind])
    assert [u["side"] for u in got] == [u["side"] for u in want]
    for a, b in zip(got, want):
        assert a["end_s"] == pytest.approx(b["end_s"], abs=0.3)
    assert _flags(got) == _flags(want)


@pytest.mark.parametrize("name", NAMES)
def test_every_fault_is_documented(name):
    ex = EXERCISES[name]
    assert ex.faults
    for f in ex.faults:
        assert f.cue and f.label and f.source
        assert "own default" in f.source or "clinical-criteria" in f.source or "§" in f.source
        assert f.when, f"{name}.{f.code} has no limit"
