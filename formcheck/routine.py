"""Today's routine: the programme as data, and a pure state machine that runs it.

A `Routine` is a list of `Step`s (movement, sets, reps or hold seconds, rest,
sides). `RoutineState` says where the person is: which movement, side and set,
and whether they are getting ready, working, resting or switching sides. Every
transition is a pure function `(state, t, ...) -> (state, prompts)`, driven by
the live engine's rep and hold events and by the clock (`tick`); `prompts` are
the short sentences to show and speak ("Switch to your left side").

The order is: for each movement, for each side, every set of that side; a rest
between sets, a side switch between sides, a set-up card before each movement.
No OpenCV, MediaPipe or Streamlit here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace

from formcheck.exercises import EXERCISES
from formcheck.safe_io import atomic_write_text

__all__ = [
    "Step", "Routine", "Slot", "SetLog", "RoutineState", "SEED_ROUTINE", "PHASES",
    "slots", "begin", "tick", "rep", "hold", "ready", "skip", "repeat", "finish",
    "status_line", "seconds_left", "prescribed_vs_done", "routine_from_dict", "routine_to_dict",
    "load_routine", "save_routine",
]

PHASES = ("setup", "work", "rest", "switch", "done")
SIDES = ("right", "left")


@dataclass(frozen=True)
class Step:
    """One movement of the programme. `reps` per set for rep movements; `hold_s`
    is the hold per set for stretches, or the pause at the top of each rep for
    movements that have one (straight leg raise)."""

    movement: str
    sets: int = 3
    reps: int | None = 15
    hold_s: float | None = None
    rest_s: float = 45.0
    sides: tuple[str, ...] = SIDES

    def __post_init__(self) -> None:
        if self.movement not in EXERCISES:
            raise ValueError(f"Step: unknown movement {self.movement!r}; expected one of {', '.join(EXERCISES)}")
        if not 1 <= self.sets <= 20:
            raise ValueError(f"Step {self.movement}: sets must be 1 to 20, got {self.sets}")
        if not self.sides or any(s not in SIDES for s in self.sides) or len(set(self.sides)) != len(self.sides):
            raise ValueError(f"Step {self.movement}: sides must be some of {SIDES}, got {self.sides}")
        if self.rest_s < 0:
            raise ValueError(f"Step {self.movement}: rest must be 0 s or more, got {self.rest_s}")
        if self.kind == "reps" and (self.reps is None or not 1 <= self.reps <= 100):
            raise ValueError(f"Step {self.movement}: reps per set must be 1 to 100, got {self.reps}")
        if self.kind == "hold" and (self.hold_s is None or not 1 <= self.hold_s <= 600):
            raise ValueError(f"Step {self.movement}: hold must be 1 to 600 s, got {self.hold_s}")

    @property
    def kind(self) -> str:
        return EXERCISES[self.movement].kind

    @property
    def title(self) -> str:
        return EXERCISES[self.movement].title

    def target(self) -> float:
        """Reps per set, or seconds per hold."""
        return float(self.reps if self.kind == "reps" else self.hold_s)


@dataclass(frozen=True)
class Routine:
    name: str
    steps: tuple[Step, ...]
    get_ready_s: float = 15.0  # set-up countdown before each movement (or press Ready) [own]
    switch_s: float = 10.0  # time to turn over to the other side [own]

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("Routine: needs at least one movement")
        if self.get_ready_s < 0 or self.switch_s < 0:
            raise ValueError("Routine: get-ready and switch times must be 0 s or more")


def _at_targets(movement: str, sets: int, rest_s: float) -> Step:
    """A step at the exercise's own targets (Exercise.target_reps, Exercise.hold_target_s),
    so the programme and the checker never disagree on a number."""
    ex = EXERCISES[movement]
    return Step(movement, sets, reps=ex.target_reps if ex.kind == "reps" else None, hold_s=ex.hold_target_s,
                rest_s=rest_s)


# The seed programme (README): four strength moves at 3 sets of 15 per side, the straight
# leg raise held 3 s at the top, three stretches held 30 s per side (Bandy & Irion 1997:
# 30 s as good as 60 s; ACSM 2021: 10-30 s, clinical-criteria.md §4); the reps and holds
# are the exercises' own targets.
# Rest 45 s between sets: the ACSM 2009 position stand advises short rests (under 1-2 min)
# for muscular-endurance sets of 10-15+ reps; 45 s within that is [own].
SEED_ROUTINE = Routine("Runner's knee: daily programme", (
    _at_targets("clamshell", 3, rest_s=45),
    _at_targets("donkey_kick", 3, rest_s=45),
    _at_targets("fire_hydrant", 3, rest_s=45),
    _at_targets("straight_leg_raise", 3, rest_s=45),
    _at_targets("hamstring_stretch", 1, rest_s=0),
    _at_targets("running_lunge", 1, rest_s=0),
    _at_targets("figure_four", 1, rest_s=0),
))


@dataclass(frozen=True)
class Slot:
    """One set to do: step index, side, set number (1-based) of that side."""

    step: int
    side: str
    set_no: int


def slots(routine: Routine) -> tuple[Slot, ...]:
    """Every set in order: movements in turn, each side's sets together."""
    return tuple(Slot(k, side, n) for k, st in enumerate(routine.steps) for side in st.sides
                 for n in range(1, st.sets + 1))


