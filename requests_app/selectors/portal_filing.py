"""What the amendment and accounting forms tell before submit: each entity's due date if
the request were sent now, the rule behind it, and the fee."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet

from ..models import Entity, Requester
from ..rules.kinds import RequesterRole, RequestKind
from .calendar import due_dates_for


@dataclass(frozen=True)
class FilingPreview:
    """What the amendment and accounting forms tell before submit, per entity: the due date
    if sent now, the rule behind it, and the fee."""

    entity: Entity
    due_on: date
    rule: str
    fee_basis: str
    fee_total: Decimal
    later_fee: Decimal  # an accounting's fee when one was already given in 12 months


def filing_previews(
    *, kind: str, entities: Iterable[Entity], now: datetime
) -> dict[int, FilingPreview]:
    from ..services.submission import fee_estimate_for

    someone = Requester(role=RequesterRole.SELF)
    previews = {}
    for entity in entities:
        due = due_dates_for(entity=entity, kind=kind, delivery=None, received_at=now)
        fee = fee_estimate_for(
            entity=entity, kind=kind, requester=someone, delivery="portal", pages=0, years=1
        )
        later = Decimal("0")
        if kind == RequestKind.ACCOUNTING:
            later = fee_estimate_for(
                entity=entity,
                kind=kind,
                requester=someone,
                delivery="portal",
                pages=0,
                years=1,
                prior_accounting_within_12_months=True,
            ).total
        previews[entity.pk] = FilingPreview(
            entity, due.due_on, str(due.rule_text), str(fee.basis), fee.total, later
        )
    return previews


def filing_entities() -> QuerySet[Entity]:
    """Every covered entity that can receive a request (it has a policy)."""
    return (
        Entity.objects.filter(policy__isnull=False)
        .select_related("organization", "policy")
        # The due-date rule of each entity reads these (selectors/calendar.py).
        .prefetch_related("deadline_policies", "closures")
        .order_by("organization__name", "name")
    )
