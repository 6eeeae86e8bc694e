"""Review one saved session: reps (or holds, or running steps), chart, worst reps, video, notes, downloads."""

from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.widgets import analyse_again, delete_session, open_history
from formcheck.errors import FormCheckError
from formcheck.gait import OVERSTRIDE_RATIO, TIBIA_DEG
from formcheck.history import default_db_path
from formcheck.landmarks import PoseTrack
from formcheck.report import (
    camera_view_words,
    good_form_count,
    recognised_line,
    rep_cue,
    review_notes,
    summary_text,
)
from formcheck.ui.figures import cadence_figure, drive_figure, drive_series, hold_figure, step_figure
from formcheck.ui.labels import movement_title, session_label
from formcheck.ui.saving import reanalyse_session
from formcheck.ui.tables import (
    cadence_band,
    fault_overview,
    flagged_steps,
    gait_cards,
    hold_table,
    rep_table,
    rep_table_help,
    step_metric,
    step_table,
    worst_reps,
)
from formcheck.ui.thumbnails import frames_at, skeleton_frames

STOP_REASONS = ["", "Finished the set", "Pain", "Tired", "Technique broke down", "Interrupted", "Other"]


@st.cache_data(show_spinner=False, max_entries=32)
def _series(track_path: str, mtime: float, movement: str):
    return drive_series(PoseTrack.load_npz(track_path), movement)


@st.cache_data(show_spinner=False, max_entries=32)
def _frames(video: str | None, track_path: str | None, mtime: float, times: tuple[float, ...]):
    if video:
        return frames_at(video, list(times))
    if track_path:
        return skeleton_frames(PoseTrack.load_npz(track_path), list(times))
    return [None] * len(times)


def _mtime(p: str | None) -> float:
    return Path(p).stat().st_mtime if p else 0.0


hist = open_history(str(default_db_path()))
sessions = hist.list_sessions(limit=500)
if not sessions:
    st.title("Review")
    st.info("No sessions yet. Analyse a clip or record a live set, and its review appears here.")
    st.page_link("app_pages/analyze.py", label="Analyze a video", icon=":material/movie:")
    st.page_link("app_pages/live.py", label="Live coaching", icon=":material/videocam:")
    st.stop()

ids = [s["id"] for s in sessions]
labels = {s["id"]: session_label(s) for s in sessions}
try:
    wanted = int(st.query_params.get("session", ids[0]))
except ValueError:
    wanted = ids[0]
if wanted not in labels:
    st.warning(f"Session #{wanted} does not exist (it may have been deleted); showing the latest one.")
    wanted = ids[0]
sid = st.sidebar.selectbox("Session to review", ids, index=ids.index(wanted), format_func=labels.get,
                          key=f"pick_{wanted}")
if sid != wanted:
    st.query_params["session"] = str(sid)
    st.rerun()
s = hist.get_session(sid)
rep = s["report"]
src = rep["source"]
portrait = src["height"] > src["width"]

st.title(f"{movement_title(rep['exercise'])}: review")
view = camera_view_words(rep)
st.caption(f"{labels[sid]} · {src['duration_s']:.0f} s · filmed {view} · person visible in "
           f"{rep['pose_coverage']:.0%} of frames")
rec = rep.get("recognised")
if rec:
    st.markdown(f"**Recognised: {recognised_line(rec, rep)}**")
mis = rep.get("mismatch")
if rep.get("graded") is False:
    reason = rep.get("ungraded_reason") or "This clip was not graded."
    st.error(reason, icon=":material/block:")
    if mis and st.button(f"Analyse as {mis['recognised'].replace('_', ' ')}", type="primary", key="fix_mismatch"):
        try:
            with st.spinner("Analysing again..."):
                reanalyse_session(hist, sid, mis["recognised"])
        except FormCheckError as e:
            st.error(str(e))
        else:
            st.rerun()
for w in review_notes(rep):
    st.warning(w, icon=":material/warning:")

live = rep.get("live")
if live:
    st.caption(f"Live counter during the set: {live.get('live_rep_count')} reps. Live processing: "
               f"{live.get('latency_median_ms')} ms per frame (median), {live.get('fps')} frames/s. "
               "The numbers below come from the full analysis of the recording.")

summ = rep["summary"]
m = st.columns(5)
if rep["reps"]:
    m[0].metric("Reps", summ["rep_count"])
    m[1].metric("Good form", f"{good_form_count(rep['reps'], rep['exercise'])} / {summ['rep_count']}",
                help="every check made and no fault found")
    m[2].metric("Sets", summ.get("sets", 1))
    m[3].metric("Side", (rep.get("side") or "–").capitalize())
    m[4].metric("Faults", sum(summ["fault_counts"].values()))
