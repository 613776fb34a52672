# Two commands on a fresh machine: `make run` (the app) and `make test` (the suite).
# Each creates or updates the local virtual environment first.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501
REPLICAS ?= 2

.PHONY: run serve test lint bench demo-data browser-deps service-deps clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run streamlit_app.py --server.port $(PORT)

# REPLICAS Streamlit processes behind nginx on PORT, one database ($$ATLAS_DB_URL, else the
# SQLite file); see scripts/serve.sh.
serve: $(STAMP)
	REPLICAS=$(REPLICAS) PORT=$(PORT) PYTHON=$(PY) bash scripts/serve.sh

browser-deps:
	@bash scripts/ensure_chromium.sh

service-deps:
	@bash scripts/serve.sh --install

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: $(STAMP) browser-deps service-deps lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/score_schematic.py
	$(PY) bench/score_schematic_2025.py
	$(PY) bench/national.py
	$(PY) bench/every_province.py
	$(PY) bench/hostile_files.py
	$(PY) bench/hostile_boundaries.py
	$(PY) bench/load.py --sessions 30 --replicas $(REPLICAS) --browsers 5 --floor
	$(PY) bench/load.py --boundaries data/boundaries/cache/bench/detailed_national.geojson --sessions 8 --browsers 5

demo-data: $(STAMP)
	$(PY) -m geo.figures.demo

clean:
	rm -rf $(VENV) data/boundaries/cache .pytest_cache .ruff_cache
