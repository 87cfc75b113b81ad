# Two commands do all the set-up on a fresh machine:
#   make run   – create .venv, install eventx, run the shipped rules over corpora/sample
#   make test  – create .venv, install eventx with test extras (and Debian's chromium for the
#                browser test, when root), run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV     := $(VENV)/.installed-dev

.PHONY: run test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# eventx itself (editable): enough for `make run`
$(RUNTIME): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# plus the test extras (pytest, hypothesis, dask, playwright, jsonschema)
$(DEV): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME)

install: $(DEV)

run: $(RUNTIME)
	mkdir -p out
	$(BIN)/eventx run corpora/sample -o out/sample.events.jsonl

test: $(DEV)
	@bash scripts/ensure-chromium.sh
	@# pytest exits 5 when it collected no test: that is a failure too
	$(BIN)/python -m pytest -q; status=$$?; \
	if [ $$status -eq 5 ]; then echo 'no tests were collected' >&2; exit 1; fi; exit $$status

clean:
	rm -rf $(VENV) out
