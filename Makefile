# policy-reader. Two commands for a fresh machine: `make serve` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
# Compiled bytecode is kept, but out of the tree (a build imports our package every time).
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(CURDIR)/.cache/pycache

.PHONY: serve build convert check test deps csl-styles browser-deps clean bench lighthouse properdocs-check

# The virtual environment with the exact pins of requirements.txt, and our package.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

convert: $(STAMP)
	$(BIN)/policy-reader convert

check: $(STAMP)
	$(BIN)/policy-reader convert --check
	$(BIN)/policy-reader permalinks --check

build: convert csl-styles
	$(BIN)/mkdocs build --strict

# A local address for `make serve` only; any other build must be given SITE_URL (the plugin refuses).
LOCAL_SITE_URL := http://127.0.0.1:8000/
serve: export SITE_URL ?= $(LOCAL_SITE_URL)
serve: build
	$(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

APT_INSTALL = if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq

# CSL styles (APA, Chicago, MLA) from Debian's package, for the citation panels.
csl-styles:
	@test -f /usr/share/citation-style-language/styles/apa.csl || { \
	  echo "installing Debian's citation-style-language-styles (apt-get)"; \
	  $(APT_INSTALL) citation-style-language-styles >/dev/null; }

# Debian's chromium for the browser tests (Playwright cannot download its own here).
browser-deps:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium (apt-get)"; \
	  $(APT_INSTALL) chromium chromium-driver >/dev/null; }

deps: $(STAMP) csl-styles browser-deps

test: deps check
	$(BIN)/python -m pytest -q

# CI's second step: ProperDocs (a maintained continuation of MkDocs 1.x) must build the same site
# as MkDocs, every file equal apart from the generator tag.
properdocs-check: export SITE_URL ?= $(LOCAL_SITE_URL)
properdocs-check: deps
	$(BIN)/python -m policy_reader.dev.same_site

# Build and search figures of issue 16 against stock Material (not a test): prints the table,
# appends to bench/history.jsonl, writes bench/results.md. BENCH_SIZES=10,100 make bench is quick.
# Each run also prints the change from the previous run of the same sizes (BENCH_ARGS=--compare: only that).
BENCH_SIZES ?= 100,1000,2000
bench: deps
	$(BIN)/python -m policy_reader.dev.bench --sizes $(BENCH_SIZES) $(BENCH_ARGS)

# Lighthouse scores (mobile) of the home page, a paper and a topic page; npm's lighthouse at the
# version pinned in package-lock.json, run with Debian's chromium. LIGHTHOUSE_MIN=95 fails below 95.
LIGHTHOUSE_MIN ?= 0
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

lighthouse: $(STAMP) csl-styles browser-deps node_modules/.installed
	$(BIN)/python -m policy_reader.dev.lighthouse --min $(LIGHTHOUSE_MIN)

clean:
	rm -rf site .pytest_cache .cache
