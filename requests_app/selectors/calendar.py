"""Reads an entity's calendar and policy from the database and hands plain values to the
pure deadline rules."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..models import Entity
from ..rules.calendar import closed_days, years_for
from ..rules.deadlines import DeadlineRule, DueDates, compute_due, deadline_key, validate_rule
from ..rules.kinds import DeadlineKey, DeliveryMethod, RequestKind

# Far enough ahead for a 60-day rule, its 30-day extension and pauses, with room to spare.
CALENDAR_SPAN_DAYS = 800


def zone_date(tz_name: str, moment: datetime) -> date:
    """The date `moment` falls on in the time zone named `tz_name` (ZoneInfo caches its
    instances, so a name costs a dictionary look-up)."""
    return timezone.localtime(moment, ZoneInfo(tz_name)).date()


def entity_today(entity: Entity, now: datetime | None = None) -> date:
    return zone_date(entity.timezone, now or timezone.now())


def entity_local_date(entity: Entity, moment: datetime) -> date:
    return zone_date(entity.timezone, moment)


def entity_closed_days(entity: Entity, start: date | None = None) -> frozenset[date]:
    start = start or entity_today(entity)
    years = years_for(date(start.year - 1, 1, 1), CALENDAR_SPAN_DAYS + 366)
    policy = getattr(entity, "policy", None)
    country = policy.holiday_country if policy else "US"
    subdiv = policy.subdivision if policy else entity.jurisdiction
    # .all(): served from a prefetch when the caller made one (the directory, the forms).
    extra = [closure.date for closure in entity.closures.all()]
    return closed_days(country=country, subdiv=subdiv or None, years=years, extra=extra)


def entity_rule(entity: Entity, key: DeadlineKey) -> DeadlineRule | None:
    policy = next((p for p in entity.deadline_policies.all() if p.key == key), None)
    return policy.as_rule() if policy else None


def due_dates_for(
    *,
    entity: Entity,
    kind: str,
    delivery: str | None,
    received_at: datetime,
    closed: frozenset[date] | None = None,
) -> DueDates:
    key = deadline_key(RequestKind(kind), DeliveryMethod(delivery) if delivery else None)
    received_on = entity_local_date(entity, received_at)
    return compute_due(
        received_on=received_on,
        key=key,
        jurisdiction=entity.jurisdiction,
        rule=entity_rule(entity, key),
        closed=closed if closed is not None else entity_closed_days(entity, received_on),
    )


def legal_due_dates(
    *,
    entity: Entity,
    kind: str,
    delivery: str | None,
    received_at: datetime,
    closed: frozenset[date],
) -> DueDates | None:
    """The dates the law alone sets, ignoring the entity's policy; None where no law sets one
    (a disclosure under authorization, continuity of care)."""
    key = deadline_key(RequestKind(kind), DeliveryMethod(delivery) if delivery else None)
    try:
        return compute_due(
            received_on=entity_local_date(entity, received_at),
            key=key,
            jurisdiction=entity.jurisdiction,
            rule=None,
            closed=closed,
        )
    except ValueError:
        return None


def validate_deadline_policy(
    *, entity: Entity, key: DeadlineKey, rule: DeadlineRule, closed: frozenset[date]
) -> list[str]:
    return validate_rule(
        jurisdiction=entity.jurisdiction,
        key=key,
        rule=rule,
        closed=closed,
        start=entity_today(entity),
    )
