"""The legal clock seen from one day: where a due date stands, when staff must decide on an
extension, when an authorization stopped being valid, and when a request waiting on its
requester is reminded or closed.

DOMAIN.md section 2. services/clocks.py turns the same thresholds into bulk SQL for every open
request at once; tests/rules/test_clocks.py holds the pure answers, and
tests/services/test_clocks.py holds the SQL to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .authorization import AuthorizationFacts, effective_expiration
from .calendar import add_days, years_for
from .deadlines import urgency
from .kinds import DayUnit, RequestKind

# The values of models.request.ClockState (the rules stay free of the ORM).
ON_TRACK = "on_track"
DUE_SOON = "due_soon"
DUE_TODAY = "due_today"
OVERDUE = "overdue"
# Least urgent first.
SEVERITY = (ON_TRACK, DUE_SOON, DUE_TODAY, OVERDUE)
# Working days are at most 30 (EntityPolicy.due_soon_working_days), so the holidays of the
# years this span reaches are enough to count them.
MAX_DUE_SOON_WORKING_DAYS = 30


@dataclass(frozen=True)
class ClockThresholds:
    """One entity's view of the clock on one day. Entities sharing it share every threshold,
    so the sweep runs one set of statements per distinct value, not per entity."""

    today: date
    due_soon_until: date  # the last due date that counts as "due soon"


def clock_years(today: date) -> range:
    """The years of holidays clock_thresholds may need from `today`."""
    return years_for(today, MAX_DUE_SOON_WORKING_DAYS)


def clock_thresholds(
    *, today: date, due_soon_working_days: int, closed: frozenset[date]
) -> ClockThresholds:
    """The due-soon window reaches N working days past today on the entity's calendar: weekends,
    holidays and the admin's closures do not count, because they are not days staff can work
    on the request. A Friday with N = 3 reaches the Wednesday after (the Thursday when
    Monday is a holiday)."""
    if not 0 <= due_soon_working_days <= MAX_DUE_SOON_WORKING_DAYS:
        raise ValueError(
            f"Warn between 0 and {MAX_DUE_SOON_WORKING_DAYS} working days ahead, "
            f"not {due_soon_working_days}."
        )
    until = add_days(today, due_soon_working_days, DayUnit.WORKING, closed)
    return ClockThresholds(today=today, due_soon_until=until)


def clock_state(due_on: date, thresholds: ClockThresholds) -> str:
    """A due date is overdue the day after it: the entity has all of the due day to act."""
    if due_on < thresholds.today:
        return OVERDUE
    if due_on == thresholds.today:
        return DUE_TODAY
    if due_on <= thresholds.due_soon_until:
        return DUE_SOON
    return ON_TRACK


def more_urgent(first: str, second: str) -> str:
    return max(first, second, key=SEVERITY.index)


def shown_urgency(*, due_on: date, today: date, swept_state: str) -> str:
    """Where an open request stands, as the queue and the request file both show it.

    Overdue and due today follow from the dates alone (rules.deadlines.urgency). "Due soon"
    also comes from `swept_state`, the request's stored clock state: the deadline sweep and
    the services that move a due date set it by counting the policy's working days on the
    entity's calendar (clock_state), which a page does not load. So a request is due soon on
    either count, never less urgent than its dates say."""
    by_dates = urgency(due_on, today)
    if by_dates == ON_TRACK and swept_state == DUE_SOON:
        return DUE_SOON
    return by_dates


def extension_decision_needed(
    *,
    due_on: date,
    extended_due_on: date | None,
    latest_extension_on: date | None,
    ready: bool,
    thresholds: ClockThresholds,
) -> bool:
    """Staff must decide now whether to extend: the first due date is today or within the
    due-soon window, no extension was given, the rule allows one, and the records are not
    ready to go. The written notice has to go out before the first due date (45 CFR
    164.524(b)(2)(ii), 164.526(b)(2), 164.528(c)(1)); after it, no extension is possible.
    California copies have none (HSC 123110), which `latest_extension_on` being empty says."""
    return (
        extended_due_on is None
        and latest_extension_on is not None
        and latest_extension_on > due_on
        and not ready
        and thresholds.today <= due_on <= thresholds.due_soon_until
    )


# 164.508(b)(2)(i): an authorization past its expiration date is not valid, so nothing may be
# released under it. A patient's own access or directed copy (164.524) is no authorization and
# does not expire; continuity of care (164.506) needs none.
EXPIRING_KINDS = frozenset({RequestKind.AUTHORIZED})


def authorization_expired_on(
    *,
    kind: str,
    expiration_date: date | None,
    expiration_event: str,
    signed_on: date | None,
    default_validity_days: int,
    today: date,
) -> date | None:
    """The last day the authorization was valid, when that day is past; None while it is
    valid, when its end is an event staff must watch for, or when the kind has no
    authorization that expires. The end is the one rules.authorization gives the form."""
    if kind not in EXPIRING_KINDS:
        return None
    facts = AuthorizationFacts(
        kind=RequestKind(kind),
        expiration_date=expiration_date,
        expiration_event=expiration_event,
        signed_on=signed_on,
    )
    expires = effective_expiration(facts, default_validity_days=default_validity_days)
    if expires is None or today <= expires:
        return None
    return expires


def pending_cutoff(today: date, days: int) -> date:
    """The latest pend date that has waited `days` days by `today`: a request pended on
    1 March with a 10-day reminder is reminded from 11 March."""
    if days < 0:
        raise ValueError(f"Cannot wait a negative number of days ({days}).")
    return today - timedelta(days=days)


def waited_enough(*, pended_on: date, today: date, days: int) -> bool:
    return pended_on <= pending_cutoff(today, days)