elif rep["holds"]:
    m[0].metric("Holds", summ["hold_count"])
    m[1].metric("Longest hold", f"{max(h['duration_s'] for h in rep['holds']):.0f} s")
    m[2].metric("Good form", f"{good_form_count(rep['holds'], rep['exercise'])} / {summ['hold_count']}",
                help="every check made and no fault found")
elif rep["steps"]:
    m[0].metric("Steps", summ["step_count"])
    m[1].metric("Flagged", sum(1 for x in rep["steps"] if x["faults"]))
    cad = (rep.get("gait") or {}).get("cadence_spm")
    band = cadence_band(cad)
    if band:
        m[2].metric("Cadence", f"{cad:.0f} /min", delta="160 or more: fine" if band["ok"] else "below 160",
                    delta_color="normal" if band["ok"] else "inverse")

if s["track_path"]:
    series = _series(s["track_path"], _mtime(s["track_path"]), rep["exercise"])
else:
    series = pd.DataFrame(columns=["t_s", "side", "angle_deg"])

# ---- reps ------------------------------------------------------------------------------------------
if rep["reps"]:
    st.subheader("Rep by rep")
    helps = rep_table_help(rep)
    table = rep_table(rep)
    st.dataframe(table, hide_index=True, width="stretch", key="rep_table",
                 column_config={c: st.column_config.Column(help=helps[c]) for c in table.columns if c in helps})
    faults = fault_overview(rep)
    if not faults.empty:
        st.markdown("**What to work on**")
        st.dataframe(faults, hide_index=True, width="stretch")
    st.plotly_chart(drive_figure(series, rep), width="stretch", key="drive_chart")
    worst = sorted(worst_reps(rep), key=lambda r: r["start_s"])  # the clearest ones, shown in time order
    if worst:
        st.markdown("**Reps worth a look**")
        frames = _frames(s["video_path"], s["track_path"], _mtime(s["video_path"] or s["track_path"]),
                         tuple(r["peak_s"] for r in worst))
        cols = st.columns(max(len(worst), 5 if portrait else 3))
        for col, r, img in zip(cols, worst, frames):
            with col:
                if img is not None:
                    st.image(img, width="stretch")
                st.markdown(f"**Rep {r['index']}** at {r['peak_s']:.1f} s: "
                            + "; ".join(f["message"] for f in r["faults"]))

# ---- holds -----------------------------------------------------------------------------------------
if rep["holds"]:
    st.subheader("Holds")
    st.dataframe(hold_table(rep), hide_index=True, width="stretch", key="hold_table")
    st.plotly_chart(hold_figure(series, rep), width="stretch", key="hold_chart")

# ---- running ---------------------------------------------------------------------------------------
if rep["steps"] or rep.get("gait"):
    st.subheader("Running")
    cards = gait_cards(rep)
    if cards:
        cols = st.columns(len(cards))
        for col, card in zip(cols, cards):
            with col.container(border=True):
                st.markdown(f"**{card['leg'].capitalize()} leg**" if card["leg"] != "both" else "**Both legs**")
                for line in card["lines"]:
                    st.write(line)
    for a in rep.get("advice", []):
        st.info(a, icon=":material/lightbulb:")
    band = cadence_band((rep.get("gait") or {}).get("cadence_spm"))
    if band:
        st.markdown(f"**Cadence: {band['value']:.0f} steps/min** against the target band")
        st.plotly_chart(cadence_figure(band), width="stretch", key="cadence_band")
        st.caption(f"Below {band['floor']:.0f} steps/min is flagged [own default]. Raising your own step rate by "
                   f"5-10 % ({band['step_up'][0]}-{band['step_up'][1]} steps/min) lowered knee load in "
                   "Heiderscheit 2011; change it gradually.")
    if rep["steps"]:
        metric = step_metric(rep)
        if metric is not None:
            st.plotly_chart(step_figure(rep, metric), width="stretch", key="step_chart")
        if metric == "fppa_deg":
            st.caption("FPPA: the knee's angle seen from the front during the stance. Single-camera estimates carry "
                       "about ±8° uncertainty (the error bars).")
        elif metric == "tibia_angle_deg":
            st.caption(f"The shin's lean at landing (+ = ankle ahead of the knee). A step is an overstride when it "
                       f"leans more than {TIBIA_DEG:.0f}° forward with the heel more than {OVERSTRIDE_RATIO:.2f} leg "
                       "lengths ahead of the hip [own defaults]; every runner lands a little ahead of the hip. Knee "
                       "valgus (FPPA) needs a view from behind or in front.")
        elif metric is not None:
            st.caption("Knee valgus (FPPA) needs a view from behind or in front; this clip shows what a side view "
                       "can measure.")
        flagged = flagged_steps(rep)
        if flagged:
            st.markdown("**Flagged steps**")
            flagged = sorted(flagged, key=lambda x: x["contact_s"])  # the clearest ones, shown in time order
            frames = _frames(s["video_path"], s["track_path"], _mtime(s["video_path"] or s["track_path"]),
                             tuple(x["contact_s"] for x in flagged))
            cols = st.columns(6 if portrait else 3)
            for k, (x, img) in enumerate(zip(flagged, frames)):
                with cols[k % len(cols)]:
                    if img is not None:
                        st.image(img, width="stretch")
                    fppa = x.get("metrics", {}).get("fppa_deg")
                    st.markdown(f"**Step {x['number']}** ({x['side']}) at {x['contact_s']:.2f} s"
                                + (f", FPPA {fppa:.0f}°" if fppa is not None else "") + ": "
                                + "; ".join(f["message"] for f in x["faults"]))
        with st.expander("Every step"):
            st.dataframe(step_table(rep), hide_index=True, width="stretch")

