#!/usr/bin/env bash
# Every user-facing string must have a Vietnamese translation, and the compiled catalogues must be current.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles \
  --ignore=bench --ignore=tests -v0
untranslated="$(msgattrib --untranslated --no-obsolete locale/vi/LC_MESSAGES/django.po | grep -c '^msgid ' || true)"
fuzzy="$(msgattrib --only-fuzzy --no-obsolete locale/vi/LC_MESSAGES/django.po | grep -c '^msgid ' || true)"
if [ "$untranslated" != "0" ] || [ "$fuzzy" != "0" ]; then
  echo "locale/vi: untranslated or fuzzy strings:" >&2
  msgattrib --untranslated --no-obsolete locale/vi/LC_MESSAGES/django.po >&2
  msgattrib --only-fuzzy --no-obsolete locale/vi/LC_MESSAGES/django.po >&2
  exit 1
fi
$PY manage.py compilemessages --ignore=.venv -v0
# makemessages stamps a new creation date; drop that churn when nothing else changed.
if git rev-parse --git-dir >/dev/null 2>&1 && git diff --quiet -I'POT-Creation-Date' -- locale; then
  git checkout -q -- locale 2>/dev/null || true
fi
echo "i18n: vi catalogue complete"
