# Two commands do all the set-up: `make chat` and `make test` (see README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml setup.py | sha256sum | cut -c1-12)
CODE   := rag bench tests setup.py

.PHONY: install chat test test-slow lint bench screenshot index browser clean

install: $(STAMP)

# llama.cpp is compiled for this CPU, less Intel AMX: a VM that reports AMX without enabling it
# (Firecracker) crashes at the first matrix product (SIGSEGV at ldtilecfg); laptops have no AMX.
# Built afresh (no cached wheel), so a wheel compiled elsewhere with AMX is never reused.
NO_AMX := $(if $(filter x86_64,$(shell uname -m)),-mno-amx-tile -mno-amx-int8 -mno-amx-bf16)
LLAMA  := $(shell grep -o '"llama-cpp-python==[^"]*"' pyproject.toml | head -1)

# torch is installed first and pinned, so nothing later pulls a multi-GB CUDA build
$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	CFLAGS="$(NO_AMX)" CXXFLAGS="$(NO_AMX)" $(BIN)/python -m pip install --quiet --no-cache-dir $(LLAMA)
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

# lint and types first (seconds), then the suite; tests write only under test-artifacts/
test: install browser lint
	$(BIN)/python -m pytest

test-slow: install
	$(BIN)/python -m pytest -m slow

# ruff (lint rules and formatting) on the code, mypy on the product and the bench; configuration in pyproject.toml
lint: install
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy

# the performance benchmark: lives beside the product (bench/), not in the installed package
bench: install
	$(BIN)/python -m bench --json bench-results/bench.json

# refresh the README's screenshots from the browser tests' own (tests never write into docs/)
screenshot: install browser
	$(BIN)/python -m pytest tests/test_browser.py -k "streamed_answer_with_highlighted_citation or scoped_to_one_article"
	cp test-artifacts/chat-4-marker-focus.png docs/screenshot-chat.png
	cp test-artifacts/history-scoped.png docs/screenshot-history.png

clean:
	rm -rf .rag-index .pytest_cache test-artifacts
