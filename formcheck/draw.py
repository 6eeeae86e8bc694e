"""Drawing on frames. Every function returns a new frame; the caller's is untouched."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from formcheck.cleaning import VIS_MIN
from formcheck.landmarks import SKELETON_EDGES, Lm

__all__ = ["Overlay", "annotate", "draw_skeleton"]

_LEFT = (255, 160, 40)  # BGR: blue-ish for the person's left
_RIGHT = (40, 160, 255)  # orange for the right
_MID = (230, 230, 230)
_BAD = (40, 40, 230)
_GOOD = (80, 200, 80)


@dataclass(frozen=True)
class Overlay:
    """What to show on one frame."""

    counter: str = ""  # e.g. "Rep 7 / 15"
    sub: str = ""  # e.g. "Set 1 · right side"
    cue: str = ""  # the current cue, empty when form is fine
    angles: tuple[tuple[int, str], ...] = field(default=())  # (landmark index, text) labels
    good: bool | None = None  # colour of the counter: green good / red fault / neutral


def _side_colour(a: int, b: int) -> tuple[int, int, int]:
    names = (Lm(a).name, Lm(b).name)
    if all(n.startswith("LEFT") for n in names):
        return _LEFT
    if all(n.startswith("RIGHT") for n in names):
        return _RIGHT
    return _MID


def draw_skeleton(frame: np.ndarray, px: np.ndarray, vis: np.ndarray) -> np.ndarray:
    """Bones and joints. px [33,2] pixels, vis [33]."""
    out = frame.copy()
    scale = max(1, int(round(max(frame.shape[:2]) / 480)))
    ok = np.isfinite(px).all(axis=1) & (vis > VIS_MIN)
    for a, b in SKELETON_EDGES:
        if ok[a] and ok[b]:
            cv2.line(out, tuple(int(v) for v in px[a]), tuple(int(v) for v in px[b]),
                     _side_colour(a, b), 2 * scale, cv2.LINE_AA)
    for j in range(11, 33):
        if ok[j]:
            cv2.circle(out, tuple(int(v) for v in px[j]), 3 * scale, (255, 255, 255), -1, cv2.LINE_AA)
    return out


def _text(img: np.ndarray, text: str, org: tuple[int, int], size: float, colour, thick: int) -> None:
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, size, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, size, colour, thick, cv2.LINE_AA)


def annotate(frame: np.ndarray, px: np.ndarray | None, vis: np.ndarray | None, overlay: Overlay) -> np.ndarray:
    """Skeleton, angle labels, rep counter and cue on a copy of the frame."""
    out = draw_skeleton(frame, px, vis) if px is not None and vis is not None else frame.copy()
    h, w = out.shape[:2]
    s = max(0.5, min(w, h) / 640)
    if px is not None:
        for j, label in overlay.angles:
            p = px[j]
            if np.isfinite(p).all():
                _text(out, label, (int(p[0]) + 8, int(p[1]) - 8), 0.55 * s, (255, 255, 255), max(1, int(s)))
    # Counter box, top-left.
    if overlay.counter:
        colour = _GOOD if overlay.good else _BAD if overlay.good is False else (255, 255, 255)
        cv2.rectangle(out, (0, 0), (int(w * 0.55), int(70 * s)), (20, 20, 20), -1)
        _text(out, overlay.counter, (int(10 * s), int(36 * s)), 1.0 * s, colour, max(2, int(2 * s)))
        if overlay.sub:
            _text(out, overlay.sub, (int(10 * s), int(60 * s)), 0.55 * s, (220, 220, 220), max(1, int(s)))
    if overlay.cue:
        size = 0.7 * s
        (tw, th), _ = cv2.getTextSize(overlay.cue, cv2.FONT_HERSHEY_SIMPLEX, size, 2)
        if tw > w - 20:  # shrink long cues to fit
            size *= (w - 20) / tw
            (tw, th), _ = cv2.getTextSize(overlay.cue, cv2.FONT_HERSHEY_SIMPLEX, size, 2)
        y = h - int(20 * s)
        band = (40, 110, 40) if overlay.good else (20, 20, 120) if overlay.good is False else (60, 60, 60)
        cv2.rectangle(out, (0, y - th - int(14 * s)), (w, h), band, -1)
        _text(out, overlay.cue, ((w - tw) // 2, y), size, (255, 255, 255), 2)
    return out
