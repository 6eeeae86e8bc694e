"""The synthetic pose kit: PoseTracks from a Motion seen by a Camera, with
realistic defects injected on purpose (noise, dropouts, left/right swaps).

Checkers are tested against these tracks, whose truth is exact, without a
pose model or a video. numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.cleaning import apply_permutation
from formcheck.landmarks import Lm, PoseTrack
from formcheck_synth.camera import Camera
from formcheck_synth.motion import Motion

__all__ = ["Defects", "REALISTIC", "track_from_motion", "track_from_points"]

_LEG_PAIRS = [(int(a), int(b)) for a, b in (
    (Lm.LEFT_KNEE, Lm.RIGHT_KNEE), (Lm.LEFT_ANKLE, Lm.RIGHT_ANKLE),
    (Lm.LEFT_HEEL, Lm.RIGHT_HEEL), (Lm.LEFT_FOOT_INDEX, Lm.RIGHT_FOOT_INDEX))]


@dataclass(frozen=True)
class Defects:
    """What goes wrong with a real single-camera estimator, in controllable doses.

    noise_px: Gaussian jitter (pixels, per point per frame).
    dropout_rate: share of frames with no person (in short runs of 1-5 frames).
    swap_rate: share of frames whose leg labels are swapped (runs of 1-4 frames).
    low_vis_rate: share of points reported with low visibility.
    """

    noise_px: float = 0.0
    dropout_rate: float = 0.0
    swap_rate: float = 0.0
    low_vis_rate: float = 0.0
    seed: int = 0


# Our own estimate of a webcam clip: 2 px jitter at 640x480 (about 0.3% of the
# frame, in line with BlazePose's frame-to-frame jitter), 3% dropped frames,
# 2% frames with a leg swap, 2% low-visibility points.
REALISTIC = Defects(noise_px=2.0, dropout_rate=0.03, swap_rate=0.02, low_vis_rate=0.02, seed=1)


def _runs(n: int, rate: float, max_len: int, rng: np.random.Generator) -> np.ndarray:
    mask = np.zeros(n, bool)
    if rate <= 0:
        return mask
    target = int(round(rate * n))
    while mask.sum() < target:
        start = int(rng.integers(1, max(2, n - 1)))
        mask[start:start + int(rng.integers(1, max_len + 1))] = True
    return mask


def track_from_points(times: np.ndarray, points: np.ndarray, camera: Camera, defects: Defects = Defects(),
                      source: str = "synthetic") -> PoseTrack:
    """World points [N,33,3] seen by `camera` -> PoseTrack with defects applied.

    World landmarks follow MediaPipe's convention: camera axes (x right, y down,
    z away from the camera), metres, origin at the mid-hip.
    """
    rng = np.random.default_rng(defects.seed)
    n = len(times)
    xy = camera.project_normalized(points)
    cam = camera.to_camera(points)
    world = cam - (cam[:, int(Lm.LEFT_HIP)] + cam[:, int(Lm.RIGHT_HIP)])[:, None] / 2
    vis = np.full((n, 33), 0.98)
    if defects.noise_px > 0:
        xy = xy + rng.normal(0, defects.noise_px, xy.shape) / np.array([camera.width, camera.height])
        world = world + rng.normal(0, defects.noise_px * 0.003, world.shape)
    if defects.low_vis_rate > 0:
        low = rng.random((n, 33)) < defects.low_vis_rate
        vis[low] = rng.uniform(0.05, 0.45, low.sum())
    swap = _runs(n, defects.swap_rate, 4, rng)
    if swap.any():
        perm = np.tile(np.arange(33), (n, 1))
        for a, b in _LEG_PAIRS:
            perm[swap, a], perm[swap, b] = b, a
        xy, world, vis = (apply_permutation(x, perm) for x in (xy, world, vis))
    drop = _runs(n, defects.dropout_rate, 5, rng)
    # Points outside the frame are not visible.
    outside = (xy < 0).any(-1) | (xy > 1).any(-1)
    vis[outside] = np.minimum(vis[outside], 0.1)
    xy[drop] = np.nan
    world[drop] = np.nan
    vis[drop] = 0.0
    return PoseTrack(times=np.asarray(times, float), xy=xy, vis=vis, world=world, detected=~drop,
                     width=camera.width, height=camera.height,
                     fps=float(1.0 / np.median(np.diff(times))) if n > 1 else 30.0, source=source,
                     meta={"synthetic": True, "swapped_frames": int(swap.sum()), "dropped_frames": int(drop.sum())})


def track_from_motion(motion: Motion, camera: Camera, defects: Defects = Defects(), source: str = "synthetic") -> PoseTrack:
    return track_from_points(motion.times, motion.points, camera, defects, source)


