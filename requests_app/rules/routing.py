"""Which covered entity (and which location) must answer a request.

An organization can hold several covered entities (City of Hope: a request to "City of Hope"
covers both), and each entity answers for its own designated record set (45 CFR 164.524).
Some locations release only their own records, and only to the patient (Keck clinics).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .kinds import ReleaseScope, RequesterRole


@dataclass(frozen=True)
class LocationInfo:
    id: int
    entity_id: int
    release_scope: ReleaseScope


@dataclass(frozen=True)
class Route:
    entity_id: int
    location_id: int | None  # None = the whole entity
    note: str = ""


def route_request(
    *,
    organization_entity_ids: Sequence[int],
    locations: Sequence[LocationInfo],
    entity_id: int | None = None,
    location_id: int | None = None,
    requester_role: RequesterRole = RequesterRole.SELF,
) -> list[Route]:
    """The routes, ordered by entity id, for a request addressed to the organization (both
    ids None), to one entity, or to one location."""
    entities = sorted(set(organization_entity_ids))
    if not entities:
        raise ValueError("The organization has no covered entity to route the request to.")
    if location_id is not None:
        location = next((loc for loc in locations if loc.id == location_id), None)
        if location is None:
            raise ValueError(f"Unknown location {location_id}.")
        if location.entity_id not in entities:
            raise ValueError(
                f"Location {location_id} belongs to entity {location.entity_id}, "
                "which is not part of this organization."
            )
        if entity_id is not None and entity_id != location.entity_id:
            raise ValueError(
                f"Location {location_id} belongs to entity {location.entity_id}, "
                f"not to entity {entity_id}."
            )
        return [_route_location(location, requester_role)]
    if entity_id is not None:
        if entity_id not in entities:
            raise ValueError(f"Entity {entity_id} is not part of this organization.")
        return [Route(entity_id, None)]
    # Addressed to the organization: every covered entity must search its own records.
    note = ""
    if len(entities) > 1:
        note = str(_("Sent to every covered entity of the organization."))
    return [Route(entity, None, note) for entity in entities]


def _route_location(location: LocationInfo, requester_role: RequesterRole) -> Route:
    if location.release_scope == ReleaseScope.ENTITY:
        # A hospital releases for its whole entity; the entity's HIM department answers.
        return Route(
            location.entity_id,
            None,
            str(_("Received at a location that releases for the whole entity.")),
        )
    if requester_role != RequesterRole.SELF:
        # Keck: clinics give records of their own location to the patient only; anyone else
        # is served by the entity's HIM department.
        return Route(
            location.entity_id,
            None,
            str(
                _(
                    "This clinic releases records to the patient only; the request goes to "
                    "the health information department of the whole entity."
                )
            ),
        )
    return Route(location.entity_id, location.id)
