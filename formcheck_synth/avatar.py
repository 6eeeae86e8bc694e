"""A realistic human body (the `anny` parametric model) posed by a `Motion` and
rendered with OpenCV, for synthetic exercise videos with exact ground truth.

Posing contract (retargeting). Every anny bone is driven by one Motion segment,
or by an interpolation between two (the spine between pelvis and trunk, the
neck between trunk and head). Its WORLD orientation in frame i is

    R_bone(i) = R_seg(i) @ C_bone @ R_bone_rest

where R_seg(i) = motion.rotations[segment][i] (a world-space delta from the
neutral standing pose), R_bone_rest is the bone's orientation in anny's rest
pose, and C_bone is a fixed "neutral correction" that turns anny's rest pose
(an A pose: arms 48 deg out, elbows bent 45 deg, legs a little apart, knees
slightly bent) into the Motion's neutral pose: shanks, upper arms and forearms
vertical, feet flat and forward as in anny's rest, palms toward the thighs, and
the thighs turned in so that knees and ankles stand as far apart as the
Motion's skeleton has its hip joints (motion.body.hip_width_ratio); anny's hip
joints are wider apart, and this keeps feet that a script puts together
together. The pelvis centre (mid-point of the two hip joint centres of anny's
skeleton) is placed at motion.root_pos[i].

World frame as in `formcheck_synth.motion`: metres, z up, the neutral body
faces -y, the person's left is +x. anny uses the same axes.

Rendering: a painter's-algorithm rasteriser (back-face culled triangles sorted
far to near, filled with cv2.fillConvexPoly, flat Lambert shading) drawn at
twice the output size and averaged down, over a floor plane with a mat and a
soft shadow. Body parts are coloured as clothing from the skinning weights and
rest-pose heights.

torch and anny are imported lazily (only `load_body` needs them), so importing
this module needs neither. anny's model cache lives in ~/.cache/anny, or in
$ANNY_CACHE_DIR when that is set.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from formcheck_synth.camera import Camera
from formcheck_synth.motion import SEGMENTS, Motion, Pose, forward_kinematics

__all__ = [
    "Phenotype",
    "Appearance",
    "AvatarModel",
    "PART_NAMES",
    "load_body",
    "PosedBones",
    "pose_bones",
    "pose_avatar",
    "avatar_joints",
    "floor_height",
    "Stage",
    "stage_for",
    "static_layer",
    "render_mesh",
    "render_frame",
    "render_video",
]

# Clothing / material classes of the mesh faces.
PART_NAMES = ("skin", "shirt", "shorts", "shoe", "hair", "eye")
SKIN, SHIRT, SHORTS, SHOE, HAIR, EYE = range(len(PART_NAMES))

_SEG = {name: i for i, name in enumerate(SEGMENTS)}

# anny bone -> (segment a, segment b, t): the bone follows slerp(R_a, R_b, t).
# Bones not listed follow their parent's entry (toes the foot, fingers the hand).
_BONE_DRIVERS: dict[str, tuple[str, str, float]] = {
    "root": ("pelvis", "pelvis", 0.0),
    "spine05": ("pelvis", "pelvis", 0.0),
    "spine04": ("pelvis", "trunk", 0.25),
    "spine03": ("pelvis", "trunk", 0.5),
    "spine02": ("pelvis", "trunk", 0.75),
    "spine01": ("trunk", "trunk", 0.0),
    "neck01": ("trunk", "head", 1.0 / 3.0),
    "neck02": ("trunk", "head", 2.0 / 3.0),
    "neck03": ("head", "head", 0.0),
    **{f"{b}.{s}": (seg, seg, 0.0) for s, side in (("L", "l"), ("R", "r")) for b, seg in (
        ("upperleg01", f"thigh_{side}"), ("lowerleg01", f"shank_{side}"), ("foot", f"foot_{side}"),
        ("clavicle", "trunk"), ("upperarm01", f"upperarm_{side}"), ("lowerarm01", f"forearm_{side}"),
        ("wrist", f"hand_{side}"),
    )},
}

# Neutral corrections: the bones of each group are turned so that the segment
# from joint `a` to joint `b` (bone heads) points straight down.
_VERTICAL_GROUPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    **{f"thigh_{side}": (f"upperleg01.{s}", f"lowerleg01.{s}", (f"upperleg01.{s}", f"upperleg02.{s}"))
       for s, side in (("L", "l"), ("R", "r"))},
    **{f"shank_{side}": (f"lowerleg01.{s}", f"foot.{s}", (f"lowerleg01.{s}", f"lowerleg02.{s}"))
       for s, side in (("L", "l"), ("R", "r"))},
    **{f"upperarm_{side}": (f"upperarm01.{s}", f"lowerarm01.{s}", (f"upperarm01.{s}", f"upperarm02.{s}"))
       for s, side in (("L", "l"), ("R", "r"))},
    **{f"forearm_{side}": (f"lowerarm01.{s}", f"wrist.{s}", (f"lowerarm01.{s}", f"lowerarm02.{s}"))
       for s, side in (("L", "l"), ("R", "r"))},
}

# BlazePose index -> bone whose head is the joint centre.
_BONE_POINTS: dict[int, str] = {
    11: "upperarm01.L", 12: "upperarm01.R", 13: "lowerarm01.L", 14: "lowerarm01.R",
    15: "wrist.L", 16: "wrist.R", 17: "finger5-1.L", 18: "finger5-1.R",
    19: "finger2-1.L", 20: "finger2-1.R", 21: "finger1-3.L", 22: "finger1-3.R",
    23: "upperleg01.L", 24: "upperleg01.R", 25: "lowerleg01.L", 26: "lowerleg01.R",
    27: "foot.L", 28: "foot.R",
}
# BlazePose index -> anny's COCO keypoint regressor (surface points).
_COCO_POINTS: dict[int, str] = {
    0: "nose", 2: "left_eye", 5: "right_eye", 7: "left_ear", 8: "right_ear",
    29: "left_heel", 30: "right_heel", 31: "left_big_toe", 32: "right_big_toe",
}


@dataclass(frozen=True)
class Phenotype:
    """Body shape. sex: 0 male .. 1 female (anny's 'gender'); age in years
    (mapped to anny's age axis with anny's own morphological-age table);
    muscle, weight, proportions: anny's 0..1 axes (0.5 average); height_m:
    standing height in metres (reached with anny's height axis, then an exact
    uniform scale)."""

    sex: float = 0.0
    age_years: float = 30.0
    muscle: float = 0.5
    weight: float = 0.5
    height_m: float = 1.75
    proportions: float = 0.5

    def __post_init__(self):
        for name in ("sex", "muscle", "weight", "proportions"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"Phenotype.{name} must be in [0, 1], got {v}")
        if not 1.0 <= self.height_m <= 2.3:
            raise ValueError(f"Phenotype.height_m must be in [1.0, 2.3] metres, got {self.height_m}")
        if not 12.0 <= self.age_years <= 90.0:
            raise ValueError(f"Phenotype.age_years must be in [12, 90], got {self.age_years}")


@dataclass(frozen=True)
class Appearance:
    """What the rendered scene looks like. Colours are BGR uint8 triples.

    sleeve: share of the upper arm the shirt covers (0 sleeveless .. 1 to the elbow).
    legwear: share of the thigh the shorts cover from the hip; above 1 they
    continue down the shank (2.0 = full-length tights to the ankle).
    light_dir: world direction toward the key light (normalised on use).
    ambient: share of light that does not depend on the surface normal.
    mat_bgr: exercise mat under the body, or None for bare floor.
    floor_texture: "plain", "tiles" (a checker of square tiles), "planks"
    (boards of varying shade) or "speckle" (blotchy noise); wall_texture:
    "plain", "stripes" (wallpaper), "speckle" or "panels" (door- and
    cupboard-like rectangles); texture_seed draws their layout.
    exposure and tint_bgr: gains on the finished frame (a dim or bright room,
    a warm or cold light); motion_blur: the camera's shutter as a share of the
    frame interval (0 sharp .. 1 open all the frame), rendered as sub-frames
    of the body's motion averaged together.
    """

    phenotype: Phenotype = field(default_factory=Phenotype)
    shirt_bgr: tuple[int, int, int] = (160, 90, 40)
    shorts_bgr: tuple[int, int, int] = (45, 40, 40)
    skin_bgr: tuple[int, int, int] = (125, 160, 205)
    shoe_bgr: tuple[int, int, int] = (225, 225, 230)
    hair_bgr: tuple[int, int, int] = (30, 40, 60)
    floor_bgr: tuple[int, int, int] = (150, 165, 180)
    mat_bgr: tuple[int, int, int] | None = (95, 125, 70)
    background_bgr: tuple[int, int, int] = (215, 215, 210)
    sleeve: float = 0.4
    legwear: float = 0.5
    light_dir: tuple[float, float, float] = (0.35, -0.6, 0.75)
    ambient: float = 0.4
    shadow: float = 0.35
    supersample: int = 2
    floor_texture: str = "plain"
    wall_texture: str = "plain"
    texture_seed: int = 0
    exposure: float = 1.0
    tint_bgr: tuple[float, float, float] = (1.0, 1.0, 1.0)
    motion_blur: float = 0.0

    def __post_init__(self):
        if self.floor_texture not in FLOOR_TEXTURES:
            raise ValueError(f"Appearance.floor_texture must be one of {FLOOR_TEXTURES}, got {self.floor_texture!r}")
        if self.wall_texture not in WALL_TEXTURES:
            raise ValueError(f"Appearance.wall_texture must be one of {WALL_TEXTURES}, got {self.wall_texture!r}")
        if not 0.0 <= self.motion_blur <= 1.0:
            raise ValueError(f"Appearance.motion_blur must be in [0, 1], got {self.motion_blur}")
        if not 0.1 <= self.exposure <= 3.0:
            raise ValueError(f"Appearance.exposure must be in [0.1, 3], got {self.exposure}")


FLOOR_TEXTURES = ("plain", "tiles", "planks", "speckle")
WALL_TEXTURES = ("plain", "stripes", "speckle", "panels")


@dataclass(frozen=True, eq=False)
class AvatarModel:
    """One body shape, rigged, with everything posing and rendering need (numpy).

    V vertices, F triangles, B bones. rest_vertices [V,3] m; faces [F,3];
    face_part [F] index into PART_NAMES; rest_rot [B,3,3] and rest_head [B,3]
    the bones' rest world orientation and head (joint) position; parents [B]
    (-1 for the root), order [B] a parents-first ordering; skin [V,B] linear
    blend weights; drive_a, drive_b [B] segment indices and drive_t [B] slerp
    weights; neutral [B,3,3] the neutral corrections C; pelvis_rest [3] the
    rest mid-hip point; lm_vert [33,V] and lm_bone [33,B] give the 33 BlazePose
    points as linear combinations of vertices and bone heads. anny_kwargs are
    the phenotype arguments given to anny and `scale` the uniform factor applied
    to its output to reach the exact height.
    """

    phenotype: Phenotype
    bone_labels: tuple[str, ...]
    rest_vertices: np.ndarray
    faces: np.ndarray
    face_part: np.ndarray
    rest_rot: np.ndarray
    rest_head: np.ndarray
    parents: np.ndarray
    order: np.ndarray
    skin: np.ndarray
    drive_a: np.ndarray
    drive_b: np.ndarray
    drive_t: np.ndarray
    neutral: np.ndarray
    pelvis_rest: np.ndarray
    lm_vert: np.ndarray
    lm_bone: np.ndarray
    anny_kwargs: dict[str, float]
    scale: float

    def bone(self, label: str) -> int:
        return self.bone_labels.index(label)


# ---------------------------------------------------------------------------
# Small rotation helpers (pure numpy)


def _min_rotation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest rotation (3,3) that turns direction a (3,) onto direction b (3,)."""
    a = np.asarray(a, float) / np.linalg.norm(a)
    b = np.asarray(b, float) / np.linalg.norm(b)
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    if c < -1.0 + 1e-9:
        raise ValueError(f"directions {a} and {b} are opposite; the minimal rotation is undefined")
    k = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + k + k @ k / (1.0 + c)


def _rotvec_from_matrix(r: np.ndarray) -> np.ndarray:
    """Axis-angle vectors (..., 3) in radians of rotation matrices (..., 3, 3)."""
    cos = np.clip((np.trace(r, axis1=-2, axis2=-1) - 1.0) / 2.0, -1.0, 1.0)
    angle = np.arccos(cos)
    w = np.stack([r[..., 2, 1] - r[..., 1, 2], r[..., 0, 2] - r[..., 2, 0], r[..., 1, 0] - r[..., 0, 1]], -1)
    sin = np.sin(angle)
    small = sin < 1e-6
    scale = np.where(small, 0.5, angle / (2.0 * np.where(small, 1.0, sin)))
    vec = w * scale[..., None]
    near_pi = small & (cos < 0)
    if np.any(near_pi):  # angle ~ pi: axis from the symmetric part
        sym = (r[near_pi] + np.eye(3)) / 2.0
        axis = sym[np.arange(len(sym)), np.argmax(np.diagonal(sym, axis1=-2, axis2=-1), -1)]
        axis /= np.linalg.norm(axis, axis=-1, keepdims=True)
        vec[near_pi] = axis * np.pi
    return vec


def _matrix_from_rotvec(v: np.ndarray) -> np.ndarray:
    """Rotation matrices (..., 3, 3) from axis-angle vectors (..., 3) in radians."""
    angle = np.linalg.norm(v, axis=-1)
    axis = v / np.where(angle > 1e-12, angle, 1.0)[..., None]
    k = np.zeros(v.shape[:-1] + (3, 3))
    k[..., 0, 1], k[..., 0, 2] = -axis[..., 2], axis[..., 1]
    k[..., 1, 0], k[..., 1, 2] = axis[..., 2], -axis[..., 0]
    k[..., 2, 0], k[..., 2, 1] = -axis[..., 1], axis[..., 0]
    a = angle[..., None, None]
    return np.eye(3) + np.sin(a) * k + (1.0 - np.cos(a)) * (k @ k)


def _slerp(ra: np.ndarray, rb: np.ndarray, t: float) -> np.ndarray:
    """Rotations (N,3,3) a fraction t of the way from ra (N,3,3) to rb (N,3,3)."""
    if t == 0.0:
        return ra
    if t == 1.0:
        return rb
    rel = np.swapaxes(ra, -1, -2) @ rb
    return ra @ _matrix_from_rotvec(t * _rotvec_from_matrix(rel))


# ---------------------------------------------------------------------------
# Building the body (torch + anny, once per phenotype)


@functools.lru_cache(maxsize=1)
def _anny_model():
    """The anny full-body model (torch module), built on first use (minutes) and cached on disk."""
    import anny
    import anny.paths

    cache = os.environ.get("ANNY_CACHE_DIR")
    if cache:
        anny.paths.set_anny_cache_path(cache)
    return anny.Anny()


@functools.lru_cache(maxsize=1)
def _age_table() -> tuple[np.ndarray, np.ndarray]:
    """anny's morphological-age calibration: (years [K], anny age values [K])."""
    import anny.paths
    import torch

    path = anny.paths.get_anny_root_dir() / "data" / "shape_calibration" / "boys.pth"
    table = torch.load(path, weights_only=True)["morphological_age_mapping"]
    return table["morphological_age_anchors"].numpy(), table["anny_age_anchors"].numpy()


def _anny_age(age_years: float) -> float:
    """Years -> anny's age axis, through anny's morphological-age calibration table."""
    years, axis = _age_table()
    return float(np.interp(age_years, years, axis))


def _anny_kwargs(phenotype: Phenotype, height_param: float) -> dict[str, float]:
    """anny's phenotype arguments for a Phenotype, with anny's own 0..1 height value."""
    return dict(gender=phenotype.sex, age=_anny_age(phenotype.age_years), muscle=phenotype.muscle,
                weight=phenotype.weight, height=height_param, proportions=phenotype.proportions)


def _rest_model(kwargs: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """anny's rest vertices [V,3] and rest bone poses [B,4,4] (metres) for phenotype arguments."""
    import torch

    with torch.no_grad():
        out = _anny_model()(phenotype_kwargs=kwargs)
    return out["rest_vertices"][0].double().numpy(), out["rest_bone_poses"][0].double().numpy()


def _fit_height(phenotype: Phenotype) -> tuple[dict[str, float], float]:
    """anny's phenotype arguments for the phenotype's height (anny's height axis,
    found by regula falsi) and the uniform scale that corrects the remainder.

    Each try builds anny's rest mesh (seconds on a busy machine), so the search
    stops within 2 mm of the target (the scale then makes the height exact):
    3 to 5 builds where a 16-step bisection took 17."""
    def height(x: float) -> tuple[float, np.ndarray]:
        verts, _ = _rest_model(_anny_kwargs(phenotype, x))
        return float(verts[:, 2].max() - verts[:, 2].min()), verts

    target = phenotype.height_m
    lo, hi = 0.0, 1.0
    (h_lo, _), (h_hi, _) = height(lo), height(hi)
    best = (lo, h_lo) if abs(h_lo - target) <= abs(h_hi - target) else (hi, h_hi)
    f_lo, f_hi = h_lo - target, h_hi - target
    side = 0
    for _ in range(8):
        if not f_lo < 0.0 < f_hi or abs(best[1] - target) < 0.002:
            break
        x = (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        h, _ = height(x)
        if abs(h - target) < abs(best[1] - target):
            best = (x, h)
        if h < target:
            lo, f_lo = x, h - target
            if side == -1:
                f_hi /= 2.0  # Illinois: the same end twice running, halve the other's weight
            side = -1
        else:
            hi, f_hi = x, h - target
            if side == 1:
                f_lo /= 2.0
            side = 1
    x, h = best
    return _anny_kwargs(phenotype, x), target / h


def _coco_regressors(model, labels: list[str]) -> np.ndarray:
    """anny's COCO keypoint regressors for `labels`: weights [K,V] over the model's vertices."""
    import anny.paths
    import torch

    data = torch.load(anny.paths.get_anny_root_dir() / "data" / "keypoints" / "coco.pth", weights_only=True)
    base = model.base_mesh_vertex_indices.cpu().numpy()
    return np.stack([data[label].double().numpy()[base] for label in labels])


def _face_parts(verts: np.ndarray, faces: np.ndarray, skin: np.ndarray, labels: tuple[str, ...],
                heads: np.ndarray, sleeve: float, legwear: float) -> np.ndarray:
    """Material class [F] of every triangle, from the rest pose.

    A vertex belongs to the body region (trunk, head, an arm, a leg) whose
    bones carry most of its skinning weight; within a region, clothing edges
    are cuts at a fixed fraction along the limb (or at the waist height), so
    hems are straight rather than following single bones' weights.
    """
    b = {lab: i for i, lab in enumerate(labels)}
    lab = np.array(labels)

    def group(mask: np.ndarray) -> np.ndarray:
        return skin[:, mask].sum(axis=1)

    regions = {}
    for s in ("L", "R"):
        side = np.char.endswith(lab, "." + s)
        arm = side & (np.char.startswith(lab, "upperarm") | np.char.startswith(lab, "lowerarm")
                      | np.char.startswith(lab, "wrist") | np.char.startswith(lab, "finger")
                      | np.char.startswith(lab, "metacarpal"))
        leg = side & (np.char.startswith(lab, "upperleg") | np.char.startswith(lab, "lowerleg")
                      | np.char.startswith(lab, "foot") | np.char.startswith(lab, "toe"))
        regions["arm" + s] = group(arm)
        regions["leg" + s] = group(leg)
    names = list(regions) + ["trunk"]
    weights = np.stack([regions[k] for k in names[:-1]], axis=1)
    weights = np.concatenate([weights, 1.0 - weights.sum(axis=1, keepdims=True)], axis=1)  # [V,R]
    # per triangle: region from the summed weights of its corners, cuts at its centroid
    # anny's triangles come in pairs split from quads: classify whole quads, so that
    # hems run along quad rows instead of zig-zagging across them
    face_w = weights[faces].sum(axis=1)  # [F,R]
    centre = verts[faces].mean(axis=1)  # [F,3]
    paired = _quad_pairs(faces)
    face_w[paired] = face_w[paired] + face_w[paired ^ 1]
    centre[paired] = (centre[paired] + centre[paired ^ 1]) / 2.0
    region = np.array(names)[np.argmax(face_w, axis=1)]  # [F]

    def along(top: str, bottom: str) -> np.ndarray:  # 0 at joint `top`, 1 at joint `bottom`
        a, c = heads[b[top]], heads[b[bottom]]
        d = c - a
        return (centre - a) @ d / (d @ d)

    z = centre[:, 2]
    part = np.full(len(faces), SKIN)
    waist = heads[b["spine04"], 2]
    collar = heads[b["neck01"], 2] - 0.01
    part[(region == "trunk") & (z >= waist) & (z < collar)] = SHIRT
    part[(region == "trunk") & (z < waist)] = SHORTS
    for s in ("L", "R"):
        part[(region == "arm" + s) & (along(f"upperarm01.{s}", f"lowerarm01.{s}") < sleeve)] = SHIRT
        t_thigh = along(f"upperleg01.{s}", f"lowerleg01.{s}")
        t_shank = along(f"lowerleg01.{s}", f"foot.{s}")
        covered = np.where(t_thigh < 1.0, t_thigh < legwear, t_shank < legwear - 1.0)
        leg = region == "leg" + s
        part[leg & covered] = SHORTS
        part[leg & (t_shank > 0.93)] = SHOE
    eye_z = heads[b["eye.L"], 2]
    eye_y = heads[b["eye.L"], 1]
    hair = (region == "trunk") & ((z > eye_z + 0.045) | ((z > eye_z - 0.04) & (centre[:, 1] > eye_y + 0.1)))
    part[hair] = HAIR
    part[skin[:, [b["eye.L"], b["eye.R"]]].sum(axis=1)[faces].mean(axis=1) > 0.5] = EYE
    return part


def _quad_pairs(faces: np.ndarray) -> np.ndarray:
    """Indices of the triangles [F,3] whose partner (index ^ 1) shares an edge with them."""
    n = len(faces) - len(faces) % 2
    a, c = faces[0:n:2], faces[1:n:2]
    shared = (a[:, :, None] == c[:, None, :]).any(axis=2).sum(axis=1) == 2
    first = np.flatnonzero(shared) * 2
    return np.sort(np.concatenate([first, first + 1]))


def _mouth_vertex(verts: np.ndarray, target_xz: np.ndarray, candidates: np.ndarray) -> int:
    """The most forward (-y) vertex among `candidates` within 8 mm of the point target_xz (x, z)."""
    d = np.linalg.norm(verts[candidates][:, [0, 2]] - target_xz, axis=1)
    near = candidates[d < 0.008]
    if len(near) == 0:
        near = candidates[np.argsort(d)[:5]]
    return int(near[np.argmin(verts[near, 1])])


def _parents_first(parents: np.ndarray) -> np.ndarray:
    """Bone indices [B] ordered so that every bone comes after its parent (root first)."""
    children: dict[int, list[int]] = {}
    for c in range(1, len(parents)):
        children.setdefault(int(parents[c]), []).append(c)
    order = [0]
    i = 0
    while i < len(order):
        order.extend(children.get(order[i], []))
        i += 1
    return np.array(order)


def _drivers(labels: tuple[str, ...], parents: np.ndarray, order: np.ndarray):
    """Per bone: segment indices a, b [B] and slerp weights t [B] (see _BONE_DRIVERS)."""
    nb = len(labels)
    drive_a, drive_b, drive_t = np.zeros(nb, int), np.zeros(nb, int), np.zeros(nb)
    for c in order:
        if labels[c] in _BONE_DRIVERS:
            sa, sb, t = _BONE_DRIVERS[labels[c]]
            drive_a[c], drive_b[c], drive_t[c] = _SEG[sa], _SEG[sb], t
        else:
            p = parents[c]
            drive_a[c], drive_b[c], drive_t[c] = drive_a[p], drive_b[p], drive_t[p]
    return drive_a, drive_b, drive_t


def _neutral_corrections(labels: tuple[str, ...], rest_head: np.ndarray) -> np.ndarray:
    """Rotations C [B,3,3] that turn anny's rest pose into the Motion's neutral pose:
    limb segments vertical, hands and fingers keeping their rest angle to the forearm."""
    b = {lab: i for i, lab in enumerate(labels)}
    neutral = np.broadcast_to(np.eye(3), (len(labels), 3, 3)).copy()
    down = np.array([0.0, 0.0, -1.0])
    for top, bottom, bones in _VERTICAL_GROUPS.values():
        c = _min_rotation(rest_head[b[bottom]] - rest_head[b[top]], down)
        for bone in bones:
            neutral[b[bone]] = c
    for c, label in enumerate(labels):
        if label.startswith(("wrist", "finger", "metacarpal")):
            neutral[c] = neutral[b[f"lowerarm01.{label[-1]}"]]
    return neutral


def _landmark_weights(model, labels: tuple[str, ...], verts: np.ndarray, height_m: float):
    """The 33 BlazePose points as linear combinations: lm_vert [33,V] over the
    rest vertices and lm_bone [33,B] over the bone heads."""
    b = {lab: i for i, lab in enumerate(labels)}
    lm_vert = np.zeros((33, len(verts)))
    lm_bone = np.zeros((33, len(labels)))
    for k, bone in _BONE_POINTS.items():
        lm_bone[k, b[bone]] = 1.0
    coco = _coco_regressors(model, list(_COCO_POINTS.values()))
    for row, k in enumerate(_COCO_POINTS):
        lm_vert[k] = coco[row] / coco[row].sum()
    # eye corners: the innermost / outermost support vertices of anny's eye keypoints
    for k_centre, k_inner, k_outer, sign in ((2, 1, 3, 1.0), (5, 4, 6, -1.0)):
        support = np.flatnonzero(lm_vert[k_centre] > 0)
        xs = sign * verts[support, 0]
        lm_vert[k_inner, support[np.argmin(xs)]] = 1.0
        lm_vert[k_outer, support[np.argmax(xs)]] = 1.0
    # mouth corners: lip-surface vertices 2.1% of the height below the nose and
    # 1.4% of it to each side (checked on a close-up render of the face)
    nose = lm_vert[0] @ verts
    front = np.flatnonzero((verts[:, 1] < nose[1] + 0.04) & (np.abs(verts[:, 0]) < 0.05)
                           & (np.abs(verts[:, 2] - nose[2]) < 0.08))
    for k, sign in ((9, 1.0), (10, -1.0)):
        target = np.array([sign * 0.0137 * height_m, nose[2] - 0.021 * height_m])
        lm_vert[k, _mouth_vertex(verts, target, front)] = 1.0
    return lm_vert, lm_bone


@functools.lru_cache(maxsize=8)
def _load_body(phenotype: Phenotype, sleeve: float, legwear: float) -> AvatarModel:
    model = _anny_model()
    labels = tuple(model.bone_labels)
    parents = np.array([int(p) for p in model.bone_parents])
    anny_kwargs, scale = _fit_height(phenotype)
    verts, poses = _rest_model(anny_kwargs)
    verts = verts * scale
    rest_rot, rest_head = poses[:, :3, :3].copy(), poses[:, :3, 3] * scale
    faces = model.faces.cpu().numpy().astype(np.int64)
    skin = np.zeros((len(verts), len(labels)))
    idx = model.vertex_bone_indices.cpu().numpy()
    w = model.vertex_bone_weights.double().cpu().numpy()
    np.add.at(skin, (np.repeat(np.arange(len(verts)), idx.shape[1]), idx.ravel()), w.ravel())
    skin /= skin.sum(axis=1, keepdims=True)
    order = _parents_first(parents)
    drive_a, drive_b, drive_t = _drivers(labels, parents, order)
    b = {lab: i for i, lab in enumerate(labels)}
    pelvis_rest = (rest_head[b["upperleg01.L"]] + rest_head[b["upperleg01.R"]]) / 2.0
    lm_vert, lm_bone = _landmark_weights(model, labels, verts, phenotype.height_m)
    avatar = AvatarModel(
        phenotype=phenotype, bone_labels=labels, rest_vertices=verts, faces=faces,
        face_part=_face_parts(verts, faces, skin, labels, rest_head, sleeve, legwear),
        rest_rot=rest_rot, rest_head=rest_head, parents=parents, order=order, skin=skin,
        drive_a=drive_a, drive_b=drive_b, drive_t=drive_t, neutral=_neutral_corrections(labels, rest_head),
        pelvis_rest=pelvis_rest, lm_vert=lm_vert, lm_bone=lm_bone, anny_kwargs=anny_kwargs, scale=scale,
    )
    # The requested height is the standing height in the Motion's neutral pose
    # (straight knees), a little more than anny's rest pose: scale once more.
    standing = _skin(avatar, pose_bones(avatar, forward_kinematics(np.zeros(1), Pose(1))), 0)
    k = phenotype.height_m / float(np.ptp(standing[:, 2]))
    return dataclasses.replace(avatar, rest_vertices=verts * k, rest_head=rest_head * k,
                               pelvis_rest=pelvis_rest * k, scale=scale * k)


def load_body(appearance: Appearance | None = None) -> AvatarModel:
    """The rigged body for an appearance's phenotype and clothing cut (cached in memory;
    anny's own model build is cached on disk, the first one takes minutes)."""
    appearance = appearance or Appearance()
    return _load_body(appearance.phenotype, float(appearance.sleeve), float(appearance.legwear))


# ---------------------------------------------------------------------------
# Posing (numpy)


@dataclass(frozen=True)
class PosedBones:
    """Per-frame bone state: rot [N,B,3,3] world orientations, head [N,B,3]
    joint positions (m), and the skinning transforms lin [N,B,3,3], trans [N,B,3]
    mapping rest-pose points to posed points."""

    rot: np.ndarray
    head: np.ndarray
    lin: np.ndarray
    trans: np.ndarray


def _stance_neutral(model: AvatarModel, hip_width_ratio: float) -> np.ndarray:
    """Neutral corrections [B,3,3] with the thighs turned so that the knees and
    ankles stand as far apart as the Motion's skeleton has its hip joints
    (hip_width_ratio x body height): anny's hip joints are wider apart than
    the kit's, and this keeps feet that the kit puts together together."""
    b = model.bone
    neutral = model.neutral.copy()
    half = hip_width_ratio * model.phenotype.height_m / 2.0
    for s, sign in (("L", 1.0), ("R", -1.0)):
        hip, knee = model.rest_head[b(f"upperleg01.{s}")], model.rest_head[b(f"lowerleg01.{s}")]
        length = np.linalg.norm(knee - hip)
        dx = sign * half - hip[0]
        target = np.array([dx, 0.0, -np.sqrt(max(length**2 - dx**2, 1e-6))])
        c = _min_rotation(knee - hip, target)
        for bone in _VERTICAL_GROUPS[f"thigh_{s.lower()}"][2]:
            neutral[b(bone)] = c
    return neutral


def pose_bones(model: AvatarModel, motion: Motion) -> PosedBones:
    """Retarget a Motion onto the avatar's skeleton (see the module docstring)."""
    n = len(motion.times)
    seg = np.stack([np.asarray(motion.rotations[s], float) for s in SEGMENTS])  # [S,N,3,3]
    nb = len(model.bone_labels)
    neutral = _stance_neutral(model, motion.body.hip_width_ratio)
    rot = np.empty((n, nb, 3, 3))
    cache: dict[tuple[int, int, float], np.ndarray] = {}
    for c in range(nb):
        key = (int(model.drive_a[c]), int(model.drive_b[c]), float(model.drive_t[c]))
        if key not in cache:
            cache[key] = _slerp(seg[key[0]], seg[key[1]], key[2])
        rot[:, c] = cache[key] @ (neutral[c] @ model.rest_rot[c])
    lin = rot @ np.swapaxes(model.rest_rot, -1, -2)[None]  # T_c rotation part: R_c(i) R_c_rest^T
    head = np.empty((n, nb, 3))
    root_lin = lin[:, 0]
    head[:, 0] = np.asarray(motion.root_pos, float) - root_lin @ (model.pelvis_rest - model.rest_head[0])
    for c in model.order[1:]:
        p = model.parents[c]
        head[:, c] = head[:, p] + lin[:, p] @ (model.rest_head[c] - model.rest_head[p])
    trans = head - np.einsum("nbij,bj->nbi", lin, model.rest_head)
    return PosedBones(rot=rot, head=head, lin=lin, trans=trans)


def _skin(model: AvatarModel, bones: PosedBones, i: int) -> np.ndarray:
    """Posed vertices [V,3] of frame i (linear blend skinning)."""
    a = np.concatenate([bones.lin[i].reshape(-1, 9), bones.trans[i]], axis=1)  # [B,12]
    m = model.skin @ a  # [V,12]
    v = model.rest_vertices
    return np.einsum("vij,vj->vi", m[:, :9].reshape(-1, 3, 3), v) + m[:, 9:]


def pose_avatar(model: AvatarModel, motion: Motion) -> tuple[PosedBones, np.ndarray]:
    """Bones and posed vertices [N,V,3] (metres, world) for every frame of a Motion."""
    bones = pose_bones(model, motion)
    verts = np.stack([_skin(model, bones, i) for i in range(len(motion.times))])
    return bones, verts


def _joints(model: AvatarModel, bones: PosedBones, verts: np.ndarray) -> np.ndarray:
    return np.einsum("kv,nvj->nkj", model.lm_vert, verts) + np.einsum("kb,nbj->nkj", model.lm_bone, bones.head)


def avatar_joints(model: AvatarModel, motion: Motion) -> np.ndarray:
    """The avatar's own 33 BlazePose points [N,33,3] (world metres): bone heads
    for the limb joints (hips = hip joint centres, knees, ankles, shoulders,
    elbows, wrists, knuckles), surface points for the face, heels and toes."""
    bones, verts = pose_avatar(model, motion)
    return _joints(model, bones, verts)


def floor_height(vertices: np.ndarray) -> float:
    """The floor for a clip: the lowest vertex z (m) over all frames of [N,V,3]."""
    return float(np.min(vertices[..., 2]))


# ---------------------------------------------------------------------------
# Rendering (OpenCV)

_NEAR = 0.05  # m: geometry closer to the camera than this is clipped


def _clip_near(poly_cam: np.ndarray) -> np.ndarray:
    """Clip a convex polygon [K,3] in camera coordinates to z >= _NEAR (Sutherland-Hodgman)."""
    out = []
    k = len(poly_cam)
    for j in range(k):
        a, b = poly_cam[j], poly_cam[(j + 1) % k]
        ina, inb = a[2] >= _NEAR, b[2] >= _NEAR
        if ina:
            out.append(a)
        if ina != inb:
            t = (_NEAR - a[2]) / (b[2] - a[2])
            out.append(a + t * (b - a))
    return np.array(out).reshape(-1, 3)


def _to_pixels(camera: Camera, pc: np.ndarray, scale: float) -> np.ndarray:
    """Camera-frame points (...,3) -> fixed-point pixel coords (...,2) int32 at `scale` x resolution."""
    z = np.maximum(pc[..., 2], 1e-6)
    u = camera.focal_px * pc[..., 0] / z + camera.width / 2.0
    v = camera.focal_px * pc[..., 1] / z + camera.height / 2.0
    return np.round(np.stack([u, v], -1) * scale * (1 << _SHIFT)).astype(np.int32)


_SHIFT = 4


@dataclass(frozen=True)
class Stage:
    """What stays put during a clip: the floor height floor_z (m), the floor's
    centre centre_xy [2] and the mat's corners mat_corners [4,3] (None: no mat)."""

    floor_z: float
    centre_xy: np.ndarray
    mat_corners: np.ndarray | None


def stage_for(vertices: np.ndarray, floor_z: float | None = None, appearance: Appearance | None = None) -> Stage:
    """The floor (default: at the lowest vertex) and an exercise mat under the
    body's footprint, from posed vertices [N,V,3] (or any subset of them) of a clip."""
    appearance = appearance or Appearance()
    fz = floor_height(vertices) if floor_z is None else float(floor_z)
    xy = vertices[..., :2].reshape(-1, 2)[:: max(1, vertices[..., 0].size // 20000)]
    centre = xy.mean(axis=0)
    if appearance.mat_bgr is None:
        return Stage(fz, centre, None)
    cov = np.cov((xy - centre).T)
    evals, evecs = np.linalg.eigh(cov)
    axis = evecs[:, 1]
    if evals[1] < 1.5 * evals[0]:
        axis = np.array([1.0, 0.0])
    perp = np.array([-axis[1], axis[0]])
    s = (xy - centre) @ axis
    t = (xy - centre) @ perp
    half_l = max(0.9, (s.max() - s.min()) / 2 + 0.25)
    half_w = max(0.4, (t.max() - t.min()) / 2 + 0.15)
    mid = centre + axis * (s.max() + s.min()) / 2 + perp * (t.max() + t.min()) / 2
    corners = [mid + axis * a * half_l + perp * c * half_w for a, c in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    return Stage(fz, centre, np.array([[x, y, fz + 0.002] for x, y in corners]))


def _fill_world_polygon(img: np.ndarray, camera: Camera, poly: np.ndarray, colour, scale: float) -> None:
    pc = _clip_near(camera.to_camera(poly))
    if len(pc) >= 3:
        cv2.fillPoly(img, [_to_pixels(camera, pc, scale)], colour, cv2.LINE_AA, _SHIFT)


def _shade(colour, k: float) -> tuple[int, int, int]:
    return tuple(int(np.clip(c * k, 0, 255)) for c in colour)


def _wall(h: int, w: int, appearance: Appearance) -> np.ndarray:
    """The background (a wall) as a BGR image [h,w,3], plain or textured."""
    img = np.empty((h, w, 3), np.uint8)
    img[:] = appearance.background_bgr
    kind = appearance.wall_texture
    if kind == "plain":
        return img
    rng = np.random.default_rng(appearance.texture_seed)
    base = np.asarray(appearance.background_bgr, float)
    if kind == "stripes":
        period = int(rng.integers(max(4, w // 40), max(6, w // 12)))
        other = np.clip(base * rng.uniform(0.75, 0.9) + rng.uniform(-15, 15, 3), 0, 255)
        cols = (np.arange(w) // period) % 2 == 1
        img[:, cols] = other.astype(np.uint8)
    elif kind == "speckle":
        small = rng.normal(0.0, 1.0, (max(2, h // 24), max(2, w // 24)))
        noise = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        fine = rng.normal(0.0, 0.35, (h, w))
        img[:] = np.clip(base[None, None] * (1.0 + 0.09 * (noise + fine))[..., None], 0, 255).astype(np.uint8)
    elif kind == "panels":
        for _ in range(int(rng.integers(2, 5))):
            pw, ph = int(rng.uniform(0.1, 0.3) * w), int(rng.uniform(0.3, 0.8) * h)
            x0, y0 = int(rng.uniform(0, w - pw)), int(rng.uniform(0, h - ph))
            colour = np.clip(base * rng.uniform(0.55, 1.15) + rng.uniform(-30, 30, 3), 0, 255)
            cv2.rectangle(img, (x0, y0), (x0 + pw, y0 + ph), colour.tolist(), -1)
            cv2.rectangle(img, (x0, y0), (x0 + pw, y0 + ph), (colour * 0.7).tolist(), max(1, w // 300))
    return img


def _floor(img: np.ndarray, camera: Camera, appearance: Appearance, stage: Stage, ss: int) -> None:
    """Draw the floor plane around the body into img, plain or textured."""
    centre = stage.centre_xy
    big = 12.0
    floor = np.array([[centre[0] + a * big, centre[1] + c * big, stage.floor_z]
                      for a, c in ((-1, -1), (1, -1), (1, 1), (-1, 1))])
    _fill_world_polygon(img, camera, floor, appearance.floor_bgr, ss)
    kind = appearance.floor_texture
    if kind == "plain":
        return
    rng = np.random.default_rng(appearance.texture_seed + 1)
    z = stage.floor_z
    reach = 6.0  # m around the body; beyond it the floor stays plain (far and small in the frame)
    if kind == "tiles":
        size = float(rng.uniform(0.3, 0.6))
        dark = _shade(appearance.floor_bgr, float(rng.uniform(0.7, 0.85)))
        n = int(reach / size)
        for i in range(-n, n):
            for j in range(-n, n):
                if (i + j) % 2:
                    x0, y0 = centre[0] + i * size, centre[1] + j * size
                    quad = np.array([[x0, y0, z], [x0 + size, y0, z], [x0 + size, y0 + size, z], [x0, y0 + size, z]])
                    _fill_world_polygon(img, camera, quad, dark, ss)
    elif kind == "planks":
        width = float(rng.uniform(0.1, 0.22))
        along_x = bool(rng.integers(0, 2))
        for i in range(-int(reach / width), int(reach / width)):
            s = -reach + float(rng.uniform(0.0, 1.0))
            while s < reach:
                length = float(rng.uniform(0.8, 2.0))
                a0, a1, b0, b1 = s, s + length, i * width, (i + 1) * width
                corners = [(a0, b0), (a1, b0), (a1, b1), (a0, b1)]
                quad = np.array([[centre[0] + (a if along_x else b), centre[1] + (b if along_x else a), z]
                                 for a, b in corners])
                _fill_world_polygon(img, camera, quad, _shade(appearance.floor_bgr, float(rng.uniform(0.8, 1.12))), ss)
                s += length
    elif kind == "speckle":
        mask = np.zeros(img.shape[:2], np.uint8)
        _fill_world_polygon(mask, camera, floor, 255, ss)
        h, w = img.shape[:2]
        small = rng.normal(0.0, 1.0, (max(2, h // 16), max(2, w // 16)))
        noise = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC) + rng.normal(0.0, 0.5, (h, w))
        gain = np.where(mask > 0, 1.0 + 0.08 * noise, 1.0)
        img[:] = np.clip(img * gain[..., None], 0, 255).astype(np.uint8)


def static_layer(camera: Camera, appearance: Appearance, stage: Stage) -> np.ndarray:
    """What does not move in a clip, at the supersampled size: the wall, the
    floor and the mat (BGR uint8). render_video draws it once per clip."""
    ss = max(1, int(appearance.supersample))
    img = _wall(camera.height * ss, camera.width * ss, appearance)
    _floor(img, camera, appearance, stage, ss)
    if stage.mat_corners is not None:
        _fill_world_polygon(img, camera, stage.mat_corners, appearance.mat_bgr, ss)
    return img


def render_mesh(model: AvatarModel, vertices: np.ndarray, camera: Camera, appearance: Appearance,
                stage: Stage, static: np.ndarray | None = None, finish: bool = True) -> np.ndarray:
    """One frame: the posed body `vertices` [V,3] (world m) seen by `camera` -> BGR uint8 [H,W,3].

    static: the clip's static_layer (drawn here when not given). finish=False
    returns the frame before the exposure and tint gains (as float32), for
    averaging sub-frames."""
    ss = max(1, int(appearance.supersample))
    h, w = camera.height * ss, camera.width * ss
    img = (static if static is not None else static_layer(camera, appearance, stage)).copy()
    light = np.asarray(appearance.light_dir, float)
    light /= np.linalg.norm(light)
    if appearance.shadow > 0:
        ld = light if light[2] > 0.3 else np.array([light[0], light[1], 0.3]) / np.linalg.norm([light[0], light[1], 0.3])
        flat = vertices - ld * ((vertices[:, 2] - stage.floor_z) / ld[2])[:, None]
        flat[:, 2] = stage.floor_z + 0.003
        pc = camera.to_camera(flat)
        tri = pc[model.faces]
        ok = tri[:, :, 2].min(axis=1) > _NEAR
        if ok.any():
            # Drawn at half size (it is blurred anyway: a quarter of the pixels to fill)
            mask = np.zeros((h // 2, w // 2), np.uint8)
            cv2.fillPoly(mask, list(_to_pixels(camera, tri[ok], ss / 2.0)), 255, cv2.LINE_8, _SHIFT)
            k = 2 * int(0.006 * w) + 1
            mask = cv2.resize(cv2.GaussianBlur(mask, (k, k), 0), (w, h), interpolation=cv2.INTER_LINEAR)
            dark = 1.0 - appearance.shadow * (mask.astype(np.float32) / 255.0)
            img = (img.astype(np.float32) * dark[..., None]).astype(np.uint8)

    # body: back-face culling, flat Lambert shading, far-to-near painting
    tri_w = vertices[model.faces]  # [F,3,3]
    normal = np.cross(tri_w[:, 1] - tri_w[:, 0], tri_w[:, 2] - tri_w[:, 0])
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
    to_cam = camera.position - tri_w.mean(axis=1)
    to_cam /= np.linalg.norm(to_cam, axis=1, keepdims=True)
    pc = camera.to_camera(vertices)
    tri_c = pc[model.faces]
    keep = (np.einsum("fj,fj->f", normal, to_cam) > 0) & (tri_c[:, :, 2].min(axis=1) > _NEAR)
    palette = np.array([appearance.skin_bgr, appearance.shirt_bgr, appearance.shorts_bgr, appearance.shoe_bgr,
                        appearance.hair_bgr, (40, 30, 25)], float)
    diffuse = np.clip(normal[keep] @ light, 0.0, 1.0)
    headlight = np.clip(np.einsum("fj,fj->f", normal[keep], to_cam[keep]), 0.0, 1.0)
    amb = appearance.ambient
    shade = amb + (1.0 - amb) * (0.75 * diffuse + 0.25 * headlight)
    colour = np.clip(palette[model.face_part[keep]] * shade[:, None], 0, 255).astype(np.int32)
    depth = tri_c[keep][:, :, 2].mean(axis=1)
    order = np.argsort(-depth, kind="stable")
    pts = _to_pixels(camera, tri_c[keep], ss)[order]
    # Tens of thousands of small colour lists: with torch loaded, the garbage
    # collector's passes over the large heap they trigger cost more than the
    # drawing (0.4 s a frame measured), so it is paused while they live.
    paused = gc.isenabled()
    gc.disable()
    try:
        for p, c in zip(pts, colour[order].tolist()):
            cv2.fillConvexPoly(img, p, c, cv2.LINE_8, _SHIFT)
    finally:
        if paused:
            gc.enable()
    if ss > 1:
        img = cv2.resize(img, (camera.width, camera.height), interpolation=cv2.INTER_AREA)
    if not finish:
        return img.astype(np.float32)
    return _finish(img, appearance)


def _finish(img: np.ndarray, appearance: Appearance) -> np.ndarray:
    """The exposure and tint gains on a rendered frame (uint8 or float) -> BGR uint8."""
    gain = appearance.exposure * np.asarray(appearance.tint_bgr, np.float32)
    if np.allclose(gain, 1.0) and img.dtype == np.uint8:
        return img
    return np.clip(img.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def render_frame(motion: Motion, i: int, camera: Camera, appearance: Appearance | None = None,
                 floor_z: float | None = None) -> np.ndarray:
    """Frame i of a Motion as a BGR uint8 image [H,W,3]. `floor_z` defaults to the
    lowest vertex of this frame (pass the clip's floor to keep it fixed)."""
    appearance = appearance or Appearance()
    model = load_body(appearance)
    one = _frame_motion(motion, i)
    bones, verts = pose_avatar(model, one)
    return render_mesh(model, verts[0], camera, appearance, stage_for(verts, floor_z, appearance))


def _frame_motion(motion: Motion, i: int) -> Motion:
    sl = slice(i, i + 1)
    return Motion(times=motion.times[sl], root_pos=motion.root_pos[sl],
                  rotations={k: v[sl] for k, v in motion.rotations.items()}, points=motion.points[sl],
                  angles={k: np.asarray(v)[sl] for k, v in motion.angles.items()}, body=motion.body)


def render_video(motion: Motion, camera: Camera, out_path: str | os.PathLike, appearance: Appearance | None = None,
                 fps: float | None = None, floor_z: float | None = None, crf: int = 23,
                 jpeg_quality: int | None = None) -> np.ndarray:
    """Render every frame of `motion` through `camera` into an H.264 MP4 at `out_path`.

    fps defaults to the Motion's frame rate. The floor is fixed for the clip at
    `floor_z` (default: the lowest vertex over the clip). Returns the avatar's
    truth joints [N,33,3] (world metres, BlazePose order). Vertices are skinned
    frame by frame (twice: once for the floor and mat, once to draw), so memory
    does not grow with the clip's length. crf is x264's quality (higher: more
    compression); jpeg_quality, when given, passes every frame through JPEG at
    that quality first (a webcam's or a messenger's compression).
    """
    from formcheck.video import H264Writer

    appearance = appearance or Appearance()
    if fps is None:
        dt = np.diff(motion.times)
        fps = float(1.0 / np.median(dt)) if len(dt) else 30.0
    model = load_body(appearance)
    bones = pose_bones(model, motion)
    n = len(motion.times)
    joints = np.empty((n, 33, 3))
    lowest = np.inf
    sample = np.arange(0, len(model.rest_vertices), 7)
    footprint = []
    for i in range(n):
        v = _skin(model, bones, i)
        joints[i] = model.lm_vert @ v + model.lm_bone @ bones.head[i]
        lowest = min(lowest, float(v[:, 2].min()))
        footprint.append(v[sample])
    stage = stage_for(np.stack(footprint), lowest if floor_z is None else floor_z, appearance)
    static = static_layer(camera, appearance, stage)
    blur = float(appearance.motion_blur)
    with H264Writer(Path(out_path), fps, crf=crf) as writer:
        prev = None
        for i in range(n):
            v = _skin(model, bones, i)
            if blur > 0 and prev is not None:
                # The shutter stays open over the last `blur` share of the frame interval:
                # sub-frames of the body between the previous frame's pose and this one.
                subs = [render_mesh(model, v + t * (prev - v), camera, appearance, stage, static, finish=False)
                        for t in np.linspace(0.0, blur, 3)]
                frame = _finish(np.mean(subs, axis=0), appearance)
            else:
                frame = render_mesh(model, v, camera, appearance, stage, static)
            if jpeg_quality is not None:
                ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
                frame = cv2.imdecode(buf, cv2.IMREAD_COLOR) if ok else frame
            writer.write(frame)
            prev = v
    return joints
