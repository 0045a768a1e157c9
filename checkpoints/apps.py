from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "checkpoints"
    verbose_name = _("Checkpoints and arrivals")

    def ready(self) -> None:
        from rollout.services.jobs import register_job

        register_job("daily_lists_build", _("Daily arrival lists for the districts"), beat="daily-lists")
        register_job(
            "daily_list_refresh", _("Daily list rebuilt after late arrivals"), trigger=_("When late arrivals come in")
        )
