# The two commands of the quick start, and the checks CI runs. Each target creates or
# updates .venv by itself, so a fresh machine with Python 3.11 needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck bench clean

$(BIN)/python:
	@$(PYTHON) -m venv --help >/dev/null 2>&1 || { \
	  echo "python3-venv is missing; installing it with apt-get"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/switchboard up --tls

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Both cores: one worker per test file, so a module's shared server stays in one worker.
# The slowest tests are listed at the end, so the suite's time has names on it.
test: lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=25

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
