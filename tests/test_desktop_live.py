"""`formcheck live`: the desktop live mode, tested headless with a video file as
the camera (the real pose model on the clamshell sample), and its clear errors."""

import json
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.history import History

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_videos" / "clamshell.mp4"


@pytest.mark.parametrize("argv, message", [
    (["--camera", "7", "--exercise", "clamshell"], "camera 7 could not be opened"),
    (["--camera", "missing.mp4", "--exercise", "clamshell"], "missing.mp4: no such file"),
    (["--camera", "0", "--exercise", "walking"], "live mode counts exercises"),
    (["--camera", "0", "--exercise", "running"], "live mode counts exercises"),
    (["--camera", "x.mp4", "--exercise", "clamshell", "--max-seconds", "0"], "--max-seconds must be positive"),
])
def test_live_errors_are_one_clear_line(argv, message, capsys, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["live", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("formcheck: error: ") and message in err[-1], err
    assert History().list_sessions() == []


@pytest.mark.e2e
def test_live_from_a_video_file_counts_the_sample_and_saves_the_session(capsys, monkeypatch):
    if not SAMPLE.exists():
        pytest.skip("no sample clip")
    monkeypatch.delenv("DISPLAY", raising=False)  # headless: no window
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())
    assert main(["live", "--camera", str(SAMPLE), "--exercise", "clamshell"]) == 0
    out = capsys.readouterr().out
    print(out)
    (s,) = History().list_sessions()
    report = History().get_session(s["id"])["report"]
    assert s["source_kind"] == "live" and s["rep_count"] == len(truth["reps"]) == 4
    assert report["live"]["live_rep_count"] == 4  # every rep counted live, the small rep 3 too
    assert "Rep 3 / 15" in out and "Open your knee further" in out.split("Rep 3 / 15")[1].splitlines()[0]
    assert f"Saved as session #{s['id']}: 4 reps" in out


@pytest.mark.e2e
def test_live_auto_recognises_the_sample_then_counts_every_rep(capsys, monkeypatch):
    """`--exercise auto`: "Recognising..." until the recogniser is sure (two checks a
    second apart), then the sample is counted as a clamshell; the reps done before
    the lock are recounted from the buffered frames, so all 4 are counted live."""
    if not SAMPLE.exists():
        pytest.skip("no sample clip")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert main(["live", "--camera", str(SAMPLE), "--exercise", "auto"]) == 0
    out = capsys.readouterr().out
    print(out)
    (s,) = History().list_sessions()
    session = History().get_session(s["id"])
    assert session["exercise"] == "clamshell" and s["rep_count"] == 4
    assert session["report"]["live"]["live_rep_count"] == 4
    lines = out.splitlines()
    said = next(i for i, line in enumerate(lines) if "Recognised: clamshell" in line)
    t_lock = float(lines[said].split()[0])
    assert 2.0 <= t_lock <= 12.0  # at least two checks a second apart; the sample's first rep ends by ~4 s
    assert sum("Rep " in line for line in lines[said + 1:]) >= 1  # counting goes on after the lock
    assert f"Saved as session #{s['id']}: clamshell, 4 reps" in out
