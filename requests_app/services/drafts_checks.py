"""What the legal rules make of a wizard draft: the authorization facts and their defects
(each tied to the step that asks for its field), and each entity's due date and fee estimate.
Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ..models import Attachment, Entity
from ..rules.authorization import (
    CA_MIN_FONT_PT,
    DEFAULT_VALIDITY_DAYS,
    AuthorizationFacts,
    Defect,
    authorization_defects,
)
from ..rules.kinds import DeliveryMethod, RequesterRole, SensitiveCategory
from ..selectors.calendar import due_dates_for, entity_today
from .drafts_state import DraftState, routed_entities
from .submission import fee_estimate_for, record_years

# Where each authorization defect is asked (rules.authorization.Defect.field -> step).
FIELD_STEP = {
    "requester_role": "whose",
    "representative_authority": "whose",
    "requesting_provider": "patient",
    "discloser": "where",
    "description": "records",
    "specific_consents": "consent",
    "psychotherapy_notes_separate": "consent",
    "recipient_name": "delivery",
    "recipient_address": "delivery",
    "purpose": "delivery",
    "death_certificate": "uploads",
    "authority_document": "uploads",
}
REVIEW_STEP = "review"
# The statements our authorization text always contains, and the size it is shown in: the
# California minimum, which the portal meets everywhere.
AUTHORIZATION_FONT_PT = CA_MIN_FONT_PT


@dataclass(frozen=True)
class Signature:
    name: str
    signed_on: date
    expiration_date: date | None = None
    expiration_event: str = ""


@dataclass(frozen=True)
class EntityOutlook:
    """What one entity's request will look like: its due date and estimated fee."""

    entity: Entity
    due_on: date
    rule_text: str
    fee_lines: list[dict[str, Any]]
    fee_total: Decimal
    fee_basis: str


def draft_facts(state: DraftState, signature: Signature | None = None) -> AuthorizationFacts:
    place = state.place()
    entities = routed_entities(state) if place else []
    delivery = state.delivery
    categories = frozenset(SensitiveCategory(c) for c in state.sensitive_categories)
    only_psychotherapy = categories == {SensitiveCategory.PSYCHOTHERAPY_NOTES} and not (
        state.record_types
    )
    return AuthorizationFacts(
        kind=state.kind,
        requester_role=state.role,
        representative_authority=state.authority,
        authority_document=Attachment.Kind.REPRESENTATIVE_AUTHORITY in state.upload_kinds,
        patient_deceased=state.is_deceased,
        death_certificate=Attachment.Kind.DEATH_CERTIFICATE in state.upload_kinds,
        description=state.description(),
        discloser=", ".join(e.name for e in entities),
        recipient_name=delivery.get("recipient_name", ""),
        recipient_address=delivery.get("recipient_address", ""),
        purpose=delivery.get("purpose", ""),
        expiration_date=signature.expiration_date if signature else None,
        expiration_event=signature.expiration_event if signature else "",
        signature_name=signature.name if signature else "",
        signed_on=signature.signed_on if signature else None,
        # Our authorization text states all of these, in 14-point type, with its own signature.
        statement_revocation=True,
        statement_conditioning=True,
        statement_redisclosure=True,
        statement_copy_right=True,
        font_size_pt=AUTHORIZATION_FONT_PT,
        signature_used_only_for_authorization=True,
        sensitive_categories=categories,
        # Each category ticked on the consent step is its own, specific consent.
        specific_consents=categories,
        # A request for psychotherapy notes alone is their own authorization (164.508(a)(2)).
        psychotherapy_notes_separate=only_psychotherapy,
        requesting_provider=(state.requester_organization or state.requester_name)
        if state.role == RequesterRole.PROVIDER
        else "",
    )


def draft_defects(state: DraftState, signature: Signature | None = None) -> list[Defect]:
    """Every defect the rules find for the chosen entities (each under its own state's law),
    once per code. Without a place yet, the rules run under HIPAA alone."""
    facts = draft_facts(state, signature)
    entities = routed_entities(state) or [None]
    found: dict[str, Defect] = {}
    for entity in entities:
        jurisdiction = entity.jurisdiction if entity else ""
        today = entity_today(entity) if entity else timezone.localdate()
        days = (
            entity.policy.default_authorization_days
            if entity and hasattr(entity, "policy")
            else DEFAULT_VALIDITY_DAYS
        )
        for defect in authorization_defects(
            facts, jurisdiction=jurisdiction, today=today, default_validity_days=days
        ):
            found.setdefault(defect.code, defect)
    return list(found.values())


def defect_step(defect: Defect) -> str:
    return FIELD_STEP.get(defect.field, REVIEW_STEP)


def step_defects(state: DraftState, step: str, signature: Signature | None = None) -> list[Defect]:
    return [d for d in draft_defects(state, signature) if defect_step(d) == step]


def entity_outlooks(state: DraftState, now: datetime | None = None) -> list[EntityOutlook]:
    """Due date with its rule, and the estimated fee with its lines, per entity."""
    now = now or timezone.now()
    method = state.delivery_method or DeliveryMethod.PORTAL
    requester = state.requester_preview()
    items = state.items()
    outlooks = []
    for entity in routed_entities(state):
        due = due_dates_for(entity=entity, kind=state.kind, delivery=method, received_at=now)
        fee = fee_estimate_for(
            entity=entity,
            kind=state.kind,
            requester=requester,
            delivery=method,
            pages=0,
            years=record_years(items, entity_today(entity, now)),
            summary_requested="summary" in state.record_types,
        )
        outlooks.append(
            EntityOutlook(
                entity=entity,
                due_on=due.due_on,
                rule_text=str(due.rule_text),
                fee_lines=[
                    {"label": line.label, "quantity": line.quantity, "amount": line.amount}
                    for line in fee.lines
                ],
                fee_total=fee.total,
                fee_basis=str(fee.basis),
            )
        )
    return outlooks
