"""Due dates: the legal floors, the entity's configured policy, and the stricter of them.

DOMAIN.md section 2. The clock starts on the day the entity receives the request. Every law
that applies gives a due date; the entity's policy may shorten it but never lengthen it
(`validate_rule`), and the earliest date wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext_lazy as _

from .calendar import add_days, count_days, next_open_day
from .kinds import DayUnit, DeadlineKey, DeliveryMethod, RequestKind, Urgency

BINDING_LAW = "law"
BINDING_POLICY = "policy"
# "Due soon" in the staff queue: three days leaves time to send a 164.524(b)(2)(ii) extension
# notice, which must go out before the first deadline.
DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class DeadlineRule:
    """An entity's configured deadline. The extension is in the same unit; moving to an open
    day only matters for calendar rules (working-day dates are open days already)."""

    days: int
    unit: DayUnit
    extension_days: int = 0
    pauses_when_pending: bool = False
    moves_to_open_day: bool = False


# The laws by a stable key, which is what a request stores (Request.due_rule_parts): the
# label is put into words in the reader's language only when the rule is shown.
LAW_LABELS: Mapping[str, Any] = MappingProxyType(
    {
        "HIPAA": _("Federal law (HIPAA)"),
        "CA": _("California law"),
        "TX": _("Texas law"),
        "WA": _("Washington law"),
        "MT": _("Montana law"),
    }
)


@dataclass(frozen=True)
class LegalDeadline:
    """A statutory floor. `law` is its key in LAW_LABELS."""

    days: int
    unit: DayUnit
    extension_days: int
    citation: str
    law: str

    @property
    def label(self) -> str:
        """The law in plain language ("California law"), in the active language."""
        return str(LAW_LABELS[self.law])


@dataclass(frozen=True)
class DueDates:
    due_on: date
    latest_extended_due_on: date | None  # None when no extension is lawful or configured
    # What the rule's words are made of (rule_parts()), plain JSON values, no language in it.
    rule_parts: dict[str, Any] = field(hash=False)
    citation: str
    binding: str  # BINDING_LAW or BINDING_POLICY: which one set due_on

    @property
    def rule_text(self) -> str:
        """e.g. "California law: within 15 days (Cal. HSC 123110)", in the active language."""
        return rule_text(self.rule_parts)


_CAL = DayUnit.CALENDAR
_WORK = DayUnit.WORKING

# 45 CFR 164.524(b)(2): act within 30 days; one extension of up to 30 days by written notice.
# Directed copies are access requests (164.524(c)(3)(ii)) and share the clock.
_HIPAA_ACCESS = LegalDeadline(30, _CAL, 30, "45 CFR 164.524(b)(2)", "HIPAA")
# 164.526(b)(2) amendment and 164.528(c)(1) accounting: 60 days plus one 30-day extension.
_HIPAA_AMENDMENT = LegalDeadline(60, _CAL, 30, "45 CFR 164.526(b)(2)", "HIPAA")
_HIPAA_ACCOUNTING = LegalDeadline(60, _CAL, 30, "45 CFR 164.528(c)(1)", "HIPAA")

# HIPAA sets no deadline for disclosures under authorization (164.508) or for treatment
# (164.506): only entity policy applies to those keys.
_HIPAA: Mapping[DeadlineKey, LegalDeadline] = MappingProxyType(
    {
        DeadlineKey.ACCESS_COPY: _HIPAA_ACCESS,
        DeadlineKey.ACCESS_INSPECTION: _HIPAA_ACCESS,
        DeadlineKey.DIRECTED: _HIPAA_ACCESS,
        DeadlineKey.AMENDMENT: _HIPAA_AMENDMENT,
        DeadlineKey.ACCOUNTING: _HIPAA_ACCOUNTING,
    }
)


def hipaa_deadline(key: DeadlineKey) -> LegalDeadline:
    """HIPAA's own deadline for a kind of request (what the portal quotes); KeyError for the
    keys HIPAA sets none for."""
    return _HIPAA[key]


_ACCESS_KEYS = (DeadlineKey.ACCESS_COPY, DeadlineKey.ACCESS_INSPECTION, DeadlineKey.DIRECTED)
_CA_CITATION = "Cal. Health & Safety Code 123110"
_CA_COPY = LegalDeadline(15, _CAL, 0, _CA_CITATION, "CA")
# State laws stricter than HIPAA, which they survive under 45 CFR 160.203(b). Texas,
# Washington and Montana give one deadline to examine or copy; it is applied to directed
# copies too because a directed copy is the patient's own access right.
_TX = LegalDeadline(15, _WORK, 0, "Tex. Health & Safety Code 181.102", "TX")
# RCW 70.02.080: 15 working days, extendable to 21, i.e. 6 more working days.
_WA = LegalDeadline(15, _WORK, 6, "RCW 70.02.080", "WA")
# MCA 50-16-541: 10 days, extendable to 21, i.e. 11 more calendar days.
_MT = LegalDeadline(10, _CAL, 11, "Mont. Code Ann. 50-16-541", "MT")
_STATE: Mapping[str, Mapping[DeadlineKey, LegalDeadline]] = MappingProxyType(
    {
        # HSC 123110: inspection within 5 working days, copies within 15 days, no extension.
        "CA": MappingProxyType(
            {
                DeadlineKey.ACCESS_INSPECTION: LegalDeadline(5, _WORK, 0, _CA_CITATION, "CA"),
                DeadlineKey.ACCESS_COPY: _CA_COPY,
                DeadlineKey.DIRECTED: _CA_COPY,
            }
        ),
        "TX": MappingProxyType(dict.fromkeys(_ACCESS_KEYS, _TX)),
        "WA": MappingProxyType(dict.fromkeys(_ACCESS_KEYS, _WA)),
        "MT": MappingProxyType(dict.fromkeys(_ACCESS_KEYS, _MT)),
    }
)


def _norm(jurisdiction: str) -> str:
    return jurisdiction.strip().upper()


def deadline_key(kind: RequestKind, delivery: DeliveryMethod | None) -> DeadlineKey:
    """The deadline a request falls under. Access is split by delivery because California
    gives 5 working days to inspect and 15 days for copies (HSC 123110)."""
    if kind == RequestKind.ACCESS:
        if delivery == DeliveryMethod.INSPECTION:
            return DeadlineKey.ACCESS_INSPECTION
        return DeadlineKey.ACCESS_COPY
    return DeadlineKey(kind.value)


def legal_deadlines(jurisdiction: str, key: DeadlineKey) -> tuple[LegalDeadline, ...]:
    """Every law that sets a deadline for this key: HIPAA first, then the state's."""
    found = (_HIPAA.get(key), _STATE.get(_norm(jurisdiction), {}).get(key))
    return tuple(law for law in found if law is not None)


