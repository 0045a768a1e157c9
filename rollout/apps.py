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
        from rollout import dbrouter, signals  # noqa: F401  (connect the receivers: writes seen, hooks)
        from rollout.selectors.audit import user_labels
        from rollout.services.audit import register_object_label
        from rollout.services.jobs import register_job

        register_job("purge_personal_data", _("Deleting personal data past the retention"), beat="purge-personal-data")
        register_job("backup", _("Backup of the database and the files"), beat="backup")
        register_object_label("rollout.user", user_labels)
