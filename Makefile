# Every target creates .venv from pyproject.toml on first use; nothing is installed by hand.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: run test bench screenshots lint clean browser

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

# The browser test of `nntui serve`: Debian's Chromium (installed if missing, needs root),
# then the serve tests; it writes screenshots/serve.png. Without Chromium it is skipped.
browser: $(STAMP)
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	NNTUI_SCREENSHOTS=$(CURDIR)/screenshots $(PY) -m pytest tests/test_serve.py -n 0

clean:
	rm -rf .venv build *.egg-info
