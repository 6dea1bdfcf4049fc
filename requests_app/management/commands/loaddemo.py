"""`manage.py loaddemo`: demo facilities, logins and about 200 requests.

Safe to run again: facilities, users, patients and requesters are found by natural keys
(get_or_create) and never overwritten, and the requests are generated only when the demo
patients have none yet. The second run creates nothing and prints the same logins.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max

from requests_app.demo import LoadReport
from requests_app.demo.cast import LOGINS
from requests_app.demo.facilities import facilities_load
from requests_app.demo.generator import context_build, requests_generate
from requests_app.demo.people import patients_load, requesters_load, users_load
from requests_app.models import Notification, Request

SITE = "http://127.0.0.1:8000/"


class Command(BaseCommand):
    help = "Load demo facilities, logins and about 200 requests. Running it again changes nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--logins", action="store_true", help="Only print the demo logins; load nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self._logins()
            return
        started = time.monotonic()
        report = LoadReport()
        connection = transaction.get_connection()
        # One transaction: a failure leaves no half-loaded demo behind, and the "requests
        # already there?" check below can trust that a previous run finished.
        with transaction.atomic():
            queued = len(connection.run_on_commit)
            last_email = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
            entities = facilities_load(report)
            users = users_load(report)
            patients = patients_load(users, report)
            requesters = requesters_load(users, patients, report)
            existing = Request.objects.filter(patient__in=list(patients.values())).count()
            showcase = None
            if not existing:
                ctx = context_build(
                    entities=entities, users=users, patients=patients, requesters=requesters
                )
                report.created["requests"] = len(requests_generate(ctx))
                showcase = ctx.showcase
            # Every service step queues an email (a Notification row, published on commit).
            # Hundreds of emails about invented requests must not follow a demo load, now or
            # from the recovery sweep a minute later: the rows this load queued are deleted and
            # its callbacks dropped before the commit; an enclosing transaction's stay.
            Notification.objects.filter(pk__gt=last_email).delete()
            del connection.run_on_commit[queued:]
        self._summary(report, existing, time.monotonic() - started)
        if showcase is not None:
            showcase.refresh_from_db()
            self.stdout.write(
                f"Beat's first deadline sweep raises the overdue alert of {showcase.number} (due "
                f"{showcase.current_due_on}, assigned to {showcase.assignee}) and emails its "
                "assignee: the email prints in the worker's console."
            )
        self._logins()

    def _summary(self, report: LoadReport, existing: int, seconds: float) -> None:
        if report.created:
            made = ", ".join(f"{n} {label}" for label, n in report.created.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f}s: {made}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already loaded: nothing changed."))
        if existing:
            self.stdout.write(f"The demo patients already have {existing} requests; none added.")

    def _logins(self) -> None:
        self.stdout.write(f"\nDemo logins (site {SITE}, admin {SITE}admin/):\n")
        width = max(len(login.username) for login in LOGINS) + 2
        pw_width = max(len(login.password) for login in LOGINS) + 2
        self.stdout.write(f"  {'USERNAME':<{width}}{'PASSWORD':<{pw_width}}ROLE")
        for login in LOGINS:
            self.stdout.write(
                f"  {login.username:<{width}}{login.password:<{pw_width}}{login.role}"
            )
