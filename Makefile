# bioeco — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= out

.PHONY: setup sysdeps demo test lint format clean bench bench-quick bench-viewer screenshots extract-quality evaluate lab notebooks notebooks-check

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

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: sysdeps $(STAMP)

demo: setup
	$(BIN)/bioeco build --out $(OUT)
	$(BIN)/bioeco stats --graph $(OUT)/bioeco.trig
	$(BIN)/bioeco analyze all --out $(OUT) --top 10
	@echo "Above: the 10 best rows of each ranked table. Full tables: $(OUT)/analysis/*.csv; terms: docs/glossary.md"
	$(BIN)/bioeco analyze change --from 2017 --to 2021 --scope all --no-write --table change_summary
	$(BIN)/bioeco queries
	$(BIN)/bioeco query --name cross-sector-initiatives --graph $(OUT)/bioeco.trig
	$(BIN)/python -m bench.endpoint_load --clients 2 --queries 5 --graph $(OUT)/bioeco.trig --graph $(OUT)/analysis.trig
	$(BIN)/bioeco extract ../shared/seeds/biotech-north-annual-report-2021.txt \
	  --source-id btn-ar-2021 -o $(OUT)/proposals-btn-ar-2021.csv
	$(BIN)/bioeco whatif docs/examples/whatif-land-moter-hav.csv --suggest 5 --out $(OUT)
	$(BIN)/bioeco report --graph $(OUT)/bioeco.trig -o $(OUT)/report.html --suggest 5
	$(BIN)/bioeco viz --graph $(OUT)/bioeco.trig -o $(OUT)/viewer.html --highlight bridges --highlight overlap --highlight gaps
	for f in graphml gexf xlsx jsonld; do $(BIN)/bioeco export --to $$f --graph $(OUT)/bioeco.trig \
	  -o $(OUT)/export/bioeco.$$f || exit 1; done

# README images: screenshots of the demo's pages in headless Chromium (committed under docs/img/)
screenshots: demo
	$(PY) scripts/screenshot.py $(OUT)/viewer.html docs/img/viewer.png --wait-for 'body[data-ready=true]' --height 1100
	$(PY) scripts/screenshot.py $(OUT)/report.html docs/img/report.png --width 1280 --height 1850

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
	$(PY) -m pip install --quiet -e '.[test,lab]'
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
