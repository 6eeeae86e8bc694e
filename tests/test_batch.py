"""formcheck batch: what it collects (folder, glob, manifest), and end to end on
short cuts of two sample clips (own renders) plus a corrupt file: the local
worker pool and a local Ray instance give the same reports as `analyze`, the
corrupt clip is listed with its one-line error and the rest finish, and a second
run skips the clips already done."""

import csv
import json
from pathlib import Path

import pytest

from formcheck.batch import BatchError, collect, run_batch
from formcheck.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"


def test_auto_recognises_the_clip_not_its_file_name(tmp_path, capsys):
    """`batch --exercise auto` runs the recogniser on each clip: sample tracks
    (own renders, real pose model) renamed so their names say nothing or lie."""
    import shutil

    clips = tmp_path / "clips"
    clips.mkdir()
    shutil.copy(SAMPLES / "clamshell.track.npz", clips / "session1.npz")
    shutil.copy(SAMPLES / "fire_hydrant.track.npz", clips / "clamshell_monday.npz")  # the name lies
    shutil.copy(SAMPLES / "running.track.npz", clips / "clip.npz")
    out = tmp_path / "out"
    assert main(["batch", str(clips), "--out", str(out), "--exercise", "auto", "--jobs", "1"]) == 0
    with open(out / "summary.csv") as f:
        rows = {Path(r["path"]).name: r for r in csv.DictReader(f)}
    assert {n: r["movement"] for n, r in rows.items()} == {
        "session1.npz": "clamshell", "clamshell_monday.npz": "fire_hydrant", "clip.npz": "running"}
    for r in rows.values():
        name, share = r["recognised"].rsplit(", ", 1)
        assert name == r["movement"] and float(share.rstrip("%")) >= 70
    assert int(rows["session1.npz"]["reps"]) == 4  # the clamshell sample's 4 reps, counted as a clamshell
    report = json.loads((out / "reports" / "clamshell_monday.json").read_text())
    assert report["recognised"]["movement"] == "fire_hydrant" and report["batch"]["movement"] == "auto"
    # Asking again for one movement does not reuse the auto reports: the hydrant, taken as a
    # clamshell, is now a confident mismatch and is not graded.
    assert main(["batch", str(clips), "--out", str(out), "--exercise", "clamshell", "--jobs", "1"]) == 0
    report = json.loads((out / "reports" / "clamshell_monday.json").read_text())
    assert report["graded"] is False and report["mismatch"] == {"chosen": "clamshell", "recognised": "fire_hydrant"}


def test_collect_folder_glob_and_manifest(tmp_path):
    (tmp_path / "a").mkdir()
    for p in ["a/clamshell.mp4", "b_clamshell.mp4", "notes.txt", "a/track.npz", ".hidden.mp4"]:
        (tmp_path / p).write_bytes(b"x")
    items = collect(tmp_path)
    assert [Path(i.path).name for i in items] == ["clamshell.mp4", "track.npz", "b_clamshell.mp4"]
    assert [i.name for i in items] == ["a__clamshell", "a__track", "b_clamshell"]
    assert all(i.movement == "auto" for i in items)
    assert [Path(i.path).name for i in collect(str(tmp_path / "*.mp4"), "clamshell")] == ["b_clamshell.mp4"]
    man = tmp_path / "list.csv"
    man.write_text("path,movement,side,hold_target_s\na/clamshell.mp4,clamshell,left,\n"
                   f"{tmp_path / 'b_clamshell.mp4'},,,5\n")
    a, b = collect(man, "fire_hydrant")
    assert a.path == str(tmp_path / "a" / "clamshell.mp4") and a.movement == "clamshell" and a.options == {"side": "left"}
    assert b.movement == "fire_hydrant" and b.options == {"hold_target_s": 5.0}


@pytest.mark.parametrize("text, msg", [("file,movement\nx.mp4,clamshell\n", "needs a 'path' column"),
                                       ("path,hold_target_s\nx.mp4,long\n", "line 2: hold_target_s must be a number"),
                                       ("path,side\nx.mp4,up\n", "side must be auto, left or right")])
def test_bad_manifests_are_one_clear_error(tmp_path, text, msg):
    man = tmp_path / "m.csv"
    man.write_text(text)
    with pytest.raises(BatchError, match=msg):
        collect(man)


