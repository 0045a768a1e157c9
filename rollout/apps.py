from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("Rollout")

    def ready(self) -> None:
        from rollout import demo
        from rollout.demo.masterdata import seed_master_data, seed_users

        demo.register_step(10, seed_master_data)
        demo.register_step(20, seed_users)
        from rollout import checks, dbrouter, signals  # noqa: F401  (connect the receivers: writes seen, hooks; checks)
        from rollout.selectors.audit import user_labels
        from rollout.services.audit import register_object_label
        from rollout.services.jobs import register_job

        register_job("purge_personal_data", _("Deleting personal data past the retention"), beat="purge-personal-data")
        register_job(
            "partitions_ahead", _("Day partitions of check-ins and arrivals, created ahead"), beat="partitions-ahead"
        )
        register_job("backup", _("Backup of the database and the files"), beat="backup")
        register_object_label("rollout.user", user_labels)
        _register_imports()
        _register_sync_receipts()


def _register_imports() -> None:
    from django.utils.translation import pgettext_lazy

    from rollout.services import accounts, imports, retention

    imports.register_importer(
        imports.Importer(
            kind="accounts",
            title=_("Create accounts from a spreadsheet"),
            upload_url="accounts:user-import",
            preview_template="accounts/import_preview.html",
            check=accounts.users_import_check,
            store=accounts.users_import_store,
        )
    )
    # Uploaded import files hold names, phones and ID numbers: deleted with the rest (and sooner).
    retention.register(
        retention.PersonalData(
            "import jobs", pgettext_lazy("purged", "import files"), 50, purge=imports.import_jobs_purge
        )
    )


def _register_sync_receipts() -> None:
    from django.utils.translation import pgettext_lazy

    from rollout.models import SyncReceipt
    from rollout.services import retention

    # A receipt names no one, but it points at a person's record: it goes with the records it points at.
    retention.register(
        retention.PersonalData(
            "sync receipts", pgettext_lazy("purged", "receipts of records sent from devices"), 90,
            rows=lambda cutoff, first_kept: SyncReceipt.objects.filter(created_at__lt=cutoff),
        )
    )  # fmt: skip
