#!/usr/bin/env bash
# `make run`: migrate, load units, seed the demo, then run the web server and a Celery worker with
# beat, all on embedded defaults (SQLite and kombu's file-system broker under var/). Nothing from an
# earlier run is needed: the settings create the broker's folders, and the worker must send a
# heartbeat before this script says it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
export VAR_DIR="${VAR_DIR:-$PWD/var}"
PORT="${PORT:-8000}"
PY=.venv/bin/python
mkdir -p "$VAR_DIR"

$PY manage.py migrate --noinput
$PY manage.py load_admin_units
$PY manage.py seed_demo

# One worker for every queue (declared in CELERY_TASK_QUEUES, so no -Q): production runs a pool per queue.
.venv/bin/celery -A rollout worker --beat --pool=solo --loglevel=INFO --logfile="$VAR_DIR/celery.log" \
  --schedule="$VAR_DIR/celerybeat-schedule" &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM

if ! $PY manage.py wait_for_worker --timeout 120; then
  echo "The Celery worker did not start; the end of $VAR_DIR/celery.log:" >&2
  tail -n 30 "$VAR_DIR/celery.log" >&2 || true
  exit 1
fi

cat <<INFO

  The app is running at http://127.0.0.1:${PORT}/  (Celery worker + beat running: $VAR_DIR/celery.log)
  Demo password for every account: ${DEMO_PASSWORD:-laocai-demo-2021}
  Accounts: province_admin, province_viewer, health_officer,
            district_lao_cai, district_bat_xat, district_muong_khuong, district_si_ma_cai,
            district_bac_ha, district_bao_thang, district_bao_yen, district_sa_pa, district_van_ban,
            checkpoint_staff, agency_admin, facility_staff
  E-mails are written to $VAR_DIR/mail/. Stop with Ctrl+C.

INFO
$PY manage.py runserver "127.0.0.1:${PORT}"
