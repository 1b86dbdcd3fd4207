# Two commands: `make serve` runs the workshop, `make test` runs the whole suite
# (`make test-fast`: without the slow and browser tests).
# Any Python >= 3.11 will do: the first of these that is one, unless PYTHON=... is given.
PYTHON_CANDIDATES := python3.11 python3.12 python3.13 python3
IS_NEW_ENOUGH := -c 'import sys; sys.exit(sys.version_info < (3, 11))'
ifndef PYTHON
PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell command -v $(p) >/dev/null 2>&1 && $(p) $(IS_NEW_ENOUGH) 2>/dev/null && echo $(p))))
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DECK ?= decks/leaders-role.yaml
ARGS ?=

.PHONY: serve test test-fast install vendor bench loadtest screenshots print-sheets clean

$(BIN)/python:
	@test -n "$(PYTHON)" && $(PYTHON) $(IS_NEW_ENOUGH) 2>/dev/null || { echo "Python 3.11 or newer is needed: install it, or run 'make PYTHON=/path/to/python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@echo "Preparing the PDF fonts (once: a minute or two)"
	$(BIN)/python -c 'import handouts.fonts as f; f.prepare_all()'
	@touch $(STAMP)

install: $(STAMP)

# A resumed session runs on the deck it was started with, so DECK is left out then.
serve: $(STAMP)
	$(BIN)/workshop serve $(if $(findstring --resume,$(ARGS)),,$(DECK)) $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser" $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m scripts.bench_pdf

loadtest: $(STAMP)
	$(BIN)/python -m scripts.loadtest $(ARGS)

screenshots: $(STAMP)
	$(BIN)/python -m scripts.screenshots

print-sheets: $(STAMP)
	$(BIN)/python -m scripts.print_sheets

vendor:
	$(PYTHON) scripts/vendor.py

clean:
	rm -rf $(VENV) build *.egg-info
