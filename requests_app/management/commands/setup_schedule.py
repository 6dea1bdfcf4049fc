"""`manage.py setup_schedule`: write the periodic jobs of requests_app/schedule.py to
django-celery-beat. Running it again changes nothing; a schedule changed in the admin is kept
unless --reset is given."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from requests_app.schedule import schedule_sync, unknown_tasks


class Command(BaseCommand):
    help = (
        "Create or update the periodic tasks Celery beat runs (requests_app/schedule.py). "
        "Idempotent; schedules changed in the admin are kept unless --reset is given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put back the registry's schedules, and enable the jobs again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = schedule_sync(reset=options["reset"])
        width = max(len(name) for name, _what in report)
        for name, what in report:
            line = f"  {name:<{width}}  {what}"
            self.stdout.write(self.style.SUCCESS(line) if what != "unchanged" else line)
        for name in unknown_tasks():
            self.stdout.write(f"  {name:<{width}}  not in the registry; left as it is")
