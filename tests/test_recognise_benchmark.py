"""benchmarks/recognition.py's real-footage reading: a manifest's recognition_truth
(null = none of these) overrides the labelled movement for the recogniser's
top-1, and the split check scores thresholds chosen on one half on the other."""

import json
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.recognition import real_cases, run, split_check  # noqa: E402


def test_recognition_truth_overrides_the_label_and_the_split_check_runs(tmp_path, monkeypatch):
    clips = tmp_path / "clips"
    clips.mkdir()
    entries = []
    for cid, movement, extra in [("seated_f4", "figure_four", {"recognition_truth": None}),
                                 ("clam", "clamshell", {}), ("hydrant", "fire_hydrant", {})]:
        (clips / f"{cid}.mp4").write_bytes(b"not read: the track beside it is used")
        sample = {"seated_f4": "figure_four", "clam": "clamshell", "hydrant": "fire_hydrant"}[cid]
        shutil.copy(REPO / "sample_videos" / f"{sample}.track.npz", clips / f"{cid}.npz")
        entries.append({"id": cid, "file": f"{cid}.mp4", "label": {"movement": movement, **extra}})
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"clips": entries}))
    monkeypatch.setenv("FORMCHECK_REAL_CLIPS", str(clips))
    cases = real_cases(tmp_path / "cache", track_missing=False, manifest=manifest)
    assert [(truth, what) for truth, what, _ in cases] == [(None, "seated_f4"), ("clamshell", "clam"),
                                                           ("fire_hydrant", "hydrant")]
    rows = run(cases)
    # The supine figure-four sample, given the truth "none of these", is a wrong answer here.
    assert [r["ok"] for r in rows] == [False, True, True]
    table = split_check(rows)
    assert table[0].startswith("| tuned on") and len(table) == 5
    assert "| half A (2 clips)" in table[2] and "(half B) |" in table[2]


def test_session_21_held_out_clips_are_split_by_their_sha256_parity():
    from benchmarks.recognition import held_out_batch, held_out_part

    def entry(cid: str, sha_end: str, batch: str | None) -> dict:
        label = {"movement": "squat"} | ({"recognition_held_out": "yes", "recognition_held_out_batch": batch}
                                          if batch else {})
        return {"id": cid, "sha256": "0" * 63 + sha_end, "label": label}

    assert held_out_part(entry("a", "e", "s21")) == "untouched"
    assert held_out_part(entry("b", "7", "s21")) == "tune"
    assert held_out_part(entry("c", "e", "s20")) is None  # older batches were not split
    assert held_out_part(entry("d", "e", None)) is None  # not held out
    # Another helper's clip scored in that batch without a mark of its own.
    radluy = {"id": "run_road_back_radluy", "sha256": "0" * 63 + "f", "label": {"movement": "running"}}
    assert held_out_batch(radluy) == "s21" and held_out_part(radluy) == "tune"
