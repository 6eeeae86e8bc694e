"""What ships: formcheck's wheel holds the runtime package only (no test generator) and needs no torch;
importing formcheck, or running `formcheck analyze`, never loads torch."""

from __future__ import annotations

import email.parser
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY_GENERATOR = ("torch", "anny", "formcheck_synth")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """formcheck's wheel, built offline from a clean copy of the sources (a stale build/ folder in the
    checkout would otherwise leak old files into it)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "formcheck", src / "formcheck", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(out), str(src)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    wheels = list(out.glob("formcheck-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_holds_the_runtime_package_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"formcheck"}, top
    assert not [n for n in names if "synth" in n], [n for n in names if "synth" in n]
    assert "formcheck/pipeline.py" in names and "formcheck/exercises/clamshell.py" in names


def test_wheel_installs_without_torch(wheel):
    with zipfile.ZipFile(wheel) as z:
        meta_name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(z.read(meta_name).decode())
    requires = meta.get_all("Requires-Dist") or []
    assert any(r.startswith("mediapipe") for r in requires), requires
    plain = [r for r in requires if "extra ==" not in r]
    assert not [r for r in plain if r.split(";")[0].strip().lower().startswith(("torch", "anny"))], plain
    # torch comes only with the [synth] extra, pinned to the CPU build this project uses
    torch = [r for r in requires if r.lower().startswith("torch")]
    assert torch == ['torch==2.13.0; extra == "synth"'], torch


def _modules_after(code: str) -> dict:
    probe = (code + "\nimport json, sys\n"
             f"print(json.dumps({{m: m in sys.modules for m in {HEAVY_GENERATOR!r}}}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_formcheck_loads_no_torch():
    loaded = _modules_after("import formcheck\nfrom formcheck import analyze_file, PoseTrack")
    assert loaded == dict.fromkeys(HEAVY_GENERATOR, False), loaded


@pytest.mark.e2e
def test_formcheck_analyze_loads_no_torch(tmp_path):
    """The whole `formcheck analyze` on a real sample clip (pose model, analysis, report, annotated video)."""
    clip = REPO / "sample_videos" / "clamshell.mp4"
    if not clip.exists():
        pytest.skip(f"sample clip missing: {clip}")
    code = ("from formcheck.cli import main\n"
            f"rc = main(['analyze', {str(clip)!r}, '--exercise', 'clamshell', '--stride', '3', "
            f"'--json', {str(tmp_path / 'r.json')!r}, '--video', {str(tmp_path / 'a.mp4')!r}])\n"
            "assert rc == 0, rc")
    loaded = _modules_after(code)
    assert loaded == dict.fromkeys(HEAVY_GENERATOR, False), loaded
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["rep_count"] > 0


def _constraints() -> dict[str, str]:
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version
    return pins


def test_constraints_pin_every_dependency_within_its_range():
    """`make setup` installs with constraints.txt: every dependency pyproject.toml names (runtime and the
    test, synth and scale extras) is pinned there to a version inside pyproject's own range, and torch to
    the CPU build on local disk (2.13.0), never a bare release that pulls CUDA."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in ("test", "synth", "scale"):
        wanted += project["optional-dependencies"][extra]
    pins = _constraints()
    for text in wanted:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        if name == "setuptools":  # pip freeze leaves it out; the venv's own copy serves
            continue
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), (req.name, pins[name], str(req.specifier))
    assert pins["torch"] == "2.13.0"
    assert pins["mediapipe"] == "0.10.33"  # the pin without the telemetry uploader (pyproject.toml)
