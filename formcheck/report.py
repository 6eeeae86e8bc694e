"""The report contract (docs/report.md) and its plain-language summary.

`finish_report` adds the schema, source and summary blocks to an analysis
body; `summary_text` renders a report as the rep-by-rep text the CLI prints.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

from formcheck.exercises import EXERCISES, MOVEMENTS
from formcheck.landmarks import PoseTrack
from formcheck.overlay_text import GOOD_REP, REP_NOT_JUDGED
from formcheck.results import parse_events
from formcheck.safe_io import atomic_write_text, dumps_json
from formcheck.views import ON_BACK_NOTE, ON_BACK_UNREAD, VIEW_LABELS, on_back_unread
from formcheck.wording import a_movement, count

# The reason judging.check_faults gives a check the camera view cannot make.
VIEW_CANNOT_SEE = "this camera view cannot see it"

__all__ = ["SCHEMA", "finish_report", "recognised_line", "camera_view_words", "form_kind", "good_form_count", "GOOD_FORM", "NOT_ONE_OF_THEM", "movement_words", "PARTLY_JUDGED", "FAULT_FOUND",
           "FORM_NOT_JUDGED", "hold_side", "rep_cue", "recognised_text", "summary_text", "review_notes", "write_json",
           "validate_report"]

SCHEMA = "formcheck.report/1"


def finish_report(body: dict, track: PoseTrack, source_path: str | None = None) -> dict:
    """Wrap an analysis body (from analysis.analyze_track or gait.analyze_running)
    into a full formcheck.report/1 document."""
    duration = track.duration_s
    faults = Counter(f["code"] for ev in body.get("reps", []) + body.get("holds", []) + body.get("steps", [])
                     for f in ev["faults"])
    report = {
        "schema": SCHEMA,
        "exercise": body["exercise"],
        "source": {
            "path": str(source_path if source_path is not None else track.source),
            "fps": round(float(track.fps), 3),
            "frames": int(len(track)),
            "duration_s": round(duration, 3),
            "width": int(track.width),
            "height": int(track.height),
        },
        "pose_coverage": body.get("pose_coverage", round(track.coverage, 4)),
        "view": body.get("view"),
        "side": body.get("side"),
        "reps": body.get("reps", []),
        "holds": body.get("holds", []),
        "steps": body.get("steps", []),
        "summary": {
            "rep_count": len(body.get("reps", [])),
            "hold_count": len(body.get("holds", [])),
            "step_count": len(body.get("steps", [])),
            "fault_counts": dict(sorted(faults.items())),
        },
        "warnings": list(track.meta.get("decode_warnings", [])) + list(body.get("warnings", [])),
    }
    if isinstance(track.meta.get("pose_mode"), dict):  # how the landmarker ran (pose.pose_mode)
        report["source"]["pose_mode"] = dict(track.meta["pose_mode"])
    for extra in ("lying_on_back", "unjudged", "unjudged_reasons", "gait", "advice", "sets", "graded", "ungraded_reason", "mismatch",
                  "recognised"):
        if extra in body:
            report[extra] = body[extra]
    if report["reps"]:
        report["summary"]["sets"] = max(r["set"] for r in report["reps"])
        # 'Good form' needs evidence: a rep with no fault counts as clean only
        # where at least one posture fault could be judged.
        report["summary"]["clean_reps"] = sum(1 for r in report["reps"] if not r["faults"] and r["form_judged"])
        report["summary"]["unjudged_reps"] = sum(1 for r in report["reps"] if not r["faults"] and not r["form_judged"])
    return report


def _checks(exercise: str) -> dict[str, str]:
    """The exercise's fault checks: code -> label (empty for running or an
    unrecognised clip, whose events have none)."""
    ex = EXERCISES.get(exercise)
    return {f.code: f.label for f in ex.faults} if ex is not None else {}


def not_judged(event: dict, exercise: str) -> list[str]:
    """The codes of the exercise's checks that were not judged on this rep or hold."""
    checks = _checks(exercise)
    return [c for c in event.get("unjudged", []) if c in checks]


