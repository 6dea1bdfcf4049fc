"""What the fault tests do inside the project, in a process of its own:

    python -m tests.faults.agent <command> '<json arguments>'

It runs with the environment the test gives it (the scratch database, the private Redis, the
shared media folder), sets Django up like any process of the deployment, does one thing
through the real services and prints the answer as one line of JSON. The tests never touch
the database from the pytest process: every reader and writer is a separate process, as in
production.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timedelta
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roi_portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from requests_app.models import (  # noqa: E402
    ClockAlert,
    Disclosure,
    Notification,
    Packet,
    Request,
    StaffMembership,
    TimelineEvent,
)

COMMANDS: dict[str, Any] = {}


def command(function: Any) -> Any:
    COMMANDS[function.__name__] = function
    return function


def _entity(name: str) -> Any:
    from tests.factories import EntityFactory, OrganizationFactory

    org = OrganizationFactory(name=f"{name} Health", slug=name.lower())
    return EntityFactory(organization=org, name=f"{name} Medical Center", bates_prefix=name[:6])


def _staff(entity: Any, username: str, *, supervisor: bool = False) -> User:
    from tests.factories import UserFactory

    user = UserFactory(username=username, first_name=username.title(), is_staff=True)
    role = StaffMembership.Role.SUPERVISOR if supervisor else StaffMembership.Role.CLERK
    membership = StaffMembership.objects.create(
        user=user, organization=entity.organization, role=role
    )
    membership.entities.add(entity)
    return user


@command
def portal_site(name: str = "Duarte") -> dict[str, Any]:
    """An entity to ask, and a signed-in patient: the session cookie a browser would hold."""
    from tests.factories import UserFactory

    entity = _entity(name)
    user = UserFactory(
        username=f"maria.{name.lower()}",
        first_name="María",
        last_name="García",
        email=f"maria.{name.lower()}@example.org",
    )
    client = Client()
    client.force_login(user)
    return {
        "entity": entity.pk,
        "session_cookie": client.cookies["sessionid"].value,
        "start": reverse("portal:wizard_start"),
    }


@command
def ready_packet(documents: int, pages: int) -> dict[str, Any]:
    """A request ready to release with `documents` PDFs of `pages` pages, released by a clerk:
    the build is published to the broker after commit, as when staff press Release."""
    from requests_app.models import Requester
    from requests_app.rules.kinds import RepresentativeAuthority, RequesterRole
    from requests_app.services import documents as d
    from requests_app.services import transitions as t
    from requests_app.services.packets import packet_request_build
    from tests.factories import submit
    from tests.packets.samples import pdf_bytes

    entity = _entity("Packet")
    clerk = _staff(entity, "clerk")
    # A representative, so that the release also writes a disclosure entry (164.528).
    representative = Requester.objects.create(
        role=RequesterRole.REPRESENTATIVE,
        full_name="Linda Ortiz",
        email="linda@example.org",
        representative_authority=RepresentativeAuthority.HEALTHCARE_POA,
        relationship="Daughter",
    )
    req = submit(entity=entity, requester=representative)
    t.request_start_review(req, actor=clerk)
    t.request_verify(req, actor=clerk)
    t.request_mark_ready(req, actor=clerk)
    req.refresh_from_db()
    for number in range(documents):
        data = pdf_bytes(pages, f"Chart {number + 1}")
        upload = SimpleUploadedFile(f"chart-{number + 1}.pdf", data, "application/pdf")
        d.document_add(request=req, actor=clerk, upload=upload, title=f"Chart {number + 1}")
    packet = packet_request_build(request=req, actor=clerk)
    return {"packet": packet.pk, "request": req.pk, "pages": documents * pages}


@command
def packet(packet: int) -> dict[str, Any]:
    row = Packet.objects.get(pk=packet)
    events = TimelineEvent.objects.filter(request_id=row.request_id)
    return {
        "state": row.state,
        "progress": row.progress,
        "error": row.error,
        "page_count": row.page_count,
        "file": row.file.path if row.file else "",
        "manifest": row.manifest,
        "lease_until": row.lease_until.isoformat() if row.lease_until else None,
        "status": row.request.status,
        "releases": events.filter(action="release").count(),
        "interrupted": events.filter(action="packet_interrupted").count(),
        "disclosures": Disclosure.objects.filter(request_id=row.request_id).count(),
    }


@command
def recover(past_grace: bool = False, minutes_later: float = 0) -> dict[str, Any]:
    """The recovery sweep, as beat runs it; `past_grace`: once the outbox's grace period for
    the on-commit publish has run out, as it has a few minutes after an outage."""
    from requests_app.services.notifications import GRACE
    from requests_app.services.recovery import recover_pending_work

    later = timedelta(minutes=minutes_later) + (
        GRACE + timedelta(seconds=1) if past_grace else timedelta()
    )
    return recover_pending_work(now=timezone.now() + later)


@command
def publish_recovery() -> dict[str, Any]:
    """Hand the recovery task to the workers, as beat does every minute."""
    from requests_app.services.dispatch import publish
    from requests_app.tasks.recovery import recover_pending_work

    return {"published": publish(recover_pending_work)}


@command
def received(entity: int) -> dict[str, Any]:
    """Every request filed with the entity and the state of its confirmation email."""
    rows = []
    for req in Request.objects.filter(entity_id=entity).order_by("number"):
        emails = Notification.objects.filter(
            template="received", data__submission=str(req.submission)
        )
        rows.append(
            {
                "number": req.number,
                "states": sorted(emails.values_list("state", flat=True)),
                "sent_to": sorted(emails.filter(state="sent").values_list("to", flat=True)),
            }
        )
    return {"requests": rows}


@command
def clock_site() -> dict[str, Any]:
    """Open requests at each legal-clock threshold today, assigned to a clerk or to nobody,
    and a supervisor: every threshold has someone to alert."""
    from requests_app.selectors.calendar import entity_today
    from requests_app.services import transitions as t
    from tests.factories import submit

    entity = _entity("Clocks")
    clerk = _staff(entity, "clerk")
    _staff(entity, "supervisor", supervisor=True)
    today = entity_today(entity)
    numbers = {}
    for label, due_in, assignee in (
        ("overdue", -2, clerk),
        ("due_today", 0, clerk),
        ("due_soon", 1, clerk),
        ("unassigned_due_today", 0, None),
        ("on_track", 40, clerk),
    ):
        req = submit(entity=entity)
        if assignee is not None:
            t.request_assign(req, actor=assignee, assignee=assignee)
        Request.objects.filter(pk=req.pk).update(due_on=today + timedelta(days=due_in))
        numbers[label] = req.number
    return {"entity": entity.pk, "numbers": numbers}


@command
def deadline_sweep(now: str, start_at: float) -> dict[str, Any]:
    """The deadline sweep at `now`, started at the wall-clock time `start_at`, so that two
    processes run it at the same instant."""
    from requests_app.services.clocks import deadline_sweep as sweep

    time.sleep(max(0.0, start_at - time.time()))
    started = time.time()
    result = sweep(now=datetime.fromisoformat(now))
    return {"started": started, "result": result.as_dict()}


@command
def staff_emails(entity: int) -> dict[str, Any]:
    """The alerts raised for the entity's requests and the staff emails they became."""
    alerts = ClockAlert.objects.filter(request__entity_id=entity).select_related("request")
    emails = Notification.objects.filter(audience="staff", request__entity_id=entity)
    return {
        "alerts": sorted(f"{a.request.number}:{a.threshold}" for a in alerts),
        "undelivered": alerts.filter(delivered_at__isnull=True).count(),
        "emails": sorted(
            [n.key, n.request.number, n.template, n.to, n.state, n.attempts]
            for n in emails.select_related("request")
        ),
        "sent_events": TimelineEvent.objects.filter(
            request__entity_id=entity, action="email_sent", data__template__startswith="staff_"
        ).count(),
    }


def main() -> None:
    name = sys.argv[1]
    arguments = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    print(json.dumps(COMMANDS[name](**arguments), default=str))


if __name__ == "__main__":
    main()
