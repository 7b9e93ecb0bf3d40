# Every target creates .venv from pyproject.toml on first use; nothing is installed by hand.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: run test bench screenshots lint clean

$(STAMP): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	.venv/bin/nntui $(ARGS)

test: $(STAMP)
	$(PY) -m ruff check nntui tests benchmarks
	$(PY) -m pytest tests

bench: $(STAMP)
	$(PY) benchmarks/run.py

screenshots: $(STAMP)
	$(PY) -m nntui.ui.screenshots screenshots

lint: $(STAMP)
	$(PY) -m ruff check nntui tests benchmarks

clean:
	rm -rf .venv build *.egg-info
