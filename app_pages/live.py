"""Live coaching from the webcam: skeleton, rep counter and one cue at a time.

Frames are processed in streamlit-webrtc's worker thread (`LiveRun.on_frame`); results
reach this script only through `LiveRun.updates`, a queue polled by a fragment.
When the stream stops, the recording is saved first, then analysed offline.
"""

import json

import streamlit as st

from app_pages.widgets import camera, open_history
from formcheck.errors import FormCheckError
from formcheck.exercises import EXERCISES
from formcheck.history import default_db_path
from formcheck.options import HOLD_FIELD_MIN_S, HOLD_FIELD_STEP_S
from formcheck.ui.labels import live_movements, movement_title
from formcheck.ui.live_worker import AUTO_LIVE, LiveConfig, LiveRun, PresenceWatch, WarmEstimator
from formcheck.ui.saving import finish_live
from formcheck.ui.speech import CueMemory, cue_to_speak
from formcheck.views import VIEW_LABELS

SIDES = {"auto": "Detect it", "left": "Left", "right": "Right"}
POLL_S = 0.4


hist = open_history(str(default_db_path()))
st.title("Live coaching")

c1, c2, c3 = st.columns([2, 1, 1])
# Auto-detect is offered first; the routine's first exercise stays the default, as before.
exercise = c1.selectbox("Exercise", [AUTO_LIVE, *live_movements()], index=1, format_func=movement_title,
                        key="live_exercise",
                        help="Auto-detect: formcheck recognises the movement in your first seconds, then counts it.")
side = c2.selectbox("Working side", list(SIDES), format_func=SIDES.get, key="live_side")
speak = c3.toggle("Speak the cues", value=False, key="live_speak", help="Your browser reads each cue out loud.")
ex = EXERCISES.get(exercise)  # None for Auto-detect
hold_target = None
if ex is not None and ex.kind == "hold":
    hold_target = st.number_input("Hold target (s)", HOLD_FIELD_MIN_S, 120.0, float(ex.hold_target_s), HOLD_FIELD_STEP_S,
                                  key="live_hold")

with st.expander("Camera set-up", expanded=True):
    if ex is None:
        st.markdown("**Auto-detect:** start your exercise as usual. For the first seconds the overlay says "
                    "*Recognising...*; once it is sure (usually after one or two reps, or a few seconds into a "
                    "stretch) it says *Recognised: clamshell, 97%* and counts, the reps before that included. "
                    "Put the camera where the exercise's tips say (side-on for most), with your whole body in "
                    "frame, in good light, and keep only yourself in view.")
    else:
        st.markdown(f"**Best view:** {VIEW_LABELS[ex.best_view]}.  \n{ex.camera_tip}  \n"
                    "Use good light, keep only yourself in view, and stand the camera still. Counting starts once "
                    f"your whole body has been in view for a moment. Target: {ex.target_reps} reps per set.")

if "live_run" not in st.session_state:
    # The pose model is made before START (WarmEstimator), not on the stream's first frame.
    st.session_state["live_warm"] = warm = WarmEstimator()
    st.session_state["live_run"] = LiveRun(warm.take, stash=hist.stash_recording, threaded=True)
run: LiveRun = st.session_state["live_run"]
if not run.active:
    st.session_state["live_warm"].prepare()
run.config = LiveConfig(exercise, side, hold_target, ex.target_reps if ex is not None else None)

video_col, panel_col = st.columns([3, 2])
with video_col:
    # on_frame returns at once: the frame goes to the newest-frame loop and comes back
    # with the newest overlay drawn on it (LiveRun's own loop drops stale frames).
    ctx = camera("live", run.on_frame, run.on_ended, async_processing=False)
    playing = ctx is not None and ctx.state.playing


def _clock(t: float) -> str:
    return f"{int(t) // 60}:{int(t) % 60:02d}"


@st.fragment(run_every=POLL_S)
def live_panel() -> None:
    memory: CueMemory = st.session_state.setdefault("live_cue_memory", CueMemory())
    presence: PresenceWatch = st.session_state.setdefault("live_presence", PresenceWatch())
    spoken = None
    for info in run.drain():
        st.session_state["live_last"] = info
        presence.update(info)
        spoken = cue_to_speak(memory, info) or spoken
    info = st.session_state.get("live_last")
    if not run.active or info is None:
        st.info("Press **START** and allow the camera. Your rep count and cues appear here.")
        return
    # The movement counted: the chosen one, or (Auto-detect) the recognised one once locked.
    counted = EXERCISES.get(info.get("exercise") or "")
    if info.get("recognised"):
        (st.success if counted is not None else st.info)(info["recognised"], icon=":material/search:")
    if presence.nobody:
        st.warning(f"Nobody in view: I can't see anyone ({presence.unseen_s:.0f} s). Step into the picture with your "
                   "whole body in frame. Nothing is saved until someone is seen.", icon=":material/person_off:")
    elif not info["in_frame"] and not info["ready"]:
        st.warning("Body not fully in view: step back until your head, hips, knees and feet are all visible.")
    elif counted is None:
        st.info("Start your exercise: counting starts once the movement is recognised.")
    elif not info["ready"]:
        st.info("Body in view: hold still, counting starts in a moment.")
    else:
        st.success("Counting" + ("" if info["in_frame"] else " (part of your body is out of view)"))
    a, b = st.columns(2)
    if counted is None:
        a.metric("Reps counted", "–")
        b.metric("Movement", "Recognising...")
    elif counted.kind == "hold":
        a.metric("Held", f"{info['hold_s'] or 0:.0f} s")
        b.metric("Target", f"{hold_target or counted.hold_target_s:.0f} s")
    else:
        a.metric("Reps counted", info["rep_count"])
        b.metric(f"Set {info['set_number']}", f"{info['set_reps']} / {info['target']}")
    if info["cue"]:
        show = {"fault": st.error, "good": st.success}.get(info["cue_kind"], st.info)
        show(info["cue"])
    st.caption(f"Processing: {info['latency_median_ms']:.0f} ms per frame (median), {info['fps']:.0f} frames/s, "
               f"{info.get('dropped', 0)} frames skipped to keep up · {_clock(info['t'])} of video"
               + (f" · view: {info['view'].replace('_', ' ')}" if info.get("view") else ""))
    if speak and spoken:
        st.html(f"<script>window.speechSynthesis && speechSynthesis.speak(new SpeechSynthesisUtterance("
                f"{json.dumps(spoken)}));</script><!-- {info['frames']} -->", unsafe_allow_javascript=True)


with panel_col:
    live_panel()

# The stream stopped: save each finished recording, then analyse it and open its review.
dropped = run.nobody_streams
finished = run.take_finished(stream_playing=playing)
if run.nobody_streams > dropped:
    st.session_state.pop("live_last", None)
    st.session_state.pop("live_presence", None)
    st.session_state["live_nobody_note"] = True
if st.session_state.get("live_nobody_note") and not playing:
    st.warning("Nothing was saved: nobody was in view during that recording.", icon=":material/person_off:")
elif playing:
    st.session_state.pop("live_nobody_note", None)
for worker in finished:
    st.session_state.pop("live_last", None)
    st.session_state.pop("live_cue_memory", None)
    st.session_state.pop("live_presence", None)
    try:
        with st.spinner("Saving your set and analysing it..."):
            sid = finish_live(worker, hist)
    except FormCheckError as e:
        st.error(f"Your recording is saved, but it could not be analysed: {e}. You can analyse it again from "
                 "History.")
    else:
        st.switch_page("app_pages/review.py", query_params={"session": str(sid)})
