"""History: every saved session, progress over the weeks, exports and the physio report."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from app_pages.widgets import analyse_again, delete_session, open_history
from formcheck import physio
from formcheck.errors import FormCheckError
from formcheck.history import default_db_path
from formcheck.ui.figures import trend_figures
from formcheck.ui.labels import movement_title, session_label
from formcheck.ui.saving import analyze_recording
from formcheck.ui.tables import sessions_table

hist = open_history(str(default_db_path()))
st.title("History")
st.caption(f"Saved on this computer in {hist.root}")

# ---- live recordings that were not analysed --------------------------------------------------------
pending = hist.pending_recordings()
if pending:
    with st.container(border=True):
        st.warning(f"{len(pending)} live recording(s) were saved but not analysed (the analysis failed or the app "
                   "stopped). They are safe; analyse them again or discard them.")
        for p in pending:
            a, b, c = st.columns([4, 1, 1])
            a.write(p.name)
            if b.button("Analyse", key=f"re_{p.name}"):
                try:
                    sid = analyze_recording(p, hist)
                except FormCheckError as e:
                    st.error(str(e))
                else:
                    st.switch_page("app_pages/review.py", query_params={"session": str(sid)})
            if c.button("Discard", key=f"discard_{p.name}"):
                p.unlink(missing_ok=True)
                st.rerun()

all_sessions = hist.list_sessions()
if not all_sessions:
    st.info("No sessions yet. Record a live set or analyse a clip, and it shows up here.")
    st.page_link("app_pages/analyze.py", label="Analyze a video", icon=":material/movie:")
    st.stop()

f1, f2 = st.columns([2, 1])
exercises = sorted({s["exercise"] for s in all_sessions})
pick = f1.selectbox("Exercise", ["all", *exercises], format_func=lambda e: "All exercises" if e == "all" else
                    movement_title(e), key="hist_exercise")
show_samples = f2.toggle("Include sample clips", value=False, key="hist_samples")
exercise = None if pick == "all" else pick
sessions = hist.list_sessions(exercise, include_samples=show_samples)

# ---- progress --------------------------------------------------------------------------------------
st.subheader("Progress over the weeks")
figs = trend_figures(hist.trends(exercise, include_samples=show_samples))
st.caption("Faults are charted per movement, fault and camera view, each over the sessions filmed from a view that "
           "can see it, so a side clip never counts against a rear-view question. Sessions you leave out of the "
           "trends (below) are not counted.")
if not figs:
    st.info("Charts appear once you have saved sessions of your own (sample clips are not counted).")
else:
    items = list(figs.items())
    for row in range(0, len(items), 2):
        cols = st.columns(2)
        for col, (name, fig) in zip(cols, items[row:row + 2]):
            col.plotly_chart(fig, width="stretch", key=f"trend_{name}")

# ---- sessions --------------------------------------------------------------------------------------
st.subheader(f"Sessions ({len(sessions)})")
if not sessions:
    st.info("No sessions match (sample clips are hidden; switch them on above).")
    st.stop()
st.dataframe(sessions_table(sessions), hide_index=True, width="stretch", key="sessions_table")

labels = {s["id"]: session_label(s) for s in sessions}
sid = st.selectbox("Session", list(labels), format_func=labels.get, key="hist_pick")
picked = next(s for s in sessions if s["id"] == sid)


def _exclude() -> None:
    try:
        hist.set_excluded(sid, st.session_state[f"excl_{sid}"])
    except (KeyError, FormCheckError) as e:
        st.session_state["excl_error"] = str(e)


st.toggle("Leave this session out of the trends (a test or a bad recording); it stays in the list",
          value=bool(picked["excluded"]), key=f"excl_{sid}", on_change=_exclude)
if st.session_state.get("excl_error"):
    st.error(f"Could not change it: {st.session_state.pop('excl_error')}")
a, b, c, d = st.columns(4)
if a.button("Open in Review", type="primary", key="open_review"):
    st.switch_page("app_pages/review.py", query_params={"session": str(sid)})
b.download_button("JSON", hist.export_json(sid), file_name=f"formcheck-session-{sid}.json", mime="application/json",
                  key="hist_json")
c.download_button("CSV", hist.export_csv(sid), file_name=f"formcheck-session-{sid}.csv", mime="text/csv",
                  key="hist_csv")
delete_session(hist, sid, labels[sid], d, button="Delete…", key="delete", yes_key="confirm_delete_yes",
               no_key="confirm_delete_no", state_key="confirm_delete", on_deleted=lambda: st.toast(f"Deleted session #{sid}"))

r1, r2 = st.columns([3, 1])
analyse_again(hist, picked, r1, r2, label=f"Saved under the wrong movement? Analyse session #{sid} again as",
              key="hist_reanalyse", pick_key=f"hist_again_{sid}",
              on_done=lambda again: st.toast(f"Session #{sid} analysed again as {movement_title(again).lower()}"))

# ---- routines --------------------------------------------------------------------------------------
routines = hist.list_routines()
if routines:
    st.subheader(f"Guided routines ({len(routines)})")
    for r in routines[:10]:
        done = "; ".join(f"{x['title']} {x['sets_done']}/{x['sets_prescribed']} sets" for x in r["summary"])
        with st.expander(f"{r['created_at'][:16].replace('T', ' ')} · {r['name']} · {done}"):
            st.dataframe(pd.DataFrame(physio.prescribed_rows([r]), columns=physio.PRESCRIBED_HEAD),
                         hide_index=True, width="stretch")
            for sess in r["sessions"]:
                st.page_link("app_pages/review.py", label=f"Review: {movement_title(sess['exercise'])}",
                             query_params={"session": str(sess["id"])}, icon=":material/fact_check:")

# ---- exports ---------------------------------------------------------------------------------------
st.subheader("Export and share")
st.download_button("All sessions (CSV, one row per rep)", hist.export_csv(), file_name="formcheck-history.csv",
                   mime="text/csv", key="all_csv")
with st.container(border=True):
    st.markdown("**Report for your physiotherapist**")
    p1, p2 = st.columns(2)
    patient = p1.text_input("Patient name or ID (printed on the report)", key="physio_patient", max_chars=80)
    today = date.today()
    span = p2.date_input("Period", (today - timedelta(days=28), today), key="physio_span")
    days = list(span) if isinstance(span, tuple | list) else [span]
    start, end = (days[0], days[-1]) if days else (today, today)
    data = physio.collect(hist, start, end, patient=patient)
    report_html = physio.to_html(data)
    name = f"formcheck-physio-{start}-{end}"
    d1, d2 = st.columns(2)
    d1.download_button("Printable report (HTML)", report_html, file_name=f"{name}.html", mime="text/html",
                       key="physio_html")
    try:
        pdf = physio.to_pdf(data)
    except Exception as e:  # noqa: BLE001 - the HTML report is still there
        d2.error(f"The PDF could not be made ({type(e).__name__}); the HTML report has the same content.")
    else:
        d2.download_button("Report (PDF)", pdf, file_name=f"{name}.pdf", mime="application/pdf", key="physio_pdf")
with st.expander("Preview the physio report"):
    st.iframe(report_html, height=700)
