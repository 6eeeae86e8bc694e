"""Rebuild the real-footage clip cache from snapshots of the clips' public repositories.

The manifest (`benchmarks/real_footage_clips.json`) names every clip's repository, commit, path and git blob hash, and
the sha256 of the file as cached. On a new machine the cache is empty: fetch each repository's snapshot (the session's
`fetch github:OWNER/NAME` puts a bare git directory under a mirrors folder, named `OWNER+NAME`), then run

    .venv/bin/python benchmarks/restore_clips.py --mirrors /work/.mirror           # write what the mirrors hold
    .venv/bin/python benchmarks/restore_clips.py --mirrors /work/.mirror --missing # the repositories still to fetch

Each clip is read by its blob hash (so a blob that the newest tree no longer holds is still found), written to
`$FORMCHECK_REAL_CLIPS` (default `~/.cache/formcheck/real_clips`) and checked against the manifest's sha256. A clip
already cached with the right hash is left alone. Nothing is written into the repository.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from formcheck.models import sha256_of as sha256

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "benchmarks" / "real_footage_clips.json"


def cache_dir() -> Path:
    return Path(os.environ.get("FORMCHECK_REAL_CLIPS", Path.home() / ".cache" / "formcheck" / "real_clips"))


def git_dir(mirrors: Path, repository: str) -> Path | None:
    """The git directory of a repository's snapshot: `<mirrors>/<owner>+<name>` itself, or `repo/.git`, `repo` in it."""
    base = mirrors / repository.replace("/", "+")
    for cand in (base, base / "repo" / ".git", base / "repo"):
        if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
            return cand
    return None


def read_blob(git: Path, blob: str) -> bytes | None:
    run = subprocess.run(["git", f"--git-dir={git}", "cat-file", "blob", blob], capture_output=True)
    return run.stdout if run.returncode == 0 else None


def frames_to_mp4(git: Path, tree: str, out: Path, fps: float = 30.0) -> bool:
    """A clip stored as a folder of frames (one PNG each, in name order) written to mp4 with OpenCV's mp4v writer."""
    import cv2
    import numpy as np

    listing = subprocess.run(["git", f"--git-dir={git}", "ls-tree", tree], capture_output=True, text=True)
    if listing.returncode != 0:
        return False
    rows = sorted(line.split("\t", 1) for line in listing.stdout.splitlines() if "\t" in line)
    writer = None
    for meta, name in rows:
        if not name.lower().endswith(".png"):
            continue
        data = read_blob(git, meta.split()[2])
        img = None if data is None else cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if img is None:
            return False
        if writer is None:
            h, w = img.shape[:2]
            writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        writer.write(img)
    if writer is None:
        return False
    writer.release()
    return True


def restore(entry: dict, git: Path, cache: Path) -> str:
    """Write one clip into the cache; returns 'restored', 'hash differs' or why it could not be written."""
    target = cache / entry["file"]
    with tempfile.NamedTemporaryFile(dir=cache, suffix=target.suffix, delete=False) as tmp:
        part = Path(tmp.name)
    try:
        if "blob_note" in entry:  # a folder of frames, not one file
            if not frames_to_mp4(git, entry["blob"], part):
                return "frames not in the snapshot"
        else:
            data = read_blob(git, entry["blob"])
            if data is None:
                return "blob not in the snapshot"
            part.write_bytes(data)
        part.chmod(0o644)
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    if entry.get("sha256") and sha256(target) != entry["sha256"]:
        return "hash differs" + (" (re-encoded frames: expected with another OpenCV build)" if "blob_note" in entry else "")
    return "restored"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirrors", type=Path, required=True, help="folder holding OWNER+NAME snapshot git directories")
    ap.add_argument("--missing", action="store_true", help="only list the repositories whose snapshot is still needed")
    args = ap.parse_args(argv)
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    clips = [e for e in json.loads(MANIFEST.read_text())["clips"] if "shared_path" not in e]
    todo = [e for e in clips if not ((cache / e["file"]).exists() and sha256(cache / e["file"]) == e.get("sha256"))]
    need = sorted({e["repository"] for e in todo if git_dir(args.mirrors, e["repository"]) is None})
    if args.missing:
        for repo in need:
            print(repo)
        print(f"{len(need)} repositories to fetch for {sum(e['repository'] in need for e in todo)} of {len(clips)} clips",
              file=sys.stderr)
        return 0
    outcome: dict[str, list[str]] = {}
    for e in todo:
        git = git_dir(args.mirrors, e["repository"])
        if git is None:
            continue
        outcome.setdefault(restore(e, git, cache), []).append(e["id"])
    done = len(clips) - len(todo)
    print(f"{len(clips)} clips in the manifest: {done} already cached, "
          + ", ".join(f"{len(v)} {k}" for k, v in sorted(outcome.items()))
          + f", {sum(e['repository'] in need for e in todo)} waiting for {len(need)} repositories")
    for k, ids in sorted(outcome.items()):
        if k != "restored":
            print(f"  {k}: {' '.join(ids)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