def form_verdict(event: dict, exercise: str, reasons: dict[str, str] | None = None, short: bool = False,
                 noted: frozenset[str] = frozenset()) -> str:
    """A rep's or hold's form in words. 'good' only when every check of the
    exercise was judged and none found a fault; where some were not judged it
    says how many passed and how many could not be made, and names the others
    (with the reason, unless `short`): no fault seen in checks that were not made
    is no evidence of good form. `reasons`: code -> why it was not judged (the
    report's unjudged_reasons). `noted`: checks a note already says this camera
    view cannot see; they are counted, not named again on every rep."""
    if event["faults"]:
        return "; ".join(f["message"] for f in event["faults"])
    if event.get("position_checked") is False:
        return "position not checked (not readable from this view); form not judged"
    if not event.get("form_judged", True):
        return "form not judged"
    checks, missing = _checks(exercise), not_judged(event, exercise)
    if not missing:
        return "good"
    names = {c: checks[c].lower() for c in missing}
    passed = len(checks) - len(missing)
    head = f"{count(passed, 'check')} passed, {len(missing)} could not be made"
    if short:
        return f"{head} ({', '.join(names.values())})"
    reasons = reasons or {}
    hidden = [c for c in missing if c in noted and reasons.get(c) == VIEW_CANNOT_SEE]
    parts = [f"{names[c]} not judged" + (f" because {reasons[c]}" if reasons.get(c) and c not in noted else "")
             for c in missing if c not in hidden]
    said = [c for c in missing if c in noted]  # a note says why: pointed to, not repeated
    see = " (see the notes)" if len(said) > 1 else " (see the note)"
    if hidden and not parts:
        return f"{head} from this camera view{see}"
    if hidden:
        parts.append(f"{len(hidden)} more this camera view cannot see")
    return head + "; " + "; ".join(parts) + (see if said else "")


# A rep's or hold's form in one of four kinds, as form_verdict words it: "good
# form" only when every check was made and none found a fault.
GOOD_FORM, PARTLY_JUDGED, FAULT_FOUND, FORM_NOT_JUDGED = (
    "good form", "no fault seen (some checks not judged)", "fault found", "form not judged")


def form_kind(event: dict, exercise: str) -> str:
    """GOOD_FORM, PARTLY_JUDGED, FAULT_FOUND or FORM_NOT_JUDGED for a rep or hold
    (the plots' colours, the frame's line, the physio page's cells)."""
    if event["faults"]:
        return FAULT_FOUND
    if event.get("position_checked") is False or not event.get("form_judged", True):
        return FORM_NOT_JUDGED
    checks, missing = _checks(exercise), not_judged(event, exercise)
    if not missing:
        return GOOD_FORM
    return FORM_NOT_JUDGED if len(missing) >= len(checks) else PARTLY_JUDGED


def good_form_count(events: list[dict], exercise: str) -> int:
    """How many reps or holds had good form (form_kind), the figure behind every
    "Good form N / M"."""
    return sum(1 for e in events if form_kind(e, exercise) == GOOD_FORM)


# The recogniser's "none of these" (movement None) as a runner reads it: the list
# "these" refers to is not on the page.
NOT_ONE_OF_THEM = f"not one of the {len(MOVEMENTS)} movements formcheck knows"


def movement_words(movement: str | None) -> str:
    """A recognised movement in words: 'fire hydrant', or NOT_ONE_OF_THEM for None."""
    return movement.replace("_", " ") if movement else NOT_ONE_OF_THEM


def recognised_text(rec: dict) -> str:
    """The report's "recognised" block in words: 'clamshell, 97%', 'not one of the
    8 movements formcheck knows (50% sure); not seen well enough: ...' (its note,
    when it has one)."""
    conf = rec.get("confidence", 0.0)
    if not rec.get("movement") and rec.get("note"):
        # Seen too little to tell (recognise.SEEN_BRIEF_NONE caps "none of these"): a "50% sure"
        # read as a judgment that it is none of them (s32).
        return f"could not tell the movement; {rec['note']}"
    what = (f"{movement_words(None)} ({conf:.0%} sure)" if not rec.get("movement")
            else f"{movement_words(rec['movement'])}, {conf:.0%}")
    return what + (f"; {rec['note']}" if rec.get("note") else "")


