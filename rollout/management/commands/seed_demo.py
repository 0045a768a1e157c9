from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from rollout.demo import DEMO_STEPS, DemoContext


class Command(BaseCommand):
    help = "Build the demo province (Lào Cai): master data, demo users and activity. Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=30, help="Days of activity to generate (default 30).")

    def handle(self, *args, **options) -> None:
        ctx = DemoContext(out=self.stdout, days=options["days"])
        for step in DEMO_STEPS:
            import_string(step)(ctx)
