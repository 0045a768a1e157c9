"""Pages that keep working without a network, and what the service worker caches for them.

The core serves the installable app (manifest, service worker) but knows no domain page: each app
registers at start-up the pages of its own that work offline (a path pattern for the service worker, and
for a signed-in user the URLs to cache ahead, e.g. the arrival form of their checkpoint) and the static
files those pages need.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rollout.models import User


@dataclass(frozen=True)
class OfflinePage:
    name: str
    path_pattern: str  # a JavaScript regular expression over the URL's path
    urls_for: Callable[[User], list[str]]  # the pages to cache ahead for this user (none: not theirs)
    static: tuple[str, ...] = field(default=())  # static files the page needs (relative to STATIC_URL)
    # The roles that work on this page every day: the worker is installed from any of their pages.
    roles: frozenset[str] = field(default=frozenset())


_PAGES: dict[str, OfflinePage] = {}

# What every offline page needs, whichever app it belongs to.
CORE_STATIC = (
    "css/app.css",
    "js/app.js",
    "js/pickers.js",
    "js/offline.js",
    "js/qrscan.js",
    "vendor/idb-8.0.4/umd.js",
    "vendor/tom-select-2.6.2/tom-select.base.min.js",
    "vendor/tom-select-2.6.2/tom-select.min.css",
    "img/favicon.svg",
    "img/icon-192.png",
)
# Not here: the QR decoder (vendor/barcode-detector-*), about 1 MB, fetched by qrscan.js when a camera opens
# on a browser without its own BarcodeDetector; a scanning page asks the worker to cache it ahead then.
WORKBOX_STATIC = tuple(
    f"vendor/workbox-7.4.1/workbox-{name}.prod.js"
    for name in ("core", "routing", "strategies", "expiration", "cacheable-response", "precaching")
)


def register_offline_page(page: OfflinePage) -> None:
    _PAGES[page.name] = page


def offline_pages() -> list[OfflinePage]:
    return sorted(_PAGES.values(), key=lambda p: p.name)


def offline_urls_for(user: User) -> list[str]:
    """The pages to cache ahead for a signed-in user (the page asks the service worker to fetch them)."""
    if not user.is_authenticated:
        return []
    return [url for page in offline_pages() for url in page.urls_for(user)]


def installs_worker(user: User) -> bool:
    """Whether to install the service worker from any page (its precache is a download): for the roles
    of an offline page. No query: the user's roles are already loaded for the menu."""
    roles = {role for page in offline_pages() for role in page.roles}
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(*roles)


def precached_static() -> list[str]:
    files = list(CORE_STATIC)
    for page in offline_pages():
        files += [name for name in page.static if name not in files]
    return files
