"""formcheck: rep-by-rep form feedback for runner's-knee rehab, on this machine.

Start with `streamlit run app.py` (see docs/app.md). This file only sets up the
pages; each page lives in app_pages/ (a folder named pages/ would switch Streamlit to
its legacy multipage mode, which bypasses st.navigation) and the logic behind them in formcheck/.
"""

import sys
from pathlib import Path

import streamlit as st

from formcheck.history import HistoryError

# The pages share widgets (app_pages/widgets.py): make this folder importable, as
# `streamlit run` does itself, also when the app runs under AppTest.
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# The page icon is a file served by this app: a ":material/...:" icon would make every
# browser fetch it from a font server (see docs/security.md).
ICON = HERE / "assets" / "icon.png"
st.set_page_config(page_title="formcheck", page_icon=str(ICON), layout="wide")

pages = [
    st.Page("app_pages/routine.py", title="Today's routine", icon=":material/checklist:", url_path="routine"),
    st.Page("app_pages/live.py", title="Live", icon=":material/videocam:", url_path="live"),
    st.Page("app_pages/analyze.py", title="Analyze a video", icon=":material/movie:", url_path="analyze", default=True),
    st.Page("app_pages/review.py", title="Review", icon=":material/fact_check:", url_path="review"),
    st.Page("app_pages/history.py", title="History", icon=":material/history:", url_path="history"),
]
nav = st.navigation(pages)
with st.sidebar:
    st.caption("Everything stays on this computer: video is analysed here and sessions are saved "
               "in your own data folder. Nothing is uploaded anywhere.")
try:
    nav.run()
except HistoryError as e:  # damaged, locked, newer or misplaced database: say what and what to do, on every page
    st.error(str(e), icon=":material/database:")
    st.caption("Reload this page once it is fixed.")
