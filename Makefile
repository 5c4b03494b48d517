# kingmaker: two commands for a fresh machine with Python 3.11.
#   make demo   set up a virtual environment and run the main job (2010 House of Commons coalitions)
#   make test   set up the same environment and run the whole test suite and the linter
#   make fuzz   the long fuzzing run of every reader and web body (minutes; FUZZ_EXAMPLES per test)
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test setup lint clean fuzz

$(BIN)/kingmaker: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(BIN)/kingmaker

setup: $(BIN)/kingmaker

demo: setup
	$(BIN)/kingmaker coalitions

test: setup
	$(BIN)/ruff check kingmaker tests benchmarks
	$(BIN)/ruff format --check kingmaker tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2

FUZZ_EXAMPLES ?= 1000
fuzz: setup
	@report=$$(mktemp -d); \
	KINGMAKER_FUZZ=long KINGMAKER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) KINGMAKER_FUZZ_REPORT=$$report \
		$(BIN)/python -m pytest -q -n 2 tests/test_fuzz_*.py; status=$$?; \
	$(BIN)/python -m tests.test_fuzz_harness $$report; rm -rf $$report; exit $$status

clean:
	rm -rf $(VENV) build *.egg-info
