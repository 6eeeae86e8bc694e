"""Batch analysis: many clips, one report each, plus a summary table.

    formcheck batch DIR|GLOB|MANIFEST.csv --out OUT [--exercise NAME] [--jobs N] [--ray [ADDRESS]]

Input: a folder (every video and .npz track in it, recursively), a glob pattern,
or a CSV manifest with a `path` column and optional `movement` (a movement name,
or `auto` / empty), `side`, `hold_target_s`, `time_scale` columns; relative paths
are relative to the manifest. `auto` runs the recogniser (formcheck.recognise) on
the clip's pose track, as `formcheck analyze` does without `--exercise`: the clip
is analysed as the movement it shows, whatever its file name says, and a clip
that is none of them is listed as `unrecognised` with nothing graded.

Output in OUT: `reports/<name>.json` per clip (the same report `formcheck analyze`
writes), `summary.csv` and `summary.parquet` (one row per clip, failed ones with
their one-line error). Resumable: a clip whose report is already in OUT (made from
the same file: size and modification time) is not analysed again.

Clips run in parallel, one clip per worker, each worker holding one pose model
(loaded once): worker processes on this machine by default, or Ray actors with
`--ray` (`pip install formcheck[scale]`); Ray workers read the clips from their
paths, so on a cluster the paths must be on storage every node can read.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from formcheck.errors import FormCheckError
from formcheck.safe_io import atomic_path

__all__ = ["BatchItem", "collect", "run_batch", "analyze_item", "summary_row", "SUMMARY_COLUMNS",
           "BatchError"]

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".webm", ".mkv", ".m4v")
TRACK_SUFFIXES = (".npz",)
OPTION_COLUMNS = {"side": str, "hold_target_s": float, "time_scale": float}
SUMMARY_COLUMNS = ["path", "movement", "recognised", "status", "error", "reps", "holds", "steps", "faulted", "fault_codes",
                   "pose_coverage", "view", "side", "duration_s", "seconds", "report"]


class BatchError(FormCheckError):
    """The batch itself cannot run (no clips, a broken manifest, Ray missing)."""


@dataclass(frozen=True)
class BatchItem:
    path: str
    movement: str  # a movement name, or "auto" (recognised from the clip)
    options: dict = field(default_factory=dict)  # Options fields: side, hold_target_s, time_scale
    name: str = ""  # unique file-system-safe name of its report


# ---- what to analyse ------------------------------------------------------------------------------


def _is_clip(p: Path) -> bool:
    return p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES + TRACK_SUFFIXES and not p.name.startswith(".")


def _manifest(path: Path, default_movement: str) -> list[BatchItem]:
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise BatchError(f"{path}: cannot read the manifest ({e})") from None
    if not rows or "path" not in rows[0]:
        raise BatchError(f"{path}: a manifest needs a 'path' column (and optionally movement, side, hold_target_s, "
                         "time_scale)")
    items = []
    for n, row in enumerate(rows, start=2):
        p = (row.get("path") or "").strip()
        if not p:
            raise BatchError(f"{path}, line {n}: empty path")
        full = Path(p) if Path(p).is_absolute() else path.parent / p
        opts = {}
        for col, typ in OPTION_COLUMNS.items():
            v = (row.get(col) or "").strip()
            if v:
                try:
                    opts[col] = typ(v)
                except ValueError:
                    raise BatchError(f"{path}, line {n}: {col} must be a number, got {v!r}") from None
        if opts.get("side", "auto") not in ("auto", "left", "right"):
            raise BatchError(f"{path}, line {n}: side must be auto, left or right, got {opts['side']!r}")
        items.append(BatchItem(str(full), (row.get("movement") or "").strip() or default_movement, opts))
    return items


def collect(source: str | os.PathLike, default_movement: str = "auto") -> list[BatchItem]:
    """The clips of a folder, a glob pattern or a CSV manifest, each with a unique report name."""
    src = Path(source)
    if src.suffix.lower() == ".csv" and src.is_file():
        items = _manifest(src, default_movement)
        root = src.parent
    elif src.is_dir():
        root = src
        items = [BatchItem(str(p), default_movement) for p in sorted(src.rglob("*")) if _is_clip(p)]
    elif any(c in str(source) for c in "*?["):
        paths = sorted(Path(p) for p in glob.glob(str(source), recursive=True))
        root = Path(os.path.commonpath([str(p.parent) for p in paths])) if paths else Path(".")
        items = [BatchItem(str(p), default_movement) for p in paths if _is_clip(p)]
    elif src.exists():
        raise BatchError(f"{source}: expected a folder, a glob pattern or a .csv manifest")
    else:
        raise BatchError(f"{source}: no such folder or file")
    if not items:
        raise BatchError(f"{source}: no clips found (videos: {', '.join(VIDEO_SUFFIXES)}; tracks: .npz)")
    out, used = [], set()
    for it in items:
        try:
            rel = Path(it.path).resolve().relative_to(root.resolve())
        except ValueError:
            rel = Path(Path(it.path).name)
        name = "__".join(rel.with_suffix("").parts) or Path(it.path).stem
        base, k = name, 2
        while name in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name)
        out.append(BatchItem(it.path, it.movement, it.options, name))
    return out


# ---- one clip -------------------------------------------------------------------------------------


def _fingerprint(path: str) -> dict:
    st = os.stat(path)
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def analyze_item(item: BatchItem, estimator_for: Callable[[str, int | None], object], model: str = "full",
                 fast_tracking: bool = False) -> dict:
    """Analyse one clip with a worker's estimator. Returns {"item", "report"} or
    {"item", "error"} (one line); never raises for a bad clip."""
    from formcheck.pipeline import AUTO, Options, analyze, check_movement
    from formcheck.pose import extract_track

    t0 = time.perf_counter()
    try:
        movement = item.movement or AUTO  # AUTO: analyse() recognises the movement from the track
        check_movement(movement)
        opts = Options(model=model, **item.options)
        fp = _fingerprint(item.path) if os.path.exists(item.path) else None
        if Path(item.path).suffix.lower() in TRACK_SUFFIXES:
            from formcheck.pipeline import load_track

            track = load_track(item.path)
        else:
            from formcheck.models import resolve_model

            est = estimator_for(str(resolve_model(model)), 1 if fast_tracking else None)
            track = extract_track(item.path, estimator=est)
        report = analyze(track, movement, opts, item.path)
        report["batch"] = {"input": item.path, "movement": item.movement or AUTO, **(fp or {}), "seconds": round(time.perf_counter() - t0, 2)}
        return {"item": item, "report": report}
    except FormCheckError as e:
        return {"item": item, "error": str(e), "seconds": time.perf_counter() - t0}
    except Exception as e:  # noqa: BLE001 - one bad clip must not stop the batch; its error is listed
        msg = f"{type(e).__name__}: {e}".splitlines()[0] if str(e) else type(e).__name__
        return {"item": item, "error": f"{item.path}: unexpected error ({msg})", "seconds": time.perf_counter() - t0}


def summary_row(item: BatchItem, report: dict | None, error: str | None, report_path: str | None) -> dict:
    row = dict.fromkeys(SUMMARY_COLUMNS)
    row.update(path=item.path, movement=item.movement, status="error" if error else "ok", error=error or "")
    if report is not None:
        events = report["reps"] or report["holds"] or report["steps"]
        codes = sorted({f["code"] for e in events for f in e["faults"]})
        rec = report.get("recognised") or {}
        if rec:
            name = "none of these" if rec["movement"] is None else rec["movement"]
            row["recognised"] = f"{name}, {rec['confidence']:.0%}"
        row.update(movement=report["exercise"], reps=len(report["reps"]), holds=len(report["holds"]),
                   steps=len(report["steps"]), faulted=sum(1 for e in events if e["faults"]),
                   fault_codes=" ".join(codes), pose_coverage=report.get("pose_coverage"), view=report.get("view"),
                   side=report.get("side"), duration_s=report["source"].get("duration_s"),
                   seconds=(report.get("batch") or {}).get("seconds"), report=report_path)
    return row


# ---- workers --------------------------------------------------------------------------------------

def _worker_estimator(model_path: str, num_poses: int | None = None):
    """This worker's pose model: loaded once, a fresh tracker for each clip."""
    from formcheck.parallel import worker_estimator

    return worker_estimator(model_path, num_poses)


