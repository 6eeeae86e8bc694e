"""Issue 15 in a real browser (Debian Chromium + Playwright, fake camera from the
samples; the same set-up as tests/test_browser.py, whose helpers are reused):

- Today's routine with two movements runs through set counts, a rest timer and a
  side switch, and is saved as one routine;
- the live page says "nobody in view" within 3 s of an empty picture and saves nothing;
- pain is saved from the slider alone;
- the rep table's Form column is on screen at 1400 px and 390 px;
- a screenshot of each page at desktop and phone width (docs/screenshots/).

Slow on a shared machine: run one test at a time, e.g.
    .venv/bin/pytest tests/test_browser_routine.py -k routine -s
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest

from tests import test_browser
from tests.test_browser import (
    LEAD_S,
    SAMPLE,
    SHOTS,
    _full_screenshot,
    _launch,
    _require_chromium,
    _wait_app,
    to_y4m,
)

server = test_browser.server  # the fixture: `streamlit run app.py` with its own data folder

pytestmark = pytest.mark.browser
CAMERA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


def _slow_y4m(src, dst, factor: int) -> None:
    """The same Y4M played `factor` times slower: the same frames at 1/factor of the frame
    rate, so the person moves `factor` times slower and a heavily loaded machine that
    processes only a few frames a second still sees each rep (reps stay under
    RepParams.max_rep_s = 10 s for factor 2), while the browser encodes and the server
    decodes `factor` times fewer frames per second."""
    with open(src, "rb") as f:
        fields = f.readline().split()
        fps = next(x for x in fields if x.startswith(b"F"))
        num, den = (int(v) for v in fps[1:].split(b":"))
        header = b" ".join(b"F%d:%d" % (num, den * factor) if x is fps else x for x in fields) + b"\n"
        with open(dst, "wb") as out:
            out.write(header)
            while chunk := f.read(1 << 20):
                out.write(chunk)


def _routine_camera(server, tmp_path, plan: dict) -> Path:
    """Today's routine set to `plan` in the server's data folder, and the clamshell sample
    (after LEAD_S s at rest) at half speed as the fake camera's file."""
    if not SAMPLE.exists():
        pytest.skip("no sample clip")
    server["data"].mkdir(parents=True, exist_ok=True)
    (server["data"] / "routine.json").write_text(json.dumps(plan))
    return _half_speed_camera(tmp_path)[0]


def _half_speed_camera(tmp_path) -> tuple[Path, float]:
    """The clamshell sample (after LEAD_S s at rest) as a half-speed Y4M: (path, duration s)."""
    y4m = tmp_path / "clam.y4m"
    duration, _ = to_y4m(SAMPLE, tmp_path / "clam1.y4m", lead_s=LEAD_S)
    _slow_y4m(tmp_path / "clam1.y4m", y4m, 2)
    return y4m, 2 * duration


def _camera_page(p, y4m, width=1400):
    browser = _launch(p, [*CAMERA, f"--use-file-for-fake-video-capture={y4m}"])
    ctx = browser.new_context(viewport={"width": width, "height": 1000}, permissions=["camera"])
    return browser, ctx.new_page()


def _press(page, name: str):
    webrtc = page.frame_locator('iframe[title*="webrtc"]').first
    button = webrtc.get_by_role("button", name=re.compile(name, re.I))
    button.wait_for(timeout=60000)
    button.click()


def _saved_session(server, clam_report=None):
    from formcheck.history import History
    from formcheck.pipeline import analyze
    from formcheck_synth.catalog import build
    from formcheck_synth.kit import REALISTIC, track_from_motion
    from formcheck_synth.scripts import CameraSpec, Scenario

    hist = History(server["data"] / "formcheck.db")
    b = build(Scenario("clamshell", reps=6, faults={2: {"feet_apart": 0.15}, 4: {"too_fast": 0.5}},
                       camera=CameraSpec(view="front")))
    track = track_from_motion(b.motion, b.camera, REALISTIC)
    return hist, hist.save_session(analyze(track, "clamshell", source="clam.npz"), "upload", "clam.npz", track=track)


