# The two commands a newcomer needs: `make run` and `make test`.
# Both build .venv from the pinned requirements first; nothing installed by hand is relied on.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Developer targets run with debug on; a deployment sets DJANGO_DEBUG=0 and its own key.
export DJANGO_DEBUG ?= 1

.PHONY: run test types serve browser install install-dev messages clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: migrate the SQLite demo database, load the demo data, make the demo login, serve at
## HOST:PORT (127.0.0.1:8000 unless given: make run PORT=18301), the address it prints.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --address $(HOST):$(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

## serve: production-style: migrate, collect the static files and run gunicorn, debug off. Set
## DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (and DATABASE_URL) first (docs/operations.md, "Deployment").
serve: export DJANGO_DEBUG = 0
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/gunicorn jiaxian.wsgi:application --bind $(HOST):$(PORT) --workers $(or $(WORKERS),2) --no-control-socket

## test: the whole suite (SQLite unless DATABASE_URL says otherwise), the browser tests included,
## on every core (pytest-xdist; each worker has its own test database and live server). `-n auto`
## sits here, not in PYTEST_ARGS, so that CI's PYTEST_ARGS=--create-db keeps it; PYTEST_ARGS=-n0
## runs the suite in one process.
test: install-dev browser
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

## types: mypy with the Django and DRF plugins over the files pyproject.toml's [tool.mypy] names
## (jiaxian/, investment/quotas.py, investment/bench/).
types: install-dev
	$(VENV)/bin/mypy

## browser: Debian's Chromium and a Chinese font for the Playwright tests (never `playwright install`),
## installed with apt-get (as root) only when missing, and said so first.
browser:
	@missing=""; why=""; \
	command -v chromium >/dev/null || { missing="$$missing chromium"; \
		why="$$why\n  chromium: the browser that the Playwright tests drive"; }; \
	dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || { missing="$$missing fonts-wqy-microhei"; \
		why="$$why\n  fonts-wqy-microhei: a Chinese font for the browser tests' pages and screenshots"; }; \
	if [ -n "$$missing" ]; then \
		printf "make test installs Debian packages with apt-get (as root):$$missing$$why\n"; \
		apt-get update -qq && apt-get install -y -qq $$missing; \
	fi

## messages: refresh the Chinese translation catalogue after changing labels, and compile it.
messages: install-dev
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --ignore '.venv/*'
	$(PY) manage.py compilemessages --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