def _pool_task(item: BatchItem, model: str, fast: bool) -> dict:
    return analyze_item(item, _worker_estimator, model, fast)


def _run_local(items: list[BatchItem], jobs: int, model: str, fast: bool = False) -> Iterator[dict]:
    if jobs <= 1 or len(items) == 1:
        for it in items:
            yield analyze_item(it, _worker_estimator, model, fast)
        return
    from formcheck.parallel import _context

    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=_context()) as pool:
        futures = {pool.submit(_pool_task, it, model, fast): it for it in items}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as e:  # noqa: BLE001 - a worker that died (e.g. out of memory)
                it = futures[fut]
                yield {"item": it, "error": f"{it.path}: the worker analysing it failed ({type(e).__name__})"}


def _run_ray(items: list[BatchItem], jobs: int | None, model: str, address: str | None,
             fast: bool = False) -> Iterator[dict]:
    try:
        import ray
        from ray.util import ActorPool
    except ImportError:
        raise BatchError("--ray needs Ray: pip install 'formcheck[scale]'") from None
    started = False
    if not ray.is_initialized():
        # Ray reports usage statistics by default; formcheck sends nothing anywhere (docs/security.md).
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        kw = {"address": address} if address else {"include_dashboard": False}
        try:
            ray.init(logging_level="ERROR", log_to_driver=False, **kw)
        except Exception as e:  # noqa: BLE001 - e.g. no cluster at that address
            raise BatchError(f"cannot start or reach Ray{' at ' + address if address else ''}: {e}") from None
        started = True
    try:
        n = jobs or int(ray.cluster_resources().get("CPU", 1))
        n = max(1, min(n, len(items)))

        @ray.remote(num_cpus=1)
        class PoseWorker:  # one pose model per actor, loaded once
            def analyze(self, item: BatchItem) -> dict:
                return analyze_item(item, _worker_estimator, model, fast)

        pool = ActorPool([PoseWorker.remote() for _ in range(n)])
        yield from pool.map_unordered(lambda actor, it: actor.analyze.remote(it), items)
    finally:
        if started:
            ray.shutdown()


