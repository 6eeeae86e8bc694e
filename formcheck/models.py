"""Finding the pose model: the bundled 'full' model, or 'lite' / 'heavy'
downloaded once from Google's MediaPipe model storage into the user cache, or
any .task bundle by path."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from formcheck.errors import ModelError
from formcheck.progress import ProgressBar, megabytes
from formcheck.safe_io import atomic_path, atomic_write_text

__all__ = ["MODEL_NAMES", "resolve_model", "download_model", "validate_bundle", "cache_dir", "bundled_model_path",
           "verify_checksum", "sha256_of", "BUNDLED_SHA256"]

MODEL_NAMES = ("full", "lite", "heavy")
# Google's official MediaPipe model storage (the URLs its documentation gives).
MODEL_BASE_URL = "https://storage.googleapis.com/mediapipe-models/pose_landmarker"
_REQUIRED_MEMBERS = {"pose_detector.tflite", "pose_landmarks_detector.tflite"}
# The bundled model's sha256, as written in models/README.md (tests check the two agree).
BUNDLED_SHA256 = "cb6b4f57e5ed11c0a3733ecb617b37948529f7a3176dfc8a7039c1c6d081db06"
SHA_SUFFIX = ".sha256"  # a downloaded model's checksum, recorded beside it at download time
_verified: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256 already checked


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_checksum(path: Path, expected: str, name: str) -> None:
    """Raise ModelError naming the model unless the file's sha256 is `expected`.
    A file already verified (same size and modification time) is not read again."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if _verified.get(key) == expected:
        return
    got = sha256_of(path)
    if got != expected:
        raise ModelError(f"the {name} pose model at {path} is damaged: its sha256 is {got[:12]}..., expected "
                         f"{expected[:12]}... (reinstall formcheck, or delete the file so it is downloaded again)")
    _verified[key] = expected


def bundled_model_path() -> Path:
    """models/pose_landmarker_full.task next to the package (a source checkout),
    or FORMCHECK_MODEL_DIR if set."""
    env = os.environ.get("FORMCHECK_MODEL_DIR")
    base = Path(env) if env else Path(__file__).resolve().parent.parent / "models"
    return base / "pose_landmarker_full.task"


def cache_dir() -> Path:
    """The user cache for downloaded models: $FORMCHECK_CACHE_DIR, else
    $XDG_CACHE_HOME/formcheck/models, else ~/.cache/formcheck/models."""
    env = os.environ.get("FORMCHECK_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "formcheck" / "models"


def validate_bundle(path: Path) -> None:
    """Raise ModelError unless `path` is a PoseLandmarker .task bundle (a zip
    holding the detector and landmarker networks)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError) as e:
        raise ModelError(f"{path}: not a MediaPipe .task model bundle ({e})") from None
    missing = _REQUIRED_MEMBERS - names
    if missing:
        raise ModelError(f"{path}: not a PoseLandmarker bundle (missing {', '.join(sorted(missing))})")


def download_model(name: str, base_url: str | None = None, dest_dir: Path | None = None,
                   timeout: float = 30.0, progress: bool = True) -> Path:
    """Download pose_landmarker_<name>.task atomically into the cache and return its path."""
    base_url = base_url or os.environ.get("FORMCHECK_MODEL_BASE_URL", MODEL_BASE_URL)
    dest_dir = dest_dir or cache_dir()
    fname = f"pose_landmarker_{name}.task"
    url = f"{base_url.rstrip('/')}/pose_landmarker_{name}/float16/latest/{fname}"
    dest = dest_dir / fname
    with atomic_path(dest) as tmp:
        with open(tmp, "wb") as out:
            try:
                resp = urllib.request.urlopen(url, timeout=timeout)
            except urllib.error.HTTPError as e:
                raise ModelError(f"could not download the '{name}' model: the server answered {e.code} for {url}") from None
            except (urllib.error.URLError, OSError) as e:
                reason = getattr(e, "reason", e)
                raise ModelError(f"could not download the '{name}' model (are you offline? {reason}); "
                                 f"use --model full, which works offline") from None
            with resp:
                total = int(resp.headers.get("Content-Length") or 0) or None
                done = 0
                bar = ProgressBar(f"downloading {fname}:", megabytes)
                while True:
                    chunk = resp.read(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        bar(done, total)
                bar.end()
                if total is not None and done != total:
                    raise ModelError(f"the '{name}' model download was cut short ({done} of {total} bytes); try again")
        validate_bundle(tmp)
        digest = sha256_of(tmp)
    atomic_write_text(dest.with_name(dest.name + SHA_SUFFIX), digest + "\n")
    return dest


def resolve_model(spec: str = "full", **download_kwargs) -> Path:
    """'full' (bundled), 'lite' / 'heavy' (cached, downloaded on first use) or a path."""
    if spec == "full":
        path = bundled_model_path()
        if not path.exists():
            raise ModelError(f"the bundled model is missing at {path}; reinstall formcheck or pass --model PATH")
        verify_checksum(path, BUNDLED_SHA256, "bundled 'full'")
        return path
    if spec in MODEL_NAMES:
        cached = (download_kwargs.get("dest_dir") or cache_dir()) / f"pose_landmarker_{spec}.task"
        if cached.exists():
            recorded = _recorded_sha(cached)
            if recorded is not None:  # recorded at download: any change since is damage, said so
                verify_checksum(cached, recorded, f"downloaded '{spec}'")
                return cached
            try:  # cached before checksums were recorded: check the bundle, then record its sum
                validate_bundle(cached)
            except ModelError:
                cached.unlink()  # a damaged cache entry (no recorded sum) is fetched again
            else:
                atomic_write_text(cached.with_name(cached.name + SHA_SUFFIX), sha256_of(cached) + "\n")
                return cached
        return download_model(spec, **download_kwargs)
    path = Path(spec).expanduser()
    if not path.exists():
        raise ModelError(f"model '{spec}' not found: expected full, lite, heavy or a path to a .task file")
    validate_bundle(path)
    return path


def _recorded_sha(model: Path) -> str | None:
    try:
        text = model.with_name(model.name + SHA_SUFFIX).read_text().strip()
    except OSError:
        return None
    return text if len(text) == 64 else None
