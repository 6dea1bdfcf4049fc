"""What a wizard draft says so far, read back from its JSON: who asks, for whom, where, what,
how; where the router sends it and which delivery methods it may use. Nothing here writes.
What the authorization, deadline and fee rules make of it is in drafts_checks.py.

Layout of `RequestDraft.data` (each step saves its own key, values as JSON):
- "whose":    choice, authority, deceased_authority, third_party_type
- "patient":  names, date_of_birth, date_of_death, contact, requester_* fields
- "where":    place ("org:<id>", "entity:<id>" or "location:<id>")
- "records":  types, ranges {type: [[from, to], ...]}, other_description, sensitive
- "consent":  categories (each one ticked is its own specific consent)
- "delivery": method, recipient_name, recipient_address, recipient_email, recipient_fax,
              purpose
- "uploads":  {"seen": true}; the files themselves are DraftUpload rows
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from ..choices import SENSITIVE_LABELS
from ..models import Entity, Location, Organization, RequestDraft, Requester
from ..models.request import RequestedItem
from ..rules.authorization import DEFAULT_VALIDITY_DAYS
from ..rules.authorization import expiration_event_allowed as rule_event_allowed
from ..rules.kinds import (
    DeliveryMethod,
    RepresentativeAuthority,
    RequesterRole,
    RequestKind,
    SensitiveCategory,
)
from ..rules.routing import LocationInfo, route_request
from .submission import ItemSpec

# The answer to "Whose records?" decides the requester's role and the request kind
# (DOMAIN.md section 1). "deceased" takes its role from the authority chosen with it.
CHOICE_SELF = "self"
CHOICE_DIRECTED = "directed"
CHOICE_REPRESENTATIVE = "representative"
CHOICE_DECEASED = "deceased"
CHOICE_THIRD_PARTY = "third_party"
CHOICE_PROVIDER = "provider"
CHOICE_KIND = {
    CHOICE_SELF: RequestKind.ACCESS,
    CHOICE_DIRECTED: RequestKind.DIRECTED,
    CHOICE_REPRESENTATIVE: RequestKind.ACCESS,
    CHOICE_DECEASED: RequestKind.ACCESS,
    CHOICE_THIRD_PARTY: RequestKind.AUTHORIZED,
    CHOICE_PROVIDER: RequestKind.CONTINUITY,
}
LIVING_AUTHORITIES = (
    RepresentativeAuthority.GUARDIAN,
    RepresentativeAuthority.HEALTHCARE_POA,
    RepresentativeAuthority.DESIGNATED,
    RepresentativeAuthority.PARENT_OF_MINOR,
)
DECEASED_AUTHORITIES = (RepresentativeAuthority.EXECUTOR, RepresentativeAuthority.NEXT_OF_KIN)
# Fastest secure first: a portal download is ready the moment staff release it.
DELIVERY_PREFERENCE = (
    DeliveryMethod.PORTAL,
    DeliveryMethod.SECURE_EMAIL,
    DeliveryMethod.FAX,
    DeliveryMethod.MAIL,
    DeliveryMethod.CD,
    DeliveryMethod.USB,
    DeliveryMethod.PICKUP,
    DeliveryMethod.INSPECTION,
)
# A copy the patient sends to someone else goes to that someone: the portal, a pick-up or an
# inspection would hand it to the patient instead.
_TO_SOMEONE_ELSE = (
    DeliveryMethod.SECURE_EMAIL,
    DeliveryMethod.MAIL,
    DeliveryMethod.FAX,
    DeliveryMethod.CD,
    DeliveryMethod.USB,
)


@dataclass(frozen=True)
class Place:
    organization: Organization
    entity: Entity | None
    location: Location | None


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class DraftState:
    """Read-only view of a draft's answers with the values later steps depend on."""

    def __init__(self, draft: RequestDraft, upload_kinds: set[str] | None = None) -> None:
        self.draft = draft
        self.data: dict[str, Any] = draft.data or {}
        if upload_kinds is None:
            upload_kinds = set(draft.uploads.values_list("kind", flat=True)) if draft.pk else set()
        self.upload_kinds = upload_kinds

    def saved(self, step: str) -> bool:
        return step in self.data

    def get(self, step: str) -> dict[str, Any]:
        return self.data.get(step) or {}

    # --- step 1
    @property
    def choice(self) -> str:
        return self.get("whose").get("choice", "")

    @property
    def kind(self) -> RequestKind:
        return CHOICE_KIND.get(self.choice, RequestKind.ACCESS)

    @property
    def authority(self) -> RepresentativeAuthority | None:
        whose = self.get("whose")
        value = ""
        if self.choice == CHOICE_REPRESENTATIVE:
            value = whose.get("authority", "")
        elif self.choice == CHOICE_DECEASED:
            value = whose.get("deceased_authority", "")
        return RepresentativeAuthority(value) if value else None

    @property
    def role(self) -> RequesterRole:
        if self.choice == CHOICE_DECEASED:
            if self.authority == RepresentativeAuthority.EXECUTOR:
                return RequesterRole.EXECUTOR
            return RequesterRole.NEXT_OF_KIN
        return {
            CHOICE_REPRESENTATIVE: RequesterRole.REPRESENTATIVE,
            CHOICE_THIRD_PARTY: RequesterRole.THIRD_PARTY,
            CHOICE_PROVIDER: RequesterRole.PROVIDER,
        }.get(self.choice, RequesterRole.SELF)

    @property
    def third_party_type(self) -> str:
        if self.choice != CHOICE_THIRD_PARTY:
            return ""
        return self.get("whose").get("third_party_type", "")

    @property
    def is_patient(self) -> bool:
        return self.role == RequesterRole.SELF

    @property
    def is_deceased(self) -> bool:
        return self.choice == CHOICE_DECEASED

    @property
    def needs_authorization(self) -> bool:
        """A signed authorization (164.508) or a signed direction (164.524(c)(3)(ii))."""
        return self.kind in (RequestKind.DIRECTED, RequestKind.AUTHORIZED)

    # --- step 2
    @property
    def patient(self) -> dict[str, Any]:
        return self.get("patient")

    @property
    def patient_name(self) -> str:
        p = self.patient
        return " ".join(
            x for x in (p.get("first_name"), p.get("middle_name"), p.get("last_name")) if x
        )

    @property
    def date_of_birth(self) -> date | None:
        return _iso(self.patient.get("date_of_birth"))

    @property
    def date_of_death(self) -> date | None:
        return _iso(self.patient.get("date_of_death")) if self.is_deceased else None

    @property
    def requester_name(self) -> str:
        if self.is_patient:
            return self.patient_name
        return self.patient.get("requester_name", "")

    @property
    def requester_organization(self) -> str:
        return self.patient.get("requester_organization", "")

    def requester_preview(self) -> Requester:
        """An unsaved Requester for the fee rules, which only read role and type."""
        return Requester(role=self.role, third_party_type=self.third_party_type)

    # --- step 3
    @property
    def place_value(self) -> str:
        return self.get("where").get("place", "")

    def place(self) -> Place | None:
        return place_resolve(self.place_value)

    # --- step 4
    @property
    def record_types(self) -> list[str]:
        return list(self.get("records").get("types", []))

    def items(self) -> list[ItemSpec]:
        records = self.get("records")
        ranges = records.get("ranges", {})
        items = []
        for record_type in self.record_types:
            pairs = tuple(
                (date.fromisoformat(a), date.fromisoformat(b))
                for a, b in ranges.get(record_type, [])
            )
            description = records.get("other_description", "") if record_type == "other" else ""
            items.append(ItemSpec(record_type, description, pairs))
        return items

    @property
    def wants_sensitive(self) -> bool:
        return bool(self.get("records").get("sensitive"))

    @property
    def sensitive_categories(self) -> list[str]:
        if not self.wants_sensitive:
            return []
        return list(self.get("consent").get("categories", []))

    def description(self) -> str:
        """The records described in words, for the authorization's first core element."""
        labels = dict(RequestedItem.RecordType.choices)
        parts = []
        for item in self.items():
            text = str(labels.get(item.record_type, item.record_type))
            if item.description:
                text = f"{text}: {item.description}"
            if item.date_ranges:
                spans = ", ".join(f"{a:%m/%d/%Y}–{b:%m/%d/%Y}" for a, b in item.date_ranges)
                text = f"{text} ({spans})"
            else:
                text = _("%(records)s (all dates)") % {"records": text}
            parts.append(text)
        parts += [str(SENSITIVE_LABELS[SensitiveCategory(c)]) for c in self.sensitive_categories]
        return "; ".join(parts)

    # --- step 5
    @property
    def delivery(self) -> dict[str, Any]:
        return self.get("delivery")

    @property
    def delivery_method(self) -> str:
        return self.delivery.get("method", "")


