# Two commands do all the set-up: `make chat` and `make test` (see README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: install chat test test-slow bench index browser clean

install: $(STAMP)

# torch is installed first and pinned, so nothing later pulls a multi-GB CUDA build
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

index: install
	$(BIN)/rag index --prune

chat: index
	$(BIN)/rag chat

# Debian's chromium for the browser tests (the tests skip nothing: they need it)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: install browser
	$(BIN)/python -m pytest

test-slow: install
	$(BIN)/python -m pytest -m slow

bench: install
	$(BIN)/rag bench --json bench-results/bench.json

clean:
	rm -rf .rag-index .pytest_cache test-artifacts