def rep_cue(event: dict, exercise: str) -> tuple[str, bool | None]:
    """The short line drawn on the frame when a rep ends (annotated video, live
    coach, routine), with its colour: the first fault (False); "Good rep" (True)
    only when every check was made; otherwise a neutral line (None) that says
    how many checks were made, as form_verdict does in the summary."""
    kind = form_kind(event, exercise)
    if kind == FAULT_FOUND:
        return event["faults"][0]["message"], False
    if kind == GOOD_FORM:
        return GOOD_REP, True
    if kind == FORM_NOT_JUDGED:
        return REP_NOT_JUDGED, None
    checks, missing = _checks(exercise), not_judged(event, exercise)
    return f"No fault seen ({len(checks) - len(missing)} of {len(checks)} checks made)", None


def _verdict(event: dict, report: dict) -> str:
    return form_verdict(event, report["exercise"], report.get("unjudged_reasons"), noted=_view_noted(report))


def _view_noted(report: dict) -> frozenset[str]:
    """The checks a note already explains: ones this camera view cannot see
    (analysis._view_warnings: "'knee_out' (...) was not checked: this view cannot see it", or
    the reason the view cannot judge it, as for the clamshell's feet from the front)
    and ones left unjudged with the reason said once (analysis.unjudged_note:
    "'knee_angle' (...) was not judged on any of the 4 reps: ...")."""
    def says(w: str, c: str) -> bool:
        if w.startswith(f"'{c}'") and " was not judged on " in w:
            return True
        named, _, why = w.partition(" not checked: ")  # every check a view note names, with its reason
        return bool(why) and named.startswith("'") and f"'{c}' (" in named

    return frozenset(c for c in _checks(report["exercise"]) if any(says(w, c) for w in report["warnings"]))


_REQUIRED = {"schema": str, "exercise": str, "source": dict, "pose_coverage": float, "reps": list,
             "holds": list, "steps": list, "summary": dict, "warnings": list}


def validate_report(report: dict) -> None:
    """Raise ValueError unless the report is a formcheck.report/1 document: its
    required top-level fields, and reps, holds and steps that read back as the
    result records (formcheck.results), which define their shape."""
    if not isinstance(report, dict):
        raise ValueError(f"report: expected an object, got {type(report).__name__}")
    for key, typ in _REQUIRED.items():
        if key not in report:
            raise ValueError(f"report: missing required field {key!r}")
        if typ is float and isinstance(report[key], int):
            continue
        if not isinstance(report[key], typ):
            raise ValueError(f"report.{key}: expected {typ.__name__}, got {type(report[key]).__name__}")
    if report["schema"] != SCHEMA:
        raise ValueError(f"report.schema: expected {SCHEMA!r}, got {report['schema']!r}")
    parse_events(report)


def write_json(report: dict, path: str | os.PathLike) -> None:
    """Write atomically (a crash never leaves a half-written report) and as strict
    JSON: NaN or infinite numbers are written as null, never as NaN/Infinity."""
    atomic_write_text(path, dumps_json(report))


def hold_side(hold: dict) -> str:
    """The side a hold is named by: "both legs" for a fold that stretched both at
    once, "left; the other leg hidden" where the far leg could not be seen (a
    two-legged fold and a one-legged stretch look alike side-on, s33), else its side."""
    leg = hold.get("other_leg")
    if leg == "both":
        return "both legs"
    return f"{hold['side']}; the other leg hidden" if leg == "unseen" else hold["side"]


def _fmt_time(s: float) -> str:
    m, sec = divmod(max(0.0, s), 60)
    return f"{int(m)}:{sec:04.1f}"


# How analysis words a clip with no rep or hold at all ("No reps detected. Check that ...").
_NO_EVENT = ("No reps detected", "No held stretch detected")  # ". ..." or ": why"


def _shorter_than_seen(report: dict) -> bool:
    """The clip is shorter than the recogniser needs to tell the movement (recognise.SEEN_MIN_S)."""
    from formcheck.recognise import SEEN_MIN_S  # here: recognise imports this module

    dur = report["source"].get("duration_s")
    return dur is not None and dur < SEEN_MIN_S


def _too_short(report: dict) -> str:
    """The sentence for a clip shorter than the recogniser needs to tell the movement
    (recognise.SEEN_MIN_S), else ''. Running says it in its own words (gait.sanity.too_little)."""
    from formcheck.recognise import SEEN_MIN_S  # here: recognise imports this module

    if not _shorter_than_seen(report) or report.get("exercise") == "running":
        return ""
    dur = report["source"]["duration_s"]
    return (f"The clip is only {dur:.1f} s long, too short: at least {SEEN_MIN_S:.0f} s is needed to tell the "
            "movement and count it. Film a longer clip.")


