# The front door. `make test` and `make demo` build everything they need, starting with .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASL_VALIDATOR := tooling/asl-validator/node_modules/.bin/asl-validator
# checkov has its own venv: it pins boto3==1.35.49, packaging<24 and networkx<2.7, and its bc-python-hcl2
# installs a module `hcl2` over python-hcl2; all of these clash with requirements/constraints.txt.
INFRA_VENV := .venv-infra
INFRA_STAMP := $(INFRA_VENV)/.installed
TERRAFORM ?= terraform
# A local mirror of the pinned AWS provider (terraform/versions.tf): with it, infra-check also runs
# `terraform validate` and terraform/tests/ against a mocked AWS. Providers cannot be downloaded here.
TF_PLUGIN_DIR ?= /opt/tf-plugins
# CI sets REQUIRE_TF_VALIDATE=1 (.ci/run): there a missing mirror fails instead of skipping.
TF_ENV := TF_DATA_DIR=$(abspath build/terraform) TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1

# The Lambda runtime's Python, for the package test (tests/infra/test_packages.py).
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell command -v python3.12 2>/dev/null))

.PHONY: help install test demo lint bench up clean lock lock-infra package infra-check

help:
	@echo "make demo   run the main job on the embedded local stack"
	@echo "make test   run the whole test suite (infra-check first)"
	@echo "make infra-check  checkov and terraform fmt over terraform/, offline"
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

# Rebuilt from scratch when the lock changes, so nothing outside requirements/infra.txt lingers.
$(INFRA_STAMP): requirements/infra.txt
	rm -rf $(INFRA_VENV) && $(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/infra.txt
	touch $(INFRA_STAMP)

install: $(STAMP) $(ASL_VALIDATOR)

# Offline: CHECKPOINT_DISABLE stops terraform's version check; --skip-download and
# CKV_SKIP_PACKAGE_UPDATE_CHECK stop checkov's only network calls (the platform's guideline mapping,
# PyPI's latest version). No skip list: suppressions live in the .tf files, each with its reason.
infra-check: $(INFRA_STAMP)
	@command -v $(TERRAFORM) >/dev/null || { echo "make infra-check needs terraform on PATH (or TERRAFORM=/path/to/terraform): install 1.11.4 from https://releases.hashicorp.com/terraform/1.11.4/ or with tfenv (tfenv install 1.11.4)"; exit 1; }
	mkdir -p build && $(TF_ENV) $(TERRAFORM) fmt -check -recursive -diff terraform
	CKV_SKIP_PACKAGE_UPDATE_CHECK=true $(INFRA_VENV)/bin/checkov --directory terraform --framework terraform \
		--quiet --compact --skip-download --download-external-modules false --skip-path terraform/tests
	@if [ -d "$(TF_PLUGIN_DIR)" ]; then \
		$(TF_ENV) $(TERRAFORM) -chdir=terraform init -backend=false -input=false -no-color -plugin-dir=$(TF_PLUGIN_DIR) >/dev/null && \
		$(TF_ENV) $(TERRAFORM) -chdir=terraform validate -no-color && \
		for env in dev staging prod; do \
			echo "terraform test, envs/$$env.tfvars (mocked AWS provider)"; \
			$(TF_ENV) $(TERRAFORM) -chdir=terraform test -no-color -var-file=envs/$$env.tfvars >build/terraform-test-$$env.log 2>&1 \
				|| { cat build/terraform-test-$$env.log; exit 1; }; \
		done; \
	else \
		echo "infra-check: no provider mirror at TF_PLUGIN_DIR=$(TF_PLUGIN_DIR): terraform validate and terraform/tests skipped"; \
		test -z "$(REQUIRE_TF_VALIDATE)" || { echo "REQUIRE_TF_VALIDATE is set: failing"; exit 1; }; \
	fi

test: $(STAMP) $(ASL_VALIDATOR) infra-check
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

# Re-pin checkov (requirements/infra.in) and every dependency, with hashes, into requirements/infra.txt.
lock-infra:
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet pip-tools==7.6.2
	CUSTOM_COMPILE_COMMAND="make lock-infra" .lockvenv/bin/pip-compile --quiet --upgrade --generate-hashes \
		--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements/infra.txt requirements/infra.in
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) $(INFRA_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis tooling/asl-validator/node_modules
