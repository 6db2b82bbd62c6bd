# Industry Brain: the two commands of the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/industrybrain/web/static/vendor

.PHONY: demo test venv dev assets lint typecheck contracts pytest bench clean serve

## demo: build the demo brain on the embedded stores and serve http://127.0.0.1:8000
demo: $(BIN)/.installed assets
	$(BIN)/industrybrain demo run

## test: dev dependencies, every extra, Chromium; lint, types, import contracts, the whole suite
test: $(BIN)/.installed-dev assets chromium
	$(MAKE) lint typecheck contracts pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(BIN)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(BIN)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[dev,postgres,spark]'
	touch $@ $(BIN)/.installed

## assets: install echarts and htmx from npm and copy them into the package's static folder
assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package.json
	npm install --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	touch $@

## chromium: Debian's Chromium, a CJK font to render Chinese, tesseract OCR for screenshot checks
BROWSER_DEBS := chromium fonts-noto-cjk tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim
chromium:
	@dpkg -s $(BROWSER_DEBS) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq $(BROWSER_DEBS))

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck:
	$(BIN)/mypy

contracts:
	$(BIN)/lint-imports
	$(BIN)/python -m industrybrain.devtools.contracts src

pytest:
	$(BIN)/pytest -q -p no:cacheprovider

## bench: run every benchmark and print its table (needs wrk: apt-get install wrk)
bench: $(BIN)/.installed-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m benchmarks

serve: $(BIN)/.installed assets
	$(BIN)/industrybrain serve

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .industrybrain
