"""Small pictures of moments in a session: frames of its video, or for
sessions without video (live, .npz) the skeleton drawn from its landmarks.
OpenCV is reached only through formcheck.video / formcheck.draw."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from formcheck.cleaning import clean_track
from formcheck.landmarks import PoseTrack

__all__ = ["frames_at", "skeleton_frames"]


def frames_at(video: str | Path, times: list[float], max_width: int = 480) -> list[np.ndarray | None]:
    """RGB frames of `video` nearest to each of `times` (one pass through the clip,
    formcheck.video.frames_near; past the end: the last frame), shrunk by whole steps
    to at most max_width."""
    from formcheck.video import frames_near

    return [None if f is None else _rgb_small(f, max_width) for f in frames_near(video, times)]


def _rgb_small(frame_bgr: np.ndarray, max_width: int) -> np.ndarray:
    step = max(1, math.ceil(frame_bgr.shape[1] / max_width))
    return np.ascontiguousarray(frame_bgr[::step, ::step, ::-1])


def skeleton_frames(track: PoseTrack, times: list[float], size: int = 360) -> list[np.ndarray | None]:
    """For sessions without video (live, .npz): the skeleton at each time, drawn
    on a dark square framed around the body (RGB, size x size). None where no
    body was seen."""
    from formcheck.draw import draw_skeleton

    clean = clean_track(track)
    out: list[np.ndarray | None] = []
    for t in times:
        i = int(np.argmin(np.abs(clean.times - t)))
        px, vis = clean.px[i], clean.vis[i]
        ok = np.isfinite(px).all(axis=1)
        if not clean.detected[i] or ok.sum() < 4:
            out.append(None)
            continue
        lo, hi = px[ok].min(axis=0), px[ok].max(axis=0)
        span = float(max(hi - lo)) * 1.25 + 1.0
        centre = (lo + hi) / 2
        scale = size / span
        canvas = np.full((size, size, 3), 28, np.uint8)
        img = draw_skeleton(canvas, (px - centre) * scale + size / 2, vis)
        out.append(np.ascontiguousarray(img[..., ::-1]))
    return out
