# rhmodel: `make report` runs the main job on the sample data; `make test` runs the whole suite.
# Both create .venv with python3 on first use. `make help` lists every target.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PARAMS ?= data/params/sample.yaml

.DEFAULT_GOAL := help
.PHONY: help report test lint format bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -qq -e '.[test]'
	touch $@

report: $(VENV)/.installed ## create .venv, install, render the sample renewal pack into reports/sample/
	@# bytecode for the editable install, read even where PYTHONDONTWRITEBYTECODE is set: each
	@# of the pack's two Python processes would otherwise compile rhmodel again (0.3 s each)
	@$(PY) -m compileall -q rhmodel
	$(PY) -m rhmodel report --params $(PARAMS) --out reports/sample

test: $(VENV)/.installed-test ## create .venv with the test extra and run the whole suite
	$(PY) -m ruff check rhmodel tests benchmarks
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(VENV)/.installed-test ## ruff check, format check and the import contracts (faces -> edges -> core)
	$(PY) -m ruff check rhmodel tests benchmarks
	$(PY) -m ruff format --check rhmodel tests benchmarks
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed-test ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix rhmodel tests benchmarks
	$(PY) -m ruff format rhmodel tests benchmarks

.PHONY: keys
keys: $(VENV)/.installed ## regenerate the README's parameter-key table from the schema
	$(PY) -m rhmodel.faces.keytable README.md

bench: $(VENV)/.installed-test ## run the benchmarks and print their tables
	$(PY) benchmarks/bench_simulation.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_explorer.py
	$(PY) benchmarks/bench_plans.py
	$(PY) benchmarks/bench_pilot.py --sessions 10000000

clean: ## remove .venv, caches and generated reports
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
