"""The bundled sample clips: which are present, their truth sidecars, and the
reports precomputed for them (used only when made from that very clip)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from formcheck.exercises import MOVEMENTS
from formcheck.report import validate_report

__all__ = ["SampleClip", "find_samples", "sample_hold_target", "load_precomputed_report"]


@dataclass(frozen=True)
class SampleClip:
    """sample_videos/<movement>.mp4 with its sidecar <movement>.json (the truth),
    and optionally what formcheck.sample_reports precomputed: <movement>.report.json,
    .track.npz (raw pose track) and .annotated.mp4."""

    movement: str
    video: Path
    sidecar: Path | None = None
    report: Path | None = None
    track: Path | None = None
    annotated: Path | None = None

    @property
    def truth(self) -> dict:
        if self.sidecar is None:
            return {}
        try:
            return json.loads(self.sidecar.read_text())
        except (OSError, ValueError):
            return {}

    @property
    def truth_reps(self) -> int | None:
        reps = self.truth.get("reps")
        return len(reps) if isinstance(reps, list) else None

    @property
    def key(self) -> str:
        """Identifies this version of the clip (name and modification time)."""
        return f"{self.video.name}@{int(self.video.stat().st_mtime)}"


def find_samples(folder: str | Path, movements: list[str] | None = None) -> list[SampleClip]:
    """The sample clips present in `folder`, in the routine's order."""
    folder = Path(folder)
    out = []
    for m in movements if movements is not None else list(MOVEMENTS):
        video = folder / f"{m}.mp4"
        if not video.is_file():
            continue
        side = folder / f"{m}.json"
        rep, track, ann = (folder / f"{m}{suffix}" for suffix in (".report.json", ".track.npz", ".annotated.mp4"))
        out.append(SampleClip(m, video, *(p if p.is_file() else None for p in (side, rep, track, ann))))
    return out


def sample_hold_target(clip: SampleClip) -> float | None:
    """The hold target a sample clip was made for (short samples hold stretches for
    seconds, not 30 s), from its sidecar's analysis_options; None for the default."""
    if clip.sidecar is None:
        return None
    try:
        value = json.loads(clip.sidecar.read_text()).get("analysis_options", {}).get("hold_target_s")
    except (OSError, ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, (int, float)) else None


def load_precomputed_report(clip: SampleClip) -> dict | None:
    """The clip's precomputed report, if it exists, is valid and was made from this
    very clip (the SHA-256 it records; a report without one must not be older than the clip)."""
    if clip.report is None:
        return None
    try:
        rep = json.loads(clip.report.read_text())
        validate_report(rep)
        made_from = (rep.get("precomputed") or {}).get("video_sha256")
        if made_from is not None:
            from formcheck.sample_reports import file_sha256

            if made_from != file_sha256(clip.video):
                return None
        elif clip.report.stat().st_mtime < clip.video.stat().st_mtime:
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return rep if rep.get("exercise") == clip.movement else None