# ---- video -----------------------------------------------------------------------------------------
if s["video_path"]:
    st.subheader("Video")
    marks = {"Start of the clip": 0.0}
    for r in rep["reps"]:
        marks[f"Rep {r['index']} ({rep_cue(r, rep['exercise'])[0]})"] = \
            max(0.0, r["start_s"] - 0.5)
    for k, h in enumerate(rep["holds"], 1):
        marks[f"Hold {k}"] = max(0.0, h["start_s"] - 0.5)
    for x in flagged_steps(rep):
        marks[f"Flagged step {x['number']}"] = max(0.0, x["contact_s"] - 0.5)
    vcol, jcol, _ = st.columns([1.2, 1, 1.2] if portrait else [3, 1, 0.01])
    jump = jcol.selectbox("Jump to", list(marks), key=f"jump_{sid}")
    jcol.caption("The video starts half a second before the chosen rep.")
    vcol.video(s["video_path"], start_time=int(marks[jump]), muted=True)
elif s["source_kind"] == "live":
    st.caption("Live sessions keep only the body landmarks, never the camera video; the pictures above are "
               "drawn from those landmarks.")

with st.expander("Plain-text summary"):
    st.text(summary_text(rep))

# ---- how it felt -----------------------------------------------------------------------------------
st.subheader("How did it feel?")
PAIN_OPTIONS = [None, *range(11)]


def _write(field: str, value) -> None:
    """Write one answer at once; the page says "saved" only after the write succeeded."""
    try:
        hist.update_session(sid, **{field: value})
    except Exception as e:  # noqa: BLE001 - shown to the user; the page goes on
        st.session_state["feel_error"] = f"Could not save the {field.replace('_', ' ')}: {e}"
    else:
        st.session_state.pop("feel_error", None)


st.select_slider("Knee pain after this session (0 = none, 10 = worst imaginable). Saved as soon as you set it.",
                 PAIN_OPTIONS, value=s["pain"], key=f"pain_{sid}",
                 format_func=lambda v: "not recorded" if v is None else str(v),
                 on_change=lambda: _write("pain", st.session_state[f"pain_{sid}"]))
if st.session_state.get("feel_error"):
    st.error(st.session_state["feel_error"])
elif s["pain"] is not None:
    st.success(f"Pain {s['pain']}/10 saved.", icon=":material/check:")
else:
    st.caption("Pain not recorded for this session.")
with st.form(f"feel_{sid}"):
    reason = st.selectbox("Why did you stop?", STOP_REASONS, format_func=lambda r: r or "(not said)",
                          index=STOP_REASONS.index(s["stop_reason"]) if s["stop_reason"] in STOP_REASONS else 0)
    notes = st.text_area("Notes", value=s["notes"] or "", placeholder="e.g. easier than last week")
    if st.form_submit_button("Save notes"):
        try:
            hist.update_session(sid, stop_reason=reason or None, notes=notes or None)
        except Exception as e:  # noqa: BLE001 - shown to the user
            st.error(f"Could not save the notes: {e}")
        else:
            st.toast("Notes saved")

# ---- correct the session ----------------------------------------------------------------------------
st.subheader("Wrong movement?")
fix = st.columns([2, 1, 1])
analyse_again(hist, s, fix[0], fix[1], label="Analyse this session again as", key="reanalyse", pick_key=f"again_{sid}")
delete_session(hist, sid, labels[sid], fix[2], button="Delete session…", key="review_delete", yes_key="review_delete_yes",
               no_key="review_delete_no", state_key="review_confirm_delete", on_deleted=st.query_params.clear)

# ---- downloads -------------------------------------------------------------------------------------
st.subheader("Download")
d = st.columns(3)
d[0].download_button("Report (JSON)", hist.export_json(sid), file_name=f"formcheck-session-{sid}.json",
                     mime="application/json", key="dl_json")
d[1].download_button("Reps (CSV)", hist.export_csv(sid), file_name=f"formcheck-session-{sid}.csv", mime="text/csv",
                     key="dl_csv")
d[2].download_button("Report for your physio (HTML, printable)", hist.physio_report_html(sid),
                     file_name=f"formcheck-physio-{sid}.html", mime="text/html", key="dl_physio")
