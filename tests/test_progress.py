"""The one terminal progress bar (formcheck.progress), as the CLI and the model download use it."""

from __future__ import annotations

import io

from formcheck.progress import BAR_WIDTH, ProgressBar, clips, frames, megabytes


def _lines(buf: io.StringIO) -> list[str]:
    return [seg.rstrip() for seg in buf.getvalue().split("\r") if seg.strip()]


def test_a_short_clip_shows_no_bar():
    buf = io.StringIO()
    bar = ProgressBar("analysing", frames, min_total=300, every=10, stream=buf)
    for k in range(1, 120):
        bar(k, 119)
    bar.end()
    assert buf.getvalue() == ""


def test_a_long_clip_redraws_every_tenth_frame_and_the_last():
    buf = io.StringIO()
    bar = ProgressBar("analysing", frames, min_total=300, every=10, stream=buf)
    for k in range(1, 306):
        bar(k, 305)
    bar.end()
    lines = _lines(buf)
    assert len(lines) == 31  # 10, 20, ..., 300 and 305
    assert lines[0].startswith("analysing [" + "#" * (BAR_WIDTH * 10 // 305) + " ") and "10/305 frames" in lines[0]
    assert "s left" in lines[0]
    assert lines[-1] == "analysing [" + "#" * BAR_WIDTH + "] 100%  305/305 frames"
    assert buf.getvalue().endswith("\n")


def test_batch_note_and_clear_before_an_error():
    buf = io.StringIO()
    bar = ProgressBar("batch", clips, stream=buf)
    bar(1, 4, ", 1 failed")
    assert "1/4 clips, 1 failed" in _lines(buf)[-1]
    width = len(buf.getvalue()) - 1
    bar.clear()
    assert buf.getvalue().endswith("\r" + " " * width + "\r")
    bar.end()
    assert not buf.getvalue().endswith("\n")  # cleared: nothing left to end


def test_download_with_and_without_a_known_size():
    buf = io.StringIO()
    bar = ProgressBar("downloading m.task:", megabytes, stream=buf)
    bar(2_500_000, 5_000_000)
    assert "]  50%  2.5 of 5.0 MB" in _lines(buf)[-1]
    bar(3_000_000, None)
    assert _lines(buf)[-1] == "downloading m.task: 3.0 MB"
