"""System checks on settings that only fail in production (``manage.py check --deploy`` runs them too)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "testserver"}  # noqa: S104 (names, not a bind)


def site_url_unusable() -> bool:
    """Printing QR codes now would print codes that lead nowhere (production with a local SITE_URL)."""
    return settings.REQUIRE_PUBLIC_SITE_URL and site_url_is_local()


def site_url_is_local(url: str | None = None) -> bool:
    """True when SITE_URL points at this machine: QR codes and e-mail links would lead nowhere for anyone else."""
    host = (urlsplit(url if url is not None else settings.SITE_URL).hostname or "").lower()
    return not host or host in _LOCAL_HOSTS or host.endswith(".localhost")


@checks.register()
def site_url_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if not site_url_unusable():
        return []
    return [
        checks.Error(
            f"SITE_URL is {settings.SITE_URL!r}: QR posters, passes and e-mail links would point at this machine.",
            hint="Set SITE_URL to the public address of the site, e.g. https://covid.laocai.gov.vn",
            id="rollout.E001",
        )
    ]
