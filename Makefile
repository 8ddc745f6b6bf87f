# Every target is a thin call into the CLI (python -m pipeline ...); set-up is automatic.
# Defaults (paths, limits, seeds) live in one place, pipeline/data/config.toml: CONFIG=FILE overrides its keys,
# and INPUT=PATH, OUT=DIR, JOBS=N, REVIEW=FILE, URLS="..." (when given) override those. Each path variable is one
# path, quoted here so that a space in it stays (INPUT="my folder"); URLS alone is a space-separated list.
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
NOTEBOOK_STAMP := $(VENV)/.installed-notebook
CLI := $(PY) -m pipeline $(if $(CONFIG),--config "$(CONFIG)")

.PHONY: help collect score notebook coverage test lint golden train evaluate learning-curve bench review-export review-import register-extract clean-cache clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e . && touch $@

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[test]' && touch $@

$(NOTEBOOK_STAMP): $(STAMP)
	$(PY) -m pip install -q -e '.[notebook]' && touch $@

# Exit 1 means "scored, and some documents were reported in errors.csv" (the shipped
# corpus holds an HMICFRS letter that is no response): exit 2 (usage) and 3 (no document scored, E443) fail the target.
score: $(STAMP) ## Score every response in corpus/raw into scorecards/
	$(CLI) score $(if $(INPUT),"$(INPUT)") $(if $(OUT),--out "$(OUT)") $(if $(JOBS),--jobs "$(JOBS)") || [ $$? -eq 1 ]

notebook: $(NOTEBOOK_STAMP) ## Run notebooks/scorecard.ipynb on scorecards/ (OUT=DIR, INSPECTION=ID) into scorecards/scorecard.ipynb
	$(CLI) notebook $(if $(OUT),--scorecard "$(OUT)") $(if $(INSPECTION),--inspection "$(INSPECTION)")

# Exit 1 means "collected, and some URLs failed" (rows with a reason in sources.csv): only exit 2 fails the target.
collect: $(STAMP) ## Download responses into collected/ from URLS="..." (default: the pages in corpus/sources.csv)
	$(CLI) collect $(if $(URLS),$(URLS),--sources) || [ $$? -eq 1 ]
coverage: $(STAMP) ## Share of labelled real responses yielding a passage of the right force (corpus/raw/responses)
	$(CLI) coverage corpus/raw/responses --labels corpus/annotations/real.jsonl

test: $(TEST_STAMP) ## Run the test suite
	$(PY) -m pytest

# The one target that is not a call into the CLI: linters are tools of the repository, not of the product.
lint: $(TEST_STAMP) ## Check style, docstrings (Google) and imports with ruff, and types with mypy
	$(PY) -m ruff check pipeline tests && $(PY) -m mypy pipeline

golden: $(STAMP) ## Rewrite tests/data/golden/ (the seed outputs tests compare exactly); review the diff before committing
	$(CLI) golden

train: $(STAMP) ## Train the status classifier on corpus/annotations into models/
	$(CLI) train --readme README.md

evaluate: $(STAMP) ## Grouped-by-force evaluation on real items, with baselines and the out-of-domain set
	$(CLI) evaluate

learning-curve: $(STAMP) ## Macro-F1 against real training items (shares of each fold's forces) and the extrapolation to the targets
	$(CLI) evaluate --learning-curve --readme README.md

# Review loop: make score, make review-export, fill in reviews/to-review.csv, make review-import, make train, make score.
review-export: $(STAMP) ## Write reviews/to-review.csv (+ .jsonl): passages to check, least confident first (LIMIT=N)
	$(CLI) review export $(if $(OUT),--scorecard "$(OUT)") $(if $(REVIEW),--out "$(REVIEW)") $(if $(LIMIT),--limit "$(LIMIT)")

review-import: $(STAMP) ## Merge the filled-in reviews/to-review.csv (REVIEW=FILE) into corpus/annotations/reviews.jsonl
	$(CLI) review import $(if $(REVIEW),"$(REVIEW)")

register-extract: $(STAMP) ## Write corpus/inspections/ID.toml from an HMICFRS report (REPORT=FILE ID=ID [FORCE=NAME])
	$(CLI) register extract "$(REPORT)" --id "$(ID)" --out "corpus/inspections/$(ID).toml" $(if $(FORCE),--force "$(FORCE)")

# One BLAS thread per process: multi-threaded BLAS is pathologically slow in small containers.
bench: $(TEST_STAMP) ## Benchmark ingest, classify and end-to-end; writes bench/results.json
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(CLI) bench

clean-cache: $(STAMP) ## Delete the extraction cache
	$(CLI) cache clear

clean: ## Remove the virtual environment, the cache and the scored outputs (paths.out, paths.cache of the configuration)
	[ ! -x $(PY) ] || rm -rf $$($(CLI) config paths.out paths.cache); rm -rf $(VENV)
