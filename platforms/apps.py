from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = _("Platform rollout")

    def ready(self) -> None:
        from platforms.demo import seed_platform_activity
        from rollout import demo

        demo.register_step(50, seed_platform_activity)  # adoption, testing platform, vaccination logs
        from rollout.services.jobs import register_job

        register_job("vaccination_reminders", _("Vaccination-update reminders"), beat="vaccination-reminders")
        from platforms.services import adoption
        from rollout.services import imports

        imports.register_importer(
            imports.Importer(
                kind="adoption",
                title=_("Upload adoption figures"),
                upload_url="platforms:adoption-import",
                preview_template="platforms/adoption_import_preview.html",
                check=adoption.adoption_import_check,
                store=adoption.adoption_import_store,
            )
        )
