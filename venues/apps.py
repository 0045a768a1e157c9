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