def _rep_time(rep: dict) -> str:
    """When a rep happened, as a runner finds it in the video: 'from 0:05.9 to 0:08.1,
    top at 0:07.3' (the top: the rep's peak, its furthest point)."""
    span = f"from {_fmt_time(rep['start_s'])} to {_fmt_time(rep['end_s'])}"
    return span + (f", top at {_fmt_time(rep['peak_s'])}" if rep.get("peak_s") is not None else "")


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def summary_text(report: dict) -> str:
    """A rep-by-rep (or hold- or step-level) summary a runner understands."""
    lines = []
    src = report["source"]
    lines.append(f"{_title(report['exercise'])} — {Path(src['path']).name}, {src['duration_s']:.1f} s")
    view = report.get("view") or "unknown"
    if _on_back_unread(report):
        view = "not known (lying on your back)"  # "back" would put the camera under the floor
    lines.append(f"Camera view: {view.replace('_', ' ')}; person visible in {report['pose_coverage']:.0%} of frames")
    rec = report.get("recognised")
    short = _too_short(report) if report.get("graded") is not False else ""  # a refusal says it itself
    if rec:
        lines.append(f"Recognised: {recognised_line(rec, report)}")
    if short:  # said once: not as "in view for 1.5 s", camera advice and "nothing to count" (s26)
        lines.append(short)
    if report.get("graded") is False:
        lines.append("")
        lines.append("Not graded: " + (report.get("ungraded_reason") or "the movement was not recognised."))
        mis = report.get("mismatch")
        if mis:
            src = Path(report["source"]["path"]).name
            lines.append(f"If it is {a_movement(mis['recognised'])}, analyse it as that: "
                         f"formcheck analyze {src} --exercise {mis['recognised']}")
        # Every other warning (a damaged or cut clip, nobody in view...) still reaches the person.
        others = [w for w in report["warnings"] if w != report.get("ungraded_reason")]
        if others:
            lines.append("")
            lines.extend(f"Note: {w}" for w in others)
        return "\n".join(lines)
    reps, holds = report["reps"], report["holds"]
    if reps:
        sets = _sets_said(reps)
        summ = report["summary"]
        if not any(r["form_judged"] for r in reps):
            faulted = sum(1 for r in reps if r["faults"])
            # With no posture check made, a fault found can only be one of range or
            # tempo: saying so keeps "form not judged" and "N with a fault" from
            # reading as a contradiction (a real side-lying near miss, session 24).
            # "From this view" only when the view is why (not a shank read at two lengths, session 25).
            reasons = set((report.get("unjudged_reasons") or {}).values())
            why = ("from this view" if not reasons or reasons == {VIEW_CANNOT_SEE}
                   else "(no posture check could be made: see the notes)")
            if faulted:
                # "Form not judged" beside a fault read as a contradiction (s28, s29): the
                # line says what was judged and what was not.
                lines.append(f"{count(len(reps), 'rep')} counted — {sets}; posture not judged {why}; range and tempo "
                             f"checked: {faulted} with a fault there")
            else:
                lines.append(f"{count(len(reps), 'rep')} counted; form not judged {why} — {sets}")
        else:
            tail = f", {summ['unjudged_reps']} not judged" if summ.get("unjudged_reps") else ""
            clean = [r for r in reps if not r["faults"] and r["form_judged"]]
            part = sum(1 for r in clean if not_judged(r, report["exercise"]))
            faulted = sum(1 for r in reps if r["faults"])
            # Every rep is in one of the counts, faulted ones too: "0 with good form, 4 not
            # judged" above five rep lines left the reader to find the fifth rep's fault (s31).
            rest = (([f"{part} with no fault seen in the checks made"] if part else [])
                    + ([f"{faulted} with a fault"] if faulted else []))
            good = ", ".join(([f"{len(clean) - part} with good form"] if len(clean) > part or not rest else [])
                             + rest)
            lines.append(f"{count(len(reps), 'rep')} — {sets}; {good}{tail}")
        lines.append("")
        for r in reps:
            verdict = _verdict(r, report)
            extra = _rep_hold(r.get("hold_s"))
            lines.append(f"  rep {r['index']:>2} (set {r['set']}, {r['side']}) {_rep_time(r)}{extra}: {verdict}")
    if holds:
        unchecked = sum(1 for h in holds if h.get("position_checked") is False)
        lines.append(count(len(holds), "held stretch", "held stretches") + (f", {unchecked} of them with the stretch position not "
                                                          "checked (not readable from this view)" if unchecked else ""))
        lines.append("")
        for k, h in enumerate(holds, 1):
            verdict = _verdict(h, report)
            reached = ", reached" if h.get("target_s") and h["duration_s"] >= h["target_s"] else ""
            target = f" (target {h['target_s']:.0f} s{reached})" if h.get("target_s") else ""
            lines.append(f"  hold {k} ({hold_side(h)}) at {_fmt_time(h['start_s'])}: held {h['duration_s']:.0f} s{target}"
                         f" — {verdict}")
    shown: set[str] = set()
    if report["steps"] or report.get("gait"):
        for line in report.get("gait", {}).get("summary_lines", []):
            lines.append("  " + line)
            shown.add(line)
        for a in report.get("advice", []):
            lines.append("  Advice: " + a)
    said_why = any(w.startswith(_NO_EVENT) for w in report["warnings"])
    if not reps and not holds and not report["steps"] and not shown and not short and not said_why:
        # (the running summary, or a note on why no rep or hold was found, says it already: s35's split
        # squats forced as a running lunge read "Nothing to count was found" above "No held stretch detected")
        lines.append("Nothing to count was found.")
    if report["summary"]["fault_counts"]:
        lines.append("")
        lines.append("Faults: " + ", ".join(f"{c} ×{n}" for c, n in report["summary"]["fault_counts"].items()))
    # A warning the running summary already printed is not repeated as a note.
    notes = _notes(report, shown)
    if notes:
        lines.append("")
        lines.extend(f"Note: {w}" for w in notes)
    return "\n".join(lines)


