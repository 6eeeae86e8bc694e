"""Analyze a video: upload a clip (or a saved .npz pose track), or open a sample clip."""

import os
import traceback
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.widgets import open_history
from formcheck.errors import FormCheckError
from formcheck.exercises import EXERCISES
from formcheck.history import HistoryError, default_db_path
from formcheck.options import HOLD_FIELD_MIN_S, HOLD_FIELD_STEP_S
from formcheck.pipeline import AUTO, Options, available_movements, write_annotated_video
from formcheck.ui.figures import drive_figure
from formcheck.ui.labels import camera_advice, movement_title
from formcheck.ui.samples import find_samples, load_precomputed_report, sample_hold_target
from formcheck.ui.saving import analyze_and_save
from formcheck.ui.uploads import UPLOAD_TYPES, check_upload, max_upload_bytes

SAMPLES = Path(os.environ.get("FORMCHECK_SAMPLES_DIR") or Path(__file__).resolve().parent.parent / "sample_videos")
SIDES = {"auto": "Detect it", "left": "Left", "right": "Right"}


@st.cache_data(show_spinner=False, max_entries=16)
def _sample_analysis(video: str, mtime: float, movement: str, hold_target_s: float | None):
    """The pose track and report of a sample clip (cached per file version)."""
    from formcheck.pipeline import analyze, load_track

    track = load_track(video)
    return track, analyze(track, movement, Options(hold_target_s=hold_target_s), Path(video).name)


hist = open_history(str(default_db_path()))


def open_review(session_id: int) -> None:
    st.switch_page("app_pages/review.py", query_params={"session": str(session_id)})


def show_unexpected(e: Exception, kept: Path | None) -> None:
    st.error(f"Something unexpected went wrong while analysing ({type(e).__name__}). "
             + (f"Your file is kept at {kept} so nothing is lost; you can try again below." if kept else ""))
    with st.expander("Details for a bug report"):
        st.code("".join(traceback.format_exception(e)), language="text")


def open_sample(clip) -> int:
    """Save a sample clip's analysis as a session: its precomputed report if there
    is one, else the (cached) analysis plus a freshly drawn annotated video."""
    pre = load_precomputed_report(clip)
    hold = sample_hold_target(clip)
    if pre is not None and clip.track is not None:  # formcheck.sample_reports: opens at once
        return hist.save_session(pre, "sample", clip.key, video=clip.annotated or clip.video, track=clip.track)
    if pre is not None:
        return analyze_and_save(clip.video, clip.movement, Options(hold_target_s=hold), hist, "sample", clip.key,
                                report=pre)
    track, report = _sample_analysis(str(clip.video), clip.video.stat().st_mtime, clip.movement, hold)
    out = hist.root / "tmp" / f"sample-{clip.movement}.mp4"
    try:
        write_annotated_video(clip.video, track, report, out)
        return hist.save_session(report, "sample", clip.key, video=out, track=track)
    finally:
        out.unlink(missing_ok=True)


st.title("Analyze a video")
st.caption("Film one exercise (or a few seconds of running), upload the clip, and get rep-by-rep feedback. "
           "The clip is analysed on this computer.")

# ---- sample clips --------------------------------------------------------------------------------
movements = available_movements()
samples = find_samples(SAMPLES, movements)
with st.container(border=True):
    st.subheader("Try a sample clip")
    if not samples:
        st.info("No sample clips are installed yet (they go in `sample_videos/<movement>.mp4`). "
                "Upload your own clip below instead.")
    else:
        cols = st.columns(min(4, len(samples)))
        for k, clip in enumerate(samples):
            n = clip.truth_reps
            label = f"{movement_title(clip.movement)} sample" + (f" ({n} reps)" if n else "")
            if cols[k % len(cols)].button(label, key=f"sample_{clip.movement}", width="stretch"):
                existing = hist.find_sample(clip.key)
                if existing is not None and hist.get_session(existing) is not None:
                    open_review(existing)
                try:
                    with st.spinner(f"Analysing the {movement_title(clip.movement).lower()} sample..."):
                        sid = open_sample(clip)
                except FormCheckError as e:
                    st.error(str(e))
                except Exception as e:  # noqa: BLE001 - shown to the user with details, never a bare traceback
                    show_unexpected(e, None)
                else:
                    open_review(sid)

# ---- upload --------------------------------------------------------------------------------------
st.subheader("Upload your own clip")
limit_mb = max_upload_bytes() // 1024**2
upload = st.file_uploader(f"Video (MP4, MOV, AVI, WEBM, MKV) or a formcheck pose track (.npz), up to {limit_mb} MB",
                          type=list(UPLOAD_TYPES), key="upload")
