"""Randomised avatar renders (formcheck_synth.randomised, benchmarks/randomised_renders.py):
the seeded randomiser, the textured scene, the scoring, and one tiny rendered clip."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest

from formcheck_synth.avatar import FLOOR_TEXTURES, WALL_TEXTURES, Appearance, Phenotype, Stage, static_layer
from formcheck_synth.camera import look_at_camera
from formcheck_synth.catalog import build
from formcheck_synth.randomised import (
    COMPRESSION,
    FPS_CHOICES,
    MOVEMENTS,
    SIZES,
    TEMPO_CODES,
    appearance_for,
    draw,
    key_for,
    scenario_for,
    truth_for,
)

REPO = Path(__file__).resolve().parent.parent
SEEDS = range(1, 26)


def test_the_same_seed_draws_the_same_conditions_and_other_seeds_differ():
    for m in MOVEMENTS:
        assert draw(m, 7) == draw(m, 7)
        assert asdict(draw(m, 7)) == asdict(draw(m, 7))
        others = {json.dumps(asdict(draw(m, s)), sort_keys=True) for s in SEEDS}
        assert len(others) == len(SEEDS)
    # the movement is part of the seed: clip 3 of two movements is not the same person
    assert draw("clamshell", 3).phenotype != draw("donkey_kick", 3).phenotype
    assert key_for(draw("clamshell", 3)) != key_for(draw("clamshell", 4))


@pytest.mark.parametrize("movement", sorted(MOVEMENTS))
def test_drawn_conditions_are_in_range(movement):
    plan = MOVEMENTS[movement]
    seen = {"fps": set(), "view": set(), "floor": set(), "wall": set(), "compression": set()}
    for s in SEEDS:
        c = draw(movement, s)
        assert c.view in plan.views
        assert -25.0 <= c.yaw_deg <= 25.0
        assert plan.elevation[0] <= c.elevation_m <= plan.elevation[1]
        assert 0.85 * plan.distance - 1e-9 <= c.distance_m <= 1.25 * plan.distance + 1e-9
        assert c.fps in FPS_CHOICES and (c.width, c.height) in SIZES
        assert c.compression in COMPRESSION and 0.0 <= c.motion_blur <= 0.9
        assert 0.55 <= c.exposure <= 1.35 and 0.25 <= c.ambient <= 0.6
        assert abs(np.linalg.norm(c.light_dir) - 1.0) < 0.01 and c.light_dir[2] > 0.3
        for colour in (c.skin_bgr, c.hair_bgr, c.shirt_bgr, c.shorts_bgr, c.shoe_bgr, c.floor_bgr, c.background_bgr):
            assert len(colour) == 3 and all(0 <= v <= 255 for v in colour)
        assert 1.5 <= c.phenotype["height_m"] <= 1.98 and 18 <= c.phenotype["age_years"] <= 72
        Phenotype(**c.phenotype)  # valid for the avatar (raises otherwise)
        appearance_for(c)  # valid textures, blur and exposure (raises otherwise)
        # faults: known codes, never the tempo rule, on units after the clean ones
        for unit, codes in c.faults.items():
            assert int(unit) > plan.clean_first
            for code, mag in codes.items():
                assert code in plan.sweep and code not in TEMPO_CODES
                assert mag in plan.sweep[code]
        for unit, code in c.subtle:
            assert c.faults[str(unit)][code] == plan.sweep[code][1]
        seen["fps"].add(c.fps)
        seen["view"].add(c.view)
        seen["floor"].add(c.floor_texture)
        seen["wall"].add(c.wall_texture)
        seen["compression"].add(c.compression)
    # 25 seeds reach every frame rate and compression level and more than one view and texture
    assert seen["fps"] == set(FPS_CHOICES) and seen["compression"] == set(COMPRESSION)
    assert len(seen["view"]) >= 2 and len(seen["floor"]) >= 3 and len(seen["wall"]) >= 3


@pytest.mark.parametrize("movement", ["clamshell", "straight_leg_raise", "running_lunge"])
def test_truth_keeps_clear_faults_and_drops_subtle_ones(movement):
    for s in range(1, 5):
        c = draw(movement, s)
        sc = scenario_for(c)
        assert sc.camera.fps == c.fps and sc.height_m == c.phenotype["height_m"]
        truth = truth_for(c, build(sc))
        units = truth[MOVEMENTS[movement].unit]
        plan = MOVEMENTS[movement]
        expect_n = plan.base.reps if plan.unit == "reps" else plan.base.sets * len(plan.base.sides)
        assert len(units) == expect_n
        subtle = {(int(k), code) for k, code in c.subtle}
        for n, u in enumerate(units, start=1):
            injected = set(c.faults.get(str(n), {}))
            assert set(u["faults"]) == {code for code in injected if (n, code) not in subtle}
        assert truth["conditions"]["seed"] == s


@pytest.mark.parametrize("movement", ["clamshell", "donkey_kick", "straight_leg_raise", "hamstring_stretch"])
def test_the_yawed_camera_keeps_the_person_in_frame(movement):
    from formcheck_synth.randomised import yawed

    for s in range(1, 4):
        c = draw(movement, s)
        sc = scenario_for(c)
        built = build(sc)
        cam = yawed(built.camera, sc.camera, c.yaw_deg)
        # the camera moved by the drawn yaw about the vertical, at the same height
        assert cam.position[2] == pytest.approx(built.camera.position[2], abs=1e-9)
        before, after = (np.degrees(np.arctan2(k.rotation[2][1], k.rotation[2][0])) for k in (built.camera, cam))
        assert (after - before + 180) % 360 - 180 == pytest.approx(c.yaw_deg, abs=0.5)
        uv = cam.project_normalized(built.motion.points[::5])
        assert ((uv > 0) & (uv < 1)).all(-1).mean() > 0.95


def _stage() -> Stage:
    return Stage(floor_z=0.0, centre_xy=np.zeros(2), mat_corners=None)


def _camera():
    return look_at_camera(np.array([0.0, 0.0, 0.3]), np.array([0.0, -2.6, 1.0]), 320, 240)


def test_plain_scene_is_flat_and_textures_vary_it():
    base = Appearance(floor_bgr=(150, 150, 150), background_bgr=(200, 200, 200), supersample=1, mat_bgr=None)
    plain = static_layer(_camera(), base, _stage())
    floor_rows, wall_rows = plain[200:], plain[:20]
    assert floor_rows.std() < 1.0 and wall_rows.std() < 1.0
    for kind in FLOOR_TEXTURES[1:]:
        img = static_layer(_camera(), replace(base, floor_texture=kind, texture_seed=3), _stage())
        assert img[200:].std() > 4.0, kind  # the floor shows a pattern
        assert img[:20].std() < 1.0, kind  # and the wall stays plain
    for kind in WALL_TEXTURES[1:]:
        img = static_layer(_camera(), replace(base, wall_texture=kind, texture_seed=3), _stage())
        assert img[:20].std() > 2.0, kind
    # the texture seed draws the layout
    a = static_layer(_camera(), replace(base, floor_texture="planks", texture_seed=1), _stage())
    b = static_layer(_camera(), replace(base, floor_texture="planks", texture_seed=2), _stage())
    assert np.abs(a.astype(int) - b).mean() > 1.0


def test_bad_texture_names_are_refused():
    with pytest.raises(ValueError, match="floor_texture"):
        Appearance(floor_texture="marble")
    with pytest.raises(ValueError, match="motion_blur"):
        Appearance(motion_blur=1.5)


# ---- the benchmark's scoring (pure) ----------------------------------------------

def _bench():
    sys.path.insert(0, str(REPO / "benchmarks"))
    import randomised_renders

    return randomised_renders


def _rep(i, peak, faults=(), unjudged=()):
    return {"index": i, "side": "right", "peak_s": peak, "start_s": peak - 1.5, "end_s": peak + 1.5,
            "faults": [{"code": c} for c in faults], "unjudged": list(unjudged), "metrics": {}}


def test_scoring_leaves_tempo_aside_and_lists_abstentions():
    rr = _bench()
    truth = [{"index": i, "side": "right", "peak_s": 3.0 + 4 * i, "faults": f}
             for i, f in enumerate([[], [], ["feet_apart"], ["pelvis_roll"], []], start=1)]
    got = [_rep(1, 7.0, ["too_fast"]), _rep(2, 11.0), _rep(3, 15.0, ["feet_apart"]),
           _rep(4, 19.0, unjudged=["pelvis_roll"]), _rep(5, 23.0, ["short_range"])]
    doc = {"view": "front", "side": "right", "pose_coverage": 1.0, "reps": got, "holds": [], "steps": [],
           "warnings": [], "unjudged": [], "unjudged_reasons": {"pelvis_roll": "the hips were not seen well"}}
    result = {"movement": "clamshell", "seed": 1, "unit": "reps", "truth": {"reps": truth, "holds": [],
              "steps": [], "cadence_spm": None, "view": "front"}, "real": doc, "perfect": doc}
    s = rr.scored(result)
    assert (s["real"]["tp"], s["real"]["fp"], s["real"]["fn"]) == (1, 1, 0)  # too_fast ignored, pelvis_roll abstained
    assert s["abstained"] == [("pelvis_roll", "the hips were not seen well")]
    assert s["real"]["count_ok"]


def test_tuned_and_held_out_seeds_are_scored_apart():
    rr = _bench()
    truth = [{"index": i, "side": "right", "peak_s": 3.0 + 4 * i, "faults": f}
             for i, f in enumerate([[], ["feet_apart"]], start=1)]

    def result(seed, got):
        doc = {"view": "back", "side": "right", "pose_coverage": 1.0, "reps": got, "holds": [], "steps": [],
               "warnings": [], "unjudged": [], "unjudged_reasons": {}}
        return {"movement": "clamshell", "seed": seed, "unit": "reps", "truth": {"reps": truth, "holds": [],
                "steps": [], "cadence_spm": None, "view": "back"}, "real": doc, "perfect": doc}

    results = [result(1, [_rep(1, 7.0), _rep(2, 11.0, ["feet_apart"])]),  # right
               result(3, [_rep(1, 7.0, ["feet_apart"]), _rep(2, 11.0)])]  # one false, one missed
    line = rr.split_line(results, [rr.scored(r) for r in results], tuned_seeds=2)
    assert "tuned on (seeds 1; 1 clips): counts exact 1/1, precision 1.00, recall 1.00 (1 / 0 / 0)" in line
    assert "held out (seeds 3; 1 clips): counts exact 1/1, precision 0.00, recall 0.00 (0 / 1 / 1)" in line
    assert "held out: no clips" in rr.split_line(results[:1], [rr.scored(results[0])], tuned_seeds=2)


def test_a_count_the_report_disclaims_is_named():
    rr = _bench()
    lost = {"real": {"warnings": ["The pose model kept losing you (123 times a minute): it cannot follow this "
                                  "position from this camera angle, so the count may be wrong"]}}
    assert rr.count_disclaimed(lost)
    assert rr.count_doubt(lost) == "the pose model kept losing the person"
    hidden = {"real": {"warnings": ["The rep count may be wrong: on 9 of 9 reps your chest and head were between "
                                    "the camera and your hips during the rep"]}}
    assert rr.count_doubt(hidden) == "the landmarks the count is read from were not seen well"
    assert not rr.count_disclaimed({"real": {"warnings": ["Set 1: 5 of 15 reps."]}})


def test_the_section_is_replaced_in_place(tmp_path):
    rr = _bench()
    out = tmp_path / "accuracy.md"
    out.write_text("# A\n\ntext\n")
    rr.write_section(out, [rr.BEGIN, "first", rr.END])
    rr.write_section(out, [rr.BEGIN, "second", rr.END])
    text = out.read_text()
    assert text.startswith("# A\n\ntext\n") and "second" in text and "first" not in text
    assert text.count("randomised-renders:begin") == 1


# ---- one tiny render ---------------------------------------------------------------

@pytest.mark.synth
def test_a_tiny_randomised_clip_renders_with_its_truth(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("anny")
    from formcheck.video import probe
    from formcheck_synth import randomised

    plan = MOVEMENTS["clamshell"]
    monkeypatch.setitem(randomised.MOVEMENTS, "clamshell", replace(plan, base=replace(plan.base, reps=3)))
    c = next(c for c in (draw("clamshell", s) for s in range(1, 60)) if "3" in c.faults)
    c = replace(c, width=160, height=120, fps=24.0, motion_blur=0.5, compression="heavy",
                floor_texture="tiles", wall_texture="panels")
    video, truth_path = randomised.render(c, tmp_path)
    truth = json.loads(truth_path.read_text())
    assert len(truth["reps"]) == 3 and truth["holds"] == []
    code = next(iter(c.faults["3"]))
    subtle = (3, code) in {(int(k), x) for k, x in c.subtle}
    assert truth["reps"][2]["faults"] == ([] if subtle else [code])
    assert truth["reps"][0]["faults"] == [] and truth["reps"][1]["faults"] == []
    assert truth["conditions"]["motion_blur"] == 0.5 and truth["conditions"]["width"] == 160
    info = probe(video)
    assert (info.width, info.height) == (160, 120)
    assert abs(info.fps - 24.0) < 0.1
    assert abs(info.frames - truth["duration_s"] * 24.0) <= 2
    joints = np.load(tmp_path / f"{key_for(c)}.joints.npy")
    assert joints.shape == (info.frames, 33, 3) or abs(len(joints) - info.frames) <= 1
    # a second call reuses the cache
    mtime = video.stat().st_mtime_ns
    assert randomised.render(c, tmp_path) == (video, truth_path) and video.stat().st_mtime_ns == mtime
