"""Peak memory of saving an upload, as a ratio to the file's size, measured in one run.

The app receives an upload from Streamlit as an in-memory `UploadedFile` (Streamlit
holds the file once: 1.0x, released when the page no longer shows the widget) and
formcheck saves it to the data folder before analysing it. Measured here, each in a
fresh subprocess so its peak resident memory is its own:

  streamed   History.keep_upload(name, uploaded_file): copied to disk 1 MiB at a time
             (what app_pages/analyze.py does)
  copied     History.keep_upload(name, uploaded_file.getbuffer().tobytes()): the former
             way, one more whole copy in memory

Printed per way: peak resident memory above the process's baseline divided by the
file size (it includes Streamlit's own 1.0x), and tracemalloc's peak of Python
allocations during the save alone. Target: streamed < 1.5x.

    .venv/bin/python benchmarks/upload_memory.py [--mb 250]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, resource, sys, tempfile, tracemalloc
from pathlib import Path
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec
from formcheck.history import History

mb, way = int(sys.argv[1]), sys.argv[2]
size = mb * 1024 * 1024
hist = History(Path(tempfile.mkdtemp()) / "formcheck.db")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
data = os.urandom(size)  # the bytes Streamlit holds for the upload
upload = UploadedFile(UploadedFileRec("id", "clip.mp4", "video/mp4", data), FileURLs())
del data  # the UploadedFile keeps its own reference
tracemalloc.start()
if way == "streamed":
    path = hist.keep_upload(upload.name, upload)
else:
    path = hist.keep_upload(upload.name, upload.getbuffer().tobytes())
_, py_peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
assert path.stat().st_size == size
print(json.dumps({"rss_ratio": (peak - base) / size, "py_peak_ratio": py_peak / size,
                  "mode": oct(path.stat().st_mode & 0o777)}))
"""


def measure(mb: int, way: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(mb), way], capture_output=True, text=True, cwd=REPO,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=250, help="upload size in MiB (default 250)")
    args = ap.parse_args()
    results = {way: measure(args.mb, way) for way in ("streamed", "copied")}
    for way, r in results.items():
        print(f"{way:>9}: peak memory {r['rss_ratio']:.2f}x the {args.mb} MiB upload "
              f"(Python allocations during the save: {r['py_peak_ratio']:.3f}x), saved with mode {r['mode']}")
    ok = results["streamed"]["rss_ratio"] < 1.5
    print(f"streamed upload peak / file size = {results['streamed']['rss_ratio']:.2f}x "
          f"(target < 1.5x): {'OK' if ok else 'TOO HIGH'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
