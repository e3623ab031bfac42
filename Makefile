# safepassage: `make run` for the demo, `make test` for the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
export SAFEPASSAGE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test test-sqlite test-postgres install chromium messages bench lint clean

$(BIN)/safepassage: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/safepassage

## The demo: migrate, load the clearly-labelled demo organisation, unseal with the DEMO key, serve.
run: install
	$(BIN)/safepassage demo --serve

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "could not install chromium (needs root and the Debian mirror)"; exit 1; }; }
	@ldconfig -p | grep libpangoft2-1.0 >/dev/null || { \
	  echo "installing Debian's pango for the report PDFs (WeasyPrint)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null) \
	  || { echo "could not install pango (needs root and the Debian mirror)"; exit 1; }; }

test: install chromium test-sqlite test-postgres

# pytest exits 5 when it collected nothing; that is a failure of the suite, not a pass.
test-sqlite: install
	@echo "== tests on SQLite =="
	$(BIN)/pytest -p no:cacheprovider

test-postgres: install
	@echo "== tests on PostgreSQL ($(PG_URL)) =="
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider

lint: install
	$(BIN)/lint-imports

messages: install
	cd safepassage && ../$(BIN)/django-admin compilemessages --settings=config.settings.dev

bench: install
	$(BIN)/python bench/crypto_overhead.py

clean:
	rm -rf $(VENV) var build *.egg-info
