"""Layer boundaries: the analysis core imports neither OpenCV, MediaPipe nor
Streamlit; exactly one module imports MediaPipe; and between formcheck's own modules, imports
follow the layers of docs/architecture.md."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "formcheck"
CORE = ["formcheck.geometry", "formcheck.cleaning", "formcheck.reps", "formcheck.features", "formcheck.views",
        "formcheck.exercises", "formcheck.analysis", "formcheck.live", "formcheck.report", "formcheck.landmarks",
        "formcheck_synth.kit", "formcheck_synth.catalog", "formcheck.recognise", "formcheck_synth.others",
        "formcheck.results", "formcheck.judging", "formcheck.events", "formcheck.clip_checks", "formcheck.gait",
        "formcheck.recognise_evidence", "formcheck.live_auto"]


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
    assert set(users) <= {"video.py", "draw.py", "pose.py"}, users


# ---- layer directions between formcheck's own modules (docs/architecture.md) ----------------

REPO = PKG.parent
ARCH = REPO / "docs" / "architecture.md"


def _layer_table() -> tuple[dict[str, set[str]], list[tuple[str, str]]]:
    """From docs/architecture.md: layer -> the layers it may import, and
    (module pattern, layer) in table order."""
    allowed: dict[str, set[str]] = {}
    patterns: list[tuple[str, str]] = []
    for line in ARCH.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("layer", "") or set(cells[0]) <= {"-", " "}:
            continue
        layer, may, mods = cells
        allowed[layer] = {x.strip() for x in may.split(",") if x.strip()}
        patterns += [(m.strip().strip("`"), layer) for m in mods.split(",") if m.strip()]
    return allowed, patterns


def _runtime_modules() -> dict[str, Path]:
    """Every module of the package, the app and its pages: dotted name -> file."""
    files = [*PKG.rglob("*.py"), REPO / "app.py", *(REPO / "app_pages").glob("*.py")]
    out = {}
    for p in files:
        parts = p.relative_to(REPO).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def _own_imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """The project's modules `name` imports anywhere in its file (top level, inside
    functions, under TYPE_CHECKING): `from a import b` counts as a.b when that is a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], *filter(None, [base])])
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
    return {m for m in found if m in modules and m != name}


def _layer_of(module: str, patterns: list[tuple[str, str]]) -> str | None:
    for pat, layer in patterns:
        if module == pat or (pat.endswith(".*") and (module == pat[:-2] or module.startswith(pat[:-1]))):
            return layer
    return None


def test_architecture_table_is_well_formed():
    allowed, patterns = _layer_table()
    assert {"foundation", "analysis", "adapters", "pipeline", "store", "ui", "pages", "cli"} <= set(allowed)
    for layer, may in allowed.items():
        assert may <= set(allowed) - {layer}, f"{layer} may import unknown layers: {may - set(allowed)}"
    dupes = [p for p, _ in patterns if [q for q, _ in patterns].count(p) > 1]
    assert not dupes, f"placed twice in docs/architecture.md: {dupes}"


def test_every_runtime_module_is_in_a_layer():
    _, patterns = _layer_table()
    unplaced = sorted(m for m in _runtime_modules() if _layer_of(m, patterns) is None)
    assert not unplaced, f"put these modules in a layer of docs/architecture.md: {unplaced}"


def test_imports_follow_the_layers():
    """A module imports only from its own layer and the layers its row allows
    (so never from a layer above it), computed from the real imports."""
    allowed, patterns = _layer_table()
    modules = _runtime_modules()
    wrong = []
    for name, path in sorted(modules.items()):
        layer = _layer_of(name, patterns)
        for dep in sorted(_own_imports(name, path, set(modules))):
            dep_layer = _layer_of(dep, patterns)
            if dep_layer != layer and dep_layer not in allowed.get(layer, set()):
                wrong.append(f"{name} ({layer}) imports {dep} ({dep_layer})")
    assert not wrong, "imports against docs/architecture.md:\n" + "\n".join(wrong)


def test_layer_check_catches_a_wrong_import(tmp_path):
    """The check itself can fail: an analysis module importing the store is caught."""
    allowed, patterns = _layer_table()
    bad = tmp_path / "reps.py"
    bad.write_text("def f():\n    from formcheck.history import History\n")
    modules = {"formcheck.reps", "formcheck.history"}
    deps = _own_imports("formcheck.reps", bad, modules)
    assert deps == {"formcheck.history"}
    assert _layer_of("formcheck.history", patterns) not in allowed[_layer_of("formcheck.reps", patterns)]
