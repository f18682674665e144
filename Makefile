# The two commands of the README: `make run` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
PORT   ?= 6543
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export CHAMELEON_CACHE := $(CURDIR)/var/cache/chameleon

.PHONY: run test test-unit test-functional test-e2e demo browser e2e-deps print-deps bench bench-search bench-rush bench-statistics \
        bench-attendance bench-exchange bench-newsletter wrk clean security fuzz

$(STAMP): setup.cfg setup.py pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

var:
	mkdir -p var/cache/chameleon

## make run: install, create the embedded database with demo data on first start (or bring an
## older one up to date: evolve), serve :6543 (or `make run PORT=8080`)
run: $(STAMP) var print-deps
	test -f var/Data.fs || $(BIN)/inservice-portal etc/development.ini demo
	$(BIN)/inservice-portal etc/development.ini evolve
	$(BIN)/pserve etc/development.ini http_port=$(PORT)

## make test: every suite (unit, functional, end-to-end in Chromium)
test: $(STAMP) var e2e-deps print-deps
	$(BIN)/pytest

test-unit: $(STAMP) var
	$(BIN)/pytest tests/unit

test-functional: $(STAMP) var
	$(BIN)/pytest tests/functional

test-e2e: $(STAMP) var e2e-deps
	$(BIN)/pytest tests/e2e

## make security: the static analysis of the code (bandit; accepted findings are listed in
## pyproject.toml or beside their line) and the audit of the dependencies (pip-audit)
security: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -r src -q
	BIN=$(BIN) tools/dependency-audit

## make fuzz: the API and form fuzzing of `make test` at 40 times the examples
fuzz: $(STAMP) var
	INSERVICE_FUZZ_EXAMPLES=1000 $(BIN)/pytest -p no:cacheprovider \
	  tests/functional/test_fuzz_api.py tests/functional/test_fuzz_forms.py

demo: $(STAMP) var print-deps
	$(BIN)/inservice-portal etc/development.ini demo

# Debian's Chromium for the browser tests (installed with apt where missing; we run as root),
# and axe-core from the npm registry into node_modules (no CDN).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the end-to-end tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

e2e-deps: browser node_modules/axe-core/axe.min.js

# What the PDFs are set with (printing/): Pango for WeasyPrint and the Noto CJK fonts.
print-deps:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list | grep -q "Noto Sans CJK TC"; } || { \
	  echo "Installing Pango and the Noto CJK fonts for the PDF documents"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk; }

# Debian's wrk, the C load generator bench/search.py measures the search page with.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the search benchmark over HTTP"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

## make bench-search: 研習課程查詢 at national scale (COURSES=1000000 by default; reuses
## var/bench/<N>/Data.fs when present; see bench/search.py --help)
COURSES ?= 1000000
bench-search: $(STAMP) var wrk
	$(BIN)/python bench/search.py --courses $(COURSES)

## make bench-rush: 2,000 registrations over 64 connections for a 50-seat course, over HTTP
bench-rush: $(STAMP) var wrk
	$(BIN)/python bench/registration_rush.py

## make bench-attendance: check-in, roster and closing of a 2,000-teacher course, in process
bench-attendance: $(STAMP) var
	$(BIN)/python bench/bench_attendance.py

## make bench-statistics: 統計 pages' figures over the counters of a nation's ten years, and
## what the counters' subscribers add to a registration and a roster confirmation
bench-statistics: $(STAMP) var
	$(BIN)/python bench/bench_statistics.py
	$(BIN)/python bench/bench_statistics_cost.py

## make bench-exchange: 資訊傳報: 100,000 records from one file and through the API, and a
## million retrieved by cursor
bench-exchange: $(STAMP) var
	$(BIN)/python bench/bench_exchange.py

## make bench-newsletter: 電子報 to 225,000 subscribers queued by its job, pages timed meanwhile
bench-newsletter: $(STAMP) var
	$(BIN)/python bench/bench_newsletter.py

## make bench: every benchmark (the search one at COURSES courses: long at the default)
bench: bench-rush bench-attendance bench-search bench-statistics bench-exchange bench-newsletter

clean:
	rm -rf $(VENV) node_modules .pytest_cache
