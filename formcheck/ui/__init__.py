"""What the app's pages show that is not Streamlit, one job per module.

    uploads      which files an upload may be, and why one is refused
    labels       words for movements and sessions; camera placement advice
    samples      the bundled sample clips and their precomputed reports
    tables       report tables and cards (pandas), running legs, cadence
    figures      Plotly charts of a report and of the trends
    thumbnails   frames of a session's video, or its skeleton drawn from landmarks
    live_worker  the live stream's worker and the state the Live page keeps
    speech       what the live coach says aloud
    saving       analyse a file or a live stream and save it; analyse a saved session again

Functions return plain values, pandas DataFrames or Plotly figures, so the pages
stay thin and all of this is testable without a browser. Nothing here imports
Streamlit; OpenCV is reached only through formcheck.video / formcheck.draw.
"""
