"""Model resolution and the download path, against a local HTTP server on 127.0.0.1."""

import http.server
import threading
from functools import partial
from pathlib import Path

import pytest

from formcheck.errors import ModelError
from formcheck.models import bundled_model_path, download_model, resolve_model, validate_bundle

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def model_server(tmp_path):
    """Serves <root>/pose_landmarker_<name>/float16/latest/pose_landmarker_<name>.task like Google's storage."""
    root = tmp_path / "srv"
    good = root / "pose_landmarker_lite" / "float16" / "latest"
    good.mkdir(parents=True)
    (good / "pose_landmarker_lite.task").write_bytes((REPO / "models" / "pose_landmarker_full.task").read_bytes())
    bad = root / "pose_landmarker_heavy" / "float16" / "latest"
    bad.mkdir(parents=True)
    (bad / "pose_landmarker_heavy.task").write_bytes(b"<html>not a model</html>")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()


def test_full_is_bundled_and_valid():
    p = resolve_model("full")
    assert p == bundled_model_path() and p.stat().st_size == 9_397_978
    validate_bundle(p)


def test_download_atomic_and_validated(model_server, tmp_path, capsys):
    dest = tmp_path / "cache"
    p = download_model("lite", base_url=model_server, dest_dir=dest)
    assert p == dest / "pose_landmarker_lite.task"
    validate_bundle(p)
    assert "downloading pose_landmarker_lite.task" in capsys.readouterr().err  # progress bar
    # No temp file left; the checksum recorded beside the model is verified at every later load.
    assert sorted(f.name for f in dest.iterdir()) == ["pose_landmarker_lite.task", "pose_landmarker_lite.task.sha256"]
    # Second resolve uses the cache, no server needed.
    assert resolve_model("lite", base_url="http://127.0.0.1:9", dest_dir=dest) == p


def test_invalid_download_is_rejected_and_not_cached(model_server, tmp_path):
    dest = tmp_path / "cache"
    with pytest.raises(ModelError, match="not a MediaPipe .task model bundle"):
        download_model("heavy", base_url=model_server, dest_dir=dest, progress=False)
    assert list(dest.iterdir()) == []


def test_http_error_message(model_server, tmp_path):
    with pytest.raises(ModelError, match="server answered 404"):
        download_model("full", base_url=model_server, dest_dir=tmp_path, progress=False)


def test_offline_gives_one_clear_line(tmp_path):
    # Port 9 (discard) on loopback: connection refused, as when offline.
    with pytest.raises(ModelError) as e:
        download_model("lite", base_url="http://127.0.0.1:9", dest_dir=tmp_path, progress=False, timeout=2)
    msg = str(e.value)
    assert "offline" in msg and "--model full" in msg and "\n" not in msg


def test_path_model_and_missing_path(tmp_path):
    assert resolve_model(str(REPO / "models" / "pose_landmarker_full.task")).exists()
    with pytest.raises(ModelError, match="not found"):
        resolve_model(str(tmp_path / "nope.task"))
    junk = tmp_path / "junk.task"
    junk.write_bytes(b"junk")
    with pytest.raises(ModelError):
        resolve_model(str(junk))


def test_bundled_checksum_matches_the_readme():
    from formcheck.models import BUNDLED_SHA256, sha256_of

    readme = (REPO / "models" / "README.md").read_text()
    assert f"sha256: `{BUNDLED_SHA256}`" in readme
    assert sha256_of(REPO / "models" / "pose_landmarker_full.task") == BUNDLED_SHA256


def _flipped_copy(tmp_path, n_bytes: int) -> Path:
    """A copy of the bundled model with n bytes flipped in its middle (still a valid zip
    for small n: the networks are stored uncompressed, so no CRC is checked on open)."""
    d = tmp_path / "models"
    d.mkdir()
    data = bytearray((REPO / "models" / "pose_landmarker_full.task").read_bytes())
    mid = len(data) // 2
    for i in range(mid, mid + n_bytes):
        data[i] ^= 0xFF
    (d / "pose_landmarker_full.task").write_bytes(bytes(data))
    return d


@pytest.mark.parametrize("n_bytes", [20, 2000])
def test_damaged_bundled_model_is_an_error_naming_the_model(tmp_path, monkeypatch, n_bytes):
    monkeypatch.setenv("FORMCHECK_MODEL_DIR", str(_flipped_copy(tmp_path, n_bytes)))
    with pytest.raises(ModelError) as e:
        resolve_model("full")
    msg = str(e.value)
    assert "'full' pose model" in msg and "damaged" in msg and "sha256" in msg and "\n" not in msg


def test_damaged_model_in_the_cli_is_exit_2_not_no_person(tmp_path, monkeypatch, capsys):
    from formcheck.cli import main

    monkeypatch.setenv("FORMCHECK_MODEL_DIR", str(_flipped_copy(tmp_path, 20)))
    rc = main(["analyze", str(REPO / "sample_videos" / "clamshell.mp4"), "-e", "clamshell"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and "pose model" in err and "damaged" in err and "no person" not in err


def test_changed_cached_download_is_refused(model_server, tmp_path):
    dest = tmp_path / "cache"
    p = download_model("lite", base_url=model_server, dest_dir=dest, progress=False)
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="downloaded 'lite' pose model .* is damaged"):
        resolve_model("lite", base_url="http://127.0.0.1:9", dest_dir=dest)
