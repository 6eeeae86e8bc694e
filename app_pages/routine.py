"""Today's routine: the whole programme guided live, saved as one routine.

The programme is editable data (formcheck.routine); the run is a RoutineRun fed by
streamlit-webrtc's worker thread; this page only polls it, shows the status, the
set-up card and demo of the movement at hand, speaks the prompts, and saves.
"""

import json
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.widgets import camera, open_history
from formcheck import routine as rt
from formcheck.exercises import EXERCISES
from formcheck.history import default_db_path
from formcheck.routine_live import RoutineRun, save_routine_run
from formcheck.sample_reports import demo_for
from formcheck.ui.labels import camera_advice, live_movements, movement_title

SAMPLES = Path(os.environ.get("FORMCHECK_SAMPLES_DIR") or Path(__file__).resolve().parent.parent / "sample_videos")
POLL_S = 0.4
SIDE_CHOICES = {"right,left": "Right, then left", "left,right": "Left, then right", "right": "Right only",
                "left": "Left only"}


hist = open_history(str(default_db_path()))
routine_file = hist.root / "routine.json"
st.title("Today's routine")

# ---- the programme, editable ----------------------------------------------------------------
if "routine_plan" not in st.session_state:
    st.session_state["routine_plan"] = rt.load_routine(routine_file)
routine: rt.Routine = st.session_state["routine_plan"]
holder = st.session_state.setdefault("routine_holder", {"run": None})  # read by the video thread
saved = st.session_state.get("routine_saved")  # (run, SavedRoutine) of the last run saved
run: RoutineRun | None = holder["run"]
running = run is not None and run.frames > 0 and not (saved and saved[0] is run)

with st.expander("The programme (edit sets, reps, holds, rests and sides)", expanded=False):
    table = pd.DataFrame([{"Movement": s.movement, "Sets": s.sets, "Reps per set": s.reps,
                           "Hold (s)": s.hold_s, "Rest (s)": s.rest_s, "Sides": ",".join(s.sides)}
                          for s in routine.steps])
    edited = st.data_editor(
        table, num_rows="dynamic", hide_index=True, width="stretch", key="routine_editor", disabled=running,
        column_config={
            "Movement": st.column_config.SelectboxColumn(options=live_movements(), required=True),
            "Sets": st.column_config.NumberColumn(min_value=1, max_value=20, step=1, required=True),
            "Reps per set": st.column_config.NumberColumn(min_value=1, max_value=100, step=1,
                                                          help="for strength moves; empty for stretches"),
            "Hold (s)": st.column_config.NumberColumn(min_value=1, max_value=600, step=1,
                                                      help="stretches: each hold; straight leg raise: the pause at "
                                                           "the top of each rep"),
            "Rest (s)": st.column_config.NumberColumn(min_value=0, max_value=600, step=5,
                                                      help="between sets of the same side"),
            "Sides": st.column_config.SelectboxColumn(options=list(SIDE_CHOICES), required=True),
        })
    c1, c2, c3 = st.columns(3)
    ready_s = c1.number_input("Get-ready time before each movement (s)", 0, 120, int(routine.get_ready_s),
                              key="routine_ready_s", disabled=running)
    switch_s = c2.number_input("Time to switch sides (s)", 0, 120, int(routine.switch_s), key="routine_switch_s",
                               disabled=running)
    if c3.button("Back to the standard programme", disabled=running, key="routine_reset"):
        st.session_state["routine_plan"] = rt.SEED_ROUTINE
        st.session_state.pop("routine_editor", None)
        routine_file.unlink(missing_ok=True)
        st.rerun()
    if not running:
        try:
            new = rt.routine_from_dict({"name": routine.name, "get_ready_s": ready_s, "switch_s": switch_s, "steps": [
                {"movement": r["Movement"], "sets": r["Sets"],
                 "reps": None if pd.isna(r["Reps per set"]) or EXERCISES[r["Movement"]].kind == "hold"
                 else r["Reps per set"],
                 "hold_s": None if pd.isna(r["Hold (s)"]) else r["Hold (s)"],
                 "rest_s": 0 if pd.isna(r["Rest (s)"]) else r["Rest (s)"], "sides": str(r["Sides"]).split(",")}
                for r in edited.to_dict("records") if isinstance(r.get("Movement"), str)]})
        except (ValueError, KeyError, TypeError) as e:
            st.error(f"This programme cannot be run: {e}")
        else:
            if new != routine:
                st.session_state["routine_plan"] = routine = new
                rt.save_routine(routine_file, routine)
                st.toast("Programme saved")

