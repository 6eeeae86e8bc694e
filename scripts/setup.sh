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
"$VENV/bin/python" -m pip install -q -e ".[test,synth,scale]"
# Debian's Chromium for the real-browser tests (Playwright's own browser download does not work offline).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install chromium; browser tests will be skipped" >&2
  else
    echo "note: chromium not found and not root; browser tests will be skipped" >&2
  fi
fi
# Debian's strace for the no-network test (tests/test_privacy.py traces every network call).
if ! command -v strace >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's strace for the no-network test..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null) \
      || echo "warning: could not install strace; the no-network test will be skipped" >&2
  else
    echo "note: strace not found and not root; the no-network test will be skipped" >&2
  fi
fi
