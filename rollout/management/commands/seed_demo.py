from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from rollout import demo
from rollout.models import District, Province, Venue


class Command(BaseCommand):
    help = (
        "Build the demo province: master data, demo users and activity. Safe to run again. "
        "The province is HOME_PROVINCE_CODE's unless --province says otherwise."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=30, help="Days of activity to generate (default 30).")
        parser.add_argument(
            "--province",
            type=int,
            default=None,
            help="GSO code of the province to seed (e.g. 01 for Hà Nội); the app must then run with the same "
            "HOME_PROVINCE_CODE. Default: HOME_PROVINCE_CODE.",
        )

    def handle(self, *args, **options) -> None:
        code = options["province"] if options["province"] is not None else settings.HOME_PROVINCE_CODE
        province = Province.objects.filter(pk=code).first()
        if province is None:
            raise CommandError(f"No province with GSO code {code}: run load_admin_units first.")
        if not District.objects.filter(province=province).exists():
            raise CommandError(f"{province.name} has no districts in the units data.")
        if Venue.objects.exclude(district__province=province).exists():
            raise CommandError(
                f"This database already holds another province's demo; seed a fresh database for {province.name}."
            )
        with override_settings(HOME_PROVINCE_CODE=code):
            ctx = demo.DemoContext(out=self.stdout, days=options["days"])
            for step in demo.steps():
                step(ctx)
        if code != settings.HOME_PROVINCE_CODE:
            self.stdout.write(f"The demo is for {province.name}: run the app with HOME_PROVINCE_CODE={code}.\n")