# ---- the batch ------------------------------------------------------------------------------------


def _done_report(path: Path, item: BatchItem) -> dict | None:
    """The report already in OUT for this clip, if it was made from this very file
    and asked for the same movement (or auto)."""
    try:
        rep = json.loads(path.read_text())
        b = rep.get("batch") or {}
        ok = (b.get("input") == item.path and b.get("movement", "auto") == (item.movement or "auto")
              and {k: b.get(k) for k in ("size", "mtime_ns")} == _fingerprint(item.path))
        return rep if ok else None
    except (OSError, ValueError, AttributeError):
        return None


def run_batch(items: list[BatchItem], out_dir: str | os.PathLike, jobs: int | None = None, model: str = "full",
              ray_address: str | None = None, use_ray: bool = False,
              progress: Callable[[int, int, int], None] | None = None, fast_tracking: bool = False) -> list[dict]:
    """Analyse every item (skipping those already done), write each report and the
    summary (CSV and Parquet) into out_dir; returns the summary rows in input order.
    `progress(done, total, failed)` after each clip."""
    from formcheck.parallel import default_jobs
    from formcheck.report import write_json

    out = Path(out_dir)
    reports = out / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict] = {}
    todo = []
    for it in items:
        path = reports / f"{it.name}.json"
        rep = _done_report(path, it)
        if rep is not None:
            rows[it.name] = summary_row(it, rep, None, str(path))
        else:
            todo.append(it)
    total, failed = len(items), 0
    if progress is not None:
        progress(len(rows), total, 0)
    if todo:
        if use_ray:
            results: Iterable[dict] = _run_ray(todo, jobs, model, ray_address, fast_tracking)
        else:
            results = _run_local(todo, jobs or default_jobs(), model, fast_tracking)
        for res in results:
            it = res["item"]
            if "report" in res:
                path = reports / f"{it.name}.json"
                write_json(res["report"], path)
                rows[it.name] = summary_row(it, res["report"], None, str(path))
            else:
                failed += 1
                rows[it.name] = summary_row(it, None, res["error"], None)
            if progress is not None:
                progress(len(rows), total, failed)
    ordered = [rows[it.name] for it in items]
    write_summary(ordered, out)
    return ordered


def write_summary(rows: list[dict], out: Path) -> tuple[Path, Path | None]:
    """summary.csv always; summary.parquet when pyarrow is installed."""
    csv_path = out / "summary.csv"
    with atomic_path(csv_path) as tmp, open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=SUMMARY_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow comes with streamlit
        sys.stderr.write("formcheck: note: pyarrow is not installed; summary.parquet not written\n")
        return csv_path, None
    cols = {c: [r[c] for r in rows] for c in SUMMARY_COLUMNS}
    types = {"reps": pa.int64(), "holds": pa.int64(), "steps": pa.int64(), "faulted": pa.int64(),
             "pose_coverage": pa.float64(), "duration_s": pa.float64(), "seconds": pa.float64()}
    table = pa.table({c: pa.array(v, type=types.get(c, pa.string())) for c, v in cols.items()})
    pq_path = out / "summary.parquet"
    with atomic_path(pq_path) as tmp:
        pq.write_table(table, tmp)
    return csv_path, pq_path