@dataclass(frozen=True)
class SetLog:
    """One finished (or skipped) set: what was prescribed and what was done."""

    step: int
    movement: str
    side: str
    set_no: int
    target: float  # reps, or seconds to hold
    done: float  # reps counted, or seconds held
    skipped: bool
    start_t: float | None
    end_t: float


@dataclass(frozen=True)
class RoutineState:
    routine: Routine
    slot: int = 0
    phase: str = "setup"
    phase_t: float = 0.0  # when the current phase began (s)
    reps: int = 0  # reps counted in the current set
    held_s: float = 0.0  # longest hold in the current set (s)
    work_t: float | None = None  # when the current set began
    log: tuple[SetLog, ...] = field(default=())

    @property
    def current(self) -> Slot | None:
        s = slots(self.routine)
        return s[self.slot] if self.slot < len(s) else None

    @property
    def step(self) -> Step | None:
        cur = self.current
        return self.routine.steps[cur.step] if cur is not None else None


def begin(routine: Routine, t: float = 0.0) -> tuple[RoutineState, list[str]]:
    """The routine at its start: the first movement's set-up card."""
    st = RoutineState(routine, phase_t=t)
    return st, [_setup_prompt(st)]


def _setup_prompt(st: RoutineState) -> str:
    step = st.step
    return f"Get ready: {step.title.lower()}, {st.current.side} side"


def _work(st: RoutineState, t: float) -> tuple[RoutineState, list[str]]:
    st = replace(st, phase="work", phase_t=t, reps=0, held_s=0.0, work_t=t)
    step, cur = st.step, st.current
    what = f"{step.reps} rep{'s' if step.reps != 1 else ''}" if step.kind == "reps" else f"hold {step.hold_s:.0f} seconds"
    return st, [f"Set {cur.set_no} of {step.sets}, {cur.side} side: {what}. Go"]


def _advance(st: RoutineState, t: float) -> tuple[RoutineState, list[str]]:
    """Move past the current slot: rest, switch sides, the next movement, or done."""
    all_slots = slots(st.routine)
    prev = st.current
    nxt = st.slot + 1
    st = replace(st, slot=nxt, reps=0, held_s=0.0, work_t=None, phase_t=t)
    if nxt >= len(all_slots):
        return replace(st, phase="done"), ["Routine complete. Well done"]
    new = all_slots[nxt]
    if new.step != prev.step:
        st = replace(st, phase="setup")
        return st, [f"Next: {st.step.title.lower()}"]
    if new.side != prev.side:
        if st.routine.switch_s <= 0:
            return _work(st, t)
        return replace(st, phase="switch"), [f"Switch to your {new.side} side"]
    rest = st.routine.steps[prev.step].rest_s
    if rest <= 0:
        return _work(st, t)
    return replace(st, phase="rest"), [f"Rest {rest:.0f} seconds"]


