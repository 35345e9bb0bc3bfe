# The front door. `make test` and `make demo` build everything they need, starting with .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASL_VALIDATOR := tooling/asl-validator/node_modules/.bin/asl-validator

# The Lambda runtime's Python, for the package test (tests/infra/test_packages.py).
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))

.PHONY: help install test demo lint bench up clean lock package

help:
	@echo "make demo   run the main job on the embedded local stack"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff + mypy on product code"
	@echo "make bench  print benchmark numbers"
	@echo "make package  build the Lambda layer and function zips under dist/"
	@echo "make up     serve the local stack (scheduling local up) until Ctrl-C"

$(STAMP): pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found %s); set PYTHON=python3.11" % sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[dev]'
	touch $(STAMP)

# The ASL validator (npm asl-validator, pinned by its package-lock.json); the infra tests run it.
$(ASL_VALIDATOR): tooling/asl-validator/package.json tooling/asl-validator/package-lock.json
	cd tooling/asl-validator && npm ci --no-audit --no-fund --loglevel=error
	touch $(ASL_VALIDATOR)

install: $(STAMP) $(ASL_VALIDATOR)

test: $(STAMP) $(ASL_VALIDATOR)
	@test -n "$(PYTHON312)" || { echo "make test needs a Python 3.12 interpreter (the Lambda runtime) for the package test: install one (pyenv install 3.12) or set PYTHON312=/path/to/python3.12"; exit 1; }
	PYTHON312=$(PYTHON312) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Lambda artifacts under dist/: the layer and one zip per function, reproducible (ARCH=x86_64|arm64).
package: $(STAMP)
	$(BIN)/python -m scheduling_tooling.package --architecture $(or $(ARCH),x86_64)

demo: $(STAMP)
	$(BIN)/scheduling demo

up: $(STAMP)
	$(BIN)/scheduling local up

lint: $(STAMP)
	$(BIN)/ruff check functions tooling tests
	$(BIN)/ruff format --check functions tooling tests
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python tooling/benchmarks/cold_start.py
	$(BIN)/python tooling/benchmarks/pf360_client_roundtrip.py
	$(BIN)/python tooling/benchmarks/booking_workflow.py
	$(BIN)/python tooling/benchmarks/booking_overhead.py
	$(BIN)/python tooling/benchmarks/agent_conversations.py --conversations 200

# Re-pin every dependency from pyproject.toml into requirements/constraints.txt (needs the network).
lock:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet -e '.[dev]'
	.lockvenv/bin/python -m pip freeze --exclude-editable > requirements/constraints.txt
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis tooling/asl-validator/node_modules
