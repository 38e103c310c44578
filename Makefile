# The two commands a newcomer needs: `make run` (the app with demo data) and `make test`.
# Both install what is missing first: Debian libraries through apt-get where it is available,
# and a virtual environment at .venv with the locked Python dependencies (requirements.lock).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
# `make run` is for trying the app on your own machine: DEBUG on, SQLite, tasks in-process.
RUN_ENV := DEBUG=$${DEBUG:-true}
# The port `make run` serves on: `make run PORT=8080`.
PORT ?= 8000

.PHONY: install system-deps browser-deps run test lint lock clean

install: system-deps $(STAMP)

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

system-deps:
	@scripts/system-deps.sh weasyprint

# Chromium and poppler from Debian; axe-core (pinned in package-lock.json) from npm, installed again
# when the lock file is newer than node_modules. Playwright injects it to check accessibility.
browser-deps:
	@scripts/system-deps.sh browser
	@[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund

run: install
	mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Re-resolve the locks after changing the dependencies in pyproject.toml: requirements.lock (runtime
# and development, for make) and requirements-runtime.lock (runtime only, with hashes, for the
# image), the latter constrained to the former's pins so that both name the same versions.
lock: install
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-find-links --no-emit-index-url \
		--no-emit-trusted-host -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-find-links \
		--no-emit-index-url --no-emit-trusted-host --constraint requirements.lock \
		-o requirements-runtime.lock pyproject.toml

clean:
	rm -rf var/static .pytest_cache