def _close_set(st: RoutineState, t: float, skipped: bool) -> RoutineState:
    cur, step = st.current, st.step
    done = float(st.reps) if step.kind == "reps" else round(st.held_s, 1)
    entry = SetLog(cur.step, step.movement, cur.side, cur.set_no, step.target(), done, skipped, st.work_t, t)
    return replace(st, log=(*st.log, entry))


def seconds_left(st: RoutineState, t: float) -> float | None:
    """Seconds left in a timed phase (set-up, rest, switch); None otherwise."""
    if st.phase == "setup":
        total = st.routine.get_ready_s
    elif st.phase == "switch":
        total = st.routine.switch_s
    elif st.phase == "rest":
        prev = slots(st.routine)[st.slot - 1]
        total = st.routine.steps[prev.step].rest_s
    else:
        return None
    return max(0.0, total - (t - st.phase_t))


def tick(st: RoutineState, t: float) -> tuple[RoutineState, list[str]]:
    """The clock: a timed phase that has run out starts the next set."""
    left = seconds_left(st, t)
    if left is not None and left <= 0:
        return _work(st, t)
    return st, []


def ready(st: RoutineState, t: float) -> tuple[RoutineState, list[str]]:
    """The person says they are ready: end the set-up, rest or switch now."""
    if st.phase in ("setup", "rest", "switch"):
        return _work(st, t)
    return st, []


def rep(st: RoutineState, t: float) -> tuple[RoutineState, list[str]]:
    """The live engine counted a rep. Counted only while working."""
    if st.phase != "work" or st.step.kind != "reps":
        return st, []
    st = replace(st, reps=st.reps + 1)
    if st.reps >= st.step.reps:
        st = _close_set(st, t, skipped=False)
        nxt, prompts = _advance(st, t)
        return nxt, [f"Set {st.current.set_no} done", *prompts]
    return st, []


def hold(st: RoutineState, t: float, held_s: float) -> tuple[RoutineState, list[str]]:
    """The live engine reports the current hold has lasted `held_s` seconds."""
    if st.phase != "work" or st.step.kind != "hold":
        return st, []
    st = replace(st, held_s=max(st.held_s, float(held_s)))
    if st.held_s >= st.step.hold_s:
        st = _close_set(st, t, skipped=False)
        nxt, prompts = _advance(st, t)
        return nxt, ["Hold done", *prompts]
    return st, []


def skip(st: RoutineState, t: float) -> tuple[RoutineState, list[str]]:
    """Skip the rest of the current movement (its remaining sets are logged as
    skipped, with what was done of the current one) and go to the next one."""
    if st.phase == "done":
        return st, []
    k = st.current.step
    all_slots = slots(st.routine)
    while st.current is not None and st.current.step == k:
        st = _close_set(st, t, skipped=True)  # what was done of the set in progress is kept
        st = replace(st, slot=st.slot + 1, phase="skipping", reps=0, held_s=0.0, work_t=None)
    if st.slot >= len(all_slots):
        return replace(st, phase="done", phase_t=t), ["Routine complete"]
    st = replace(st, phase="setup", phase_t=t)
    return st, [f"Skipped. Next: {st.step.title.lower()}"]


def repeat(st: RoutineState, t: float) -> tuple[RoutineState, list[str]]:
    """Do a set again: while working, start the current set over; while resting
    or switching, go back to the set just finished (the earlier attempt stays in
    the log; prescribed-versus-done takes the last attempt of each set)."""
    if st.phase == "work":
        return _work(st, t)
    if st.phase in ("rest", "switch", "done") and st.slot > 0:
        back = replace(st, slot=st.slot - 1)
        return _work(back, t)
    return st, []


def finish(st: RoutineState, t: float) -> RoutineState:
    """Stop early: the set in progress is logged with what was done, the
    remaining sets as skipped."""
    if st.phase == "done":
        return st
    while st.current is not None:
        st = _close_set(st, t, skipped=not (st.phase == "work" and (st.reps or st.held_s)))
        st = replace(st, slot=st.slot + 1, phase="stopped", reps=0, held_s=0.0, work_t=None)
    return replace(st, phase="done", phase_t=t)


