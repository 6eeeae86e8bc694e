"""Layer boundaries: the analysis core imports neither OpenCV, MediaPipe nor
Streamlit; exactly one module imports MediaPipe."""

import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "formcheck"
CORE = ["formcheck.geometry", "formcheck.cleaning", "formcheck.reps", "formcheck.features", "formcheck.views",
        "formcheck.exercises", "formcheck.analysis", "formcheck.live", "formcheck.report", "formcheck.landmarks",
        "formcheck.synth.kit", "formcheck.synth.catalog", "formcheck.recognise", "formcheck.synth.others",
        "formcheck.results", "formcheck.judging", "formcheck.events", "formcheck.clip_checks", "formcheck.gait"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_heavy_io(module):
    code = (f"import sys; import {module}; "
            "bad = [m for m in ('cv2', 'mediapipe', 'streamlit', 'torch', 'av') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"{module} pulls in {out}"


def test_exactly_one_module_imports_mediapipe():
    users = sorted(str(p.relative_to(PKG)) for p in PKG.rglob("*.py")
                   if "import mediapipe" in p.read_text() or "from mediapipe" in p.read_text()
                   or '__import__("mediapipe")' in p.read_text())
    assert users == ["pose.py"]


def test_only_video_draw_and_pose_import_cv2():
    users = sorted(str(p.relative_to(PKG)) for p in PKG.rglob("*.py")
                   if "import cv2" in p.read_text())
    assert set(users) <= {"video.py", "draw.py", "pose.py", "synth/avatar.py", "synth/samples.py"}, users