def test_routine_runs_sets_rest_and_side_switch_and_is_saved_as_one(server, tmp_path):
    """Clamshell 2 sets of 1 rep per side (rest 3 s, switch 3 s; one rep a set keeps the test
    short on a loaded machine), then a donkey kick that is skipped (the fake camera only shows
    clamshells). Saved as one routine."""
    sync_api = _require_chromium()
    y4m = _routine_camera(server, tmp_path, {"name": "Browser test", "get_ready_s": 3, "switch_s": 3, "steps": [
        {"movement": "clamshell", "sets": 2, "reps": 1, "rest_s": 3, "sides": ["right", "left"]},
        {"movement": "donkey_kick", "sets": 1, "reps": 2, "rest_s": 0, "sides": ["right"]}]})
    seen: list[str] = []
    with sync_api.sync_playwright() as p:
        browser, page = _camera_page(p, y4m)
        page.goto(server["url"] + "/routine")
        _wait_app(page)
        page.get_by_text("Clamshell", exact=False).first.wait_for()
        _press(page, "start")
        t0 = time.time()
        status = page.locator("h3").filter(has_text=re.compile(r" · |^Rest |^Switch |^Get ready"))
        skipped = False
        shot = False
        while time.time() - t0 < 900:
            if page.get_by_text("Routine saved", exact=False).count():
                break
            try:
                text = status.first.inner_text(timeout=1000) if status.count() else ""
            except Exception:  # noqa: BLE001 - the fragment re-rendered mid-read
                text = ""
            if text and (not seen or seen[-1] != text):
                seen.append(text)
                print(f"{time.time() - t0:6.1f} s  {text}", flush=True)
            if "Rest" in text and not shot:
                _full_screenshot(page, SHOTS / "page_routine_rest.png")
                shot = True
            if "Donkey kick" in text and not skipped:
                page.get_by_role("button", name="Skip this movement").click()
                skipped = True
            time.sleep(0.3)
        page.get_by_text("Routine saved", exact=False).wait_for(timeout=120000)
        assert page.locator('[data-testid="stException"]').count() == 0
        _full_screenshot(page, SHOTS / "page_routine_saved.png")
        browser.close()
    print("\nstatus lines seen:", seen)
    joined = " | ".join(seen)
    for needed in ("Clamshell · set 1 of 2 · rep 0 of 1 · right side",
                   "Rest ", "Clamshell · set 2 of 2 · rep 0 of 1 · right side", "Switch to your left side",
                   "Clamshell · set 1 of 2 · rep 0 of 1 · left side", "Clamshell · set 2 of 2 · rep 0 of 1 · left side",
                   "Donkey kick"):
        assert needed in joined, needed

    from formcheck.history import History

    hist = History(server["data"] / "formcheck.db")
    (r,) = hist.list_routines()
    clam, dk = r["summary"]
    assert (clam["sets_done"], clam["reps_done"], clam["reps_prescribed"]) == (4, 4, 4)
    assert (dk["sets_done"], dk["skipped_sets"]) == (0, 1)
    assert [s["exercise"] for s in r["sessions"]] == ["clamshell"]
    assert len(hist.list_sessions()) == 1 and r["sessions"][0]["routine_id"] == r["id"]


