"""Streamlit widgets more than one page shows (not a page itself: app.py does not
list it). The camera, the delete-with-confirmation button and the "analyse again
as" control each live here once; every page passes its own widget keys, so the
keys the tests click stay as they were."""

from collections.abc import Callable

import av
import numpy as np
import streamlit as st
from streamlit import config
from streamlit_webrtc import WebRtcMode, webrtc_streamer

from formcheck.errors import FormCheckError
from formcheck.history import History
from formcheck.pipeline import available_movements
from formcheck.ui.labels import movement_title
from formcheck.ui.saving import likeliest_other, reanalyse_session


@st.cache_resource(show_spinner=False)
def open_history(db: str) -> History:
    """One History per database for the whole app (it opens a short connection per call)."""
    return History(db)


def camera(key: str, on_frame: Callable[[np.ndarray, float | None], np.ndarray], on_ended: Callable[[], object],
           async_processing: bool):
    """The browser camera, streamed to `on_frame(bgr image, time) -> bgr image` on
    streamlit-webrtc's worker thread (no st.* there). Localhost only: no STUN/TURN
    server is contacted. None under AppTest, where there is no real server session
    (a note says so instead)."""
    if config.get_option("global.appTest"):
        st.info("The camera is not available in this test run.")
        return None

    def callback(frame: av.VideoFrame) -> av.VideoFrame:
        return av.VideoFrame.from_ndarray(on_frame(frame.to_ndarray(format="bgr24"), frame.time), format="bgr24")

    return webrtc_streamer(
        key=key,
        mode=WebRtcMode.SENDRECV,
        rtc_configuration={"iceServers": []},
        media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480},
                                            "frameRate": {"ideal": 30}}, "audio": False},
        video_frame_callback=callback,
        on_video_ended=on_ended,
        async_processing=async_processing,
        video_html_attrs={"autoPlay": True, "controls": False, "muted": True, "style": {"width": "100%"}},
    )


def delete_session(hist: History, sid: int, label: str, where, *, button: str, key: str, yes_key: str,
                   no_key: str, state_key: str, on_deleted: Callable[[], None] | None = None) -> None:
    """A delete button (in `where`) for session `sid` that asks first; `state_key` in
    session_state names the session waiting for a yes."""
    if st.session_state.get(state_key) != sid:
        if where.button(button, key=key):
            st.session_state[state_key] = sid
            st.rerun()
        return
    st.warning(f"Delete {label}? Its report, landmarks and video are removed for good.")
    y, n = st.columns(2)
    if y.button("Yes, delete it", type="primary", key=yes_key):
        hist.delete_session(sid)
        st.session_state.pop(state_key, None)
        if on_deleted is not None:
            on_deleted()
        st.rerun()
    if n.button("Cancel", key=no_key):
        st.session_state.pop(state_key, None)
        st.rerun()


def analyse_again(hist: History, session: dict, pick, go, *, label: str, key: str, pick_key: str,
                  on_done: Callable[[str], None] | None = None) -> None:
    """'Saved under the wrong movement?': a movement picker (in `pick`) and an
    "Analyse again" button (in `go`, key `key`) that re-analyses the session from its
    saved landmarks; disabled when it has none. `pick_key` names the picker."""
    sid, has_track = session["id"], bool(session["track_path"])
    others = [m for m in available_movements() if m != session["exercise"]]
    report = session.get("report") or (hist.get_session(sid) or {}).get("report") or {}  # History lists leave it out
    likeliest = likeliest_other(report, others)
    again = pick.selectbox(label, others, index=others.index(likeliest) if likeliest else 0,
                           format_func=movement_title, key=pick_key, disabled=not has_track,
                           help=None if has_track else "This session has no saved landmarks to analyse again.")
    if go.button("Analyse again", key=key, disabled=not has_track):
        try:
            with st.spinner("Analysing again..."):
                reanalyse_session(hist, sid, again)
        except FormCheckError as e:
            st.error(str(e))
        else:
            if on_done is not None:
                on_done(again)
            st.rerun()