c1, c2, c3 = st.columns(3)
movement = c1.selectbox("Movement", [AUTO, *movements], format_func=movement_title, key="movement",
                        help="Auto-detect recognises which of the movements the clip shows. If you choose one and "
                             "the clip clearly shows another, it is not graded and you are offered the right one.")
side = c2.selectbox("Working side", list(SIDES), format_func=SIDES.get, key="side")
hold_target = None
time_scale = 1.0
if movement in EXERCISES and EXERCISES[movement].kind == "hold":
    hold_target = c3.number_input("Hold target (s)", HOLD_FIELD_MIN_S, 120.0, float(EXERCISES[movement].hold_target_s),
                                  HOLD_FIELD_STEP_S)
elif movement == "running":
    time_scale = c3.number_input("Time scale (real seconds per video second)", 0.05, 1.0, 1.0, 0.05,
                                 help="0.25 for a 120 fps slow-motion clip played back at 30 fps")
if movement == AUTO:
    st.caption("formcheck recognises the movement from the clip and says how sure it is. Hold targets are the "
               "defaults (30 s for stretches); choose the movement to change them and to see where to put "
               "the camera.")
else:
    with st.container(border=True):
        st.markdown(f"**Where to put the camera for {movement_title(movement).lower()}** (before you film: one view "
                    "cannot answer every question)")
        for row in camera_advice(movement):
            best = " (best)" if row["best"] else ""
            st.markdown(f"- **{row['label'].capitalize()}{best}** answers: {', '.join(row['answers'])}")
        if movement in EXERCISES:
            st.caption(EXERCISES[movement].camera_tip)
        else:
            st.caption("Knee valgus, pelvic drop and crossover need the camera behind (or in front of) the runner; a side "
                       "view answers overstride and the knee and shin angles. Cadence comes from any view. Film at 60 fps "
                       "or more if you can.")

# jobs=0: the pose model runs on all cores, as in the CLI (formcheck.parallel); a failure there falls back
# to one core with a note in the report (formcheck.ui.saving).
options = Options(side=side, hold_target_s=hold_target, time_scale=time_scale, jobs=0)


def run(path: Path, name: str, kept: Path | None) -> None:
    bar = st.progress(0.0, text="Starting...")

    def progress(done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=f"Finding the body in each frame: {done} of {total}")

    def stage(text: str) -> None:
        bar.progress(1.0 if text != "Finding the body in each frame" else 0.0, text=text + "...")

    try:
        sid = analyze_and_save(path, movement, options, hist, "upload", name, progress=progress, stage=stage)
    except FormCheckError as e:
        bar.empty()
        st.error(str(e).replace(str(path), name))
        if kept is not None:
            kept.unlink(missing_ok=True)  # the file itself is the problem; keeping it helps no one
    except HistoryError as e:  # analysed, but the history cannot take it now: the upload stays on disk
        bar.empty()
        st.error(f"{e}" + (f" Your file is kept at {kept}; analyse it again from below once that is fixed."
                           if kept is not None else ""))
    except Exception as e:  # noqa: BLE001 - shown with details; the upload stays on disk
        bar.empty()
        show_unexpected(e, kept)
    else:
        if kept is not None:
            kept.unlink(missing_ok=True)
        open_review(sid)


if st.button("Analyze", type="primary", disabled=upload is None, key="analyze"):
    problem = check_upload(upload.name, upload.size)
    if problem:
        st.error(problem)
    else:
        kept = hist.keep_upload(upload.name, upload)  # streamed to disk in chunks: no second copy in memory
        run(kept, upload.name, kept)

kept_files = hist.kept_uploads()
if kept_files:
    with st.expander(f"Uploads kept after an unexpected error ({len(kept_files)})"):
        for p in kept_files:
            a, b, c = st.columns([4, 1, 1])
            a.write(p.name)
            if b.button("Analyze again", key=f"retry_{p.name}"):
                run(p, p.name.split("-", 2)[-1], p)
            if c.button("Delete", key=f"del_{p.name}"):
                p.unlink(missing_ok=True)
                st.rerun()


@st.cache_resource(show_spinner=False)
def _charts_ready() -> bool:
    """plotly sets itself up on its first figure (about 1 s on a busy machine): pay that
    once per server, here, after this page is drawn, and not in the first review opened."""
    series = pd.DataFrame({"t_s": [0.0, 1.0], "side": ["left", "left"], "angle_deg": [0.0, 1.0]})
    drive_figure(series, {"exercise": "clamshell", "reps": []}).to_json()
    return True


_charts_ready()
