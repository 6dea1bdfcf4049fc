"""The legal-clock sweeps Celery beat runs (requests_app/schedule.py).

deadline_sweep: where every open request stands against its current due date (on track, due
soon, due today, overdue), the extension guard, and one ClockAlert per request, threshold and
due date. It works set-based: the entities are grouped by the thresholds they share (their
"today" in their time zone, and the last day that counts as due soon on their calendar), and
each group costs a fixed handful of statements whatever its number of requests: one UPDATE of
the open requests' states and extension flags, one clearing the flag of answered ones, and two
INSERT ... SELECT ... ON CONFLICT DO NOTHING of the alerts, which also write each new alert's
internal CLOCK timeline event (in the same statement on PostgreSQL; SQLite needs one more
statement for the whole sweep). bench/sweep.py measures it against a loop over the rows.

Why it is safe to run twice, or from two processes at once: every statement changes only the
rows that are not yet in the state it writes, and an alert is a row under a unique constraint
(request, threshold, due date), so a second INSERT of it does nothing. On PostgreSQL a
transaction-level advisory lock also makes two sweeps take turns, so their bulk UPDATEs
cannot deadlock on the same rows.

The staff emails are not sent here: after commit, tasks.notify.deliver_clock_alerts expands
the undelivered alerts into Notifications (services/notifications_staff.py).

A service that moves one request's due date judges that request at once with the same rules
(services/clock_state.py), so the queue does not wait for the next sweep; the alerts stay here.

The requester-side sweeps (authorization expiry, reminders, automatic closure) live in
services/clocks_requester.py and are re-exported here.
"""

from __future__ import annotations

import logging
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject
from django.db.models.lookups import Exact, LessThan, LessThanOrEqual
from django.utils import timezone

from ..models import ClockAlert, Closure, Entity, Request, TimelineEvent
from ..rules import clocks as rules
from ..rules.calendar import closed_days
from ..selectors.calendar import entity_today
from ..workflow import OPEN_STATUSES, Status
from .clock_state import entity_calendar
from .dispatch import enqueue_on_commit

logger = logging.getLogger(__name__)

OPEN = sorted(OPEN_STATUSES)
# pg_advisory_xact_lock takes a bigint; a fixed one names "the deadline sweep".
ADVISORY_LOCK_KEY = zlib.crc32(b"roi-portal.deadline_sweep")
# The actor label of the CLOCK timeline events (timeline.actor_label(None)).
SYSTEM = "System"


@dataclass
class SweepResult:
    now: datetime
    groups: int = 0  # distinct (today, due-soon limit) among the entities
    changed: int = 0  # requests whose clock state or extension flag moved
    raised: dict[str, int] = field(default_factory=dict)  # threshold -> new alerts

    @property
    def alerts(self) -> int:
        return sum(self.raised.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "groups": self.groups,
            "changed": self.changed,
            "raised": dict(self.raised),
        }


# --- the thresholds of each entity --------------------------------------------------------


def entity_groups(now: datetime) -> dict[rules.ClockThresholds, list[int]]:
    """Entity ids by the thresholds they share at `now`, in two queries (entities with their
    policy, closures) and the holiday calendar once per country and state. One entity's alone
    is services.clock_state.entity_thresholds."""
    entities = list(
        Entity.objects.select_related("policy").only(
            "pk",
            "timezone",
            "jurisdiction",
            "policy__holiday_country",
            "policy__holiday_subdivision",
            "policy__due_soon_working_days",
        )
    )
    # Only closures from yesterday on can fall in a due-soon window.
    earliest = min((entity_today(e, now) for e in entities), default=now.date())
    extra: dict[int, set[date]] = defaultdict(set)
    for entity_id, day in Closure.objects.filter(date__gte=earliest).values_list(
        "entity_id", "date"
    ):
        extra[entity_id].add(day)
    holidays: dict[tuple[str, str, range], frozenset[date]] = {}
    groups: dict[rules.ClockThresholds, list[int]] = defaultdict(list)
    for entity in entities:
        country, subdiv, working_days = entity_calendar(entity)
        today = entity_today(entity, now)
        years = rules.clock_years(today)
        key = (country, subdiv, years)
        if key not in holidays:
            holidays[key] = closed_days(country=country, subdiv=subdiv or None, years=years)
        thresholds = rules.clock_thresholds(
            today=today,
            due_soon_working_days=working_days,
            closed=holidays[key] | frozenset(extra[entity.pk]),
        )
        groups[thresholds].append(entity.pk)
    return dict(groups)


