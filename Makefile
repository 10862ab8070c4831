# bioeco — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out

.PHONY: setup sysdeps demo demo-steps bench-endpoint test lint format clean bench bench-quick bench-viewer screenshots extract-quality evaluate lab notebooks notebooks-check

# Debian packages the tests and the demo use (real browser, real SPARQL stores). Installed only
# when missing; CI starts on a fresh machine. Add a package name here, never install by hand.
DEB_PACKAGES ?= chromium poppler-utils virtuoso-opensource-7
APT_GET := env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq

sysdeps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO $(APT_GET) update && $$SUDO $(APT_GET) install -y --no-install-recommends $$missing >/dev/null; \
	fi

# setuptools notes on every editable install of a package whose folder is mapped
# (graph/bioeco beside the top-level cli.py: "Editable installation … be careful with folders
# in your working directory with the same name as your package"); the checkout has no such
# folder, so that one note is silenced. A wheel build prints no warning (tests/test_install.py).
QUIET_EDITABLE := PYTHONWARNINGS="ignore:Editable installation"
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(QUIET_EDITABLE) $(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: sysdeps $(STAMP)

# make demo: every step's output goes to $(DEMO_LOG); the terminal shows a short summary naming
# the files to open, or, when a step fails, the log's last lines (and make fails)
DEMO_LOG := $(OUT)/demo.log
demo: setup
	@mkdir -p $(OUT)
	@echo "make demo: building the graph from data/, running every analysis, writing the pages ..."
	@start=$$(date +%s); \
	if ! $(MAKE) --no-print-directory demo-steps > $(DEMO_LOG) 2>&1; then \
	  echo "make demo FAILED. The last 40 lines of $(DEMO_LOG):"; tail -n 40 $(DEMO_LOG); exit 1; \
	fi; \
	echo "Done in $$(( $$(date +%s) - start )) s; every step's output: $(DEMO_LOG). Open:"; \
	echo "  $(OUT)/report.html          the findings on one page, to read or send (report.pdf to print)"; \
	echo "  $(OUT)/viewer.html          the interactive network (works offline)"; \
	echo "  $(OUT)/export/bioeco.xlsx   every analysis table in one workbook (.graphml, .gexf, .jsonld beside it)"; \
	echo "  $(OUT)/analysis/            the full analysis tables as CSV (terms: docs/glossary.md)"; \
	echo "  $(OUT)/whatif/              what the example plan would change (docs/whatif.md)"; \
	echo "  $(OUT)/proposals-sample.csv what bioeco extract proposes from docs/examples/sample-annual-report.txt"; \
	echo "The graph: $(OUT)/bioeco.trig. Ask it: $(BIN)/bioeco queries; $(BIN)/bioeco analyze all --top 10"

# the demo's steps with their whole output (make demo writes it to $(DEMO_LOG))
demo-steps: setup
	$(BIN)/bioeco build --out $(OUT)
	$(BIN)/bioeco stats --graph $(OUT)/bioeco.trig
	$(BIN)/bioeco analyze all --out $(OUT) --top 10
	@echo "Above: the 10 best rows of each ranked table. Full tables: $(OUT)/analysis/*.csv; terms: docs/glossary.md"
	$(BIN)/bioeco analyze change --from 2017 --to 2021 --scope all --no-write --table change_summary
	$(BIN)/bioeco queries
	$(BIN)/bioeco query --name cross-sector-initiatives --graph $(OUT)/bioeco.trig
	$(BIN)/bioeco extract docs/examples/sample-annual-report.txt --source-id sample-2023 \
	  --publisher biotech-north -o $(OUT)/proposals-sample.csv
	$(BIN)/bioeco whatif docs/examples/whatif-land-moter-hav.csv --suggest 5 --out $(OUT)
	$(BIN)/bioeco report --graph $(OUT)/bioeco.trig -o $(OUT)/report.html --suggest 5 --pdf
	$(BIN)/bioeco viz --graph $(OUT)/bioeco.trig -o $(OUT)/viewer.html --highlight bridges --highlight overlap --highlight gaps
	mkdir -p $(OUT)/export  # -o FILE never creates folders the user did not ask for
	for f in graphml gexf xlsx jsonld; do $(BIN)/bioeco export --to $$f --graph $(OUT)/bioeco.trig \
	  -o $(OUT)/export/bioeco.$$f || exit 1; done

# README images: screenshots of the demo's pages in headless Chromium (committed under docs/img/);
# the viewer in each state (whole, search, filter, focus, panel, years), set by its URL fragment,
# and the summary a big graph opens on
VIEWER_SHOT = --wait-for '\#network[data-settled=true]' --width 1440 --height 900
screenshots: demo
	$(PY) scripts/screenshot.py $(OUT)/viewer.html docs/img/viewer.png $(VIEWER_SHOT)
	$(PY) scripts/screenshot.py $(OUT)/viewer.html docs/img/viewer-search.png $(VIEWER_SHOT) --fragment 'q=nofima'
	$(PY) scripts/screenshot.py $(OUT)/viewer.html docs/img/viewer-filter.png $(VIEWER_SHOT) --fragment 'sector=marine&type=company'
	$(PY) scripts/screenshot.py $(OUT)/viewer.html docs/img/viewer-focus.png $(VIEWER_SHOT) --fragment 'focus=initiative/biotech-north'
	$(PY) scripts/screenshot.py $(OUT)/viewer.html docs/img/viewer-panel.png $(VIEWER_SHOT) --fragment 'q=marealis&sel=actor/marealis'
	$(PY) scripts/screenshot.py $(OUT)/viewer.html docs/img/viewer-2017.png $(VIEWER_SHOT) --fragment 'year=2017'
	$(PY) scripts/screenshot.py $(OUT)/viewer.html docs/img/viewer-2021.png $(VIEWER_SHOT) --fragment 'year=2021'
	$(PY) scripts/screenshot.py $(OUT)/report.html docs/img/report.png --width 1280 --height 1850
	# a big graph opens on a summary: synthetic data at scale 44 (5088 nodes)
	$(PY) -m bench.generate --scale 44 --seed 0 --out $(OUT)/synthetic-44/data
	$(BIN)/bioeco build --no-validate --data $(OUT)/synthetic-44/data --out $(OUT)/synthetic-44
	$(BIN)/bioeco viz --graph $(OUT)/synthetic-44/bioeco.trig -o $(OUT)/viewer-summary.html
	$(PY) scripts/screenshot.py $(OUT)/viewer-summary.html docs/img/viewer-summary.png $(VIEWER_SHOT)

# the suite runs on TEST_WORKERS processes (pytest-xdist), a test file per process: the
# browser, server and notebook tests wait on other processes much of the time
TEST_WORKERS ?= 2
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# full benchmark: scales 1 -> 100 (steps over --timeout are cut off and marked incomplete);
# bench-quick stops at scale 8 (CI)
BENCH_SCALES ?= 1,2,4,8,16,32,64,100
bench: setup
	$(BIN)/python -m bench.run --scales $(BENCH_SCALES) --repeat 1

bench-quick: setup
	$(BIN)/python -m bench.run --scales 1,2,4,8 --repeat 1

# `bioeco serve` under load: 8 concurrent SPARQL clients x 200 queries on the demo's graph
# (tests/endpoint/test_load.py runs a small load in make test)
bench-endpoint: demo
	$(BIN)/python -m bench.endpoint_load --graph $(OUT)/bioeco.trig --graph $(OUT)/analysis.trig

# the viewer at growing scales (up to about 5000 nodes) in headless Chromium -> bench/VIEWER.md
bench-viewer: setup
	$(BIN)/python -m bench.viewer

# recall/precision of `bioeco extract` on the two source documents against data/
extract-quality: setup
	$(BIN)/python -m bench.extract_quality

# does each analysis find what is there? recall and false discovery against planted truth
# (20 seeds at scales 1 and 8, null data for structural gaps) and the 2017 -> 2021 back-test
# of the pair suggestions -> docs/evaluation-results.md
evaluate: setup
	$(BIN)/python -m bench.evaluate --scales 1,8 --seeds 20 --backtest --out docs/evaluation-results.md

# JupyterLab in the venv (the `lab` extra), opened on notebooks/ (local only: 127.0.0.1)
LAB_STAMP := $(VENV)/.lab-stamp
$(LAB_STAMP): $(STAMP) pyproject.toml
	$(QUIET_EDITABLE) $(PY) -m pip install --quiet -e '.[test,lab]'
	@touch $(LAB_STAMP)

lab: setup $(LAB_STAMP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --notebook-dir=notebooks \
	  $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

# run every notebook on a fresh kernel and write it back with its outputs (commit the result);
# notebooks-check only compares (the tests do the same)
notebooks: setup
	$(PY) -m bioeco.notebook.runner

notebooks-check: setup
	$(PY) -m bioeco.notebook.runner --check

clean:
	rm -rf $(OUT) .pytest_cache
