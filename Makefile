# The two commands: `make run` and `make test`. Both set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test bench install install-dev translations migrate schedule demo lint lock clean

run: install translations migrate schedule demo  ## web + Celery worker + beat on http://127.0.0.1:8000
	@bash scripts/run-all.sh

test: install-dev translations  ## the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	@bash scripts/ensure-test-tools.sh
	$(PY) -m pytest $(PYTEST_ARGS)

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when the lock files change.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet --require-hashes --no-deps -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt | $(PY)
	$(PIP) install --quiet --require-hashes --no-deps -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Speed and memory targets against a baseline in the same run; each prints `ratio: N.NN`.
# bench/queue and bench/sweep need PostgreSQL (DATABASE_URL); bench/packet needs qpdf.
# See bench/README.md.
bench: install-dev
	@command -v qpdf >/dev/null || { echo "bench/packet needs qpdf (apt-get install qpdf)"; exit 1; }
	$(PY) bench/packet.py; packet=$$?; $(PY) bench/queue.py; queue=$$?; \
		$(PY) bench/sweep.py; sweep=$$?; \
		test $$packet -eq 0 -a $$queue -eq 0 -a $$sweep -eq 0

# Compiled catalogs are built here, never committed (pure Python: no GNU gettext needed).
translations: install
	$(PY) manage.py compiletranslations

migrate: install
	$(PY) manage.py migrate --noinput

# The periodic jobs of requests_app/schedule.py, for beat; a schedule changed in the admin is
# kept (setup_schedule --reset restores the registry's).
schedule: migrate
	$(PY) manage.py setup_schedule

demo: migrate
	$(PY) manage.py loaddemo

lint: install-dev
	$(VENV)/bin/ruff check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Regenerate the pinned, hashed lock files from pyproject.toml (see README: Dependencies).
lock: install-dev
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --upgrade -o requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --upgrade --extra dev \
		-o requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) var
