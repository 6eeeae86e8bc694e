"""End to end with the real pose model on real footage (../shared/clips)."""

import http.server
import shutil
import threading
from functools import partial
from pathlib import Path

import av
import numpy as np
import pytest

from formcheck.cli import main
from formcheck.landmarks import PoseTrack
from formcheck.video import H264Writer, read_frames

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parent.parent


def test_treadmill_track_upright_and_covered(treadmill_track):
    tr = treadmill_track
    assert (tr.width, tr.height) == (720, 1280)  # recorded in portrait, processed upright
    assert tr.coverage >= 0.9
    assert len(tr) == 360
    np.testing.assert_allclose(np.diff(tr.times), 1 / 30, atol=1e-3)
    # Upright: the nose is above the hips and the ankles below them in almost every frame.
    nose_y, hip_y, ankle_y = tr.xy[:, 0, 1], tr.xy[:, 23:25, 1].mean(1), tr.xy[:, 27:29, 1].mean(1)
    ok = tr.detected
    assert np.mean((nose_y < hip_y)[ok]) > 0.95 and np.mean((ankle_y > hip_y)[ok]) > 0.95


def test_cli_track_writes_npz_and_csv(treadmill_clip, tmp_path, capsys):
    out = tmp_path / "t.npz"
    assert main(["track", str(treadmill_clip), "--out", str(out), "--stride", "3"]) == 0
    tr = PoseTrack.load_npz(out)
    assert len(tr) == 120 and tr.coverage >= 0.9
    with np.load(out) as z:
        assert z["clean_xy"].shape == (120, 33, 2)
    out = capsys.readouterr().out
    assert "person in" in out and "Pose model: the person looked for on every frame" in out
    assert tr.meta["pose_mode"]["num_poses"] == 2


@pytest.fixture(scope="module")
def annotated_clip(treadmill_clip, tmp_path_factory):
    """The first 3 s of the treadmill clip, analysed with --video."""
    d = tmp_path_factory.mktemp("ann")
    short = d / "short.mp4"
    with H264Writer(short, 30) as w:
        for t, f in read_frames(treadmill_clip):
            if t >= 3.0:
                break
            w.write(f)
    out = d / "annotated.mp4"
    assert main(["analyze", str(short), "-e", "clamshell", "--video", str(out)]) == 0
    return out


def test_annotated_video_is_h264(annotated_clip):
    with av.open(str(annotated_clip)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"
        assert s.frames == 90


@pytest.mark.browser
def test_annotated_video_plays_in_chromium(annotated_clip, tmp_path):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian chromium is not installed (scripts/setup.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(annotated_clip, root / "a.mp4")
    (root / "index.html").write_text(
        '<html><body style="margin:0;background:#222"><video id="v" src="a.mp4" muted playsinline '
        'style="height:640px"></video></body></html>')

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"])
            page = browser.new_page(viewport={"width": 400, "height": 660})
            page.goto(f"http://127.0.0.1:{srv.server_address[1]}/index.html")
            page.evaluate("document.getElementById('v').play()")
            page.wait_for_function("document.getElementById('v').currentTime > 1.0", timeout=20000)
            state = page.evaluate("(() => {const v = document.getElementById('v');"
                                  " return [v.readyState, v.videoWidth, v.videoHeight, v.error === null]})()")
            assert state[0] >= 2 and state[1:3] == [720, 1280] and state[3]
            page.evaluate("document.getElementById('v').pause()")
            from tests.test_browser import SHOTS as shots

            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "annotated_video_chromium.png"))
            browser.close()
    finally:
        srv.shutdown()
        srv.server_close()
