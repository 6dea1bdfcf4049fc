"""What the deadline sweep leaves for staff to see, over HTTP: the queue's overdue, due-soon and
extension badges, the filter for requests needing an extension decision, and the request
file."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from requests_app.models import DeadlinePolicy, StaffMembership
from requests_app.rules.kinds import DayUnit, DeadlineKey, DeliveryMethod, RequestKind
from requests_app.services import transitions as t
from requests_app.services.clocks import deadline_sweep

from ..factories import EntityFactory, submit

LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 24, 10, tzinfo=LA)  # Tuesday before Thanksgiving


def received(entity, when: datetime, staff, **kwargs):
    with time_machine.travel(when, tick=False):
        req = submit(entity=entity, received_at=when, **kwargs)
        t.request_assign(req, actor=staff, assignee=staff)
    return req


@pytest.fixture
def requests(entity_a, staff_a):
    overdue = received(entity_a, datetime(2026, 11, 5, 9, tzinfo=LA), staff_a)  # due 20 Nov
    # Due Monday 30 Nov: 6 calendar days away, but only 3 working days (CA closes Thursday
    # and Friday for Thanksgiving), so the sweep says due soon where the dates alone do not.
    thanksgiving = received(entity_a, datetime(2026, 11, 15, 9, tzinfo=LA), staff_a)
    # An accounting due Friday 27 Nov (60 days), extendable by 30: a decision is needed.
    accounting = received(
        entity_a,
        datetime(2026, 9, 28, 9, tzinfo=LA),
        staff_a,
        kind=RequestKind.ACCOUNTING,
        delivery=DeliveryMethod.PORTAL,
    )
    later = received(entity_a, datetime(2026, 11, 20, 9, tzinfo=LA), staff_a)  # due 5 Dec
    assert (overdue.due_on, thanksgiving.due_on, accounting.due_on, later.due_on) == (
        date(2026, 11, 20),
        date(2026, 11, 30),
        date(2026, 11, 27),
        date(2026, 12, 5),
    )
    with time_machine.travel(NOW, tick=False):
        deadline_sweep()
    return {"overdue": overdue, "thanksgiving": thanksgiving, "accounting": accounting}


def row_of(html: str, number: str) -> str:
    match = re.search(rf"<tr>(?:(?!</tr>).)*{number}(?:(?!</tr>).)*</tr>", html, re.S)
    assert match, number
    return match.group(0)


def test_the_queue_shows_the_sweeps_badges(client, staff_a, requests) -> None:
    client.force_login(staff_a)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("staff:queue")).content.decode()
    overdue = row_of(html, requests["overdue"].number)
    assert "badge-overdue" in overdue and "Overdue 4 days" in overdue
    assert "Extension decision needed" not in overdue
    thanksgiving = row_of(html, requests["thanksgiving"].number)
    assert "badge-due-soon" in thanksgiving and "Due in 6 days" in thanksgiving
    accounting = row_of(html, requests["accounting"].number)
    assert "badge-due-soon" in accounting
    assert 'class="badge badge-extension"' in accounting
    assert "Extension decision needed" in accounting
    assert html.count("badge-extension") == 1


def test_the_queue_filters_the_requests_needing_a_decision(client, staff_a, requests) -> None:
    client.force_login(staff_a)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("staff:queue"), {"extension": "on"}).content.decode()
    numbers = set(re.findall(r'name="numbers" value="([^"]+)"', html))
    assert numbers == {requests["accounting"].number}


def test_an_extension_takes_the_badge_away_at_once(client, staff_a, requests) -> None:
    accounting = requests["accounting"]
    with time_machine.travel(NOW, tick=False):
        t.request_extend(accounting, actor=staff_a, new_due_on=date(2026, 12, 20), reason="Backlog")
        client.force_login(staff_a)
        html = client.get(reverse("staff:queue")).content.decode()
        filtered = client.get(reverse("staff:queue"), {"extension": "on"}).content.decode()
    assert "badge-extension" not in html
    assert accounting.number not in filtered
    # Nor does "due soon" linger on the row until the next sweep: the due date moved a month.
    assert "badge-due-soon" not in row_of(html, accounting.number)


def test_the_request_file_shows_the_clock(client, staff_a, requests) -> None:
    client.force_login(staff_a)
    url = reverse("staff:request_file", kwargs={"number": requests["accounting"].number})
    with time_machine.travel(NOW, tick=False):
        html = client.get(url).content.decode()
    assert "badge badge-extension rf-extension" in html
    assert "Legal clock" in html and "Due soon" in html
    assert "Decide on an extension: the written notice must go out by 2026-11-27." in html
    url = reverse("staff:request_file", kwargs={"number": requests["overdue"].number})
    with time_machine.travel(NOW, tick=False):
        html = client.get(url).content.decode()
    assert "Overdue: it was due 2026-11-20. Staff were alerted." in html
    assert "rf-extension" not in html


def test_the_queue_and_the_request_file_agree_on_due_soon(client, staff_a, requests) -> None:
    # Six calendar days, three working days: the sweep's "due soon" shows on both pages.
    thanksgiving = requests["thanksgiving"]
    client.force_login(staff_a)
    url = reverse("staff:request_file", kwargs={"number": thanksgiving.number})
    with time_machine.travel(NOW, tick=False):
        queue = row_of(client.get(reverse("staff:queue")).content.decode(), thanksgiving.number)
        file = client.get(url).content.decode()
    assert "badge-due-soon" in queue and "Due in 6 days" in queue
    badge = re.search(r'class="badge ([\w-]+) rf-urgency">([^<]*)<', file)
    assert badge and (badge[1], badge[2].strip()) == ("badge-due-soon", "Due in 6 days")


def test_a_resumed_request_is_due_soon_in_the_queue_at_once(client, org, staff_a) -> None:
    # Massachusetts: HIPAA's 30 days, and a 15-working-day policy that pauses while the
    # request waits on the requester.
    boston = EntityFactory(organization=org, jurisdiction="MA", timezone="America/New_York")
    DeadlinePolicy.objects.filter(entity=boston, key=DeadlineKey.ACCESS_COPY).update(
        days=15, unit=DayUnit.WORKING, pauses_when_pending=True
    )
    StaffMembership.objects.get(user=staff_a).entities.add(boston)
    req = received(boston, datetime(2026, 3, 2, 10, tzinfo=NY), staff_a)  # due Monday 23 Mar
    with time_machine.travel(datetime(2026, 3, 18, 10, tzinfo=NY), tick=False):
        t.request_pend(req, actor=staff_a, missing="The signed authorization.")
    with time_machine.travel(datetime(2026, 3, 25, 10, tzinfo=NY), tick=False):
        deadline_sweep()  # the old date passed while the request waited: overdue

    client.force_login(staff_a)
    resumed = datetime(2026, 3, 26, 9, tzinfo=NY)
    with time_machine.travel(resumed, tick=False):
        response = client.post(
            reverse("staff:request_file", kwargs={"number": req.number}) + "resume/",
            {"note": "Authorization received"},
        )
        assert response.status_code == 302
        # No sweep since: the six working days it waited put the date at Tuesday 31 Mar,
        # five calendar days but three working days away.
        row = row_of(client.get(reverse("staff:queue")).content.decode(), req.number)
    assert "badge-due-soon" in row and "Due in 5 days" in row