def status_line(st: RoutineState, t: float) -> str:
    """One line for the screen: "Clamshell · set 2 of 3 · rep 9 of 15 · right side"."""
    if st.phase == "done":
        return "Routine complete"
    step, cur = st.step, st.current
    left = seconds_left(st, t)
    if st.phase == "setup":
        return f"Get ready: {step.title} · {cur.side} side · starts in {left:.0f} s"
    if st.phase == "rest":
        return f"Rest {left:.0f} s · next: {step.title.lower()} set {cur.set_no} of {step.sets} · {cur.side} side"
    if st.phase == "switch":
        return f"Switch to your {cur.side} side · {left:.0f} s"
    if step.kind == "reps":
        return f"{step.title} · set {cur.set_no} of {step.sets} · rep {st.reps} of {step.reps} · {cur.side} side"
    return f"{step.title} · set {cur.set_no} of {step.sets} · held {st.held_s:.0f} of {step.hold_s:.0f} s · {cur.side} side"


def prescribed_vs_done(routine: Routine, log: tuple[SetLog, ...] | list[SetLog]) -> list[dict]:
    """Per movement: sets and reps (or hold seconds) prescribed and done. The
    last attempt of each set counts; a set is done when its target was reached."""
    last: dict[tuple[int, str, int], SetLog] = {}
    for e in log:
        last[(e.step, e.side, e.set_no)] = e
    out = []
    for k, step in enumerate(routine.steps):
        entries = [e for (s, _side, _n), e in last.items() if s == k]
        full = [e for e in entries if not e.skipped and e.done >= e.target]
        per_set = step.target()
        row = {"movement": step.movement, "title": step.title, "kind": step.kind, "sides": list(step.sides),
               "sets_prescribed": step.sets * len(step.sides), "sets_done": len(full),
               "per_set": per_set, "skipped_sets": sum(1 for e in entries if e.skipped)}
        if step.kind == "reps":
            row["reps_prescribed"] = int(per_set * step.sets * len(step.sides))
            row["reps_done"] = int(sum(e.done for e in entries))
        else:
            row["hold_s_prescribed"] = per_set
            row["holds_done"] = len(full)
            row["hold_s_best"] = {side: max((e.done for e in entries if e.side == side), default=0.0)
                                  for side in step.sides}
        out.append(row)
    return out


def routine_to_dict(routine: Routine) -> dict:
    return {"name": routine.name, "get_ready_s": routine.get_ready_s, "switch_s": routine.switch_s,
            "steps": [dict(asdict(s), sides=list(s.sides)) for s in routine.steps]}


def routine_from_dict(d: dict) -> Routine:
    """A routine from its JSON form (as saved, or as edited in the app); raises
    ValueError with the reason if a field is wrong."""
    try:
        steps = tuple(Step(movement=str(s["movement"]), sets=int(s.get("sets", 1)),
                           reps=None if s.get("reps") in (None, "") else int(s["reps"]),
                           hold_s=None if s.get("hold_s") in (None, "") else float(s["hold_s"]),
                           rest_s=float(s.get("rest_s", 0)), sides=tuple(s.get("sides", SIDES)))
                      for s in d["steps"])
        return Routine(str(d.get("name", "My routine")), steps, float(d.get("get_ready_s", 15.0)),
                       float(d.get("switch_s", 10.0)))
    except (KeyError, TypeError) as e:
        raise ValueError(f"routine: missing or malformed field ({e})") from e


def load_routine(path) -> Routine:
    """The routine saved at `path` (JSON), or the seed programme if there is none
    or it cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            return routine_from_dict(json.load(f))
    except (OSError, ValueError):
        return SEED_ROUTINE


def save_routine(path, routine: Routine) -> None:
    """Write the routine as JSON, atomically and owner-only (it is the user's own programme)."""
    atomic_write_text(path, json.dumps(routine_to_dict(routine), indent=1), private=True)
