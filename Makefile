# Two commands: `make serve` runs the workshop, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DECK ?= decks/leaders-role.yaml
ARGS ?=

.PHONY: serve test install vendor bench loadtest screenshots clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: install it, or run 'make PYTHON=python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# A resumed session runs on the deck it was started with, so DECK is left out then.
serve: $(STAMP)
	$(BIN)/workshop serve $(if $(findstring --resume,$(ARGS)),,$(DECK)) $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m scripts.bench_pdf

loadtest: $(STAMP)
	$(BIN)/python -m scripts.loadtest $(ARGS)

screenshots: $(STAMP)
	$(BIN)/python -m scripts.screenshots

vendor:
	$(PYTHON) scripts/vendor.py

clean:
	rm -rf $(VENV) build *.egg-info
