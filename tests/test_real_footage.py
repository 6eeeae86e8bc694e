"""The real-footage benchmark's pure scoring (benchmarks/real_footage.py), on synthetic labels and reports.

No clips are needed: the benchmark itself skips when the clip cache is absent (checked here too)."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("real_footage", REPO / "benchmarks" / "real_footage.py")
rf = importlib.util.module_from_spec(_spec)
sys.modules["real_footage"] = rf
_spec.loader.exec_module(rf)


def rep(start, peak, end, faults=()):
    return {"start_s": start, "peak_s": peak, "end_s": end, "faults": [{"code": c} for c in faults]}


def report(reps=(), holds=(), unjudged=(), cadence=None, steps=0):
    return {"source": {"fps": 30.0}, "pose_coverage": 1.0, "view": "side", "side": "left", "unjudged": list(unjudged),
            "warnings": [], "reps": list(reps), "holds": list(holds), "gait": {"cadence_spm": cadence},
            "summary": {"rep_count": len(reps), "hold_count": len(holds), "step_count": steps}}


def entry(label, id_="c1"):
    return {"id": id_, "label": {"analyse_as": label["movement"], **label}}


def test_count_class():
    assert [rf.count_class(f, 5) for f in (5, 4, 6, 3, 8)] == ["exact", "off_by_1", "off_by_1", "wrong", "wrong"]


def test_match_reps_one_to_one_nearest_peak():
    reps = [rep(0.5, 1.0, 2.0), rep(2.2, 3.0, 4.0), rep(8.0, 9.0, 10.0)]
    # 3.1 falls in rep 1; 1.1 in rep 0; 6.0 in none (more than 1 s from rep 2's start); two labels in rep 1
    assert rf.match_reps([1.1, 3.1, 6.0], reps) == [0, 1, None]
    assert rf.match_reps([2.9, 3.2], reps) == [1, None]
    # tolerance: 7.2 is within 1 s of rep 2's start
    assert rf.match_reps([7.2], reps) == [2]


def test_match_holds_within_tolerance():
    holds = [{"start_s": 1.4, "end_s": 6.2}, {"start_s": 10.0, "end_s": 12.0}]
    labels = [{"start_s": 0.8, "end_s": 6.5}, {"start_s": 9.0, "end_s": 14.0}, {"start_s": 20.0, "end_s": 25.0}]
    m = rf.match_holds(labels, holds)
    assert [x["index"] for x in m] == [0, 1, None]
    assert [x["within_tol"] for x in m] == [True, False, False]  # second: end 2 s early
    assert m[0]["start_err_s"] == pytest.approx(0.6)
    assert m[1]["end_err_s"] == pytest.approx(-2.0)


def test_fault_outcome():
    assert rf.fault_outcome([], ["too_fast"], []) == {"false": ["too_fast"], "missed": [], "fine_flagged": True,
                                                      "scored": True}
    # unjudged codes are not misses; unsure codes count neither way
    o = rf.fault_outcome(["feet_apart", "pelvis_roll"], ["too_fast"], ["pelvis_roll"], unsure=["too_fast"])
    assert o == {"false": [], "missed": ["feet_apart"], "fine_flagged": False, "scored": True}
    assert rf.fault_outcome("unsure", ["x"], [])["scored"] is False


def test_score_and_aggregate_reps_holds_running_near_miss():
    clam = entry({"movement": "clamshell", "rep_count": 3, "working_side": "left",
                  "reps": [{"t": 1.0, "faults": []}, {"t": 3.0, "faults": ["feet_apart"]},
                           {"t": 5.0, "faults": [], "unsure_codes": ["too_fast"]}]})
    r1 = rf.mark_fine(rf.score_clip(clam, report([rep(0.5, 1.0, 2.0, ["short_range"]), rep(2.5, 3.0, 3.8),
                                                  rep(4.5, 5.0, 5.5, ["too_fast"])])), clam)
    assert r1["count"] == "exact"
    four = entry({"movement": "figure_four", "holds": [{"start_s": 1.0, "end_s": 9.0, "faults": []}]}, "c2")
    r2 = rf.mark_fine(rf.score_clip(four, report(holds=[{"start_s": 1.5, "end_s": 9.5, "faults": []}])), four)
    run = entry({"movement": "running", "running": {"cadence_spm": 170.0}}, "c3")
    r3 = rf.score_clip(run, report(cadence=173.4, steps=30))
    assert r3["cadence_err_pct"] == pytest.approx(2.0)
    squat = entry({"movement": "squat", "near_miss": True}, "c4")
    r4 = rf.score_clip(squat, report(holds=[{"start_s": 0, "end_s": 3, "faults": []}]))
    failed = rf.score_clip(entry({"movement": "clamshell", "rep_count": 2}, "c5"), None, "not tracked: boom")

    r4b = rf.score_clip(squat, report(reps=[rep(1, 2, 3)]))  # the same clip analysed as a second movement
    rows = {r.movement: r for r in rf.aggregate([r1, r2, r3, r4, r4b, failed])}
    c = rows["clamshell"]
    assert (c.clips, c.exact, c.off1, c.wrong, c.errors) == (2, 1, 0, 0, 1)
    assert (c.false_faults, c.missed_faults, c.scored_items) == (1, 1, 3)  # short_range false; feet_apart missed
    assert (c.fine_items, c.fine_flagged) == (2, 1)  # rep 3's too_fast is an unsure code
    assert (c.side_known, c.side_ok) == (1, 1)
    assert (c.reps_truth, c.reps_found) == (3, 3)
    f = rows["figure_four"]
    assert (f.holds_truth, f.holds_found, f.fine_items, f.fine_flagged) == (1, 1, 1, 0)
    assert rows["running"].cadence_err == [pytest.approx(2.0)]
    assert (rows["near miss: squat"].clips, rows["near miss: squat"].phantom) == (1, 2)

    t = rf.totals(list(rows.values()))
    assert t == {"counted_clips": 1, "count_within_1": 1, "holds_truth": 1, "holds_found": 1, "holds_unchecked": 0,
                 "fine_items": 3, "fine_flagged": 1}

    table = rf.render_table(list(rows.values()))
    assert table[0].startswith("| movement | clips | fps |")
    line = next(x for x in table if x.startswith("| clamshell "))
    assert "| 1 / 0 / 0 | 3/3 |" in line and "| 1 / 1 (3) |" in line and "| 1/2 | 1/1 |" in line
    assert "1 clip(s) refused" in line
    assert "+2.0%" in next(x for x in table if x.startswith("| running "))
    assert "2 reps/holds/steps reported where there are none" in next(x for x in table if x.startswith("| near miss"))


def test_holds_are_totalled_by_held_out_split():
    tuned = entry({"movement": "figure_four", "holds": [{"start_s": 1.0, "end_s": 9.0, "faults": []},
                                                        {"start_s": 12.0, "end_s": 18.0, "faults": []}]}, "h1")
    s19 = entry({"movement": "hamstring_stretch", "split": "held out from the hold-code changes of issue 10 (h10a)",
                 "holds": [{"start_s": 2.0, "end_s": 8.0, "faults": []}]}, "h2")
    s20 = entry({"movement": "hamstring_stretch", "holds_held_out": "session 20 (h10a)",
                 "holds": [{"start_s": 2.0, "end_s": 8.0, "faults": []}]}, "h3")
    results = [rf.score_clip(tuned, report(holds=[{"start_s": 1.2, "end_s": 9.4, "faults": []}])),
               rf.score_clip(s19, report(holds=[{"start_s": 2.5, "end_s": 7.5, "faults": []}])),
               rf.score_clip(s20, report(holds=[{"start_s": 4.0, "end_s": 8.0, "faults": []}]))]  # starts 2 s late
    assert [r["hold_split"] for r in results] == ["tuned on", "held out in session 19 (h10a)",
                                                  "held out in session 20 (h10a)"]
    assert rf.split_totals(results) == {"tuned on": (1, 2), "held out in session 19 (h10a)": (1, 1),
                                        "held out in session 20 (h10a)": (0, 1)}
    s23 = entry({"movement": "hamstring_stretch", "recognition_held_out_batch": "s23",
                 "holds": [{"start_s": 2.0, "end_s": 8.0, "faults": []}]}, "h4")
    assert rf.score_clip(s23, report(holds=[]))["hold_split"] == "held out in s23"


def test_split_figures_keep_held_out_clips_apart():
    held = entry({"movement": "clamshell", "rep_count": 2, "reps": [{"t": 1.0, "faults": []}, {"t": 3.0, "faults": []}]},
                 "h1")
    held["split"] = "held out (s20): scored before any code change"
    tuned = entry({"movement": "clamshell", "rep_count": 2, "reps": [{"t": 1.0, "faults": []}, {"t": 3.0, "faults": []}]},
                  "t1")
    r_held = rf.mark_fine(rf.score_clip(held, report([rep(0.5, 1.0, 2.0, ["feet_apart"]), rep(2.5, 3.0, 3.8)])), held)
    r_tuned = rf.mark_fine(rf.score_clip(tuned, report([rep(0.5, 1.0, 2.0)])), tuned)
    assert r_held["held_out"] and not r_tuned["held_out"]
    lines = rf.split_lines([r_held, r_tuned])
    assert lines[0] == ("- Held out (1 clips): counts within ±1 1/1 (100%); holds found 0/0 (–); "
                        "visibly fine but flagged 1/2 (50%).")
    assert lines[1] == ("- Tuned on (1 clips): counts within ±1 1/1 (100%); holds found 0/0 (–); "
                        "visibly fine but flagged 0/1 (0%).")


def test_replace_section_keeps_the_rest():
    doc = "# Accuracy on rendered avatars\n\ntable\n"
    once = rf.replace_section(doc, "## Real footage\n\nold\n")
    assert once.startswith(doc.rstrip("\n")) and "old" in once
    twice = rf.replace_section(once + "\ntrailer\n", "## Real footage\n\nnew\n")
    assert "old" not in twice and "new" in twice and twice.count(rf.BEGIN) == 1 and twice.endswith("trailer\n")


def test_skips_cleanly_without_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FORMCHECK_REAL_CLIPS", str(tmp_path / "absent"))
    assert rf.main([]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "skipped" in out[0]


def test_manifest_entries_are_complete():
    doc = json.loads((REPO / "benchmarks" / "real_footage_clips.json").read_text())
    ids = [c["id"] for c in doc["clips"]]
    assert len(ids) == len(set(ids))
    for c in doc["clips"]:
        for key in ("repository", "path", "licence", "refetch", "label"):
            assert c.get(key), (c["id"], key)
        if not c.get("shared_path"):
            assert len(c["blob"]) == 40 and len(c["sha256"]) == 64 and len(c["commit"]) == 40, c["id"]
        lab = c["label"]
        assert lab["movement"] and lab["analyse_as"], c["id"]
        if lab.get("rep_count") is not None and lab.get("reps"):
            assert len(lab["reps"]) == lab["rep_count"], c["id"]


def test_rendered_benchmark_keeps_the_real_footage_section(tmp_path):
    spec = importlib.util.spec_from_file_location("accuracy_bench", REPO / "benchmarks" / "accuracy.py")
    acc = importlib.util.module_from_spec(spec)
    sys.modules["accuracy_bench"] = acc
    spec.loader.exec_module(acc)
    doc = tmp_path / "accuracy.md"
    doc.write_text(rf.replace_section("# Accuracy on rendered avatars\n\nold table\n", "## Real footage\n\nkept\n"))
    acc.write_markdown([], doc, "python benchmarks/accuracy.py", 1.0)
    text = doc.read_text()
    assert "old table" not in text and "kept" in text and text.count(rf.BEGIN) == 1


def _accuracy_module():
    spec = importlib.util.spec_from_file_location("accuracy_bench", REPO / "benchmarks" / "accuracy.py")
    acc = importlib.util.module_from_spec(spec)
    sys.modules["accuracy_bench"] = acc
    spec.loader.exec_module(acc)
    return acc


def test_rendered_scoring_counts_a_reps_own_abstention_apart():
    """A code one rep left unjudged is neither a hit nor a miss on that rep, and
    is still scored on the other reps (it used to be left out of the whole clip)."""
    acc = _accuracy_module()

    def rep(t, faults=(), unjudged=()):
        return {"peak_s": t, "faults": [{"code": c} for c in faults], "unjudged": list(unjudged), "metrics": {}}

    truth = [{"peak_s": 1.0, "faults": ["knee_bent"]}, {"peak_s": 5.0, "faults": ["knee_bent"]},
             {"peak_s": 9.0, "faults": []}, {"peak_s": 13.0, "faults": []}]
    got = [rep(1.0, ("knee_bent",)), rep(5.0, unjudged=("knee_bent",)), rep(9.0, ("knee_bent",)),
           rep(13.0, unjudged=("knee_bent", "pelvis_roll"))]
    result = {"unit": "reps", "movement": "straight_leg_raise", "truth": {"reps": truth},
              "real": {"pose_coverage": 1.0, "reps": got, "warnings": [],
                       "unjudged_reasons": {"knee_bent": "it read 12°", "pelvis_roll": "this camera view cannot see it"}},
              "perfect": {"pose_coverage": 1.0, "reps": got, "warnings": []}}
    s = acc.score(result)["real"]
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 0)
    assert s["unjudged"] == ["pelvis_roll"]
    assert sorted(s["codes"]) == [("knee_bent", "fp"), ("knee_bent", "tp")]
    table = "\n".join(acc.per_code([result]))
    assert "| straight_leg_raise | `knee_bent` | 1 / 1 / 0 | 0.50 | 1.00 |" in table
    # older results without the reasons: a code unjudged on every rep is the view's
    assert acc.view_skip({"reps": got}) == set()
    assert acc.view_skip({"reps": got[3:]}) == {"knee_bent", "pelvis_roll"}


def test_holds_in_clips_the_recogniser_refuses_are_scored_as_the_labelled_movement_and_said_so():
    lab = {"movement": "figure_four", "holds": [{"start_s": 1.0, "end_s": 6.0, "faults": []},
                                                {"start_s": 9.0, "end_s": 14.0, "faults": []}]}
    refused = rf.mark_fine(rf.score_clip(entry(lab, "r1"), report(holds=[
        {"start_s": 1.2, "end_s": 5.8, "faults": []}])), entry(lab, "r1"))
    refused["refused"] = "This does not look like a supine figure-four stretch"
    graded = rf.score_clip(entry(lab, "g1"), report(holds=[{"start_s": 1.0, "end_s": 6.0, "faults": []},
                                                           {"start_s": 9.5, "end_s": 13.5, "faults": []}]))
    assert rf.refused_totals([refused, graded]) == (2, 1, 4, 3)
    line = rf.refused_line([refused, graded])
    assert "2 of the 4 labelled holds are in clips the recogniser refuses" in line
    assert "1 of their 2 holds are found" in line and "holds found 2/4 (50%)" in line
    (row,) = rf.aggregate([refused, graded])
    assert row.holds_found == 3 and row.refused_holds == 2
    assert "2 of the holds in clips the recogniser refuses" in rf.render_table([row])[-1]
    assert "recogniser refused: analysed as the labelled movement" in rf.per_clip_lines([refused])[0]
    assert rf.refused_line([graded]).startswith("No labelled hold is in a clip the recogniser refuses")


def test_a_found_hold_whose_position_was_not_checked_is_counted_apart():
    lab = {"movement": "figure_four", "holds": [{"start_s": 1.0, "end_s": 6.0, "faults": []}]}
    r = rf.score_clip(entry(lab), report(holds=[{"start_s": 0.5, "end_s": 6.4, "faults": [],
                                                 "position_checked": False}]))
    (row,) = rf.aggregate([r])
    assert (row.holds_found, row.holds_unchecked) == (1, 1)
    assert "1/1: 0 position checked, 1 not checked (1 overlapping)" in rf.render_table([row])[-1]
    assert rf.split_totals([r]) == {"tuned on": (1, 1)}
    assert rf.split_totals([r], checked_only=True) == {"tuned on": (0, 1)}
    t = rf.totals([row])
    assert (t["holds_found"], t["holds_unchecked"]) == (1, 1)


def test_holds_are_scored_only_on_the_analysis_as_the_labelled_movement():
    """A clip analysed also as a look-alike (a supine hamstring stretch as a straight
    leg raise, a rep exercise) is scored for its labelled holds once, as itself."""
    lab = {"movement": "hamstring_stretch", "holds": [{"start_s": 0.0, "end_s": 5.0, "faults": []}]}
    as_itself = rf.score_clip({"id": "h", "label": {**lab, "analyse_as": "hamstring_stretch"}},
                              report(holds=[{"start_s": 0.0, "end_s": 5.2, "faults": []}]))
    as_look_alike = rf.score_clip({"id": "h", "label": {**lab, "analyse_as": "straight_leg_raise"}}, report())
    assert as_itself["hold_truth"] == 1 and "hold_truth" not in as_look_alike
    (row,) = rf.aggregate([as_itself, as_look_alike])
    assert (row.holds_truth, row.holds_found) == (1, 1)
