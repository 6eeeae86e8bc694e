"""The result records: one rep, one hold, one running step, one fault found on it.

Offline analysis (`formcheck.analysis`), the live session (`formcheck.live`)
and running (`formcheck.gait`) build these; a report (docs/report.md) holds
their `to_json()` serialisation, and `from_json()` reads it back, refusing any
other shape (a missing field, a wrong type). History migrates reports saved by
older versions to this shape once, on open (`upgrade_events`), so readers never
guess between shapes. Pure Python: no numpy, no outside library.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["FaultHit", "Rep", "Hold", "Step", "SEVERITIES", "metrics_json", "parse_events", "upgrade_events"]

SEVERITIES = ("warn", "error")


def _need(d: Mapping, where: str, key: str, typ: type | tuple[type, ...], optional: bool = False) -> Any:
    """d[key], checked: ValueError naming `where` and the key when it is missing or of another type
    (an int passes for a float; a bool never passes for a number)."""
    if not isinstance(d, Mapping):
        raise ValueError(f"{where}: expected an object, got {type(d).__name__}")
    if key not in d:
        raise ValueError(f"{where}: missing {key!r}")
    v = d[key]
    if v is None and optional:
        return None
    types = typ if isinstance(typ, tuple) else (typ,)
    if float in types and isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, bool) and bool not in types:
        raise ValueError(f"{where}.{key}: expected {'/'.join(t.__name__ for t in types)}, got bool")
    if not isinstance(v, types):
        raise ValueError(f"{where}.{key}: expected {'/'.join(t.__name__ for t in types)}, got {type(v).__name__}")
    return v


def _metrics(d: Mapping, where: str) -> dict[str, float]:
    m = _need(d, where, "metrics", dict)
    for k, v in m.items():
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError(f"{where}.metrics.{k}: expected a number, got {type(v).__name__}")
    return dict(m)


def _strings(d: Mapping, where: str, key: str) -> tuple[str, ...]:
    vals = _need(d, where, key, list)
    if not all(isinstance(v, str) for v in vals):
        raise ValueError(f"{where}.{key}: expected a list of strings")
    return tuple(vals)


def _faults(d: Mapping, where: str) -> tuple[FaultHit, ...]:
    return tuple(FaultHit.from_json(f, f"{where}.faults[{k}]") for k, f in enumerate(_need(d, where, "faults", list)))


def metrics_json(metrics: Mapping[str, float], ndigits: int = 3) -> dict[str, float]:
    """An event's metrics as a report gives them: rounded, the non-finite ones left out."""
    return {k: round(v, ndigits) for k, v in metrics.items() if v is not None and math.isfinite(v)}


@dataclass(frozen=True)
class FaultHit:
    """One fault found on a rep, hold or step: its code, the cue shown to the
    person, its severity, the metric's value and the limit it crossed."""

    code: str
    message: str
    severity: str
    value: float
    limit: float

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"fault {self.code}: severity must be warn or error, got {self.severity!r}")

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message, "severity": self.severity, "value": self.value,
                "limit": self.limit}

    @classmethod
    def from_json(cls, d: Mapping, where: str = "fault") -> FaultHit:
        return cls(code=_need(d, where, "code", str), message=_need(d, where, "message", str),
                   severity=_need(d, where, "severity", str), value=_need(d, where, "value", float),
                   limit=_need(d, where, "limit", float))


@dataclass(frozen=True)
class Rep:
    """One counted rep. Times in video seconds; hold_s: the still time at the top
    (exercises with a hold at the top, else None); unjudged: the fault codes that
    could not be judged on it; form_judged: whether any posture fault was judged
    ('good form' needs one). metrics: not to be changed once built."""

    index: int
    set: int
    side: str
    start_s: float
    peak_s: float
    end_s: float
    hold_s: float | None
    partial: bool
    metrics: dict[str, float]
    faults: tuple[FaultHit, ...]
    unjudged: tuple[str, ...]
    form_judged: bool

    def to_json(self) -> dict:
        return {"index": self.index, "set": self.set, "side": self.side, "start_s": self.start_s,
                "peak_s": self.peak_s, "end_s": self.end_s, "hold_s": self.hold_s, "partial": self.partial,
                "metrics": dict(self.metrics), "faults": [f.to_json() for f in self.faults],
                "unjudged": list(self.unjudged), "form_judged": self.form_judged}

    @classmethod
    def from_json(cls, d: Mapping, where: str = "rep") -> Rep:
        return cls(index=_need(d, where, "index", int), set=_need(d, where, "set", int),
                   side=_need(d, where, "side", str), start_s=_need(d, where, "start_s", float),
                   peak_s=_need(d, where, "peak_s", float), end_s=_need(d, where, "end_s", float),
                   hold_s=_need(d, where, "hold_s", float, optional=True), partial=_need(d, where, "partial", bool),
                   metrics=_metrics(d, where), faults=_faults(d, where), unjudged=_strings(d, where, "unjudged"),
                   form_judged=_need(d, where, "form_judged", bool))


