"""The one landmark type: a whole pose track as numpy arrays.

Joints are named by `Lm` (BlazePose's 33-point order). A `PoseTrack` is
validated on construction; errors give the expected and the actual shapes.
"""

from __future__ import annotations

import csv
import json
import math
import os
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

import numpy as np

from formcheck.errors import TrackFormatError
from formcheck.safe_io import atomic_path

__all__ = ["Lm", "SIDES", "other_side", "PoseTrack", "Detection", "detections_to_track", "SKELETON_EDGES", "LEFT_RIGHT_PAIRS", "TRACK_SCHEMA"]

TRACK_SCHEMA = "formcheck.track/1"


class Lm(IntEnum):
    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


N_LANDMARKS = 33

# The body's two sides, as every module names them (working side, leg of a step).
SIDES = ("left", "right")
_OTHER = {"left": "right", "right": "left"}


def other_side(side: str) -> str:
    """'left' -> 'right' and back (the one place this is written)."""
    try:
        return _OTHER[side]
    except KeyError:
        raise ValueError(f"side must be 'left' or 'right', got {side!r}") from None

# (left, right) index pairs: swapping these repairs a left/right label swap.
LEFT_RIGHT_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (int(Lm[n]), int(Lm[n.replace("LEFT", "RIGHT")])) for n in Lm.__members__ if n.startswith("LEFT")
) + ((int(Lm.MOUTH_LEFT), int(Lm.MOUTH_RIGHT)),)

SKELETON_EDGES: tuple[tuple[Lm, Lm], ...] = (
    (Lm.LEFT_SHOULDER, Lm.RIGHT_SHOULDER),
    (Lm.LEFT_HIP, Lm.RIGHT_HIP),
    (Lm.LEFT_SHOULDER, Lm.LEFT_HIP),
    (Lm.RIGHT_SHOULDER, Lm.RIGHT_HIP),
    (Lm.LEFT_SHOULDER, Lm.LEFT_ELBOW),
    (Lm.LEFT_ELBOW, Lm.LEFT_WRIST),
    (Lm.RIGHT_SHOULDER, Lm.RIGHT_ELBOW),
    (Lm.RIGHT_ELBOW, Lm.RIGHT_WRIST),
    (Lm.LEFT_HIP, Lm.LEFT_KNEE),
    (Lm.LEFT_KNEE, Lm.LEFT_ANKLE),
    (Lm.LEFT_ANKLE, Lm.LEFT_HEEL),
    (Lm.LEFT_HEEL, Lm.LEFT_FOOT_INDEX),
    (Lm.LEFT_ANKLE, Lm.LEFT_FOOT_INDEX),
    (Lm.RIGHT_HIP, Lm.RIGHT_KNEE),
    (Lm.RIGHT_KNEE, Lm.RIGHT_ANKLE),
    (Lm.RIGHT_ANKLE, Lm.RIGHT_HEEL),
    (Lm.RIGHT_HEEL, Lm.RIGHT_FOOT_INDEX),
    (Lm.RIGHT_ANKLE, Lm.RIGHT_FOOT_INDEX),
)


def _check(name: str, arr: np.ndarray, shape: tuple) -> None:
    if arr.ndim != len(shape) or any(s is not None and a != s for a, s in zip(arr.shape, shape)):
        want = "[" + ",".join("N" if s is None else str(s) for s in shape) + "]"
        raise ValueError(f"PoseTrack.{name}: expected shape {want}, got {list(arr.shape)}")


