# The two commands that do all the set-up:
#   make run    installs everything into .venv and starts the app on http://127.0.0.1:8501
#   make test   installs everything into .venv, lints (ruff) and runs the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test lint samples sample-reports clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt formcheck_synth/pyproject.toml scripts/setup.sh
	bash scripts/setup.sh $(VENV)
	touch $(STAMP)

run: setup
	$(VENV)/bin/streamlit run app.py --server.address 127.0.0.1 --server.port 8501 --browser.gatherUsageStats false

test: setup
	bash scripts/test.sh $(VENV)

lint: setup
	$(VENV)/bin/ruff check formcheck formcheck_synth app.py app_pages tests benchmarks

# Renders the sample clips (needs the [synth] extra), then precomputes their reports.
samples: setup
	$(PY) -m formcheck_synth.samples sample_videos
	$(PY) -m formcheck.sample_reports sample_videos

# Only the precomputed reports, tracks and annotated videos of the clips already in sample_videos/.
sample-reports: setup
	$(PY) -m formcheck.sample_reports sample_videos

clean:
	rm -rf $(VENV) .pytest_cache
