from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VenuesConfig(AppConfig):
    name = "venues"
    verbose_name = _("Venue check-in")

    def ready(self) -> None:
        from rollout import demo
        from venues.demo import seed_checkins

        demo.register_step(30, seed_checkins)  # venue check-ins and inspections
        from rollout import partitions
        from rollout.services import retention
        from venues.models import CheckIn

        partitions.register(CheckIn)  # by local day on PostgreSQL: the purge drops whole days

        retention.register(
            retention.PersonalData(
                "check-ins", pgettext_lazy("purged", "check-ins"), 10,
                rows=lambda cutoff, first_kept: CheckIn.objects.filter(checked_in_at__lt=cutoff),
            )
        )  # fmt: skip
        _register_offline_page()


# A user who manages more venues than this (a district or province role) caches none ahead: the
# scanning page is for the staff at one venue's entrance; those who open it still get it cached then.
OFFLINE_VENUES_AHEAD = 3


def _register_offline_page() -> None:
    from django.urls import reverse

    from rollout.models import Role
    from rollout.offline import OfflinePage, register_offline_page
    from venues.scoping import checkin_venues_for

    def urls_for(user) -> list[str]:
        venues = checkin_venues_for(user).filter(is_active=True).values_list("pk", flat=True)
        venues = list(venues[: OFFLINE_VENUES_AHEAD + 1])
        if len(venues) > OFFLINE_VENUES_AHEAD:
            return []
        return [reverse("venues:venue-scan", args=[pk]) for pk in venues]

    # Agency admins run their venues' entrances; others get the page's copy when they open it.
    register_offline_page(
        OfflinePage(
            "venue-scan", r"^/venues/\d+/scan/$", urls_for, static=("js/venue_scan.js",),
            roles=frozenset({Role.AGENCY_ADMIN}),
        )
    )  # fmt: skip
