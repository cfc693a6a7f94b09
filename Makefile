# Two commands on a fresh machine:  make run  (the app)  and  make test  (the test suite).
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false

.PHONY: setup system run test index eval bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Debian packages: Tesseract with its Danish data (OCR of scanned PDFs) and the font the tests draw
# their scanned page in. Installed where we are root with apt; elsewhere a message says what is missing
# (scanned PDFs are then skipped with a Danish reason, and the OCR tests are skipped).
SYSTEM_PKGS := tesseract-ocr tesseract-ocr-dan fonts-dejavu-core
system:
	@if ls /usr/share/tesseract-ocr/*/tessdata/dan.traineddata >/dev/null 2>&1 \
	    && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PKGS) >/dev/null) \
	    || echo "OCR: $(SYSTEM_PKGS) kunne ikke installeres - scannede PDF'er springes over"; \
	else echo "OCR: installér $(SYSTEM_PKGS) (apt-get som root) - ellers springes scannede PDF'er over"; fi

setup: system $(STAMP)

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