speak = st.toggle("Speak the prompts", value=False, key="routine_speak",
                  help="Your browser reads each prompt out loud (\"Switch to your left side\").")


overview_box = st.container()  # always present, so the camera widget below keeps its place between reruns
if run is None or run.frames == 0 or (saved and saved[0] is run):
    overview = []
    for s in routine.steps:
        what = f"{s.reps} reps" if s.kind == "reps" else f"hold {s.hold_s:.0f} s"
        if s.kind == "reps" and s.hold_s:
            what += f", {s.hold_s:.0f} s at the top"
        overview.append(f"**{s.title}**: {s.sets} × {what}, {' then '.join(s.sides)} side"
                        + (f", rest {s.rest_s:.0f} s" if s.rest_s and s.sets > 1 else ""))
    overview_box.markdown("  \n".join(overview))

video_col, panel_col = st.columns([3, 2])
with video_col:
    def on_frame(img, t):  # webrtc worker thread: no st.* here
        r = holder["run"]
        return r.on_frame(img, t) if r is not None else img

    # A stream that stops mid-routine pauses the run (START carries on from the same set).
    ctx = camera("routine", on_frame, lambda: holder["run"] is not None and holder["run"].pause(),
                 async_processing=True)
    # While the connection is being set up frames may already flow before the component
    # reports "playing": only a stream that is neither playing nor signalling has stopped.
    playing = ctx is not None and (ctx.state.playing or ctx.state.signalling)
    if ctx is not None:
        st.caption("Press **START** to begin; the routine runs itself from the camera. **STOP** pauses it: START "
                   "again carries on from the same set, or save what you did.")

# A new run for the next START: none yet, or the last one is saved and its stream stopped.
if run is None or (saved and saved[0] is run and not playing):
    holder["run"] = run = RoutineRun(routine, stash=hist.stash_recording)
    st.session_state["routine_seq"] = 0
elif run.paused and playing:  # the stream is back after a drop: carry on where it stopped
    run.resume()


def _save(run: RoutineRun) -> None:
    with st.spinner("Saving your routine and analysing each movement..."):
        run.end()
        saved = save_routine_run(run, hist)
    st.session_state["routine_saved"] = (run, saved)


def _setup_card(movement: str, side: str) -> None:
    ex = EXERCISES[movement]
    with st.container(border=True):
        st.markdown(f"**Set-up: {ex.title}, {side} side**")
        demo = demo_for(SAMPLES, movement)
        if demo is not None:  # a few seconds of the movement (rendered sample), muted, looping
            left, _ = st.columns([3, 2])
            left.video(str(demo), loop=True, autoplay=True, muted=True)
            left.caption("How it is done: " + ("one rep, from rest to rest" if ex.kind == "reps"
                                               else "getting into the stretch"))
        best = camera_advice(movement)[0]
        st.markdown(f"Camera {best['label']}. {ex.camera_tip}  \nThis view checks: {', '.join(best['answers'])}.")


