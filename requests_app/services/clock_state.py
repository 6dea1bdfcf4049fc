"""One request's clock state, judged now the way the deadline sweep judges every open request.

The sweep (services/clocks.py) runs every 15 minutes. Every status change (the one
transitions._transition, which covers resume and reopen) and every other service that moves a
due date (an extension, a request received days before it was entered) calls
request_clock_judge in its own transaction, so the queue's badge and the extension flag
follow at once instead of lagging until the next sweep. Same thresholds (entity_calendar is
what the sweep groups entities by) and same pure rules (rules.clocks.clock_state,
extension_decision_needed), which tests/services/test_clocks.py holds equal to the sweep's
SQL.

No ClockAlert is raised here: alerts (and their emails) stay the sweep's, which raises one per
request, threshold and due date whenever it finds the state this function wrote.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from ..models import Entity, EntityPolicy, Request
from ..rules import clocks as rules
from ..selectors.calendar import entity_closed_days, entity_today
from ..workflow import OPEN_STATUSES, Status

DEFAULT_DUE_SOON_WORKING_DAYS: int = EntityPolicy._meta.get_field("due_soon_working_days").default


def entity_calendar(entity: Entity) -> tuple[str, str, int]:
    """The holiday country and subdivision, and the due-soon window in working days, that set
    an entity's thresholds; an entity without a policy gets the defaults."""
    policy = getattr(entity, "policy", None)
    country = policy.holiday_country if policy else "US"
    subdiv = (policy.holiday_subdivision if policy else "") or entity.jurisdiction
    working_days = policy.due_soon_working_days if policy else DEFAULT_DUE_SOON_WORKING_DAYS
    return country, subdiv, working_days


def entity_thresholds(entity: Entity, now: datetime) -> rules.ClockThresholds:
    """The thresholds services.clocks.entity_groups puts this entity under at `now`."""
    today = entity_today(entity, now)
    _country, _subdiv, working_days = entity_calendar(entity)
    # The entity's calendar as every deadline reads it: its years (from the one before
    # `today`, some five ahead) cover rules.clock_years(today), and the window only counts
    # forward from today, so the past holidays and closures in it change nothing.
    closed = entity_closed_days(entity, today)
    return rules.clock_thresholds(today=today, due_soon_working_days=working_days, closed=closed)


def request_clock_judge(req: Request, *, now: datetime | None = None) -> None:
    """Set `req.clock_state` and `req.extension_flagged` to what the sweep would write at `now`,
    on the instance: the caller saves it with the change that moved the date, in the same
    transaction. An answered request keeps its last state and loses the flag, as in the sweep."""
    if req.status not in OPEN_STATUSES:
        req.extension_flagged = False
        return
    thresholds = entity_thresholds(req.entity, now or timezone.now())
    req.clock_state = rules.clock_state(req.current_due_on, thresholds)
    req.extension_flagged = rules.extension_decision_needed(
        due_on=req.due_on,
        extended_due_on=req.extended_due_on,
        latest_extension_on=req.latest_extension_on,
        ready=req.status == Status.READY,
        thresholds=thresholds,
    )
