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
        from rollout import signals  # noqa: F401  (connects the receivers)
        from rollout.selectors.audit import user_labels
        from rollout.services.audit import register_object_label
        from rollout.services.jobs import register_job

        register_job("purge_personal_data", _("Deleting personal data past the retention"), beat="purge-personal-data")
        register_object_label("rollout.user", user_labels)
        _register_sync_receipts()


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
