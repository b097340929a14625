# StageMap: `make run` sets up and starts the app; `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= data/stagemap.gpkg
PORT ?= 8501

.PHONY: run test bench bench-browser assets sample clean i18n

$(BIN)/stagemap: requirements.txt pyproject.toml tools/requirements-browser.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r tools/requirements-browser.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/stagemap

# Leaflet and the map plugins, from pinned npm packages, integrity-checked, into static/vendor.
assets: $(BIN)/stagemap
	$(BIN)/python -m tools.install_assets

$(STORE): | $(BIN)/stagemap
	$(BIN)/stagemap sample --store $(STORE)

run: $(BIN)/stagemap assets $(STORE)
	STAGEMAP_STORE=$(STORE) $(BIN)/python -m tools.serve --server.port $(PORT) --server.headless true

# The PostgreSQL + PostGIS tier needs no setup here: a pytest session fixture (tests/pgcluster.py)
# starts a throwaway cluster on a free 127.0.0.1 port per worker and removes it at the end.
# Without PostGIS those tests skip locally and fail under CI=true (.ci/run installs it).
test: $(BIN)/stagemap assets
	$(BIN)/ruff check .
	$(BIN)/mypy --strict geo
	$(BIN)/mypy layers ui stagemap_cli app_pages streamlit_app.py
	$(BIN)/python -m pytest -n 2 -q

bench: $(BIN)/stagemap assets
	$(BIN)/pip install --quiet -r requirements-bench.txt
	status=0; \
	$(BIN)/python -m bench.run || status=1; \
	$(BIN)/python -m bench.app_maps || status=1; \
	$(BIN)/python -m bench.imports || status=1; \
	$(BIN)/python -m bench.browser || status=1; \
	$(BIN)/python -m bench.county || status=1; \
	exit $$status

# Spanish catalogues: every string marked with _() / N_() has Spanish and keeps its {placeholders}.
i18n: $(BIN)/stagemap
	$(BIN)/python -m tools.i18n_catalog check

bench-browser: $(BIN)/stagemap assets
	$(BIN)/python -m bench.browser

sample: $(BIN)/stagemap
	$(BIN)/stagemap sample --store $(STORE)

clean:
	rm -rf $(VENV) build *.egg-info data/cache
