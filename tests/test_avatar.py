"""The anny avatar renderer: retargeting a Motion, truth joints, rendering, and
MediaPipe finding the rendered person where the truth says it is.

Needs the [synth] extra (torch + anny); the first run builds anny's model
cache (2-3 minutes).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from formcheck_synth.camera import VIEW_DIRECTIONS, Camera, look_at_camera
from formcheck_synth.motion import Motion, Pose, forward_kinematics, rot_x, rot_y

pytestmark = pytest.mark.synth

REPO = Path(__file__).resolve().parent.parent
MODEL_PATHS = [REPO.parent / "shared" / "models" / "pose_landmarker_full.task",
               REPO / "models" / "pose_landmarker_full.task"]
HIPS_KNEES_ANKLES = [23, 24, 25, 26, 27, 28]


@pytest.fixture(scope="module")
def av():
    pytest.importorskip("torch")
    pytest.importorskip("anny")
    from formcheck_synth import avatar

    return avatar


@pytest.fixture(scope="module")
def body(av):
    return av.load_body()


def still(angles: dict[str, float] | None = None, root_rot: np.ndarray | None = None,
          root_pos=(0.0, 0.0, 0.0), n: int = 1) -> Motion:
    """A Motion holding one pose for n frames."""
    pose = Pose(n, {k: np.full(n, float(v)) for k, v in (angles or {}).items()},
                None if root_rot is None else np.broadcast_to(root_rot, (n, 3, 3)).copy(),
                np.tile(np.asarray(root_pos, float), (n, 1)))
    return forward_kinematics(np.arange(n) / 30.0, pose)


def standing_camera(view: str, width: int = 640, height: int = 480) -> Camera:
    """A webcam 3.2 m from a person standing on z = 0 (pelvis at 0.93 m), lens at 1.1 m."""
    target = np.array([0.0, 0.0, 0.9])
    pos = target + 3.2 * np.asarray(VIEW_DIRECTIONS[view], float)
    pos[2] = 1.1
    return look_at_camera(target, pos, width, height)


def test_importing_the_avatar_module_needs_no_torch():
    code = "import sys, formcheck_synth.avatar; print('torch' in sys.modules, 'anny' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_phenotype_rejects_out_of_range_values():
    from formcheck_synth.avatar import Phenotype

    with pytest.raises(ValueError, match="height_m"):
        Phenotype(height_m=175)
    with pytest.raises(ValueError, match="sex"):
        Phenotype(sex=2.0)


def test_numpy_posing_matches_annys_own_forward_pass(av, body):
    import torch

    motion = still({"hip_flex_l": 50, "knee_flex_l": 70, "sh_abd_r": 40, "elbow_flex_r": 30, "spine_rot": 20,
                    "neck_bend": 15, "hip_rot_r": 25, "ankle_dorsi_l": 10}, root_rot=rot_x(20), root_pos=(0.3, 0.2, 1.0))
    bones, verts = av.pose_avatar(body, motion)
    delta = np.tile(np.eye(4), (1, len(body.bone_labels), 1, 1))
    delta[0, :, :3, :3] = bones.rot[0]
    delta[0, 0, :3, 3] = bones.head[0, 0] / body.scale
    with torch.no_grad():
        out = av._anny_model()(pose_parameters=torch.tensor(delta), phenotype_kwargs=body.anny_kwargs,
                               pose_parameterization="world-orient")
    np.testing.assert_allclose(out["vertices"][0].double().numpy() * body.scale, verts[0], atol=1e-6)
    np.testing.assert_allclose(out["bone_poses"][0, :, :3, 3].double().numpy() * body.scale, bones.head[0], atol=1e-6)


def test_body_has_the_requested_height_and_stands_on_its_pelvis_position(av):
    model = av.load_body(av.Appearance(phenotype=av.Phenotype(height_m=1.62, sex=1.0, weight=0.7)))
    bones, verts = av.pose_avatar(model, still(root_pos=(0.5, -0.2, 0.9)))
    assert np.ptp(verts[0, :, 2]) == pytest.approx(1.62, abs=0.005)
    joints = av.avatar_joints(model, still(root_pos=(0.5, -0.2, 0.9)))[0]
    np.testing.assert_allclose((joints[23] + joints[24]) / 2, [0.5, -0.2, 0.9], atol=1e-9)


def test_neutral_joints_are_anatomical(av, body):
    j = av.avatar_joints(body, still())[0]
    for hip, knee, ankle, toe, heel in ((23, 25, 27, 31, 29), (24, 26, 28, 32, 30)):
        assert j[knee, 2] < j[hip, 2] - 0.3
        assert j[ankle, 2] < j[knee, 2] - 0.3
        assert j[toe, 1] < j[ankle, 1] - 0.1  # feet point forward (-y)
        assert j[heel, 1] > j[ankle, 1]
    assert j[23, 0] > j[24, 0]  # the person's left is +x
    assert j[11, 0] > j[12, 0] and j[13, 0] > j[14, 0] and j[15, 0] > j[16, 0]
    assert j[15, 2] < j[13, 2] < j[11, 2]  # arms hang
    assert j[0, 1] < j[7, 1] and j[0, 2] > j[11, 2]  # the nose is in front, above the shoulders
    assert j[2, 0] > j[5, 0] and j[7, 0] > j[8, 0] and j[9, 0] > j[10, 0]


def test_hip_flexion_swings_the_thigh_forward(av, body):
    thigh = np.linalg.norm(np.subtract(*av.avatar_joints(body, still())[0, [25, 23]]))
    j = av.avatar_joints(body, still({"hip_flex_l": 90}))[0]
    forward = j[23, 1] - j[25, 1]
    assert forward == pytest.approx(thigh, rel=0.15)
    assert abs(j[25, 2] - j[23, 2]) < 0.15 * thigh
    assert j[26, 2] < j[24, 2] - 0.3  # the other leg stays down


def test_knee_flexion_puts_the_ankle_below_a_horizontal_thigh(av, body):
    rest = av.avatar_joints(body, still())[0]
    shank = np.linalg.norm(rest[27] - rest[25])
    j = av.avatar_joints(body, still({"hip_flex_l": 90, "knee_flex_l": 90}))[0]
    assert j[27, 2] < j[25, 2] - 0.85 * shank
    assert abs(j[27, 1] - j[25, 1]) < 0.15 * shank
    standing = av.avatar_joints(body, still({"knee_flex_l": 90}))[0]
    assert standing[27, 1] > standing[25, 1] + 0.85 * shank  # shank swings backward (+y)


def test_arms_are_down_in_the_neutral_pose_despite_annys_a_pose(av, body):
    j = av.avatar_joints(body, still())[0]
    for sh, el, wr in ((11, 13, 15), (12, 14, 16)):
        upper = j[el] - j[sh]
        fore = j[wr] - j[el]
        # the Motion's neutral has 8° of abduction; the elbow is straight
        assert np.degrees(np.arccos(-upper[2] / np.linalg.norm(upper))) == pytest.approx(8.0, abs=2.0)
        assert np.degrees(np.arccos(-fore[2] / np.linalg.norm(fore))) == pytest.approx(8.0, abs=2.0)


def person_mask(av, motion: Motion, camera: Camera) -> np.ndarray:
    """Pixels [H,W] bool that show the body: everything else is painted magenta."""
    magenta = (255, 0, 255)
    look = av.Appearance(background_bgr=magenta, floor_bgr=magenta, mat_bgr=None, shadow=0.0)
    img = av.render_frame(motion, 0, camera, look).astype(int)
    return np.abs(img - np.array(magenta)).sum(axis=-1) > 60


def test_a_standing_person_fills_a_plausible_part_of_the_frame(av, body):
    camera = standing_camera("front")
    mask = person_mask(av, still(root_pos=(0, 0, 0.93)), camera)
    assert 0.02 < mask.mean() < 0.15
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    assert 0.35 < (rows[-1] - rows[0]) / mask.shape[0] < 0.7  # 1.75 m seen from 3.2 m with a 60° lens
    assert abs((cols[0] + cols[-1]) / 2 - mask.shape[1] / 2) < 20


def test_floor_defaults_to_the_lowest_vertex(av, body):
    bones, verts = av.pose_avatar(body, still(root_pos=(0, 0, 2.0)))
    assert av.stage_for(verts).floor_z == pytest.approx(verts[0, :, 2].min())
    assert av.stage_for(verts, floor_z=0.0).floor_z == 0.0


def test_render_video_writes_every_frame_and_returns_the_truth(av, body, tmp_path):
    from formcheck.video import probe

    n = 4
    motion = forward_kinematics(np.arange(n) / 30.0, Pose(n, {"hip_flex_l": np.linspace(0, 30, n)},
                                                          root_pos=np.tile([0.0, 0.0, 0.93], (n, 1))))
    out = tmp_path / "avatar.mp4"
    joints = av.render_video(motion, standing_camera("front", 320, 240), out, fps=30.0)
    info = probe(out)
    assert (info.frames, info.width, info.height) == (n, 320, 240)
    np.testing.assert_allclose(joints, av.avatar_joints(body, motion), atol=1e-9)


@pytest.fixture(scope="module")
def landmarker():
    model = next((p for p in MODEL_PATHS if p.exists()), None)
    if model is None:
        pytest.skip(f"pose model not found at {MODEL_PATHS[0]}")
    from mediapipe.tasks.python import BaseOptions, vision

    opts = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                        running_mode=vision.RunningMode.IMAGE, num_poses=1)
    with vision.PoseLandmarker.create_from_options(opts) as lm:
        yield lm


def detect(landmarker, bgr: np.ndarray) -> np.ndarray | None:
    """Normalised image landmarks [33,2] of the one person MediaPipe finds, or None."""
    import cv2
    import mediapipe as mp

    res = landmarker.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    if not res.pose_landmarks:
        return None
    return np.array([[p.x, p.y] for p in res.pose_landmarks[0]])


@pytest.mark.parametrize("view, angles", [
    ("front", {}),
    ("left", {}),
    ("back", {}),
    ("front", {"hip_flex_l": 60}),
    ("left", {"hip_flex_l": 60}),
    ("back", {"hip_flex_l": 60}),
])
def test_mediapipe_finds_the_rendered_legs_where_the_truth_is(av, body, landmarker, view, angles):
    motion = still(angles, root_pos=(0, 0, 0.93))
    camera = standing_camera(view)
    found = detect(landmarker, av.render_frame(motion, 0, camera))
    assert found is not None, "no person detected"
    truth = camera.project_normalized(av.avatar_joints(body, motion)[0])
    err = np.linalg.norm(found[HIPS_KNEES_ANKLES] - truth[HIPS_KNEES_ANKLES], axis=1)
    assert err.max() < 0.05, dict(zip(HIPS_KNEES_ANKLES, err.round(3)))


def test_mediapipe_finds_a_side_lying_body(av, body, landmarker):
    motion = still({"hip_flex_l": 45, "hip_flex_r": 45, "knee_flex_l": 90, "knee_flex_r": 90,
                    "sh_flex_l": 150, "elbow_flex_l": 60}, root_rot=rot_y(90), root_pos=(0, 0, 0.2))
    camera = look_at_camera(np.array([0.1, 0.0, 0.25]), np.array([0.1, -2.6, 0.9]))
    found = detect(landmarker, av.render_frame(motion, 0, camera))
    assert found is not None, "no person detected"
    truth = camera.project_normalized(av.avatar_joints(body, motion)[0])
    err = np.linalg.norm(found[HIPS_KNEES_ANKLES] - truth[HIPS_KNEES_ANKLES], axis=1)
    assert err.max() < 0.05, dict(zip(HIPS_KNEES_ANKLES, err.round(3)))
