# Two commands on a fresh machine:  make run  (the app)  and  make test  (the test suite).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

.PHONY: setup run test index eval bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(PY) -m qa prepare
	test -f index/chunks.sqlite || $(PY) -m qa build

run: index
	$(VENV)/bin/streamlit run app.py

test: setup
	$(PY) -m qa prepare
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q -rs

eval: index
	$(PY) -m qa eval ../shared/eval/dev.jsonl

bench: index
	$(PY) -m qa bench --sizes 1000,10000,100000 --json docs/bench.json

clean:
	rm -rf index
