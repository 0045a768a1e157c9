from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "tracing"
    verbose_name = _("Contact tracing")

    def ready(self) -> None:
        from rollout.services.audit import register_object_label
        from tracing.selectors import search_audit_labels, tracing_list_audit_labels

        register_object_label("tracing.tracingsearch", search_audit_labels)
        register_object_label("tracing.tracinglist", tracing_list_audit_labels)
        from django.utils.translation import pgettext_lazy

        from rollout import demo
        from rollout.services import retention
        from tracing.demo import seed_tracing_scenario
        from tracing.models import TracingSearch
        from tracing.services.lists import tracing_lists_purge

        # The districts' files go first, with their search's day: the search's rows would take the
        # list rows with them (cascade) but leave the files behind.
        retention.register(
            retention.PersonalData(
                "tracing lists", pgettext_lazy("purged", "tracing lists"), 45, purge=tracing_lists_purge
            )
        )

        demo.register_step(60, seed_tracing_scenario)  # after the check-ins and arrivals it stands among

        # By the day of the search; its candidates go with it (cascade).
        retention.register(
            retention.PersonalData(
                "tracing searches", pgettext_lazy("purged", "tracing searches"), 50,
                rows=lambda cutoff, first_kept: TracingSearch.objects.filter(created_at__lt=cutoff),
            )
        )  # fmt: skip
