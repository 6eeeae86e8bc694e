"""Helpers shared by the tests (imported as `from tests.helpers import ...`; fixtures live in conftest.py).

Scoring fault flags against a script's truth, running a scripted scenario through the analysis, the
kit's realistic defects under another seed, small media makers, and the app's server for browser tests.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

from formcheck.analysis import AnalysisOptions, analyze_track
from formcheck.exercises import get_exercise
from formcheck_synth.catalog import build
from formcheck_synth.kit import REALISTIC, Defects, track_from_motion
from formcheck_synth.scripts import Scenario

CLEAN = Defects()


def realistic(seed: int) -> Defects:
    """kit.REALISTIC (noise, dropouts, leg swaps, low visibility) drawn with another seed."""
    return replace(REALISTIC, seed=seed)


def analyze_scenario(scenario: Scenario, defects: Defects = CLEAN,
            options: AnalysisOptions | None = None) -> tuple[dict, dict]:
    """(truth, report body) of a scripted scenario, filmed by its camera through the pose kit."""
    b = build(scenario)
    track = track_from_motion(b.motion, b.camera, defects)
    return b.truth, analyze_track(track, get_exercise(scenario.exercise), options or AnalysisOptions())


def flagged(reps: list[dict]) -> set[tuple[int, str]]:
    """(rep index, fault code) of every fault reported on these reps."""
    return {(r["index"], f["code"]) for r in reps for f in r["faults"]}


def flagged_holds(holds: list[dict]) -> set[tuple[int, str]]:
    """(hold number from 1, fault code) of every fault reported on these holds."""
    return {(k, f["code"]) for k, h in enumerate(holds, start=1) for f in h["faults"]}


def truth_flags(truth: dict, judged: set[str] | frozenset[str] | None = None) -> set[tuple[int, str]]:
    """The script's (rep index or hold number, fault code) pairs, only codes in `judged` (None: all)."""
    if truth["reps"]:
        pairs = {(r["index"], c) for r in truth["reps"] for c in r["faults"]}
    else:
        pairs = {(k, c) for k, h in enumerate(truth["holds"], start=1) for c in h["faults"]}
    return {p for p in pairs if judged is None or p[1] in judged}


def precision_recall(got: set, want: set) -> tuple[float, float]:
    """Precision and recall of flagged pairs against the truth (1.0 when empty)."""
    tp = len(got & want)
    return (tp / len(got) if got else 1.0), (tp / len(want) if want else 1.0)


def write_test_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    from formcheck.video import H264Writer

    with H264Writer(path, fps) as w:
        for f in frames:
            w.write(f)
    return path


def set_mp4_rotation(path: Path, degrees: int) -> None:
    """Patch the display matrix of an MP4's first track header (tkhd) so players
    rotate it, as phones do for portrait clips."""
    import struct

    data = bytearray(path.read_bytes())
    i = data.find(b"tkhd")
    off = i + 4 + (40 if data[i + 4] == 0 else 52)
    one, neg = 0x10000, (-0x10000) & 0xFFFFFFFF
    mats = {90: [0, one, 0, neg, 0, 0, 0, 0, 0x40000000],
            180: [neg, 0, 0, 0, neg, 0, 0, 0, 0x40000000],
            270: [0, neg, 0, one, 0, 0, 0, 0, 0x40000000]}
    data[off:off + 36] = struct.pack(">9I", *mats[degrees])
    path.write_bytes(bytes(data))


REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(folder: Path, prefix: Sequence[str] = (), start_s: float = 90.0) -> Iterator[dict]:
    """`streamlit run app.py` on a free localhost port, its data in folder/data and its output in
    folder/streamlit.log, run under `prefix` (a wrapper such as strace) if given. Yields
    {"url", "data", "log", "proc"} once /_stcore/health answers ok; stops the server after."""
    port = free_port()
    data, log_path = folder / "data", folder / "streamlit.log"
    env = dict(os.environ, FORMCHECK_DATA_DIR=str(data), GLOG_minloglevel="2")
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*prefix, sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + start_s
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("streamlit did not start:\n" + log_path.read_text())
            time.sleep(0.3)
        yield {"url": url, "data": data, "log": log_path, "proc": proc}
    finally:
        # The server runs in its own session: signal the whole group, so that a server
        # started under a wrapper (strace) stops with it instead of outliving the tests.
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(5)
        _signal_group(proc, signal.SIGKILL)  # anything of the group still left
        log.close()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