@dataclass(frozen=True)
class PoseTrack:
    """Landmarks of one person over N frames.

    times:   [N] seconds from the container (strictly increasing)
    xy:      [N,33,2] image coordinates normalised to [0,1] (x right, y down); NaN where missing
    vis:     [N,33] landmark visibility in [0,1]; 0 where missing
    world:   [N,33,3] metric 3D landmarks (metres, hip-centred); NaN where missing
    detected:[N] bool, a person was found in the frame
    width, height: frame size in pixels (after rotation), so xy can be put in pixels
    """

    times: np.ndarray
    xy: np.ndarray
    vis: np.ndarray
    world: np.ndarray
    detected: np.ndarray
    width: int
    height: int
    fps: float = 30.0
    source: str = ""
    meta: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        n = len(self.times)
        _check("times", self.times, (None,))
        _check("xy", self.xy, (n, N_LANDMARKS, 2))
        _check("vis", self.vis, (n, N_LANDMARKS))
        _check("world", self.world, (n, N_LANDMARKS, 3))
        _check("detected", self.detected, (n,))
        if n > 1 and not np.all(np.diff(self.times) > 0):
            raise ValueError("PoseTrack.times: expected strictly increasing times")
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"PoseTrack: expected a positive frame size, got {self.width}x{self.height}")

    def __len__(self) -> int:
        return len(self.times)

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def px(self) -> np.ndarray:
        """[N,33,2] landmark positions in pixels, so that distances are isotropic."""
        return self.xy * np.array([self.width, self.height], float)

    @property
    def coverage(self) -> float:
        return float(self.detected.mean()) if len(self) else 0.0

    @property
    def duration_s(self) -> float:
        """How long the clip plays: first frame to last, plus the last frame's own time."""
        if not len(self):
            return 0.0
        return float(self.times[-1] - self.times[0]) + (1.0 / self.fps if self.fps else 0.0)

    def replace(self, **changes) -> PoseTrack:
        return replace(self, **changes)

    def slice(self, start: int, stop: int) -> PoseTrack:
        return self.replace(
            times=self.times[start:stop], xy=self.xy[start:stop], vis=self.vis[start:stop],
            world=self.world[start:stop], detected=self.detected[start:stop],
        )

    @classmethod
    def empty_like(cls, times: np.ndarray, width: int, height: int, fps: float = 30.0, source: str = "") -> PoseTrack:
        n = len(times)
        return cls(
            times=np.asarray(times, float),
            xy=np.full((n, N_LANDMARKS, 2), np.nan),
            vis=np.zeros((n, N_LANDMARKS)),
            world=np.full((n, N_LANDMARKS, 3), np.nan),
            detected=np.zeros(n, bool),
            width=width, height=height, fps=fps, source=source,
        )

    # ---- persistence ---------------------------------------------------------------

    def save_npz(self, path: str | os.PathLike, cleaned: PoseTrack | None = None, private: bool = False) -> None:
        """Write the track atomically as a compressed .npz.

        The raw landmarks are what `load_npz` reads back (so re-analysis cleans
        them exactly as from the video); a cleaned copy, if given, is stored
        beside them as clean_xy, clean_vis, clean_world for other tools.
        """
        header = {"schema": TRACK_SCHEMA, "width": self.width, "height": self.height,
                  "fps": self.fps, "source": self.source, "meta": self.meta}
        arrays: dict[str, Any] = {"times": self.times, "xy": self.xy, "vis": self.vis, "world": self.world,
                                  "detected": self.detected, "header": np.array(json.dumps(header))}
        if cleaned is not None:
            arrays |= {"clean_xy": cleaned.xy, "clean_vis": cleaned.vis, "clean_world": cleaned.world}
        with atomic_path(path, private=private) as tmp, open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)

    @classmethod
    def load_npz(cls, path: str | os.PathLike) -> PoseTrack:
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(str(z["header"]))
                if header.get("schema") != TRACK_SCHEMA:
                    raise TrackFormatError(f"{path}: expected a {TRACK_SCHEMA} track, got schema {header.get('schema')!r}")
                track = cls(
                    times=z["times"].astype(float), xy=z["xy"].astype(float), vis=z["vis"].astype(float),
                    world=z["world"].astype(float), detected=z["detected"].astype(bool),
                    width=int(header["width"]), height=int(header["height"]), fps=float(header["fps"]),
                    source=str(header.get("source", "")), meta=dict(header.get("meta", {})),
                )
        except TrackFormatError:
            raise
        except (OSError, KeyError, ValueError, TypeError, AttributeError, EOFError, zlib.error,
                zipfile.BadZipFile, json.JSONDecodeError) as e:
            raise TrackFormatError(f"{path}: not a formcheck pose track, or damaged ({type(e).__name__}: {e})") from None
        problem = _track_problem(track)
        if problem:
            raise TrackFormatError(f"{path}: damaged pose track ({problem})")
        return track

    def save_csv(self, path: str | os.PathLike) -> None:
        """One row per frame: time, detected, then x,y,visibility,wx,wy,wz per landmark."""
        cols = ["time_s", "detected"]
        for lm in Lm:
            n = lm.name.lower()
            cols += [f"{n}_x", f"{n}_y", f"{n}_vis", f"{n}_wx", f"{n}_wy", f"{n}_wz"]
        with atomic_path(path) as tmp, open(tmp, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(cols)
            per = np.concatenate([self.xy, self.vis[..., None], self.world], axis=2).reshape(len(self), -1)
            for t, d, row in zip(self.times, self.detected, per):
                w.writerow([f"{t:.4f}", int(d)] + ["" if not np.isfinite(v) else f"{v:.5f}" for v in row])


def _track_problem(t: PoseTrack) -> str | None:
    """Why a loaded track cannot be analysed (shapes, sizes, times), or None."""
    n = len(t.times)
    shapes = {"times": (t.times.shape, (n,)), "xy": (t.xy.shape, (n, N_LANDMARKS, 2)),
              "vis": (t.vis.shape, (n, N_LANDMARKS)), "world": (t.world.shape, (n, N_LANDMARKS, 3)),
              "detected": (t.detected.shape, (n,))}
    for name, (got, want) in shapes.items():
        if tuple(got) != want:
            return f"{name} has shape {tuple(got)}, expected {want}"
    if n == 0:
        return "no frames"
    if t.width <= 0 or t.height <= 0 or not math.isfinite(t.fps) or t.fps <= 0:
        return f"frame size {t.width}x{t.height} at {t.fps} fps"
    if not np.isfinite(t.times).all() or (n > 1 and np.any(np.diff(t.times) < 0)):
        return "frame times are missing or go backwards"
    return None


@dataclass(frozen=True)
class Detection:
    """One person in one frame: xy [33,2] normalised image coords, vis [33],
    world [33,3] metres; n_people = how many people the model saw."""

    xy: np.ndarray
    vis: np.ndarray
    world: np.ndarray
    n_people: int = 1


def detections_to_track(times: list[float], dets: list[Detection | None], width: int, height: int,
                        fps: float, source: str = "") -> PoseTrack:
    """Stack per-frame detections into a PoseTrack (missing frames masked)."""
    track = PoseTrack.empty_like(np.asarray(times, float), width, height, fps, source)
    multi = 0
    for i, d in enumerate(dets):
        if d is None:
            continue
        track.xy[i], track.vis[i], track.world[i] = d.xy, d.vis, d.world
        track.detected[i] = True
        multi += d.n_people > 1
    track.meta["multi_person_frames"] = int(multi)
    return track
