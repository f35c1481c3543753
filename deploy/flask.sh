#!/bin/sh
# Run a `flask` command the way the services run it: from the checkout, with its .env.
#   sudo -u stages /srv/stages/deploy/flask.sh backup list
# STAGES_ENV names another environment file (default: .env at the checkout's root).
set -eu
cd "$(dirname "$0")/.."
set -a
. "${STAGES_ENV:-./.env}"
set +a
exec .venv/bin/flask --app wsgi "$@"
