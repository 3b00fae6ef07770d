# Two commands are the contract: `make demo` and `make test`. Each sets up everything it needs
# on a fresh Debian machine (run as root), and is idempotent.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# CPU torch where there is no NVIDIA GPU (a bare `torch` pulls GBs of CUDA wheels).
TORCH_SPEC ?= $(shell command -v nvidia-smi >/dev/null 2>&1 && echo torch || echo torch==2.13.0)
PYTEST_ARGS ?=

.PHONY: demo test setup system lint format bench checkpoints clean

demo: setup
	$(BIN)/vla demo

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests selected"; exit 0; fi; exit $$rc

setup: system $(VENV)/.installed

# System packages: Chromium for the browser envs, Xvfb + xauth for the desktop env, xterm for
# the desktop suite's terminal windows.
system:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v Xvfb >/dev/null 2>&1 || missing="$$missing xvfb"; \
	command -v xauth >/dev/null 2>&1 || missing="$$missing xauth"; \
	command -v xterm >/dev/null 2>&1 || missing="$$missing xterm"; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing fonts-dejavu-core >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	@if $(BIN)/python -c "import torch" 2>/dev/null; then \
		echo "keeping installed torch $$($(BIN)/python -c 'import torch; print(torch.__version__)')"; \
	else \
		echo "installing $(TORCH_SPEC)"; $(BIN)/python -m pip install -q "$(TORCH_SPEC)"; \
	fi
	$(BIN)/python -m pip install -q -e ".[dev]"
	@# Playwright's own Chromium when it can be downloaded; otherwise /usr/bin/chromium is used.
	@timeout 120 $(BIN)/playwright install chromium >/dev/null 2>&1 \
		&& echo "playwright chromium installed" || echo "playwright's chromium unavailable; using system chromium"
	@touch $@

# Reproduce the shipped checkpoints (collect -> train -> eval -> ship); see the model cards.
checkpoints: setup
	$(BIN)/python -m vla.release.recipes vla-browser-tiny
	$(BIN)/python -m vla.release.recipes vla-robot-tiny
	# after vla-browser-tiny: its checkpoint, trained further on its datasets, is the desktop actor
	$(BIN)/python -m vla.release.recipes vla-desktop-tiny

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
