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
    (["--camera", "0", "--exercise", "auto"], "--exercise auto is not available in live mode"),
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
