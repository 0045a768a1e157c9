# Production image: one image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# postgresql-client: pg_dump and pg_restore for `manage.py backup` and `restore` (15, as the postgres service);
# LibreOffice Writer (headless) turns the weekly report document into PDF in the worker.
RUN apt-get update && apt-get install -y --no-install-recommends gettext postgresql-client libreoffice-writer-nogui \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs no database; the key is a throwaway used only for this build step.
RUN DJANGO_DEBUG=0 SECRET_KEY=build-only-not-used-at-runtime python manage.py collectstatic --noinput \
    && DJANGO_DEBUG=0 SECRET_KEY=build-only-not-used-at-runtime python manage.py compilemessages --ignore=.venv \
    && mkdir -p /app/var /app/backups && chown -R app /app/var /app/backups

USER app
EXPOSE 8000
CMD ["gunicorn", "rollout.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]
