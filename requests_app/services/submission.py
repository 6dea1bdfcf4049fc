"""Creating requests: routing to entities, numbering, the legal clock and the fee estimate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Authorization,
    Entity,
    Location,
    Organization,
    Patient,
    Request,
    RequestedItem,
    Requester,
    TimelineEvent,
)
from ..models.request import MAX_DATE_RANGES
from ..rules.fees import FeeEstimate, FeeInput, estimate_fee
from ..rules.kinds import DeliveryMethod, RequesterRole, RequestKind, ThirdPartyType
from ..rules.routing import LocationInfo, route_request
from ..selectors.calendar import due_dates_for, entity_local_date
from .clock_state import request_clock_judge
from .numbering import request_number_next
from .timeline import event_record


@dataclass(frozen=True)
class ItemSpec:
    record_type: str
    description: str = ""
    date_ranges: tuple[tuple[date, date], ...] = field(default_factory=tuple)


def _validate_items(items: list[ItemSpec]) -> None:
    for item in items:
        if len(item.date_ranges) > MAX_DATE_RANGES:
            raise ValidationError(
                _("List at most %(n)d date ranges per record type.") % {"n": MAX_DATE_RANGES}
            )
        for start, end in item.date_ranges:
            if start > end:
                raise ValidationError(_("A date range starts after it ends."))


def record_years(items: list[ItemSpec], received_on: date) -> int:
    """How many years the asked-for records span, for fee schedules that make the most recent
    years free (Keck: the first two years). No dates given means the whole record, which we
    count from the oldest year a range names, or one year if none does."""
    starts = [start for item in items for start, _end in item.date_ranges]
    if not starts:
        return 1
    return max(1, received_on.year - min(starts).year + 1)


def fee_estimate_for(
    *,
    entity: Entity,
    kind: str,
    requester: Requester,
    delivery: str,
    pages: int,
    years: int,
    summary_requested: bool = False,
    benefit_appeal: bool = False,
    prior_accounting_within_12_months: bool = False,
) -> FeeEstimate:
    inp = FeeInput(
        kind=RequestKind(kind),
        requester_role=RequesterRole(requester.role),
        delivery=DeliveryMethod(delivery),
        pages=pages,
        record_years=years,
        summary_requested=summary_requested,
        benefit_appeal=benefit_appeal,
        prior_accounting_within_12_months=prior_accounting_within_12_months,
        third_party_type=ThirdPartyType(requester.third_party_type)
        if requester.third_party_type
        else None,
    )
    return estimate_fee(inp, entity.policy.fee_schedule(), jurisdiction=entity.jurisdiction)


def fee_as_json(estimate: FeeEstimate) -> dict[str, Any]:
    return {
        "lines": [
            {
                "label": str(line.label),
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
            }
            for line in estimate.lines
        ],
        "total": str(estimate.total),
        "basis": str(estimate.basis),
    }


@transaction.atomic
def request_submit(
    *,
    organization: Organization,
    patient: Patient,
    requester: Requester,
    kind: str,
    delivery_method: str,
    received_at: datetime,
    channel: str = "portal",
    entity: Entity | None = None,
    location: Location | None = None,
    actor: Any = None,
    items: list[ItemSpec] | None = None,
    recipient_name: str = "",
    recipient_address: str = "",
    recipient_email: str = "",
    recipient_fax: str = "",
    purpose: str = "",
    sensitive_categories: list[str] | None = None,
    estimated_pages: int = 0,
    language: str = "en",
    summary_requested: bool = False,
    benefit_appeal: bool = False,
    amendment_what_is_wrong: str = "",
    amendment_should_say: str = "",
    authorization: dict[str, Any] | None = None,
    notify: bool = True,
    prior_accounting_within_12_months: bool = False,
) -> list[Request]:
    """Record a request as received. Addressed to the organization, it becomes one request per
    covered entity (each entity answers for its own records and deadline)."""
    items = items or []
    _validate_items(items)
    if entity is not None and entity.organization_id != organization.pk:
        raise ValidationError(_("That entity is not part of this organization."))
    if location is not None:
        entity = location.entity
    entities = {e.pk: e for e in organization.entities.select_related("policy")}
    locations = list(Location.objects.filter(entity__organization=organization, active=True))
    routes = route_request(
        organization_entity_ids=sorted(entities),
        locations=[LocationInfo(loc.pk, loc.entity_id, loc.release_scope) for loc in locations],
        entity_id=entity.pk if entity else None,
        location_id=location.pk if location else None,
        requester_role=RequesterRole(requester.role),
    )
    created = []
    submission = uuid.uuid4()
    for route in routes:
        target = entities[route.entity_id]
        if delivery_method not in target.policy.delivery_methods:
            raise ValidationError(
                _("%(entity)s does not offer this delivery method.") % {"entity": target.name}
            )
        due = due_dates_for(
            entity=target, kind=kind, delivery=delivery_method, received_at=received_at
        )
        received_on = entity_local_date(target, received_at)
        fee = fee_estimate_for(
            entity=target,
            kind=kind,
            requester=requester,
            delivery=delivery_method,
            pages=estimated_pages,
            years=record_years(items, received_on),
            summary_requested=summary_requested,
            benefit_appeal=benefit_appeal,
            prior_accounting_within_12_months=prior_accounting_within_12_months,
        )
        request = Request(
            number=request_number_next(year=received_on.year),
            submission=submission,
            kind=kind,
            organization=organization,
            entity=target,
            location_id=route.location_id,
            routing_note=str(route.note),
            patient=patient,
            requester=requester,
            channel=channel,
            language=language,
            received_at=received_at,
            due_on=due.due_on,
            # The parts, not the words: each reader sees the rule in their own language.
            due_rule_parts=due.rule_parts,
            latest_extension_on=due.latest_extended_due_on,
            delivery_method=delivery_method,
            recipient_name=recipient_name,
            recipient_address=recipient_address,
            recipient_email=recipient_email,
            recipient_fax=recipient_fax,
            purpose=purpose,
            sensitive_categories=list(sensitive_categories or []),
            summary_requested=summary_requested,
            benefit_appeal=benefit_appeal,
            amendment_what_is_wrong=amendment_what_is_wrong,
            amendment_should_say=amendment_should_say,
            estimated_pages=estimated_pages,
            fee_estimate=fee_as_json(fee),
        )
        # Received days ago (paper entered late) can mean due soon or overdue already.
        request_clock_judge(request)
        request.save(force_insert=True)
        RequestedItem.objects.bulk_create(
            RequestedItem(
                request=request,
                record_type=item.record_type,
                description=item.description,
                date_ranges=[[s.isoformat(), e.isoformat()] for s, e in item.date_ranges],
            )
            for item in items
        )
        if authorization is not None:
            Authorization.objects.create(request=request, **authorization)
        event_record(
            request=request,
            kind=TimelineEvent.Kind.CREATED,
            actor=actor,
            to_status=request.status,
            notify=notify,
            reason=str(route.note),
            data={
                "channel": channel,
                "due_on": due.due_on.isoformat(),
                "rule": due.rule_parts,
                "binding": due.binding,
            },
        )
        created.append(request)
    return created
