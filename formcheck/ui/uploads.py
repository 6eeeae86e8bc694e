"""Upload checks: which files the app accepts, and one clear line on why not."""

from __future__ import annotations

from pathlib import Path

__all__ = ["UPLOAD_TYPES", "MAX_UPLOAD_MB", "max_upload_bytes", "check_upload"]


UPLOAD_TYPES = ("mp4", "mov", "avi", "webm", "mkv", "npz")
# Keep equal to server.maxUploadSize in .streamlit/config.toml (the browser refuses
# bigger files first; this check covers uploads that reach us anyway).
MAX_UPLOAD_MB = 500


def max_upload_bytes() -> int:
    from formcheck.video import MAX_VIDEO_BYTES

    return min(MAX_UPLOAD_MB * 1024**2, MAX_VIDEO_BYTES)


def check_upload(name: str, size: int) -> str | None:
    """A message saying why this upload cannot be analysed, or None if it can."""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in UPLOAD_TYPES:
        return (f"'{name}' is not a supported file: expected a video ({', '.join(t.upper() for t in UPLOAD_TYPES[:-1])})"
                " or a formcheck pose track (.npz).")
    if size == 0:
        return f"'{name}' is empty (0 bytes)."
    if size > max_upload_bytes():
        return (f"'{name}' is {size / 1024**2:.0f} MB; the limit is {max_upload_bytes() / 1024**2:.0f} MB. "
                "Trim the clip to the exercise and try again.")
    return None