def _rules(
    access: DeadlineRule, *, authorized: DeadlineRule, **overrides: DeadlineRule
) -> Mapping[DeadlineKey, DeadlineRule]:
    rules = dict.fromkeys(_ACCESS_KEYS, access)
    rules[DeadlineKey.AUTHORIZED] = authorized
    # Continuity of care is treatment (164.506): no legal clock, but a patient is waiting.
    rules[DeadlineKey.CONTINUITY] = DeadlineRule(2, _WORK)
    rules[DeadlineKey.AMENDMENT] = DeadlineRule(60, _CAL, 30)
    rules[DeadlineKey.ACCOUNTING] = DeadlineRule(60, _CAL, 30)
    rules.update({DeadlineKey(name): rule for name, rule in overrides.items()})
    return MappingProxyType(rules)


_HIPAA_ONLY_ACCESS = DeadlineRule(30, _CAL, 30)
# Key "US" holds the defaults for states without a stricter access law (HIPAA only). Each
# default equals the strictest applicable law, so it validates everywhere.
DEFAULT_RULES: Mapping[str, Mapping[DeadlineKey, DeadlineRule]] = MappingProxyType(
    {
        "US": _rules(_HIPAA_ONLY_ACCESS, authorized=DeadlineRule(30, _CAL, 30)),
        "CA": _rules(
            DeadlineRule(15, _CAL),
            # HIPAA sets none for authorizations; California practice is 15 days.
            authorized=DeadlineRule(15, _CAL),
            access_inspection=DeadlineRule(5, _WORK),
        ),
        "TX": _rules(DeadlineRule(15, _WORK), authorized=DeadlineRule(30, _CAL, 30)),
        "WA": _rules(DeadlineRule(15, _WORK, 6), authorized=DeadlineRule(30, _CAL, 30)),
        "MT": _rules(DeadlineRule(10, _CAL, 11), authorized=DeadlineRule(30, _CAL, 30)),
    }
)


