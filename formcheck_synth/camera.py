"""A pinhole camera shared by the skeleton pose kit and the avatar renderer.

World frame: metres, z up. A neutral body stands at the origin facing -y, so the
person's left is +x.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Camera", "look_at_camera", "VIEW_DIRECTIONS"]

# Unit vectors from the subject toward the camera for named views of a body in
# its neutral orientation (standing, facing -y). Rotate them with the body's
# root orientation for lying or kneeling poses (see motion.view_camera).
VIEW_DIRECTIONS: dict[str, tuple[float, float, float]] = {
    "front": (0.0, -1.0, 0.0),
    "back": (0.0, 1.0, 0.0),
    "left": (1.0, 0.0, 0.0),   # camera on the person's left: a side view
    "right": (-1.0, 0.0, 0.0),
    "front_left": (0.7071, -0.7071, 0.0),
    "back_left": (0.7071, 0.7071, 0.0),
    "feet_end": (0.0, 0.0, -1.0),  # along the body axis, past the feet
    "head_end": (0.0, 0.0, 1.0),
}


@dataclass(frozen=True)
class Camera:
    """Pinhole camera. `rotation` maps world vectors to camera axes
    (x right, y down, z forward); `position` is the optical centre in metres."""

    position: np.ndarray  # (3,)
    rotation: np.ndarray  # (3, 3) rows = camera x, y, z axes in world coords
    focal_px: float
    width: int
    height: int

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) -> camera coordinates (..., 3)."""
        return (np.asarray(points, float) - self.position) @ self.rotation.T

    def project(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) -> pixel coordinates (..., 2)."""
        pc = self.to_camera(points)
        z = np.maximum(pc[..., 2], 1e-6)
        u = self.focal_px * pc[..., 0] / z + self.width / 2.0
        v = self.focal_px * pc[..., 1] / z + self.height / 2.0
        return np.stack([u, v], axis=-1)

    def project_normalized(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) -> image coordinates normalised to [0, 1]."""
        px = self.project(points)
        return px / np.array([self.width, self.height], float)


def look_at_camera(
    target: np.ndarray,
    position: np.ndarray,
    width: int = 640,
    height: int = 480,
    focal_px: float | None = None,
    up: tuple[float, float, float] = (0.0, 0.0, 1.0),
) -> Camera:
    """A camera at `position` looking at `target`, with world `up` shown upward.

    `focal_px` defaults to a 60° horizontal field of view (a typical webcam).
    """
    target = np.asarray(target, float)
    position = np.asarray(position, float)
    fwd = target - position
    fwd /= np.linalg.norm(fwd)
    up_v = np.asarray(up, float)
    if abs(float(np.dot(fwd, up_v))) > 0.98:  # looking straight up or down
        up_v = np.array([0.0, 1.0, 0.0])
    right = np.cross(fwd, up_v)
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    rot = np.stack([right, down, fwd])
    if focal_px is None:
        focal_px = (width / 2.0) / np.tan(np.radians(30.0))
    return Camera(position=position, rotation=rot, focal_px=float(focal_px), width=width, height=height)