# --- the same rules, as SQL expressions ---------------------------------------------------


def current_due() -> Coalesce:
    """The due date the clock runs to: the extended one, once extended."""
    return Coalesce("extended_due_on", "due_on")


def state_case(thresholds: rules.ClockThresholds) -> Case:
    """rules.clocks.clock_state, in SQL (tests/services/test_clocks.py holds them equal)."""
    due = current_due()
    return Case(
        When(LessThan(due, thresholds.today), then=Value(rules.OVERDUE)),
        When(Exact(due, thresholds.today), then=Value(rules.DUE_TODAY)),
        When(LessThanOrEqual(due, thresholds.due_soon_until), then=Value(rules.DUE_SOON)),
        default=Value(rules.ON_TRACK),
        output_field=CharField(),
    )


def extension_q(thresholds: rules.ClockThresholds) -> Q:
    """rules.clocks.extension_decision_needed, in SQL, for open requests."""
    return Q(
        status__in=[s for s in OPEN if s != Status.READY],
        extended_due_on__isnull=True,
        latest_extension_on__isnull=False,
        latest_extension_on__gt=F("due_on"),
        due_on__gte=thresholds.today,
        due_on__lte=thresholds.due_soon_until,
    )


_ALERT_COLUMNS = ["request", "threshold", "due_on", "created_at"]
_ALERT_KEY = ["request", "threshold", "due_on"]
_EVENT_COLUMNS = [
    "request",
    "at",
    "kind",
    "actor_label",
    "action",
    "from_status",
    "to_status",
    "reason",
    "data",
    "visible_to_requester",
]


def _columns(model: type, names: list[str]) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(name).column) for name in names)


def _raise_alerts(rows: QuerySet) -> list[str]:
    """INSERT INTO clock alerts SELECT `rows` ON CONFLICT (request, threshold, due date) DO
    NOTHING, in one statement whatever the number of rows; returns the thresholds of the
    alerts it inserted (a conflict inserts and returns nothing). `rows` is a values_list() of
    request id, threshold, due date and time, in that order.

    On PostgreSQL the same statement writes each new alert's internal CLOCK timeline event
    (a data-modifying WITH), so exactly the alerts inserted get one, even when two sweeps
    race. SQLite has no INSERT inside WITH: record_timeline() writes them afterwards."""
    quote = connection.ops.quote_name
    alerts = quote(ClockAlert._meta.db_table)
    select, params = rows.query.sql_with_params()
    insert = (
        f"INSERT INTO {alerts} ({_columns(ClockAlert, _ALERT_COLUMNS)}) {select} "
        f"ON CONFLICT ({_columns(ClockAlert, _ALERT_KEY)}) DO NOTHING"
    )
    threshold = quote(ClockAlert._meta.get_field("threshold").column)
    if connection.vendor != "postgresql":
        statement = f"{insert} RETURNING {threshold}"
    else:
        request, due_on, created_at, pk = (
            quote(ClockAlert._meta.get_field(name).column)
            for name in ("request", "due_on", "created_at", "id")
        )
        events = quote(TimelineEvent._meta.db_table)
        statement = (
            f"WITH new AS ({insert} RETURNING {pk}, {request}, {threshold}, {due_on}, "
            f"{created_at}), "
            f"events AS (INSERT INTO {events} ({_columns(TimelineEvent, _EVENT_COLUMNS)}) "
            f"SELECT {request}, {created_at}, %s, %s, {threshold}, '', '', '', "
            f"jsonb_build_object('due_on', {due_on}, 'alert', {pk}), false FROM new) "
            f"SELECT {threshold} FROM new"
        )
        params = (*params, TimelineEvent.Kind.CLOCK.value, SYSTEM)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [row[0] for row in cursor.fetchall()]


