"""The public directory: organizations, their covered entities and locations, and the
deadline a patient can count on for copies of their own records."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from ..models import Entity, Location, Organization
from ..rules.kinds import DeliveryMethod, RequestKind
from .calendar import due_dates_for


@dataclass(frozen=True)
class EntityListing:
    entity: Entity
    locations: list[Location]
    access_rule: str


@dataclass(frozen=True)
class OrganizationListing:
    organization: Organization
    entities: list[EntityListing]


def directory() -> list[OrganizationListing]:
    now = timezone.now()
    organizations = Organization.objects.prefetch_related(
        Prefetch(
            "entities",
            queryset=Entity.objects.select_related("policy").prefetch_related(
                Prefetch("locations", queryset=Location.objects.filter(active=True)),
                "deadline_policies",
                "closures",
            ),
        )
    )
    listings = []
    for org in organizations:
        entities = [
            EntityListing(
                entity=entity,
                locations=list(entity.locations.all()),
                access_rule=str(
                    due_dates_for(
                        entity=entity,
                        kind=RequestKind.ACCESS,
                        delivery=DeliveryMethod.PORTAL,
                        received_at=now,
                    ).rule_text
                ),
            )
            for entity in org.entities.all()
            if hasattr(entity, "policy")
        ]
        listings.append(OrganizationListing(organization=org, entities=entities))
    return listings
