# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   - the main job on the bundled example data
#   make test   - the full test suite (package tests + every notebook)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test install bench clean-venv

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: install
	MPLBACKEND=Agg $(BIN)/winback demo -o $(OUT)

test: install
	MPLBACKEND=Agg $(BIN)/python -m pytest

bench: install
	MPLBACKEND=Agg $(BIN)/python bench/run.py

clean-venv:
	rm -rf $(VENV)
