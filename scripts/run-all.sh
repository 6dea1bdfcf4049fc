#!/usr/bin/env bash
# Runs the web server, one Celery worker and Celery beat together; Ctrl-C stops all three.
set -u
cd "$(dirname "$0")/.."
VENV=.venv
mkdir -p var/celery/queue var/celery/processed var/mail

cleanup() {
    trap - INT TERM EXIT
    echo; echo "Stopping web, worker and beat..."
    kill -TERM "${pids[@]}" 2>/dev/null
    wait "${pids[@]}" 2>/dev/null
}
trap cleanup INT TERM EXIT

pids=()
"$VENV/bin/python" manage.py runserver 127.0.0.1:8000 & pids+=($!)
"$VENV/bin/celery" -A roi_portal worker --loglevel INFO --concurrency 2 & pids+=($!)
"$VENV/bin/celery" -A roi_portal beat --loglevel INFO --schedule var/celerybeat-schedule & pids+=($!)

# Print the logins again once the three have written their start-up banners.
sleep 4
"$VENV/bin/python" manage.py loaddemo --logins
echo
echo "roi-portal is running on http://127.0.0.1:8000 (admin: /admin/). Ctrl-C stops it."
echo "Database: ${DATABASE_URL:-SQLite in var/}; broker: ${REDIS_URL:-files in var/celery/}"
# Any one of them dying takes the others down, so a broken worker is noticed.
wait -n "${pids[@]}"
