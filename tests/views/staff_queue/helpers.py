"""What the queue tests share: a fixed Monday, a request put where a test needs it, and the
queue page as a clerk sees it."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from requests_app.models import Location, Request

from ...factories import submit

LA = ZoneInfo("America/Los_Angeles")


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LA)  # a Monday


TODAY = NOW.date()


def make(
    entity,
    *,
    due: date,
    assignee=None,
    status: str | None = None,
    location: Location | None = None,
    **kwargs,
) -> Request:
    """A request through the real service, then put where the test needs it: its clock,
    status, assignee and location (a hospital location routes to the whole entity)."""
    kwargs.setdefault("received_at", NOW - timedelta(days=5))
    req = submit(entity=entity, **kwargs)
    changes = {"due_on": due, "assignee": assignee, "location": location}
    if status:
        changes["status"] = status
    Request.objects.filter(pk=req.pk).update(**changes)
    req.refresh_from_db()
    return req


def numbers_in(response) -> list[str]:
    """The request numbers in the table, in page order."""
    return re.findall(r'name="numbers" value="(ROI-\d{4}-\d+)"', response.content.decode())


def get(client, user, query: str = ""):
    client.force_login(user)
    response = client.get("/staff/" + query)
    assert response.status_code == 200
    return response
