#!/usr/bin/env bash
# Lints (ruff) and type-checks (mypy) the code, then runs the whole test suite (unit, synthetic-kit, end-to-end on sample_videos, browser).
# pytest's exit code 5 means "no tests collected": report it plainly instead of failing obscurely.
set -uo pipefail
VENV=${1:-.venv}
cd "$(dirname "$0")/.."
# Lint first: any finding fails the run before the (long) test suite starts.
"$VENV/bin/ruff" check formcheck formcheck_synth app.py app_pages tests benchmarks || {
  echo "ruff check found problems (above); fix them before the tests run" >&2
  exit 1
}
# Type-check the runtime package ([tool.mypy] in pyproject.toml; about a minute on 2 cores, cached after).
"$VENV/bin/mypy" || {
  echo "mypy found type errors in formcheck (above); fix them before the tests run" >&2
  exit 1
}
"$VENV/bin/python" -m pytest "${@:2}"
rc=$?
if [ "$rc" = "5" ]; then
  echo "pytest collected no tests (exit 5)" >&2
  exit 0
fi
exit $rc
