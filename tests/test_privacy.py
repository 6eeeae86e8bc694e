"""Nothing leaves the computer: `formcheck analyze` and the app's first page run under
strace (every network system call of every thread and child is logged) and the test
fails on any connection or datagram to an address that is not this machine
(127.0.0.1, ::1 or a local socket). The browser's own requests for the page are
recorded too: every asset must come from the app itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import streamlit_server

REPO = Path(__file__).resolve().parent.parent
STRACE = shutil.which("strace") or "/usr/bin/strace"
CHROMIUM = Path("/usr/bin/chromium")
SAMPLE = REPO / "sample_videos" / "clamshell.mp4"
NET_CALLS = "connect,sendto,sendmsg,sendmmsg"

_ADDR = re.compile(r'sa_family=(AF_INET6?|AF_UNIX|AF_NETLINK|AF_UNSPEC)(?:, sin6?_port=htons\((\d+)\))?'
                   r'(?:, (?:sin_addr=inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"))?')
_LOCAL = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def outside_contacts(strace_log: str) -> list[str]:
    """The strace lines that reach (or try to reach) another machine: a connect() or a
    datagram with an AF_INET/AF_INET6 address other than loopback, or a DNS query."""
    bad = []
    for line in strace_log.splitlines():
        if not re.search(rf"\b({NET_CALLS.replace(',', '|')})\(", line):
            continue
        if "googleapis" in line or "\\3com" in line:  # a DNS query in the payload
            bad.append(line)
            continue
        for fam, _port, v4, v6 in _ADDR.findall(line):
            if fam in ("AF_INET", "AF_INET6") and (v4 or v6) not in _LOCAL:
                bad.append(line)
                break
    return bad


def test_outside_contacts_parser_catches_what_matters():
    dns = ('123 connect(6, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = 0')
    query = '124 sendto(6, "\\367Q\\1\\0\\0\\1\\0\\0\\0\\0\\0\\0\\4play\\ngoogleapis\\3com"..., 37, MSG_NOSIGNAL, NULL, 0) = 37'
    v6 = ('125 connect(7, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), '
          'inet_pton(AF_INET6, "2a00:1450::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH')
    local = ('126 connect(8, {sa_family=AF_INET, sin_port=htons(8501), sin_addr=inet_addr("127.0.0.1")}, 16) = 0')
    unix = '127 connect(9, {sa_family=AF_UNIX, sun_path="/run/x"}, 110) = 0'
    assert outside_contacts("\n".join([dns, query, v6, local, unix])) == [dns, query, v6]


def _require_strace():
    if not Path(STRACE).exists():
        pytest.skip("strace is not installed (scripts/setup.sh installs Debian's strace)")
    probe = subprocess.run([STRACE, "-f", "-qq", "-e", "trace=none", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"strace cannot trace here: {probe.stderr.strip()[:200]}")


@pytest.mark.e2e
def test_analyze_makes_no_network_connection(tmp_path):
    _require_strace()
    log = tmp_path / "strace.log"
    env = dict(os.environ, FORMCHECK_DATA_DIR=str(tmp_path / "data"))
    out = tmp_path / "r.json"
    run = subprocess.run([STRACE, "-f", "-qq", "-e", f"trace={NET_CALLS}", "-o", str(log),
                          sys.executable, "-m", "formcheck.cli", "analyze", str(SAMPLE), "-e", "clamshell",
                          "--json", str(out), "--video", str(tmp_path / "a.mp4")],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "4 reps" in run.stdout and out.exists()
    text = log.read_text()
    assert text.strip(), "strace logged nothing: is it tracing?"
    assert outside_contacts(text) == []
    # No MediaPipe/TFLite chatter either: what remains on stderr is the progress bar only.
    shown = [ln.rsplit("\r", 1)[-1] for ln in run.stderr.split("\n") if ln.rsplit("\r", 1)[-1].strip()]
    assert all(ln.startswith("analysing [") for ln in shown), shown


@pytest.mark.browser
def test_app_first_page_makes_no_outside_request(tmp_path):
    """The server runs under strace while Chromium loads the first page (Analyze a video):
    the server contacts nobody, and every request the page makes goes to the app."""
    _require_strace()
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (scripts/setup.sh installs it)")
    pw = pytest.importorskip("playwright.sync_api")
    log = tmp_path / "strace.log"
    requests: list[str] = []
    with streamlit_server(tmp_path, prefix=[STRACE, "-f", "-qq", "-e", f"trace={NET_CALLS}", "-o", str(log)]) as srv:
        url = srv["url"]
        with pw.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-quic",
                                              "--disable-background-networking", "--disable-component-update",
                                              "--disable-sync"])
            try:
                page = browser.new_page()
                page.on("request", lambda req: requests.append(req.url))
                page.goto(url + "/")
                page.wait_for_selector('[data-testid="stApp"]', timeout=60000)
                page.get_by_text("Upload your own clip", exact=True).wait_for(timeout=120000)
                page.wait_for_timeout(3000)  # late assets: favicon, fonts, icons
                icon = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
            finally:
                browser.close()
    assert requests, "the page made no request at all"
    outside = [u for u in requests if not (u.startswith(url + "/") or u.startswith(("data:", "blob:")))]
    assert outside == []
    assert icon and all(u.startswith(url + "/") or u.startswith("data:") for u in icon), icon
    assert outside_contacts(log.read_text()) == []


@pytest.mark.e2e
def test_pose_model_prints_nothing_on_stderr(capfd):
    """MediaPipe's start-up, first inference and close print nothing to the terminal
    (native log lines go to descriptor 2, so capture at that level)."""
    import numpy as np

    from formcheck.models import resolve_model
    from formcheck.pose import MediaPipeEstimator

    capfd.readouterr()
    with MediaPipeEstimator(resolve_model("full")) as est:
        for k in range(3):
            est.detect(np.full((240, 320, 3), 40 * k, np.uint8), k / 30)
    out, err = capfd.readouterr()
    assert err == "" and out == ""


def test_mediapipe_is_the_pinned_version_without_the_uploader():
    """The pin in pyproject.toml is what is installed (a newer wheel carries the uploader)."""
    from importlib.metadata import version

    text = (REPO / "pyproject.toml").read_text()
    pin = re.search(r'"mediapipe==([0-9.]+)"', text)
    assert pin and version("mediapipe") == pin.group(1)
