"""In a real browser (Debian's Chromium via Playwright, as tests/test_browser.py):
a session saved under the wrong movement is analysed again as the right one from
History, and its review then shows the right movement's reps."""

from __future__ import annotations

import time

import pytest

from tests.test_browser import _grid_rows, _launch, _require_chromium, _wait_app, server  # noqa: F401

pytestmark = pytest.mark.browser


def test_wrong_movement_session_is_reanalysed_from_history(server, tmp_path):  # noqa: F811
    sync_api = _require_chromium()
    playwright_timeout = sync_api.TimeoutError
    from formcheck.history import History
    from formcheck.pipeline import Options, analyze
    from formcheck_synth.catalog import build
    from formcheck_synth.kit import REALISTIC, track_from_motion
    from formcheck_synth.samples import SAMPLES

    b = build(SAMPLES["clamshell"])  # 4 reps
    track = track_from_motion(b.motion, b.camera, REALISTIC)
    hist = History(server["data"] / "formcheck.db")
    # Saved the way a version without recognition saved it: graded as a fire hydrant.
    wrong = analyze(track, "fire_hydrant", Options(recognise=False))
    sid = hist.save_session(wrong, "upload", "clamshell.npz", track=track)
    with sync_api.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server["url"] + "/history")
        _wait_app(page)
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text=f"Analyse session #{sid} again as")
        box.wait_for(timeout=120000)
        _wait_app(page)  # a click while the page still reruns can open a list that the rerun closes
        # The picker starts on ui.saving.likeliest_other's pick, else the list's first (here clamshell either
        # way: saved without recognition; tests/test_app.py checks the pick itself).
        assert box.locator("input").input_value() == "Clamshell"
        option = page.get_by_role("option", name="Clamshell", exact=True)
        for _ in range(4):
            box.click()
            try:
                option.wait_for(timeout=10000)
                break
            except playwright_timeout:
                page.keyboard.press("Escape")
                _wait_app(page)
        option.click()
        page.get_by_role("button", name="Analyse again", exact=True).click()
        deadline = time.time() + 120
        while hist.get_session(sid)["exercise"] != "clamshell" and time.time() < deadline:
            time.sleep(0.5)
        _wait_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.get_by_role("button", name="Open in Review", exact=True).click()
        page.get_by_role("heading", name="Clamshell: review").wait_for(timeout=180000)
        _wait_app(page)
        assert _grid_rows(page) == 4
        assert page.get_by_text("Recognised: clamshell", exact=False).count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        browser.close()
    s = hist.get_session(sid)
    assert s["exercise"] == "clamshell" and s["rep_count"] == 4
