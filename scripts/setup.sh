#!/usr/bin/env bash
# Installs everything formcheck, its app and its tests need. Idempotent.
set -euo pipefail
VENV=${1:-.venv}
cd "$(dirname "$0")/.."
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
# torch is pinned to the CPU build (2.13.0); the [synth] extra must never pull a CUDA build.
# [scale] (Ray) is there for the batch tests (tests/test_batch.py runs a small batch on a local Ray instance).
# constraints.txt holds the exact versions the suite last passed with on a clean clone.
"$VENV/bin/python" -m pip install -q -c constraints.txt -e ".[test,synth,scale]"
# The test generator (formcheck_synth: synthetic motion, pose kit, avatar renderer) is its own
# development-only distribution beside the runtime package; it is never in formcheck's wheel.
"$VENV/bin/python" -m pip install -q --no-deps -e ./formcheck_synth
# Debian packages some tests need, installed when missing and we are root: need CMD PACKAGE WHAT-FOR
need() {
  if command -v "$1" >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's $2 for $3..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null) \
      || echo "warning: could not install $2; $3 will be skipped" >&2
  else
    echo "note: $1 not found and not root; $3 will be skipped" >&2
  fi
}
# Chromium for the real-browser tests (Playwright's own browser download does not work offline).
need chromium chromium "the browser tests"
# strace for the no-network test (tests/test_privacy.py traces every network call).
need strace strace "the no-network test"
