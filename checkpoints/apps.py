from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "checkpoints"
    verbose_name = _("Checkpoints and arrivals")

    def ready(self) -> None:
        from checkpoints.demo import seed_arrivals
        from rollout import demo

        demo.register_step(40, seed_arrivals)  # declarations, arrivals and their daily lists
        from checkpoints.services.declarations import declaration_person
        from rollout import qr
        from rollout.services.jobs import register_job

        qr.register_person_reader(declaration_person)
        _register_personal_data()
        _register_audit_labels()
        _register_import()
        _register_offline_page()

        register_job("daily_lists_build", _("Daily arrival lists for the districts"), beat="daily-lists")
        register_job(
            "daily_list_refresh", _("Daily list rebuilt after late arrivals"), trigger=_("When late arrivals come in")
        )


def _register_personal_data() -> None:
    from django.utils.translation import pgettext_lazy

    from checkpoints.models import Arrival, Declaration
    from checkpoints.services.daily_lists import daily_lists_purge
    from rollout import partitions
    from rollout.services import retention

    partitions.register(Arrival)  # by local day on PostgreSQL: the purge drops whole days

    # Arrivals before declarations: an arrival points at its declaration.
    retention.register(
        retention.PersonalData(
            "arrivals", pgettext_lazy("purged", "arrivals"), 20,
            rows=lambda cutoff, first_kept: Arrival.objects.filter(arrived_at__lt=cutoff),
        )
    )  # fmt: skip
    retention.register(
        retention.PersonalData(
            "declarations", pgettext_lazy("purged", "declarations"), 30,
            rows=lambda cutoff, first_kept: Declaration.objects.filter(created_at__lt=cutoff),
        )
    )  # fmt: skip
    retention.register(
        retention.PersonalData("daily lists", pgettext_lazy("purged", "daily lists"), 40, purge=daily_lists_purge)
    )


def _register_offline_page() -> None:
    from django.urls import reverse

    from checkpoints.scoping import checkpoints_for_arrivals
    from rollout.models import Role
    from rollout.offline import OfflinePage, register_offline_page

    def urls_for(user) -> list[str]:
        return [reverse("checkpoints:arrival-record")] if checkpoints_for_arrivals(user).exists() else []

    register_offline_page(
        OfflinePage(
            "arrivals", r"^/checkpoints/arrivals/new/$", urls_for,
            static=("css/checkpoints.css", "js/units.js", "js/arrivals.js"), roles=frozenset({Role.CHECKPOINT_STAFF}),
        )
    )  # fmt: skip


def _register_audit_labels() -> None:
    from checkpoints.selectors import arrival_audit_labels, daily_list_audit_labels
    from rollout.services.audit import register_object_label

    register_object_label("checkpoints.dailylist", daily_list_audit_labels)
    register_object_label("checkpoints.arrival", arrival_audit_labels)


def _register_import() -> None:
    from checkpoints.services import imports as arrival_imports
    from rollout.services import imports

    imports.register_importer(
        imports.Importer(
            kind="arrivals",
            title=_("Import arrivals from a spreadsheet"),
            upload_url="checkpoints:arrival-import",
            preview_template="checkpoints/arrival_import_preview.html",
            check=arrival_imports.arrivals_import_check,
            store=arrival_imports.arrivals_import_store,
        )
    )
