# StageMap: `make run` sets up and starts the app; `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= data/stagemap.gpkg
PORT ?= 8501

.PHONY: run test bench lint sample clean

$(BIN)/stagemap: requirements.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/stagemap

$(STORE): | $(BIN)/stagemap
	$(BIN)/stagemap sample --store $(STORE)

run: $(BIN)/stagemap $(STORE)
	STAGEMAP_STORE=$(STORE) $(BIN)/streamlit run streamlit_app.py --server.port $(PORT) --server.headless true

# The PostgreSQL + PostGIS tier needs no setup here: a pytest session fixture (tests/pgcluster.py)
# starts a throwaway cluster on a free 127.0.0.1 port per worker and removes it at the end.
# Without PostGIS those tests skip locally and fail under CI=true (.ci/run installs it).
test: $(BIN)/stagemap
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 -q

bench: $(BIN)/stagemap
	$(BIN)/python -m bench.run

sample: $(BIN)/stagemap
	$(BIN)/stagemap sample --store $(STORE)

clean:
	rm -rf $(VENV) build *.egg-info data/cache
