# ShopFlow developer / CI entry points. Infrastructure (Kafka KRaft + PostgreSQL) runs as local
# processes started by scripts/infra/*.sh; see docs/decisions/0001-local-infrastructure.md.

SHELL := /bin/bash
comma := ,
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3 || command -v python)
INFRA_DIR ?= $(or $(SHOPFLOW_INFRA_DIR),$(CURDIR)/.infra)
KAFKA_PORT ?= $(or $(SHOPFLOW_KAFKA_PORT),9092)
KAFKA_CONTROLLER_PORT ?= $(or $(SHOPFLOW_KAFKA_CONTROLLER_PORT),9093)
PG_PORT ?= $(or $(SHOPFLOW_PG_PORT),5432)
# 1 broker, or KAFKA_BROKERS=3 for a three-broker cluster (ports KAFKA_PORT, +10, +20);
# PG_REPLICA=1 adds a streaming replica on PG_PORT+1 (docs/scaling.md).
KAFKA_BROKERS ?= $(or $(SHOPFLOW_KAFKA_BROKERS),1)
PG_REPLICA ?= $(or $(SHOPFLOW_PG_REPLICA),0)
PYTEST_ARGS ?=

# The infra scripts read these; the make variables above are the single source of truth.
export SHOPFLOW_INFRA_DIR := $(INFRA_DIR)
export SHOPFLOW_KAFKA_PORT := $(KAFKA_PORT)
export SHOPFLOW_KAFKA_CONTROLLER_PORT := $(KAFKA_CONTROLLER_PORT)
export SHOPFLOW_PG_PORT := $(PG_PORT)
export SHOPFLOW_KAFKA_BROKERS := $(KAFKA_BROKERS)
export SHOPFLOW_PG_REPLICA := $(PG_REPLICA)
KAFKA_BOOTSTRAP := $(if $(filter 3,$(KAFKA_BROKERS)),127.0.0.1:$(KAFKA_PORT)$(comma)127.0.0.1:$(shell echo $$(($(KAFKA_PORT)+10)))$(comma)127.0.0.1:$(shell echo $$(($(KAFKA_PORT)+20))),127.0.0.1:$(KAFKA_PORT))
export PYTHON

# How tests (and anything else run from here) find the local infrastructure.
TEST_ENV := SHOPFLOW_KAFKA_BOOTSTRAP=$(KAFKA_BOOTSTRAP) \
	SHOPFLOW_DATABASE_URL=postgresql://shopflow@127.0.0.1:$(PG_PORT)/shopflow

INFRA := scripts/infra/infra.sh
INSTALL_STAMP := $(INFRA_DIR)/install.stamp

.PHONY: help install infra-up infra-down infra-status lint test test-unit test-integration \
	test-e2e down clean demo bench compose-env

help:
	@echo "make install         pip install -e '.[dev]' (no-op when pyproject.toml is unchanged)"
	@echo "make infra-up        start local Kafka ($(KAFKA_PORT)) and PostgreSQL ($(PG_PORT));"
	@echo "                     KAFKA_BROKERS=3: three brokers, PG_REPLICA=1: a streaming replica"
	@echo "make infra-status    show whether they run (exit 0 = both running)"
	@echo "make infra-down      stop them"
	@echo "make lint            ruff + mypy + promtool/amtool (alert rules and their tests)"
	@echo "make test            install, infra-up, lint, then the whole test suite"
	@echo "                     (TEST_WORKERS=2 pytest workers, then the serial tests alone)"
	@echo "make test-unit       unit tests only (no infrastructure needed)"
	@echo "make test-integration / test-e2e"
	@echo "make demo            the whole platform locally, with 14 days of sample data"
	@echo "make bench           benchmarks (figures printed; BENCH_ARGS=... / BENCH_API_ARGS=...)"
	@echo "make down            stop everything started from here"
	@echo "make clean           down, then delete .infra/ and data/"
	@echo "make compose-env     write .env with random database passwords for docker compose"

# Re-installs only when pyproject.toml changed or a different interpreter is used; the stamp
# records which interpreter (sys.prefix) the editable install went into.
install:
	@prefix="$$($(PYTHON) -c 'import sys; print(sys.prefix)')"; \
	if [ -f "$(INSTALL_STAMP)" ] && [ "$(INSTALL_STAMP)" -nt pyproject.toml ] \
		&& [ "$$(cat "$(INSTALL_STAMP)")" = "$$prefix" ]; then \
		echo "install: up to date ($$prefix)"; \
	else \
		PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install -q -e '.[dev]'; \
		mkdir -p "$(INFRA_DIR)"; \
		echo "$$prefix" > "$(INSTALL_STAMP)"; \
	fi

# Browser assets (chart.js, swagger-ui) and the test browser driver come from npm.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

infra-up:
	@$(INFRA) up

infra-down:
	@$(INFRA) down

infra-status:
	@$(INFRA) status

lint: install
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy shopflow services contracts
	scripts/monitoring/monitoring.sh check

# The whole suite (unit, integration and e2e) in two pytest runs: first on TEST_WORKERS
# processes (pytest-xdist; a test file stays on one worker, every test has its own topics,
# groups and database), then, alone, the tests marked `serial` (they restart the shared
# Kafka or PostgreSQL). Both always run; a failure in either fails the target (exit 5 = no
# test selected, e.g. by PYTEST_ARGS, is not one).
# docs/decisions/0087-parallel-test-workers.md
TEST_WORKERS ?= 2
test: install node_modules/.package-lock.json infra-up lint
	@rc=0; \
	$(TEST_ENV) $(PYTHON) -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not serial" \
		$(PYTEST_ARGS) || { s=$$?; [ $$s -eq 5 ] || rc=$$s; }; \
	$(TEST_ENV) $(PYTHON) -m pytest -q -m serial $(PYTEST_ARGS) || { s=$$?; \
		[ $$s -eq 5 ] || rc=$$s; }; \
	exit $$rc

test-unit: install
	$(TEST_ENV) $(PYTHON) -m pytest -q tests/unit $(PYTEST_ARGS)

test-integration: install infra-up
	$(TEST_ENV) $(PYTHON) -m pytest -q tests/integration $(PYTEST_ARGS)

test-e2e: install infra-up
	$(TEST_ENV) $(PYTHON) -m pytest -q tests/e2e $(PYTEST_ARGS)

# The whole platform without Docker: infra, five supervised services, 14 days of data.
demo: install node_modules/.package-lock.json
	@scripts/demo/demo.sh

bench: install infra-up
	$(PYTHON) -m pip install -q -e '.[dev,bench]'
	$(TEST_ENV) $(PYTHON) bench/bench_pipeline.py $(BENCH_ARGS)
	$(TEST_ENV) $(PYTHON) bench/bench_api.py $(BENCH_API_ARGS)

# docker compose reads its passwords from .env (not in git) and refuses to start without them.
compose-env:
	@scripts/security/compose_env.sh .env

down:
	@scripts/monitoring/monitoring.sh down
	@scripts/demo/services.sh down
	@$(INFRA) down

clean: down
	@$(INFRA) purge
	rm -rf "$(INFRA_DIR)" data/