@st.fragment(run_every=POLL_S)
def routine_panel() -> None:
    r: RoutineRun = holder["run"]
    info = r.latest()
    seq = st.session_state.get("routine_seq", 0)
    new = r.prompts_since(seq)
    if new:
        st.session_state["routine_seq"] = new[-1][0]
        st.session_state["routine_prompt"] = new[-1][2]
        if speak:
            text = ". ".join(p[2] for p in new[-2:])
            st.html(f"<script>window.speechSynthesis && speechSynthesis.speak(new SpeechSynthesisUtterance("
                    f"{json.dumps(text)}));</script><!-- {new[-1][0]} -->", unsafe_allow_javascript=True)
    if info is None:
        st.info("Press **START** and allow the camera. The routine starts with the set-up of the first movement.")
        _setup_card(r.routine.steps[0].movement, r.routine.steps[0].sides[0])
        return
    if info["phase"] == "done":
        st.success("Routine complete. Saving...")
        st.rerun(scope="app")
        return
    if r.paused:
        st.markdown(f"### Paused · {info['status']}")
        st.info("The camera stream stopped. Your routine is kept where you were: press **START** to carry on "
                "from this set, or save what you have done so far.", icon=":material/pause_circle:")
        if st.button("Save and finish", key="rt_finish", type="primary"):
            st.session_state["routine_finish"] = True
            st.rerun(scope="app")
        return
    st.markdown(f"### {info['status']}")
    prompt = st.session_state.get("routine_prompt")
    if prompt:
        st.info(prompt, icon=":material/record_voice_over:")
    if info.get("nobody"):
        st.warning("Nobody in view: I can't see anyone. Step into the picture, whole body in frame.",
                   icon=":material/person_off:")
    elif info.get("in_frame") is False and info["phase"] == "work":
        st.warning("Body not fully in view: step back until your head, hips, knees and feet are all visible.")
    if info.get("cue") and info["cue"] != prompt:  # the prompt is already shown above
        show = {"fault": st.error, "good": st.success}.get(info.get("cue_kind"), st.caption)
        show(info["cue"])
    if info["phase"] in ("rest", "switch", "setup") and info["left_s"] is not None:
        total = {"rest": None, "switch": r.routine.switch_s, "setup": r.routine.get_ready_s}[info["phase"]]
        if info["phase"] == "rest":
            total = r.routine.steps[rt.slots(r.routine)[info["slot"] - 1].step].rest_s
        st.progress(max(0.0, min(1.0, 1 - info["left_s"] / total)) if total else 1.0,
                    text=f"{info['left_s']:.0f} s left")
    # One row that wraps (not three columns): in the side panel the labels were cut to "Skip this mo…".
    a = b = c = st.container(horizontal=True)
    if a.button("Ready, start now" if info["phase"] != "work" else "Start this set over", key="rt_ready"):
        r.command("ready" if info["phase"] != "work" else "repeat")
    if b.button("Skip this movement", key="rt_skip"):
        r.command("skip")
    if c.button("Repeat the last set", key="rt_repeat", disabled=info["phase"] == "work" or info["sets_logged"] == 0):
        r.command("repeat")
    if info["phase"] in ("setup", "rest", "switch") and info.get("movement"):
        _setup_card(info["movement"], info["side"])
    st.caption(f"Processing: {info.get('latency_ms') or 0:.0f} ms per frame, {info.get('fps') or 0:.0f} frames/s")


if run.frames > 0 and not (saved and saved[0] is run):
    info = run.latest()
    if info is not None and (info["phase"] == "done" or run.ended or st.session_state.pop("routine_finish", False)):
        _save(run)
        saved = st.session_state["routine_saved"]
    elif info is not None and not playing and not run.paused:
        run.pause()  # the stream stopped without the component saying so: keep the routine where it is

with panel_col:
    if saved is not None and (saved[0] is run or run.frames == 0):
        done = saved[1]
        if done.routine_id is None:
            st.warning("Nothing was saved: nobody was in view during the routine.", icon=":material/person_off:")
        else:
            r = hist.get_routine(done.routine_id)
            st.success(f"Routine saved ({len(r['sessions'])} movement(s) analysed). Press START for another run.")
            if done.failed:
                st.error("Recorded but not analysed (kept in History to try again): "
                         + ", ".join(movement_title(m) for m in done.failed))
            st.dataframe(pd.DataFrame([{
                "Movement": x["title"], "Sets done": f"{x['sets_done']} / {x['sets_prescribed']}",
                "Done": (f"{x['reps_done']} / {x['reps_prescribed']} reps" if x["kind"] == "reps" else
                         " · ".join(f"{side} {v:.0f} / {x['hold_s_prescribed']:.0f} s"
                                    for side, v in x["hold_s_best"].items()))}
                for x in r["summary"]]), hide_index=True, width="stretch", key="routine_summary")
            for sess in r["sessions"]:
                st.page_link("app_pages/review.py", label=f"Review: {movement_title(sess['exercise'])} "
                             f"({sess['rep_count']} reps, {sess['hold_count']} holds)",
                             query_params={"session": str(sess["id"])}, icon=":material/fact_check:")
    else:
        routine_panel()