@dataclass(frozen=True)
class Hold:
    """One held stretch: side, start and end (video s), how long it was held
    (duration_s) against the target (target_s, None without one)."""

    side: str
    start_s: float
    end_s: float
    duration_s: float
    target_s: float | None
    metrics: dict[str, float]
    faults: tuple[FaultHit, ...]
    unjudged: tuple[str, ...]
    form_judged: bool
    # False for a still period whose stretch position the pose model could not
    # read (events.unread_holds): timed from the body keeping still, nothing judged.
    # Written only when False, so that other holds read as before.
    position_checked: bool = True
    # What the other leg did (events.other_leg_in_hold): "both" where the hold
    # stretched both legs at once, "unseen" where it was hidden (side-on, behind
    # the near leg). Written only when not "one", so that other holds read as before.
    other_leg: str = "one"

    def to_json(self) -> dict:
        return {"side": self.side, "start_s": self.start_s, "end_s": self.end_s, "duration_s": self.duration_s,
                "target_s": self.target_s, "metrics": dict(self.metrics),
                "faults": [f.to_json() for f in self.faults], "unjudged": list(self.unjudged),
                "form_judged": self.form_judged, **({} if self.position_checked else {"position_checked": False}),
                **({} if self.other_leg == "one" else {"other_leg": self.other_leg})}

    @classmethod
    def from_json(cls, d: Mapping, where: str = "hold") -> Hold:
        return cls(side=_need(d, where, "side", str), start_s=_need(d, where, "start_s", float),
                   end_s=_need(d, where, "end_s", float), duration_s=_need(d, where, "duration_s", float),
                   target_s=_need(d, where, "target_s", float, optional=True), metrics=_metrics(d, where),
                   faults=_faults(d, where), unjudged=_strings(d, where, "unjudged"),
                   form_judged=_need(d, where, "form_judged", bool),
                   position_checked=_need(d, where, "position_checked", bool) if "position_checked" in d else True,
                   other_leg=_need(d, where, "other_leg", str) if "other_leg" in d else "one")


@dataclass(frozen=True)
class Step:
    """One running step (a stance): the leg, the video times of initial contact,
    midstance and toe-off, whether contact and toe-off were estimated from the
    leg's usual timing rather than seen, its metrics and faults."""

    index: int
    side: str
    contact_s: float
    midstance_s: float
    toe_off_s: float
    timing_estimated: bool
    metrics: dict[str, float]
    faults: tuple[FaultHit, ...]

    def to_json(self) -> dict:
        return {"side": self.side, "contact_s": self.contact_s, "midstance_s": self.midstance_s,
                "toe_off_s": self.toe_off_s, "timing_estimated": self.timing_estimated,
                "metrics": dict(self.metrics), "faults": [f.to_json() for f in self.faults], "index": self.index}

    @classmethod
    def from_json(cls, d: Mapping, where: str = "step") -> Step:
        return cls(index=_need(d, where, "index", int), side=_need(d, where, "side", str),
                   contact_s=_need(d, where, "contact_s", float), midstance_s=_need(d, where, "midstance_s", float),
                   toe_off_s=_need(d, where, "toe_off_s", float),
                   timing_estimated=_need(d, where, "timing_estimated", bool), metrics=_metrics(d, where),
                   faults=_faults(d, where))

    def without_faults(self) -> Step:
        return replace(self, faults=())


def upgrade_events(report: dict) -> dict:
    """A report saved by an older formcheck, its reps, holds and steps brought to
    the records' shape (a copy; the input is not changed). What older versions
    did not write gets the value they implied: no list of unjudged faults and
    form counted as judged (before 2026-11-28), a step's index its position.
    Used once per stored report, by the history migration."""
    out = dict(report)
    out["reps"] = [dict({"partial": False, "unjudged": [], "form_judged": True}, **r) for r in report.get("reps", [])]
    out["holds"] = [dict({"unjudged": [], "form_judged": True}, **h) for h in report.get("holds", [])]
    out["steps"] = [dict({"index": k}, **s) for k, s in enumerate(report.get("steps", []), 1)]
    return out


def parse_events(report: Mapping) -> tuple[list[Rep], list[Hold], list[Step]]:
    """The reps, holds and steps of a report, as records (ValueError on any other shape)."""
    def each(key: str, cls) -> list:
        vals = report.get(key, [])
        if not isinstance(vals, list):
            raise ValueError(f"report.{key}: expected list, got {type(vals).__name__}")
        return [cls.from_json(v, f"report.{key}[{k}]") for k, v in enumerate(vals)]
    return each("reps", Rep), each("holds", Hold), each("steps", Step)