def default_rules(jurisdiction: str) -> dict[DeadlineKey, DeadlineRule]:
    """The starting policy for a new entity in this state."""
    return dict(DEFAULT_RULES.get(_norm(jurisdiction), DEFAULT_RULES["US"]))


def _within(days: int, unit: DayUnit) -> str:
    # Two message ids instead of ngettext: only gettext_lazy is used inside the rules.
    if unit == DayUnit.WORKING:
        if days == 1:
            return str(_("within 1 working day"))
        return _("within %(days)d working days") % {"days": days}
    if days == 1:
        return str(_("within 1 day"))
    return _("within %(days)d days") % {"days": days}


def law_parts(law: LegalDeadline) -> dict[str, Any]:
    return {
        "binding": BINDING_LAW,
        "law": law.law,
        "days": law.days,
        "unit": str(law.unit),
        "citation": law.citation,
    }


def policy_parts(rule: DeadlineRule, citation: str) -> dict[str, Any]:
    # The policy has no citation of its own; the law it stays within is kept with it as a
    # record (the request's row, its CREATED event), not for the words: rule_text prints none
    # for a policy, whose number is the entity's and not a statute's. Stored parts, including
    # those migration 0007 filled in, carry it, so keeping it keeps old and new parts alike.
    return {
        "binding": BINDING_POLICY,
        "days": rule.days,
        "unit": str(rule.unit),
        "citation": citation,
    }


def rule_text(parts: Mapping[str, Any]) -> str:
    """The one wording of a deadline rule, in the active language, from what it is made of
    (law_parts, policy_parts): "California law: within 15 days (Cal. Health & Safety Code
    123110)", "Our policy: within 10 working days". A request stores the parts, so each
    reader gets the words in their own language. "" for parts it cannot read (an empty or
    damaged value), so that the caller can fall back on older stored words."""
    try:
        days = int(parts["days"])
        unit = DayUnit(parts["unit"])
        binding = parts["binding"]
    except (KeyError, TypeError, ValueError):
        return ""
    if days < 1:
        return ""
    within = _within(days, unit)
    if binding == BINDING_POLICY:
        return _("Our policy: %(within)s") % {"within": within}
    law = parts.get("law")
    # A damaged value may be a list or an object, which no dictionary look-up accepts.
    label = LAW_LABELS.get(law) if binding == BINDING_LAW and isinstance(law, str) else None
    if label is None:
        return ""
    return _("%(law)s: %(within)s (%(citation)s)") % {
        "law": label,
        "within": within,
        "citation": str(parts.get("citation") or ""),
    }


@dataclass(frozen=True)
class _Candidate:
    due: date
    extended: date
    binding: str
    parts: dict[str, Any]
    citation: str


def _law_dates(received_on: date, law: LegalDeadline, closed: frozenset[date]) -> tuple[date, date]:
    # Calendar-day statutes do not move off a weekend or holiday (DOMAIN.md section 2); a
    # working-day count always ends on an open day. The extension runs from the due date.
    due = add_days(received_on, law.days, law.unit, closed)
    return due, add_days(due, law.extension_days, law.unit, closed)


def _law_candidate(received_on: date, law: LegalDeadline, closed: frozenset[date]) -> _Candidate:
    due, extended = _law_dates(received_on, law, closed)
    return _Candidate(due, extended, BINDING_LAW, law_parts(law), law.citation)


def _policy_dates(
    received_on: date, rule: DeadlineRule, closed: frozenset[date]
) -> tuple[date, date]:
    raw_due = add_days(received_on, rule.days, rule.unit, closed)
    # The extension runs from the original due date, before any move to an open day, so that
    # moving cannot stretch the extension.
    raw_extended = add_days(raw_due, rule.extension_days, rule.unit, closed)
    if rule.unit == DayUnit.CALENDAR and rule.moves_to_open_day:
        return next_open_day(raw_due, closed), next_open_day(raw_extended, closed)
    return raw_due, raw_extended


