"""Recognition in the app (AppTest, no browser): Auto-detect is the default and
says what it recognised; a clip uploaded as the wrong movement is not graded and
"Analyse as ..." fixes it in one click; History analyses a saved session again.

Every test gets its own FORMCHECK_DATA_DIR (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.history import History
from formcheck.pipeline import Options, analyze
from formcheck_synth.catalog import build
from formcheck_synth.kit import track_from_motion
from formcheck_synth.samples import SAMPLES

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")


@pytest.fixture(scope="module")
def clam():
    b = build(SAMPLES["clamshell"])  # 4 reps, rep 3 short, rep 4 rushed
    return track_from_motion(b.motion, b.camera)


@pytest.fixture
def npz(clam, tmp_path):
    path = tmp_path / "clam.npz"
    clam.save_npz(path)
    return path


def app(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    return at


def _upload(at: AppTest, name: str, data: bytes, movement: str | None) -> AppTest:
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream"))
    at.run()
    if movement is not None:
        at.selectbox(key="movement").select(movement)
    at.button(key="analyze").click().run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [str(m.label) + " " + str(m.value) for m in at.metric]
    return "\n".join(parts)


def test_auto_detect_is_the_default_and_says_what_it_saw(npz):
    at = app("app_pages/analyze.py")
    assert at.selectbox(key="movement").value == "auto"
    assert at.selectbox(key="movement").format_func("auto") == "Auto-detect"
    _upload(at, "my clip.npz", npz.read_bytes(), None)
    assert at.title[0].value == "Clamshell: review"
    assert any(m.value.startswith("**Recognised: clamshell, ") and m.value.endswith("%**") for m in at.markdown)
    assert list(at.dataframe[0].value["Rep"]) == [1, 2, 3, 4]


def test_wrong_movement_is_not_graded_and_one_click_fixes_it(npz):
    at = app("app_pages/analyze.py")
    _upload(at, "clam.npz", npz.read_bytes(), "fire_hydrant")
    assert at.title[0].value == "Fire hydrant: review"
    text = _texts(at)
    assert "This looks like a clamshell, not a fire hydrant" in at.error[0].value
    assert "Good form" not in text and "good form" not in text.lower()
    assert not at.dataframe or "Rep" not in at.dataframe[0].value.columns  # no rep table
    # AppTest does not keep a page reached by st.switch_page for the next run: open it again.
    at.switch_page("app_pages/review.py")
    at.query_params["session"] = "1"
    at.run()
    fix = at.button(key="fix_mismatch")
    assert fix.label == "Analyse as clamshell"
    fix.click().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Clamshell: review"
    assert list(at.dataframe[0].value["Rep"]) == [1, 2, 3, 4]
    (s,) = History().list_sessions()
    assert s["exercise"] == "clamshell" and s["rep_count"] == 4


def test_history_analyses_a_session_again_as_another_movement(clam):
    hist = History()
    sid = hist.save_session(analyze(clam, "fire_hydrant", Options(recognise=False)), "upload", "clam.npz",
                            track=clam)
    at = app("app_pages/history.py")
    at.selectbox(key=f"hist_again_{sid}").select("clamshell")
    at.button(key="hist_reanalyse").click().run()
    assert not at.exception, at.exception
    s = History().get_session(sid)
    assert s["exercise"] == "clamshell" and s["rep_count"] == 4
    assert s["report"]["graded"] is True


def test_review_deletes_a_session(clam):
    hist = History()
    keep = hist.save_session(analyze(clam, "clamshell"), "upload", "keep.npz", track=clam)
    gone = hist.save_session(analyze(clam, "clamshell"), "upload", "gone.npz", track=clam)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/review.py")
    at.query_params["session"] = str(gone)
    at.run()
    at.button(key="review_delete").click().run()
    at.button(key="review_delete_yes").click().run()
    assert not at.exception, at.exception
    assert [s["id"] for s in History().list_sessions()] == [keep]


@pytest.mark.e2e
def test_clamshell_sample_as_fire_hydrant_in_the_app():
    clip = REPO / "sample_videos" / "clamshell.mp4"
    at = app("app_pages/analyze.py")
    _upload(at, clip.name, clip.read_bytes(), "fire_hydrant")
    assert at.title[0].value == "Fire hydrant: review"
    assert "This looks like a clamshell, not a fire hydrant" in at.error[0].value
    assert "good form" not in _texts(at).lower()
    assert at.button(key="fix_mismatch").label == "Analyse as clamshell"
