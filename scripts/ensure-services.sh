#!/usr/bin/env bash
# Make sure what the tests need is here and running: PostgreSQL, Redis, Chromium, LibreOffice, gettext.
# Starts installed services that are stopped; installs Debian's packages when missing (as root).
set -euo pipefail

as_root_install() {
  if [ "$(id -u)" != "0" ]; then
    echo "Missing Debian packages: $*. Install them (sudo apt-get install $*) and run again." >&2
    exit 1
  fi
  # APT_OPTIONS: extra apt-get options for one call (e.g. --no-install-recommends).
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${APT_OPTIONS:-} "$@" >/dev/null || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${APT_OPTIONS:-} "$@" >/dev/null
  }
}

# PostgreSQL
fresh_pg=0
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  as_root_install postgresql
  fresh_pg=1
fi
version="$(ls /etc/postgresql | sort -V | tail -1)"
if [ "$fresh_pg" = "1" ]; then
  # A new cluster asks for passwords on TCP; the test database is local and throwaway.
  sed -i '1i host all postgres 127.0.0.1/32 trust' "/etc/postgresql/$version/main/pg_hba.conf"
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
# The database the settings name (the tests create theirs, test_<name>, beside it): Django checks it exists.
db="${1:-rollout}"
if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  createdb -h 127.0.0.1 -U postgres "$db"
fi

# Redis
if ! command -v redis-server >/dev/null; then
  as_root_install redis-server
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping

# Headless Chromium for the browser tests (Debian's build; never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  as_root_install chromium chromium-driver
fi
# LibreOffice Calc (no GUI) and poppler for the print tests: every workbook is converted to PDF, its pages
# counted, read and rendered. Carlito has Calibri's metrics (openpyxl's default font), so columns and page
# breaks come out as in Excel. Without recommends: Calc alone, not the whole office suite.
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || [ ! -d /usr/share/fonts/truetype/crosextra ]; then
  APT_OPTIONS=--no-install-recommends as_root_install libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito
fi
# LibreOffice Writer (no GUI) for the weekly report document (DOCX -> PDF).
if [ ! -e /usr/lib/libreoffice/program/libswlo.so ]; then
  APT_OPTIONS=--no-install-recommends as_root_install libreoffice-writer-nogui
fi
# msgfmt for compiling the translation catalogues.
if ! command -v msgfmt >/dev/null; then
  as_root_install gettext
fi