def compute_due(
    *,
    received_on: date,
    key: DeadlineKey,
    jurisdiction: str,
    rule: DeadlineRule | None,
    closed: frozenset[date],
) -> DueDates:
    """The due date (stricter wins) and the latest date an extension could reach."""
    laws = legal_deadlines(jurisdiction, key)
    candidates = [_law_candidate(received_on, law, closed) for law in laws]
    strictest_law = min(candidates, key=lambda c: c.due, default=None)
    if rule is not None:
        due, extended = _policy_dates(received_on, rule, closed)
        # The policy has no citation of its own; the law it stays within is the useful one.
        citation = strictest_law.citation if strictest_law else ""
        parts = policy_parts(rule, citation)
        candidates.append(_Candidate(due, extended, BINDING_POLICY, parts, citation))
    if not candidates:
        raise ValueError(
            f"No law and no configured rule give a deadline for {key} in {jurisdiction!r}."
        )
    # On a tie the law is named: the policy did not make the date any earlier.
    binding = min(candidates, key=lambda c: (c.due, c.binding != BINDING_LAW))
    latest = min(c.extended for c in candidates)
    return DueDates(
        due_on=binding.due,
        latest_extended_due_on=latest if latest > binding.due else None,
        rule_parts=binding.parts,
        citation=binding.citation,
        binding=binding.binding,
    )


def validate_rule(
    *,
    jurisdiction: str,
    key: DeadlineKey,
    rule: DeadlineRule,
    closed: frozenset[date],
    start: date,
    span_days: int = 366,
) -> list[str]:
    """Plain-language errors when the policy could ever be later than the law.

    Every receipt date in [start, start + span_days) is simulated, because whether a working-
    day policy beats a calendar-day law depends on where the weekends and holidays fall.
    `closed` must cover the years of the span (see calendar.years_for). At most one error per
    kind of problem, with the first example found.
    """
    errors: list[str] = []
    if rule.days <= 0:
        errors.append(str(_("The deadline must be at least 1 day.")))
    if rule.extension_days < 0:
        errors.append(str(_("The extension cannot be negative.")))
    laws = legal_deadlines(jurisdiction, key)
    if errors or not laws:
        return errors
    due_error = extension_error = ""
    for offset in range(span_days):
        received_on = start + timedelta(days=offset)
        legal = [(*_law_dates(received_on, law, closed), law.citation) for law in laws]
        legal_due, _unused, due_citation = min(legal, key=lambda item: item[0])
        _unused, legal_extended, extended_citation = min(legal, key=lambda item: item[1])
        due, extended = _policy_dates(received_on, rule, closed)
        if not due_error and due > legal_due:
            due_error = _(
                "A request received on %(received)s would be due %(due)s, after the legal "
                "deadline %(legal)s (%(citation)s)."
            ) % {
                "received": received_on.isoformat(),
                "due": due.isoformat(),
                "legal": legal_due.isoformat(),
                "citation": due_citation,
            }
        # Without a configured extension the extended date is the due date, already checked.
        if not extension_error and rule.extension_days and extended > legal_extended:
            extension_error = _(
                "With the extension, a request received on %(received)s could be due "
                "%(due)s, after the latest date the law allows, %(legal)s (%(citation)s)."
            ) % {
                "received": received_on.isoformat(),
                "due": extended.isoformat(),
                "legal": legal_extended.isoformat(),
                "citation": extended_citation,
            }
        if due_error and (extension_error or not rule.extension_days):
            break
    return [message for message in (due_error, extension_error) if message]


def shift_for_pause(
    *,
    due_on: date,
    paused_on: date,
    resumed_on: date,
    unit: DayUnit,
    closed: frozenset[date],
) -> date:
    """Push a policy due date by the counted days the request waited on the requester.

    Only for rules with `pauses_when_pending`: HIPAA's 30 days (164.524(b)(2)) have no pause,
    so the caller must not shift a date that the law set.
    """
    return add_days(due_on, count_days(paused_on, resumed_on, unit, closed), unit, closed)


def days_left(due_on: date, today: date) -> int:
    """Calendar days until the due date; negative when overdue."""
    return (due_on - today).days


def urgency(due_on: date, today: date) -> str:
    left = days_left(due_on, today)
    if left < 0:
        return Urgency.OVERDUE
    if left == 0:
        return Urgency.DUE_TODAY
    if left <= DUE_SOON_DAYS:
        return Urgency.DUE_SOON
    return Urgency.ON_TRACK