def test_cli_batch_input_errors_exit_2(tmp_path, capsys):
    assert main(["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "no such folder or file" in capsys.readouterr().err
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "no clips found" in capsys.readouterr().err


# ---- end to end ------------------------------------------------------------------------------------


def _cut(src: Path, dest: Path, frames: int) -> Path:
    from formcheck.video import H264Writer, probe, read_frames

    with H264Writer(dest, probe(src).fps) as w:
        for i, (_t, f) in enumerate(read_frames(src)):
            if i >= frames:
                break
            w.write(f)
    return dest


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """Two short clips (5 s each, named after their movement) and a corrupt one, with `analyze` reports."""
    from formcheck.pipeline import Options, analyze_file

    if not (SAMPLES / "clamshell.mp4").exists():
        pytest.skip("sample clips not present")
    d = tmp_path_factory.mktemp("batch")
    _cut(SAMPLES / "clamshell.mp4", d / "clamshell_1.mp4", 150)
    _cut(SAMPLES / "fire_hydrant.mp4", d / "fire_hydrant_1.mp4", 150)
    (d / "clamshell_corrupt.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"not a video" * 50)
    expected = {p.name: analyze_file(p, "auto", Options(jobs=1))  # batch's default: recognised from the clip
                for p in (d / "clamshell_1.mp4", d / "fire_hydrant_1.mp4")}
    return d, expected


def _check(out: Path, rows: list[dict], expected: dict) -> None:
    by_name = {Path(r["path"]).name: r for r in rows}
    assert set(by_name) == {"clamshell_1.mp4", "fire_hydrant_1.mp4", "clamshell_corrupt.mp4"}
    bad = by_name["clamshell_corrupt.mp4"]
    assert bad["status"] == "error" and "not a readable video" in bad["error"] and "\n" not in bad["error"]
    for name, want in expected.items():
        row = by_name[name]
        assert row["status"] == "ok", row["error"]
        got = json.loads(Path(row["report"]).read_text())
        assert got.pop("batch")["input"] == row["path"]
        assert got == json.loads(json.dumps(want)), name  # the very report `analyze` gives
        assert row["reps"] == len(want["reps"]) and row["movement"] == want["exercise"]
    with open(out / "summary.csv") as f:
        assert [r["status"] for r in csv.DictReader(f)] == [r["status"] for r in rows]
    import pyarrow.parquet as pq

    table = pq.read_table(out / "summary.parquet").to_pylist()
    assert [r["path"] for r in table] == [r["path"] for r in rows] and table[0]["reps"] == rows[0]["reps"]


@pytest.mark.e2e
def test_local_batch_matches_analyze_and_resumes(clips, tmp_path, monkeypatch, capsys):
    d, expected = clips
    out = tmp_path / "out"
    assert main(["batch", str(d), "--out", str(out), "--jobs", "2"]) == 1  # 1: a clip failed
    printed = capsys.readouterr().out
    assert "2 of 3 clips analysed" in printed and "clamshell_corrupt.mp4: not a readable video" in printed
    with open(out / "summary.csv") as f:
        rows = [dict(r, reps=int(r["reps"]) if r["reps"] else None) for r in csv.DictReader(f)]
    _check(out, rows, expected)

    # Resumable: the two finished clips are not analysed again, the corrupt one is retried.
    import formcheck.batch as batch

    seen = []
    real = batch.analyze_item
    monkeypatch.setattr(batch, "analyze_item", lambda item, *a, **k: seen.append(item.path) or real(item, *a, **k))
    rows = run_batch(collect(d), out, jobs=1)
    assert [Path(p).name for p in seen] == ["clamshell_corrupt.mp4"]
    _check(out, rows, expected)


@pytest.mark.e2e
def test_ray_batch_matches_analyze(clips, tmp_path, monkeypatch):
    ray = pytest.importorskip("ray", reason="the [scale] extra (Ray) is not installed")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")  # as formcheck.batch does: nothing leaves this machine
    d, expected = clips
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", logging_level="ERROR",
             log_to_driver=False)
    try:
        rows = run_batch(collect(d), tmp_path / "out", use_ray=True)
    finally:
        ray.shutdown()
    _check(tmp_path / "out", rows, expected)