def _notes(report: dict, shown: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """A graded report's warnings as notes: not those already `shown`, not "No reps
    detected" under a too-short clip's own sentence, and sets short of target grouped."""
    short = _too_short(report)
    return _group_short_sets([w for w in report["warnings"] if w not in shown
                              and not (short and w.startswith(_NO_EVENT))])


def review_notes(report: dict) -> list[str]:
    """The notes the app's review shows under its verdict, said as the summary says them:
    a refused clip's warnings but its reason (shown apart); a graded clip's notes with a
    too-short clip said once, first."""
    if report.get("graded") is False:
        return [w for w in report["warnings"] if w != report.get("ungraded_reason")]
    short = _too_short(report)
    return ([short] if short else []) + _notes(report)


# More sets than this, none over two reps, is legs taking turns, not sets: listed one by
# one they hide the count (s28: flutter kicks chosen as a straight leg raise read "set 1:
# 1 rep (right side), set 2: 1 rep (left side), ... set 23") [own].
MANY_SHORT_SETS = 6


def _alternating(sizes: list[int]) -> bool:
    """Set sizes that read as legs taking turns rather than sets (MANY_SHORT_SETS)."""
    return len(sizes) > MANY_SHORT_SETS and max(sizes) <= 2


def _sets_said(reps: list[dict]) -> str:
    """The sets of a rep summary: each with its count and side, or, for legs taking
    turns, one phrase for them all."""
    by_set = Counter(r["set"] for r in reps)
    if _alternating(list(by_set.values())):
        return (f"{len(by_set)} sets of 1-2 reps, the side changing each time (the routine does one leg's "
                "set, then the other's)")
    return ", ".join(f"set {s}: {count(n, 'rep')} ({_set_side([r['side'] for r in reps if r['set'] == s])})"
                     for s, n in sorted(by_set.items()))


def _set_side(sides: list[str]) -> str:
    """How a set's side is said: one side, or legs taking turns (reps.split_sets)."""
    if len(set(sides)) == 1:
        return f"{sides[0]} side"
    return "legs taking turns: " + ", ".join(f"{sides.count(s)} {s}" for s in ("left", "right") if s in sides)


# "Set 1: 4 reps (the usual routine is 3 sets of 15)." (analysis); reports saved in
# session 26 say "(the routine is ...)", before it "Set 1: 4 of 15 reps.".
_SHORT_SET = re.compile(r"Set (\d+): (\d+)(?: of (\d+) reps| reps? \(the (?:usual )?routine is \d+ sets of (\d+)\))\.")


def _group_short_sets(notes: list[str]) -> list[str]:
    """One note for every set short of its target ("Set 1: 1 rep (...)." three
    times reads as the same note repeated), in the place of the first."""
    short = [m for m in map(_SHORT_SET.fullmatch, notes) if m]
    if len(short) < 2 or len({m[3] or m[4] for m in short}) != 1:
        return notes
    said = ("; ".join(f"set {m[1]}: {m[2]}" for m in short) if not _alternating([int(m[2]) for m in short])
            else f"{len(short)} sets of 1-2 reps")
    one = f"Each set was short of the usual routine's {short[0][3] or short[0][4]} reps ({said})."
    first = notes.index(short[0][0])
    rest = [w for w in notes if not _SHORT_SET.fullmatch(w)]
    return rest[:first] + [one] + rest[first:]


def _on_back_unread(report: dict) -> bool:
    """The body lay on its back and its view read as front or back, where no camera can be
    (views.view_words); graded or not. Reports saved before `lying_on_back` was a field
    carry it only as the view note (views.ON_BACK_NOTE)."""
    if on_back_unread(report.get("view"), report.get("lying_on_back", False)):
        return True
    return any(w.startswith(ON_BACK_NOTE) for w in report.get("warnings", []))


def camera_view_words(report: dict) -> str:
    """Where the camera was, in words ('from the side'), as the app's review says it:
    never 'from behind' for a body lying on its back (views.ON_BACK_UNREAD)."""
    if _on_back_unread(report):
        return ON_BACK_UNREAD
    return VIEW_LABELS.get(report.get("view") or "", "from an unknown view")


# A top held for less than this reads as "no pause" [own: the summary prints tenths of a second,
# and a hold shorter than 0.05 s would print as "held 0.0 s"].
NO_PAUSE_S = 0.05


def _rep_hold(hold_s: float | None) -> str:
    """The rep's top hold in words: ', held 1.2 s', ', no pause at the top', or ''."""
    if hold_s is None:
        return ""
    return ", no pause at the top" if hold_s < NO_PAUSE_S else f", held {hold_s:.1f} s"


def recognised_line(rec: dict, report: dict) -> str:
    """The "Recognised:" line. When the recognition named another movement than
    the one graded (an unsure reading, or none of them where the body fits the
    chosen movement), the same line says the chosen movement was kept, so the
    grading below does not read as contradicting it."""
    from formcheck.recognise import CONFIDENT  # here: recognise imports this module

    if rec.get("note") and report.get("graded") is not False and _too_short(report):
        rec = {**rec, "note": None}  # "not seen well enough": the too-short sentence says why, once
    chosen = report.get("exercise")
    if (_shorter_than_seen(report) and (chosen in EXERCISES or chosen == "running")
            and rec.get("movement") != chosen):
        # s32: "..., but only 50% sure: analysed as a donkey kick, as you chose" above "The clip is
        # only 0.9 s long, too short": nothing was analysed, and the next line says why. Running
        # reads the same (its too-short sentence comes from the gait summary).
        return f"too short to tell the movement ({a_movement(chosen)} chosen)"
    if (report.get("graded") is False or rec.get("note") or rec.get("movement") == chosen
            or chosen not in EXERCISES):
        return recognised_text(rec)
    what = movement_words(rec.get("movement"))
    conf = rec.get("confidence", 0.0)
    if conf < CONFIDENT:
        return f"{what}, but only {conf:.0%} sure: analysed as {a_movement(chosen)}, as you chose"
    if rec.get("movement") is None:
        # s33: "not one of the 8 movements formcheck knows (100%), but the body position fits a straight
        # leg raise" read as a contradiction: the movement matched none, the position fits the chosen one.
        return (f"the movement did not match any of the {len(MOVEMENTS)} formcheck knows, but the body position "
                f"fits {a_movement(chosen)}: analysed as one, as you chose")
    return (f"{what} ({conf:.0%}), but the body position fits {a_movement(chosen)}: analysed as one, "
            "as you chose")