def place_resolve(value: str) -> Place | None:
    """An "org:", "entity:" or "location:" choice as objects; None when it no longer exists."""
    prefix, _sep, raw = (value or "").partition(":")
    if not raw.isdigit():
        return None
    pk = int(raw)
    if prefix == "org":
        org = Organization.objects.filter(pk=pk).first()
        return Place(org, None, None) if org else None
    if prefix == "entity":
        entity = Entity.objects.select_related("organization").filter(pk=pk).first()
        return Place(entity.organization, entity, None) if entity else None
    if prefix == "location":
        location = (
            Location.objects.select_related("entity__organization")
            .filter(pk=pk, active=True)
            .first()
        )
        if location:
            return Place(location.entity.organization, location.entity, location)
    return None


def routed_entities(state: DraftState) -> list[Entity]:
    """The entities that will each get a request: the same routing as request_submit."""
    place = state.place()
    if place is None:
        return []
    org = place.organization
    entities = {e.pk: e for e in org.entities.select_related("policy")}
    if not entities:
        return []
    locations = Location.objects.filter(entity__organization=org, active=True)
    routes = route_request(
        organization_entity_ids=sorted(entities),
        locations=[LocationInfo(loc.pk, loc.entity_id, loc.release_scope) for loc in locations],
        entity_id=place.entity.pk if place.entity else None,
        location_id=place.location.pk if place.location else None,
        requester_role=state.role,
    )
    return [entities[route.entity_id] for route in routes]


def delivery_methods_offered(state: DraftState, entities: list[Entity]) -> list[DeliveryMethod]:
    """Only what every chosen entity offers (EntityPolicy.delivery_methods), fastest first."""
    offered = set(DELIVERY_PREFERENCE)
    for entity in entities:
        policy = getattr(entity, "policy", None)
        offered &= set(policy.delivery_methods if policy else [])
    if state.kind == RequestKind.DIRECTED:
        offered &= set(_TO_SOMEONE_ELSE)
    return [m for m in DELIVERY_PREFERENCE if m in offered]


def default_expiration(entities: list[Entity], today: date) -> date:
    """The shortest default validity of the chosen entities (Keck: 90 days)."""
    days = min(
        (e.policy.default_authorization_days for e in entities if hasattr(e, "policy")),
        default=DEFAULT_VALIDITY_DAYS,
    )
    return today + timedelta(days=days)


def expiration_event_allowed(entities: list[Entity]) -> bool:
    return bool(entities) and all(rule_event_allowed(e.jurisdiction) for e in entities)
