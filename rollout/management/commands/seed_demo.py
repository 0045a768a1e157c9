from django.core.management.base import BaseCommand

from rollout import demo


class Command(BaseCommand):
    help = "Build the demo province: master data, demo users and activity. Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=30, help="Days of activity to generate (default 30).")

    def handle(self, *args, **options) -> None:
        ctx = demo.DemoContext(out=self.stdout, days=options["days"])
        for step in demo.steps():
            step(ctx)