def test_live_with_nobody_in_frame_says_so_and_saves_nothing(server, tmp_path):
    sync_api = _require_chromium()
    y4m = tmp_path / "empty.y4m"
    frame = np.full((240, 320), 128, np.uint8)
    with open(y4m, "wb") as f:  # an empty grey room, 6 s
        f.write(b"YUV4MPEG2 W320 H240 F30:1 Ip A1:1 C420jpeg\n")
        for _ in range(180):
            f.write(b"FRAME\n" + frame.tobytes() + np.full(320 * 240 // 2, 128, np.uint8).tobytes())
    with sync_api.sync_playwright() as p:
        browser, page = _camera_page(p, y4m)
        page.goto(server["url"] + "/live")
        _wait_app(page)
        _press(page, "start")
        # The panel shows the processing line once frames arrive; then time the warning.
        page.get_by_text("Processing:", exact=False).first.wait_for(timeout=60000)
        t_frames = time.time()
        warning = page.locator('[data-testid="stAlert"]').filter(has_text="I can't see anyone").first
        warning.wait_for(timeout=10000)
        said_after = time.time() - t_frames
        # The warning says how long nobody has been seen, in stream time: at its first showing.
        text = warning.inner_text()
        found = re.search(r"\((\d+) s\)", text)
        assert found, text
        unseen = int(found.group(1))
        _full_screenshot(page, SHOTS / "page_live_nobody.png")
        time.sleep(2)
        _press(page, "stop")
        page.get_by_text("Nothing was saved: nobody was in view", exact=False).wait_for(timeout=30000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.goto(server["url"] + "/history")
        _wait_app(page)
        page.get_by_text("No sessions yet", exact=False).wait_for(timeout=30000)
        assert page.get_by_text("not analysed", exact=False).count() == 0
        browser.close()
    print(f"\n'Nobody in view' first shown after {unseen} s without anyone (stream time), "
          f"{said_after:.1f} s after the panel's first update")
    # Within 3 s of live processing starting (the panel's first update); `unseen` also counts
    # the pose model's start-up, when no frame could be judged yet (6 s on a loaded machine).
    assert said_after <= 3.0

    from formcheck.history import History

    hist = History(server["data"] / "formcheck.db")
    assert hist.list_sessions() == [] and hist.pending_recordings() == []


def test_pain_is_saved_from_the_slider_alone(server):
    sync_api = _require_chromium()
    hist, sid = _saved_session(server)
    with sync_api.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server["url"] + f"/review?session={sid}")
        _wait_app(page)
        slider = page.get_by_role("slider").first
        slider.scroll_into_view_if_needed()
        slider.focus()
        for _ in range(7):  # from "not recorded" to 6
            page.keyboard.press("ArrowRight")
            time.sleep(0.15)
        page.get_by_text("Pain 6/10 saved", exact=False).first.wait_for(timeout=30000)
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    assert hist.get_session(sid)["pain"] == 6


@pytest.mark.parametrize("width", [1400, 390])
def test_rep_table_form_column_is_on_screen(server, width):
    sync_api = _require_chromium()
    _, sid = _saved_session(server)
    with sync_api.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(server["url"] + f"/review?session={sid}")
        _wait_app(page)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        grid.wait_for(timeout=30000)
        time.sleep(1.0)
        # st.dataframe draws on a canvas; its accessible twin (table[role=grid]) holds only the
        # columns the grid renders, i.e. those in view (it virtualises columns).
        table = grid.locator("table[role=grid]")
        table.wait_for(state="attached", timeout=30000)
        shown = [t.strip() for t in table.locator("thead th, [role=columnheader]").all_inner_texts()]
        print(f"\n{width} px: columns rendered: {shown}")
        assert "Form" in shown and "Cue" in shown, shown
        if width < 600:
            assert len(shown) < 10, shown  # a phone shows only the first few columns: Form is one of them
        grid.screenshot(path=str(SHOTS / f"rep_table_{width}.png"))
        browser.close()


PAGES = [("analyze", "/", "Upload your own clip"), ("routine", "/routine", "Today's routine"),
         ("live", "/live", "Camera set-up"), ("review", "/review?session={sid}", "Rep by rep"),
         ("history", "/history", "Progress over the weeks")]


def test_screenshots_of_every_page_at_desktop_and_phone_width(server):
    sync_api = _require_chromium()
    _, sid = _saved_session(server)
    with sync_api.sync_playwright() as p:
        browser = _launch(p)
        for width, tag in ((1400, "desktop"), (390, "phone")):
            page = browser.new_page(viewport={"width": width, "height": 1000})
            for name, path, must in PAGES:
                page.goto(server["url"] + path.format(sid=sid))
                _wait_app(page)
                page.get_by_text(must, exact=True).first.wait_for(timeout=30000)
                time.sleep(1.0)
                assert page.locator('[data-testid="stException"]').count() == 0, (name, width)
                _full_screenshot(page, SHOTS / f"{tag}_{name}.png")
            page.close()
        browser.close()


def _stream_s(page) -> float | None:
    """Seconds of camera video the live path has processed, from the panel's caption."""
    cap = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="of video")
    if not cap.count():
        return None
    try:
        found = re.search(r"(\d+):(\d\d) of video", cap.first.inner_text(timeout=1000))
    except Exception:  # noqa: BLE001 - the fragment re-rendered mid-read
        return None
    return int(found.group(1)) * 60 + int(found.group(2)) if found else None


def _live_clamshell_run(server, tmp_path) -> bool:
    """One pass of the half-speed clamshell through the browser's live page; prints what
    it saw and returns whether all 4 reps were counted with the short-range cue on rep 3."""
    sync_api = _require_chromium()
    if not SAMPLE.exists():
        pytest.skip("no sample clip")
    truth = json.loads(SAMPLE.with_suffix(".json").read_text())
    y4m, duration = _half_speed_camera(tmp_path)
    cues: list[tuple[int, str]] = []
    seen: list[tuple[float, int]] = []
    with sync_api.sync_playwright() as p:
        browser, page = _camera_page(p, y4m)
        page.goto(server["url"] + "/live")
        _wait_app(page)
        _press(page, "start")
        page.wait_for_function("[...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
                               ".some(e => e.innerText.includes('Reps counted'))", timeout=300000)
        t0 = time.time()
        count, video_s = 0, 0.0
        while video_s < duration + 1.0:
            assert time.time() - t0 < 120 + 6 * duration, f"the stream stalled at {video_s} s of video"
            m = page.locator('[data-testid="stMetric"]').filter(has_text="Reps counted")
            try:
                now = _stream_s(page)
                if m.count():
                    count = int(m.first.locator('[data-testid="stMetricValue"]').inner_text(timeout=1000))
            except Exception:  # noqa: BLE001 - the fragment re-rendered mid-read
                time.sleep(0.2)
                continue
            if now is not None and (not seen or seen[-1] != (now, count)):
                video_s = now
                seen.append((now, count))
            alert = page.locator('[data-testid="stAlert"]').filter(has_text=re.compile("knee|Slow|feet", re.I))
            if alert.count():
                try:
                    text = alert.first.inner_text(timeout=1000)
                except Exception:  # noqa: BLE001
                    text = ""
                if text and (not cues or cues[-1] != (count, text)):
                    cues.append((count, text))
            time.sleep(0.2)
        fps = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="of video").first.inner_text()
        _press(page, "stop")
        page.wait_for_url(re.compile(r"/review\?session="), timeout=180000)  # saved and analysed
        browser.close()
    print(f"\nlive count {count} (truth {len(truth['reps'])}) after {video_s:.0f} s of video "
          f"({time.time() - t0:.0f} s wall); {fps}\n(video s, count): {seen}\ncues (count, text): {cues}")
    return count == len(truth["reps"]) == 4 and any(n == 3 and "Open your knee further" in text for n, text in cues)


