# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   - the main job on the bundled example data
#   make test   - the full test suite (package tests + every notebook)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test install bench lint test-lowest clean-venv docs

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: install
	MPLBACKEND=Agg $(BIN)/winback demo -o $(OUT) --force

test: install
	MPLBACKEND=Agg $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check --no-cache winback_research tests bench

# The package tests with the lowest versions pyproject.toml allows of the libraries whose APIs we lean on
# (the notebooks and the documentation site are built with the current versions in `make test` and `make docs`).
LOWEST := "numpy==1.26.4" "pandas==2.2.0" "pandera==0.24.0" "scipy==1.12.0" "statsmodels==0.14.0" "matplotlib==3.11.0" "formulaic==1.2.1" "pyarrow==16.1.0"
test-lowest:
	test -x .venv-lowest/bin/python || $(PYTHON) -m venv .venv-lowest
	.venv-lowest/bin/python -m pip install --quiet $(LOWEST) -e ".[dev]"
	MPLBACKEND=Agg .venv-lowest/bin/python -m pytest -q -p no:cacheprovider --ignore=tests/test_notebooks.py --ignore=tests/test_docs.py

# The documentation site, offline: notebooks -> _proc/ (nbdev's processing) -> Sphinx + MyST-NB + Furo -> _docs/
docs: install
	MPLBACKEND=Agg $(BIN)/python docs/build.py

bench: install
	MPLBACKEND=Agg $(BIN)/python bench/run.py

clean-venv:
	rm -rf $(VENV)
