# Every target creates .venv from pyproject.toml on first use; nothing is installed by hand.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: run test bench screenshots lint clean

# The compiled kernel is rebuilt when its sources change (it is optional: no compiler, no kernel).
$(STAMP): pyproject.toml setup.py nntui/engine/_kernel.c nntui/engine/_kernel_sgd.h
	python3 -m venv .venv
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	.venv/bin/nntui $(ARGS)

# Lint first; then the suite in four pytest-xdist workers (addopts in pyproject.toml).
test: lint
	$(PY) -m pytest tests

bench: $(STAMP)
	$(PY) benchmarks/run.py

screenshots: $(STAMP)
	$(PY) -m nntui.ui.screenshots screenshots

# Style and correctness (ruff), then the types of the package (mypy, see pyproject.toml).
lint: $(STAMP)
	$(PY) -m ruff check nntui tests benchmarks
	$(PY) -m mypy nntui

clean:
	rm -rf .venv build *.egg-info