def test_live_counts_all_four_clamshell_reps_with_the_short_range_cue(server, tmp_path):
    """Issue 15 item 2: the clamshell sample through the live path in the browser counts
    all 4 reps, the deliberately small rep 3 too, with its cue on rep 3.

    Timed in video time, not wall time: on a loaded machine the stream may fall behind the
    clock and the pose model processes 2-5 frames/s (44 s of video in 48-49 s at load 27-34
    on 2 cores). The clip plays at half speed (its frames at 15 a second, as in the routine
    test) so that even 1.5 processed frames/s see every rep (tests/test_live_frame_rate.py
    checks the same replayed track at full speed down to 3 frames/s, at half speed down to
    1.5, and the counter's rules for gaps of 1-2.5 s between frames). The count is read once the panel
    has processed one pass of the looping fake camera: the next pass starts with 2 x LEAD_S
    s at rest, so its first rep cannot end within 10 s of that.

    Through the browser the lead-in reads a few degrees lower than the rests between reps
    (tests/test_reps.py has both cases that made this test miss in session 20: rep 1
    measured from that lower rest inflated the range, and timed from it was too long)."""
    # A flake of sessions 25-26 (about 1 fresh-clone CI run in 3-4 lost rep 3, even at 15
    # processed frames/s with no frame skipped). Cause, found in session 27 by replaying the
    # live sessions the browser saved: through the browser's compressed video the pose model
    # reads rep 3 at 0.31-0.36 of the set's range (6 runs; 0.37 offline), and a partial rep
    # had to reach 0.30 (RepParams.partial_min, now 0.25). A second pass is still allowed and
    # both are printed; two misses in a row fail.
    assert _live_clamshell_run(server, tmp_path) or _live_clamshell_run(server, tmp_path), \
        "the live count missed a rep (or the short-range cue) on two passes in a row: see the printed counts"


# Writes the routine screenshots for docs/ (4 of 4 runs passed at load 20-30 once the live
# stream stopped stalling), so it runs only when the screenshots are being refreshed.
@pytest.mark.skipif(os.environ.get("FORMCHECK_UPDATE_SCREENSHOTS") != "1",
                    reason="screenshot refresh only (FORMCHECK_UPDATE_SCREENSHOTS=1)")
@pytest.mark.parametrize("width, tag", [(1400, "desktop"), (390, "phone")])
def test_routine_screenshots_set_up_card_live_set_and_rest(server, tmp_path, width, tag):
    """The routine page as a user sees it: the set-up card with its demo clip playing, a
    set in progress, and the rest between sets (docs/screenshots/routine_*_{desktop,phone}.png
    with FORMCHECK_UPDATE_SCREENSHOTS=1)."""
    sync_api = _require_chromium()
    y4m = _routine_camera(server, tmp_path, {"name": "Screenshots", "get_ready_s": 5, "switch_s": 3, "steps": [
        {"movement": "clamshell", "sets": 2, "reps": 1, "rest_s": 30, "sides": ["right"]}]})
    with sync_api.sync_playwright() as p:
        browser, page = _camera_page(p, y4m, width)
        page.goto(server["url"] + "/routine")
        _wait_app(page)
        card = page.get_by_text("Set-up: Clamshell", exact=False).first
        card.wait_for(timeout=60000)
        video = page.locator("video").last
        video.wait_for(timeout=30000)
        # The demo plays: its clock moves on (a still frame would stay at 0).
        page.wait_for_function("[...document.querySelectorAll('video')].some(v => v.currentTime > 0.5)",
                               timeout=30000)
        _full_screenshot(page, SHOTS / f"routine_setup_{tag}.png")
        _press(page, "start")
        status = page.locator("h3").filter(has_text=re.compile(r"^Clamshell · set 1 of 2"))
        status.first.wait_for(timeout=300000)
        _full_screenshot(page, SHOTS / f"routine_set_{tag}.png")
        page.locator("h3").filter(has_text=re.compile(r"^Rest ")).first.wait_for(timeout=600000)
        _full_screenshot(page, SHOTS / f"routine_rest_{tag}.png")
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
