# The two commands: `make run` and `make test`. Both start with `make install`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := .tools/bin/uv
TT := .venv/bin/tertulia
PORT ?= 8000

.PHONY: install run test lint docs bench clean

install: .venv/.synced node_modules/.installed src/tertulia/locale/es/LC_MESSAGES/django.mo

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

src/tertulia/locale/es/LC_MESSAGES/django.mo: src/tertulia/locale/es/LC_MESSAGES/django.po .venv/.synced
	command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext >/dev/null)
	cd src/tertulia && ../../$(TT) manage compilemessages --verbosity 0
	touch $@

run: install
	$(TT) migrate
	$(TT) demo
	$(TT) run --port $(PORT)

test: install
	bash scripts/test.sh

lint: install
	.venv/bin/ruff check src tests bench

docs: install
	$(TT) docs generate
	.venv/bin/mkdocs build --strict

clean:
	rm -rf .venv .tools node_modules var site
