# Two commands matter: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
FLASK := $(BIN)/flask --app wsgi

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint bench clean translations docs

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

CATALOGUES := $(patsubst %.po,%.mo,$(wildcard web/translations/*/LC_MESSAGES/messages.po))

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -f -i $< -o $@

install: $(STAMP) $(CATALOGUES) ## Create .venv, install the app with its dev tools, compile translations

docs: install ## Regenerate docs/rules.md from the rules' clauses and dated parameters
	$(BIN)/python -m rules.docs > docs/rules.md

translations: install ## Re-extract the strings to translate and update the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations

run: install ## Migrate the SQLite database, load demo data, serve on http://127.0.0.1:5000
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install ## Run the whole test suite (PostgreSQL tests skip if it is unreachable)
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install ## The edit-test loop: SQLite only, no browser, fuzzing or slow process tests
	$(BIN)/pytest -m "not postgres and not slow" --ignore tests/test_browser.py \
		--ignore tests/test_api_fuzz.py -p no:cacheprovider $(PYTEST_ARGS)

lint: install ## ruff (lint + format check), mypy on the domain, bandit on the product code
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r workflow rules web wsgi.py

bench: install ## Benchmarks (not tests): audited transitions per second
	$(BIN)/python bench/transitions.py

clean: ## Remove the virtualenv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
