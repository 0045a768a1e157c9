"""Production settings pass Django's deployment checks; the compose file runs the whole stack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    } | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        SECRET_KEY="k" * 20 + "-x9$Qz" * 10,
        ALLOWED_HOSTS="covid.laocai.gov.vn",
        SITE_URL="https://covid.laocai.gov.vn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_a_site_url_on_this_machine():
    production = {"DJANGO_DEBUG": "0", "SECRET_KEY": "k" * 20 + "-x9$Qz" * 10, "ALLOWED_HOSTS": "covid.laocai.gov.vn"}
    for local in ("http://localhost:8000", "http://127.0.0.1", "https://app.localhost"):
        result = _manage("check", **production, SITE_URL=local)
        assert result.returncode != 0 and "rollout.E001" in result.stderr, local
    assert _manage("check", **production, SITE_URL="https://covid.laocai.gov.vn").returncode == 0
    assert _manage("check", DJANGO_DEBUG="1", SITE_URL="http://localhost:8000").returncode == 0  # development


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_nonsense_boolean_fails_loudly():
    result = _manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0 and "DJANGO_DEBUG must be a boolean" in result.stderr


def test_the_redis_cache_waits_a_fraction_of_a_second_at_most_and_the_environment_may_change_it():
    show = "from django.conf import settings; print(settings.CACHES['default']['OPTIONS'])"
    result = _manage("shell", "-c", show, REDIS_URL="redis://127.0.0.1:6379/0", REDIS_TIMEOUT="0.3")
    assert "{'socket_connect_timeout': 0.25, 'socket_timeout': 0.3}" in result.stdout, result.stderr
    result = _manage("check", REDIS_URL="redis://127.0.0.1:6379/0", REDIS_CONNECT_TIMEOUT="soon")
    assert result.returncode != 0 and "REDIS_CONNECT_TIMEOUT must be a number of seconds" in result.stderr


def test_compose_defines_the_production_stack_with_shared_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker-mail", "worker-exports", "beat"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert services["worker-mail"]["command"][:4] == ["celery", "-A", "rollout", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "rollout", "beat"]
    for name in ("web", "worker-mail", "worker-exports", "beat"):
        env = services[name]["environment"]
        assert {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_DEBUG"} <= set(env)
        assert env == services["web"]["environment"]


def test_daily_lists_never_catch_up_a_day_whose_personal_data_is_purged():
    result = _manage("check", DJANGO_DEBUG="1", DAILY_LISTS_CATCH_UP_DAYS="21", PERSONAL_DATA_RETENTION_DAYS="21")
    assert result.returncode != 0
    assert "DAILY_LISTS_CATCH_UP_DAYS must be between 0 and 31 and below PERSONAL_DATA_RETENTION_DAYS" in result.stderr