def _sweep_group(
    thresholds: rules.ClockThresholds, entity_ids: list[int], now: datetime, result: SweepResult
) -> None:
    in_group = Request.objects.filter(entity_id__in=entity_ids).order_by()
    open_requests = in_group.filter(status__in=OPEN)
    state = state_case(thresholds)
    needs_decision = extension_q(thresholds)
    decision = Case(
        When(needs_decision, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    # One pass writes both, and only the rows where either moves: a sweep that finds nothing
    # new writes nothing, and 100,000 unchanged rows are not rewritten every 15 minutes. The
    # flag goes down once the request is extended or ready, or once its first due date
    # passed (no extension is possible then; the overdue alert takes over).
    result.changed += open_requests.filter(
        ~Q(clock_state=state) | ~Q(extension_flagged=decision)
    ).update(clock_state=state, extension_flagged=decision)
    # Answered, closed or withdrawn meanwhile: nothing is left to decide.
    result.changed += (
        in_group.filter(extension_flagged=True)
        .exclude(status__in=OPEN)
        .update(extension_flagged=False)
    )
    at = Value(now, output_field=DateTimeField())
    due = current_due()
    thresholds_reached = (
        open_requests.filter(LessThanOrEqual(due, thresholds.due_soon_until))
        .annotate(a_threshold=state, a_due=due, a_at=at)
        .values_list("pk", "a_threshold", "a_due", "a_at")
    )
    raised = _raise_alerts(thresholds_reached)
    decisions = (
        in_group.filter(needs_decision)
        .annotate(
            a_threshold=Value(ClockAlert.Threshold.EXTENSION, output_field=CharField()), a_at=at
        )
        .values_list("pk", "a_threshold", "due_on", "a_at")
    )
    raised += _raise_alerts(decisions)
    for threshold in raised:
        result.raised[threshold] = result.raised.get(threshold, 0) + 1


def record_timeline(now: datetime) -> None:
    """Without PostgreSQL's INSERT inside WITH: one internal CLOCK event per alert this sweep
    raised, inserted from the alerts themselves (those stamped `now` with no event yet; the
    NOT EXISTS keeps a second sweep given the very same `now` from writing them twice).
    SQLite runs one writer at a time, so no other sweep interleaves."""
    written = TimelineEvent.objects.filter(
        request=OuterRef("request"),
        kind=TimelineEvent.Kind.CLOCK,
        action=OuterRef("threshold"),
        at=OuterRef("created_at"),
    )
    text = {"output_field": CharField()}
    rows = (
        ClockAlert.objects.filter(created_at=now)
        .filter(~Exists(written))
        .order_by()
        .annotate(
            e_kind=Value(TimelineEvent.Kind.CLOCK, **text),
            e_label=Value(SYSTEM, **text),
            e_from=Value("", **text),
            e_to=Value("", **text),
            e_reason=Value("", **text),
            e_data=JSONObject(due_on=F("due_on"), alert=F("pk")),
            e_visible=Value(False, output_field=BooleanField()),
        )
        .values_list(
            "request_id",
            "created_at",
            "e_kind",
            "e_label",
            "threshold",
            "e_from",
            "e_to",
            "e_reason",
            "e_data",
            "e_visible",
        )
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(TimelineEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({_columns(TimelineEvent, _EVENT_COLUMNS)}) {select}", params
        )


def _take_turns() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def _deliver_task() -> Any:
    from .. import tasks  # noqa: F401 - registers every task of the app
    from ..tasks.notify import deliver_clock_alerts

    return deliver_clock_alerts


def deadline_sweep(*, now: datetime | None = None) -> SweepResult:
    """Bring every open request's clock state, extension flag and alerts up to `now`, in one
    transaction, then have the alerts delivered. Idempotent: a second run at the same moment
    changes nothing and raises nothing."""
    now = now or timezone.now()
    result = SweepResult(now=now)
    with transaction.atomic():
        _take_turns()
        groups = entity_groups(now)
        result.groups = len(groups)
        for thresholds, entity_ids in groups.items():
            _sweep_group(thresholds, entity_ids, now, result)
        if connection.vendor != "postgresql":
            record_timeline(now)
        # Also when this run raised nothing: alerts left undelivered (a lost publish, more
        # than one delivery's worth) go out with the next sweep.
        if ClockAlert.objects.filter(delivered_at__isnull=True).exists():
            enqueue_on_commit(_deliver_task())
    if result.alerts or result.changed:
        logger.info("Deadline sweep: %s", result.as_dict())
    return result


# Re-exported: the three sweeps are one service module for the tasks and the schedule.
from .clocks_requester import (  # noqa: E402
    authorization_expiry_sweep,
    requester_reminder_sweep,
)

__all__ = [
    "SweepResult",
    "authorization_expiry_sweep",
    "deadline_sweep",
    "entity_groups",
    "requester_reminder_sweep",
]
