"""What an exercise is: plain data.

An `Exercise` names its per-frame features (pure functions of a `Joints`
view), the feature that drives rep or hold detection, the metrics reduced over
each rep or hold, and the fault rules over those metrics, each with its cue, its
limit and the source of that limit. Adding an exercise is one module, one line
in the registry (`formcheck.exercises.EXERCISES`) and its tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from formcheck.features import Joints, landmark
from formcheck.reps import HoldParams, RepParams
from formcheck.views import VIEWS

__all__ = ["Cond", "Check", "Metric", "Fault", "Exercise", "FeatureFn", "REDUCERS", "EVENT_METRICS"]

FeatureFn = Callable[[Joints], np.ndarray]

# How a per-frame feature becomes one number per rep or hold:
# top_*: over the top phase (drive within the top quarter of that rep's excursion)
# change: top median minus the median over the 0.5 s before the rep (a drift from rest)
# abs_change: |change|;  rep_*: over the whole rep;  hold_*: over the whole hold
REDUCERS = ("top_median", "top_max", "top_min", "change", "abs_change",
            "rep_max", "rep_min", "rep_median", "hold_median", "hold_max", "hold_min")

# The pose model's error on a fault's reading, as Cond.margin: a reading past the
# limit by no more than this is no evidence of the fault (judging.judge leaves it
# unjudged and says so). Knee and shin angles: MediaPipe's knee angle against an
# IMU read -2.3+-6.4 deg from a true side view (Cosoli; clinical-criteria.md 1),
# so 8 deg (bias plus one SD). Other angles read on screen (hip, trunk): 10 deg,
# clinical-criteria.md 1: "flag only deviations of about 10 deg or more".
KNEE_MARGIN_DEG = 8.0
ANGLE_MARGIN_DEG = 10.0

# Metrics every rep gets from the engine itself (no feature needed).
EVENT_METRICS = {
    "peak_deg": "driving angle at the top (°)",
    "range_deg": "movement range from rest to top (°)",
    "range_share": "top as a share of your usual range (1.0 = full)",
    "up_s": "time to lift (s)",
    "down_s": "time to lower (s)",
    "min_phase_s": "shorter of lift and lowering time (s)",
    "duration_s": "rep duration (s)",
    "hold_s": "time held still at the top (s)",
}


@dataclass(frozen=True)
class Cond:
    """One fault condition: `metric op limit`, op being '>' or '<'.

    `target=True` marks the hold target (a hold shorter than it is a fault): `limit`
    is the exercise's default target, and a target the user set replaces it. It is
    the one place an exercise's hold target is written (`Exercise.hold_target_s`).

    `margin` is the pose model's error on the metric: a value past the limit by no
    more than it is no evidence either way (judging.judge leaves the fault
    unjudged, saying so), so that the estimator's error does not become a fault
    (clinical-criteria.md §1: rules must be looser than the estimator's error)."""

    metric: str
    op: str
    limit: float
    target: bool = False
    margin: float = 0.0

    def __post_init__(self) -> None:
        if self.op not in (">", "<"):
            raise ValueError(f"Cond.op: expected '>' or '<', got {self.op!r}")

    def said(self) -> str:
        """The condition as the generated docs write it: "`metric` op limit"."""
        return f"`{self.metric}` {self.op} {self.limit:g}"

    def limit_for(self, target_s: float | None = None) -> float:
        """The limit in force: the user's hold target for a target condition, if one was set."""
        return target_s if self.target and target_s is not None else self.limit

    def holds(self, value: float, target_s: float | None = None) -> bool:
        """Whether `value` breaks the condition (the one comparison every judge uses)."""
        limit = self.limit_for(target_s)
        return value > limit if self.op == ">" else value < limit

    def clearly(self, value: float, target_s: float | None = None) -> bool:
        """Whether `value` breaks the condition by more than the pose model's error (`margin`)."""
        limit = self.limit_for(target_s)
        return value > limit + self.margin if self.op == ">" else value < limit - self.margin


@dataclass(frozen=True)
class Check:
    """One condition of a stretch's position, per frame: `feature op limit`.

    A hold needs every check of its exercise to pass. `says` tells the user what
    was missing when no hold was found, formatted with {side}, {value} (the
    closest the clip came) and {limit}; None for a check that only picks the
    stretched side (nothing for the user to fix). `needs` names the landmarks
    the feature is read from (side-relative: 'knee', 'o_knee'), so that a check
    that failed because the pose model could not see them says so instead.
    `says_negative`, if given, is said instead for a value below zero, formatted
    with its size ({value} positive): "-1.0 shank lengths ahead" reads as a bug."""

    feature: str
    op: str
    limit: float
    says: str | None = None
    needs: tuple[str, ...] = ()
    says_negative: str | None = None

    def __post_init__(self) -> None:
        if self.op not in (">", "<"):
            raise ValueError(f"Check.op: expected '>' or '<', got {self.op!r}")

    def say(self, side: str, value: float) -> str:
        """`says` (or `says_negative`) for this side and value."""
        if self.says_negative is not None and value < 0:
            return self.says_negative.format(side=side, value=-value, limit=self.limit)
        return (self.says or "").format(side=side, value=value, limit=self.limit)

    def passes(self, values: np.ndarray) -> np.ndarray:
        """Per frame [N] bool; False where the feature is NaN."""
        with np.errstate(invalid="ignore"):
            return (values > self.limit) if self.op == ">" else (values < self.limit)


@dataclass(frozen=True)
class Metric:
    name: str
    feature: str
    reduce: str
    unit: str = "°"
    label: str = ""

    def __post_init__(self) -> None:
        if self.reduce not in REDUCERS:
            raise ValueError(f"Metric {self.name}: reduce must be one of {REDUCERS}, got {self.reduce!r}")


def _check_views(what: str, views: tuple[str, ...]) -> None:
    """A mistyped view name would leave a fault unjudged in every view: refuse it."""
    bad = [v for v in views if v not in VIEWS]
    if bad:
        raise ValueError(f"{what}: unknown camera view(s) {bad}; expected some of {list(VIEWS)}")


@dataclass(frozen=True)
class Fault:
    """A fault rule: flagged when any condition holds. `views` lists the camera
    views that can see it (None: any view). `source` cites the limit or says
    it is our own default."""

    code: str
    when: tuple[Cond, ...]
    cue: str
    label: str
    source: str
    views: tuple[str, ...] | None = None
    severity: str = "warn"
    # The landmarks the metric is read from, side-relative ('knee', 'o_ankle'):
    # the fault is judged only where they are seen well (judging.evidence_gaps).
    # Empty: read from the driving signal's timing and range alone.
    needs: tuple[str, ...] = ()
    # The metric is an angle read on screen along the hip-knee-ankle chain: judged
    # only where that leg lies in the image plane, i.e. its shank and thigh keep
    # their usual proportion on screen during the event (judging.evidence_gaps); a
    # leg turned toward the camera, or a knee landmark slid along the leg, shortens
    # one of them and bends the angle that is read.
    planar: bool = False
    # The segments (side-relative landmark pairs, e.g. ('o_shoulder', 'o_hip') for
    # the supporting side's trunk) of an angle read on screen at the hip or trunk:
    # judged only where each of them lies across the camera's view during the event
    # (judging.evidence_gaps); a trunk or thigh pointing toward the camera shows
    # short on screen and the angle it makes there is not the body's.
    in_plane: tuple[tuple[str, str], ...] = ()
    # The metric is read along this side's leg (its knee or ankle), which a camera
    # looking along the hip line sees only when the leg is the nearer one: judged
    # only where this side's hip is not the far one (judging.evidence_gaps); the
    # far leg is hidden behind the near one and its knee and ankle are guessed.
    near_leg: bool = False
    # Why the views left out of `views` cannot judge it, when the reason is not that
    # they cannot see the body part (said in the report instead of "this view cannot
    # see it"); empty: that generic reason.
    view_why: str = ""
    # Readings of other metrics under which this fault's own metric misreads (e.g. a
    # bent knee lowers the line a leg's raise is read along): where one of them
    # holds, the fault is not judged and `unread_why`, formatted with {value} (the
    # reading), says why (judging.judge).
    unread_when: tuple[Cond, ...] = ()
    unread_why: str = ""
    # The cue for a hold that stretched both legs at once (other_leg "both",
    # events.other_leg_in_hold), where `cue` speaks of one side and then the other;
    # empty: `cue` fits both.
    cue_both_legs: str = ""
    # Conditions that must all hold too, each on a finite reading, for a `when`
    # reading past its limit to be the fault (a shin reaching forward is an
    # overstride only with the foot well ahead of the hip). Empty: `when` decides.
    also: tuple[Cond, ...] = ()

    def also_said(self) -> str:
        """The `also` conditions as the generated docs append them to `when`'s."""
        return "".join(f" and {c.said()}" for c in self.also)

    def confirmed(self, metrics: Mapping[str, float | None]) -> bool:
        """Whether every `also` condition holds on a finite reading in `metrics`."""
        for c in self.also:
            v = metrics.get(c.metric)
            if v is None or not math.isfinite(v) or not c.holds(v):
                return False
        return True

    def __post_init__(self) -> None:
        if bool(self.unread_when) != bool(self.unread_why):
            raise ValueError(f"fault {self.code}: unread_when and unread_why go together")
        _check_views(f"fault {self.code}", self.views or ())
        if self.view_why and self.views is None:
            raise ValueError(f"fault {self.code}: view_why explains the views left out of `views`, and none are")
        if self.near_leg and not {"knee", "ankle"} & set(self.needs):
            raise ValueError(f"fault {self.code}: near_leg needs this side's knee or ankle in `needs`")
        if self.planar and not {"hip", "knee", "ankle"} <= set(self.needs):
            raise ValueError(f"fault {self.code}: planar needs the hip, knee and ankle in `needs`")
        for seg in self.in_plane:
            if len(seg) != 2 or seg[0] == seg[1]:
                raise ValueError(f"fault {self.code}: in_plane segments are pairs of two landmarks, got {seg!r}")
            for name in seg:
                try:
                    landmark(name, "left")
                except KeyError:
                    raise ValueError(f"fault {self.code}: unknown landmark {name!r} in in_plane") from None


@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    kind: str  # "reps" or "hold"
    drive: str  # feature name of the driving angle
    features: Mapping[str, FeatureFn]
    metrics: tuple[Metric, ...]
    faults: tuple[Fault, ...]
    views: tuple[str, ...]  # views in which the movement can be analysed at all
    best_view: str
    camera_tip: str
    rep: RepParams | None = None
    hold: HoldParams | None = None
    # Feature > 0.5 where this side is the working one (e.g. the top leg of a
    # clamshell); the drive is ignored elsewhere. None: every side is tried.
    active: str | None = None
    # In a fast set (reps.rep_rate_hz), where this side is seen but is not the
    # working one (`active` at 0), the drive reads this feature instead of
    # nothing: the straight leg raise's own leg elevation while the other leg is
    # up, so that in fast alternating raises each leg is seen to come back down
    # and its reps end (NaN there froze the rep until the set's end). Slow sets
    # keep NaN there: a resting leg's label swaps would read as reps. None: NaN.
    idle_drive: str | None = None
    # For holds: feature > 0.5 where the stretch position is there, or (position)
    # the checks that must all pass; position also explains a missed hold.
    in_position: str | None = None
    position: tuple[Check, ...] = ()
    # For holds: a still period whose position landmarks the pose model cannot see
    # is reported as a hold whose position was not checked (events.unread_holds).
    # Only where the stretch itself hides them (the figure-four's crossed ankle
    # points at the camera); not where ordinary standing does (a side view's far
    # ankle), which would make every still moment such a hold [own].
    unread_holds: bool = False
    # ... and the position checks (feature names) that must be read and pass there,
    # so that ordinary standing with a leg unseen is not such a hold (a lunge's
    # stance: the front foot more than a shank ahead of the back one).
    unread_reads: tuple[str, ...] = ()
    # For holds: other angles of the position (feature names) that a hold holds
    # too; a hold is cut to where they stay still within its band, so that a
    # set-up the driving angle does not tell apart is not counted into it
    # (events.find_holds, events._held_too).
    held_too: tuple[str, ...] = ()
    # For holds: feature > 0.5 where neither leg stands out as the stretched one
    # (a two-legged forward fold); a hold through which it does, with the other
    # leg in the position too, stretched both legs at once (events.other_leg_in_hold),
    # and the user is not told to switch sides. None: a stretch of one side.
    both_legs: str | None = None
    rep_hold: bool = False  # measure a still hold at the top of each rep
    # One leg works while the other bears weight (on all fours): reps of the two
    # legs that overlap in time cannot both be real, wherever they peak
    # (events.resolve_overlap); False where the legs may take turns with their
    # lifts and lowerings overlapping (alternating straight leg raises).
    one_leg_at_a_time: bool = False
    # Done on all fours: "from the feet end" is then "from behind you" (views.view_label).
    all_fours: bool = False
    # The landmarks the driving angle is read from (side-relative): a fault with no
    # `needs` of its own (read from the drive's range or timing: short_range,
    # too_fast) is judged only where these were seen well (judging.evidence_gaps).
    drive_needs: tuple[str, ...] = ()
    # A rep meeting any of these is another movement (e.g. a knee folded to the
    # chest is not a straight leg raise): not counted, and said so. `other_movement`
    # names it for the user. Read on the landmarks as tracked, not low-passed
    # (events.other_movement).
    not_a_rep: tuple[Cond, ...] = ()
    other_movement: str = ""
    # The furthest the driving angle goes in this movement (°); read beyond it for long,
    # the pose model is misplacing the limb, and the count is doubted (events.beyond_doubt).
    # None: no such limit.
    drive_max_deg: float | None = None
    set_pause_s: float = 8.0  # a longer pause between reps starts a new set [own]
    target_reps: int = 15  # 3 sets of 15 (the routine in the brief)
    smooth_hz: float = 3.0  # offline low-pass cut-off (cleaning.SMOOTH_HZ_SLOW) [own]
    # Where limbs pass each other on screen, undo label repairs longer than this
    # unless segment lengths back them (cleaning.revert_long_swaps); None: keep all.
    long_swap_s: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("reps", "hold"):
            raise ValueError(f"Exercise {self.name}: kind must be 'reps' or 'hold', got {self.kind!r}")
        names = set(self.features)
        if self.drive not in names:
            raise ValueError(f"Exercise {self.name}: drive {self.drive!r} is not one of its features {sorted(names)}")
        for m in self.metrics:
            if m.feature not in names:
                raise ValueError(f"Exercise {self.name}: metric {m.name} uses unknown feature {m.feature!r}")
        known = {m.name for m in self.metrics} | set(EVENT_METRICS)
        for c in self.not_a_rep:
            if c.metric not in known:
                raise ValueError(f"Exercise {self.name}: not_a_rep uses unknown metric {c.metric!r}")
        for f in self.faults:
            for c in (*f.when, *f.also):
                if c.metric not in known:
                    raise ValueError(f"Exercise {self.name}: fault {f.code} uses unknown metric {c.metric!r}")
        for name in self.held_too:
            if name not in names:
                raise ValueError(f"Exercise {self.name}: held_too names unknown feature {name!r}")
        for name in self.unread_reads:
            if name not in {c.feature for c in self.position}:
                raise ValueError(f"Exercise {self.name}: unread_reads names {name!r}, not a position check")
        for check in self.position:
            if check.feature not in names:
                raise ValueError(f"Exercise {self.name}: position check uses unknown feature {check.feature!r}")
        if (self.kind == "reps") != (self.rep is not None) or (self.kind == "hold") != (self.hold is not None):
            raise ValueError(f"Exercise {self.name}: a reps exercise needs `rep`, a hold exercise needs `hold`")
        _check_views(f"Exercise {self.name}", self.views)
        if self.best_view not in self.views:
            raise ValueError(f"Exercise {self.name}: best_view {self.best_view!r} is not one of its views {self.views}")
        # The hold target: one condition, on the hold's length (a held stretch) or on the
        # still time at the top of each rep (rep_hold); nowhere else.
        timed = "duration_s" if self.kind == "hold" else "hold_s" if self.rep_hold else None
        targets = [c for f in self.faults for c in f.when if c.target] + [c for c in self.not_a_rep if c.target]
        if timed is None and targets:
            raise ValueError(f"Exercise {self.name}: only hold exercises (or rep_hold) have a hold target")
        if timed is not None and [(c.metric, c.op) for c in targets] != [(timed, "<")]:
            raise ValueError(f"Exercise {self.name}: needs exactly one hold target, a fault Cond({timed!r}, '<', "
                             f"seconds, target=True); found {targets}")

    @property
    def hold_target_s(self) -> float | None:
        """The default hold target in seconds (held stretches; the top hold of a rep_hold
        exercise), None for exercises without one. The user's own target replaces it."""
        return next((c.limit for f in self.faults for c in f.when if c.target), None)

    def fault(self, code: str) -> Fault:
        for f in self.faults:
            if f.code == code:
                return f
        raise KeyError(code)
