"""Shared fixtures: paths, small media makers, and the real-model track of the
treadmill clip (computed once per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
TREADMILL = SHARED / "clips" / "treadmill_side_male.mp4"
MODEL = REPO / "models" / "pose_landmarker_full.task"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def treadmill_clip() -> Path:
    if not TREADMILL.exists():
        pytest.skip(f"real clip not found at {TREADMILL} (../shared must sit beside the repo)")
    return TREADMILL


@pytest.fixture(scope="session")
def treadmill_track(treadmill_clip, tmp_path_factory):
    """The raw PoseTrack of the treadmill clip from the real model, once per session."""
    from formcheck.pose import extract_track

    return extract_track(treadmill_clip)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Tests never touch the user's real data or model cache."""
    monkeypatch.setenv("FORMCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path / "cache"))
    yield


os.environ.setdefault("GLOG_minloglevel", "2")


# --- exit watchdog ---------------------------------------------------------------------
# A CI run once printed its summary (all passed) and then never exited: something left by
# a test kept the interpreter from shutting down (a non-daemon thread, or an atexit join of
# a child process). If the process is still alive EXIT_GRACE_S after pytest is done, this
# prints every thread's stack and the live child processes (so the cause can be fixed) and
# ends the process with pytest's own exit status. It is never reached in a clean exit.
# (The hang seen: a pose estimator left in a reference cycle, closed by pytest's final
# garbage collection; fixed in formcheck.pose, see _OPEN.)
EXIT_GRACE_S = float(os.environ.get("FORMCHECK_TEST_EXIT_GRACE_S", "120"))
_EXIT_STATUS = {"status": 0}


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """Start the watchdog here, before any plugin's unconfigure (a final garbage
    collection in one of them is where the hang was)."""
    import threading

    _EXIT_STATUS["status"] = int(exitstatus)
    threading.Thread(target=_exit_watchdog, name="conftest-exit-watchdog", daemon=True).start()


def _exit_watchdog() -> None:
    import faulthandler
    import multiprocessing
    import sys
    import threading
    import time

    time.sleep(EXIT_GRACE_S)
    err = sys.__stderr__
    threads = [f"{t.name} (daemon={t.daemon})" for t in threading.enumerate()]
    children = [f"{p.name} pid={p.pid}" for p in multiprocessing.active_children()]
    print(f"\n[conftest] the test process did not exit {EXIT_GRACE_S:.0f} s after pytest finished.\n"
          f"threads: {threads}\nchild processes: {children}\nstacks:", file=err, flush=True)
    faulthandler.dump_traceback(file=err, all_threads=True)
    err.flush()
    os._exit(_EXIT_STATUS["status"])
