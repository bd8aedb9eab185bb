# JCO Tracker — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export FLASK_APP := jco
# Python's bytecode cache, even where the environment turns it off (some sandboxes and containers set
# PYTHONDONTWRITEBYTECODE): without it every test worker, server and command compiles the code again —
# collecting the suite alone takes twice as long.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test install install-dev migrate demo lint bench clean translations
CATALOGS := $(wildcard jco/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes, so a second `make run` starts at once.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

# Catalogs are compiled from the .po files we keep in git, whenever a .po is newer.
%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@ -l $(word 3,$(subst /, ,$<))

install: $(STAMP) $(COMPILED)
install-dev: $(DEV_STAMP) $(COMPILED)

# Extract every string written for translation, and bring each language's catalog up to date.
translations: install-dev
	$(BIN)/pybabel extract -F jco/translations/babel.cfg -k _l -k lazy_gettext -k N_ --no-location \
	  --ignore-dirs ".* ._" \
	  --project "JCO Tracker" --copyright-holder "JCO Tracker" -o jco/translations/messages.pot .
	$(BIN)/pybabel update -i jco/translations/messages.pot -d jco/translations --no-fuzzy-matching --ignore-obsolete
	$(MAKE) $(COMPILED)

migrate: install
	$(BIN)/flask db upgrade

# Loads the demo once; on a database with operations or accounts it says so and does nothing.
demo: migrate
	$(BIN)/flask demo load

run: demo
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Every core by default (about 6 minutes on 2, README "Tests"); worksteal evens out the long browser tests.
PYTEST_ARGS ?= -n auto --dist worksteal
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install-dev
	$(BIN)/python -m jco.devtools.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info
