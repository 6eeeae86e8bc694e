"""Checking option values at the edge (CLI and app), with one clear line each.

Every limit here is a sanity bound, not a clinical threshold: [own] defaults.
"""

from __future__ import annotations

import argparse
import math

__all__ = ["HOLD_MAX_S", "HOLD_FIELD_MIN_S", "HOLD_FIELD_STEP_S", "TIME_SCALE_MAX", "STRIDE_MAX", "check_hold", "check_time_scale", "check_stride",
           "arg_hold", "arg_time_scale", "arg_stride"]

HOLD_MAX_S = 600.0  # a 10-minute hold target is already far beyond any protocol [own]
# The app's hold-target field: from 1 s in 1 s steps, so that the holds of a few
# seconds people really do (real clips, issue 10: 3-5 s folds and lunges) can be
# set; the hold finder needs 3 s of stillness (reps.HoldParams.min_hold_s), or the
# target where shorter but never under 2 s (reps.hold_params), and a shorter
# target also stops short_hold flagging those holds [own].
HOLD_FIELD_MIN_S = 1.0
HOLD_FIELD_STEP_S = 1.0
TIME_SCALE_MAX = 100.0  # real seconds per video second; time-lapse beyond 100x is no exercise clip [own]
STRIDE_MAX = 30  # every 30th frame is ~1 fps at 30 fps; sparser cannot follow a rep [own]


def _number(text: str | float, what: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {text!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{what} must be a finite number, got {text!r}")
    return v


def check_hold(value: str | float) -> float:
    v = _number(value, "the hold target")
    if not 0 < v <= HOLD_MAX_S:
        raise ValueError(f"the hold target must be more than 0 and at most {HOLD_MAX_S:.0f} seconds, got {value}")
    return v


def check_time_scale(value: str | float) -> float:
    v = _number(value, "the time scale")
    if not 0 < v <= TIME_SCALE_MAX:
        raise ValueError(f"the time scale must be more than 0 and at most {TIME_SCALE_MAX:.0f} "
                         f"(real seconds per video second; 0.25 for 4x slow motion), got {value}")
    return v


def check_stride(value: str | int) -> int:
    try:
        v = int(str(value).strip())
    except ValueError:
        raise ValueError(f"the stride must be a whole number, got {value!r}") from None
    if not 1 <= v <= STRIDE_MAX:
        raise ValueError(f"the stride must be from 1 to {STRIDE_MAX}, got {value}")
    return v


def _arg(check):
    def parse(text: str):
        try:
            return check(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parse.__name__ = check.__name__.replace("check_", "")
    return parse


arg_hold = _arg(check_hold)
arg_time_scale = _arg(check_time_scale)
arg_stride = _arg(check_stride)
