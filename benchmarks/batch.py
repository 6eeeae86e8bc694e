"""Batch throughput: clips per minute for `formcheck batch` on the local worker
pool and on a local Ray instance, measured in one run on the same clips.

By default the clips are sample_videos/<movement>.mp4 (8 own renders, 10-20 s
each). Ray runs on this machine (all its cores, dashboard off, loopback only);
its start-up time is printed apart and not counted in its clips per minute.

    .venv/bin/python benchmarks/batch.py [--clips DIR|GLOB|MANIFEST] [--jobs N] [--no-ray]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> int:
    from formcheck.batch import BatchItem, collect, run_batch
    from formcheck.parallel import default_jobs
    from formcheck.video import probe

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", default=None, help="default: the sample clips")
    ap.add_argument("--jobs", type=int, default=default_jobs())
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    if args.clips:
        items = collect(args.clips)
    else:
        samples = sorted(p for p in (REPO / "sample_videos").glob("*.mp4") if "." not in p.stem)
        items = [BatchItem(str(p), p.stem, {}, p.stem) for p in samples]
    frames = sum(probe(it.path).frames for it in items if not it.path.endswith(".npz"))
    print(f"{len(items)} clips, {frames} frames; {os.cpu_count()} cores, jobs {args.jobs}")
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    results = {}
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        rows = run_batch(items, Path(d) / "local", jobs=args.jobs)
        results["local pool"] = (time.perf_counter() - t0, rows)
        if not args.no_ray:
            try:
                import ray
            except ImportError:
                print("Ray: not installed (pip install 'formcheck[scale]')")
            else:
                t0 = time.perf_counter()
                ray.init(num_cpus=args.jobs, include_dashboard=False, _node_ip_address="127.0.0.1",
                         logging_level="ERROR", log_to_driver=False)
                startup = time.perf_counter() - t0
                try:
                    t0 = time.perf_counter()
                    rows = run_batch(items, Path(d) / "ray", jobs=args.jobs, use_ray=True)
                    results["Ray (local)"] = (time.perf_counter() - t0, rows)
                finally:
                    ray.shutdown()
                print(f"Ray start-up: {startup:.1f} s (not counted below)")
    for name, (secs, rows) in results.items():
        ok = sum(r["status"] == "ok" for r in rows)
        print(f"{name:<12}: {len(rows) / secs * 60:6.1f} clips/min, {frames / secs:6.1f} frames/s, {secs:6.1f} s, "
              f"{ok}/{len(rows)} ok")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
