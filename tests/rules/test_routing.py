from __future__ import annotations

import pytest

from requests_app.rules.kinds import ReleaseScope, RequesterRole
from requests_app.rules.routing import LocationInfo, Route, route_request

# City of Hope holds two covered entities (1 and 2). Entity 1 has a hospital (10) that
# releases for the whole entity and a Keck-style clinic (11) that releases its own records.
ORG = [2, 1]
HOSPITAL = LocationInfo(id=10, entity_id=1, release_scope=ReleaseScope.ENTITY)
CLINIC = LocationInfo(id=11, entity_id=1, release_scope=ReleaseScope.OWN_LOCATION)
OTHER_HOSPITAL = LocationInfo(id=20, entity_id=2, release_scope=ReleaseScope.ENTITY)
OUTSIDE = LocationInfo(id=30, entity_id=3, release_scope=ReleaseScope.ENTITY)
LOCATIONS = [CLINIC, OTHER_HOSPITAL, HOSPITAL, OUTSIDE]


def route(**kwargs: object) -> list[Route]:
    kwargs.setdefault("organization_entity_ids", ORG)
    return route_request(locations=LOCATIONS, **kwargs)


# fmt: off
ROUTE_CASES = [
    pytest.param({}, [(1, None), (2, None)], True, id="organization-covers-every-entity"),
    pytest.param({"organization_entity_ids": [2, 1, 2]}, [(1, None), (2, None)], True,
                 id="duplicate-entity-ids-once"),
    pytest.param({"organization_entity_ids": [1]}, [(1, None)], False,
                 id="single-entity-organization"),
    pytest.param({"entity_id": 2}, [(2, None)], False, id="addressed-to-an-entity"),
    pytest.param({"location_id": 10}, [(1, None)], True, id="hospital-releases-for-entity"),
    pytest.param({"location_id": 10, "requester_role": RequesterRole.THIRD_PARTY}, [(1, None)],
                 True, id="hospital-third-party"),
    pytest.param({"location_id": 11}, [(1, 11)], False, id="clinic-to-the-patient"),
    pytest.param({"location_id": 11, "entity_id": 1}, [(1, 11)], False,
                 id="clinic-with-matching-entity"),
    pytest.param({"location_id": 11, "requester_role": RequesterRole.REPRESENTATIVE},
                 [(1, None)], True, id="clinic-representative-goes-to-entity"),
    pytest.param({"location_id": 11, "requester_role": RequesterRole.THIRD_PARTY}, [(1, None)],
                 True, id="clinic-third-party-goes-to-entity"),
    pytest.param({"location_id": 11, "requester_role": RequesterRole.PROVIDER}, [(1, None)],
                 True, id="clinic-provider-goes-to-entity"),
]
# fmt: on


@pytest.mark.parametrize(("kwargs", "expected", "has_note"), ROUTE_CASES)
def test_route_request(kwargs: dict, expected: list[tuple], has_note: bool) -> None:
    routes = route(**kwargs)
    assert [(r.entity_id, r.location_id) for r in routes] == expected
    assert all(bool(r.note) is has_note for r in routes)


# fmt: off
ERROR_CASES = [
    pytest.param({"location_id": 99}, "Unknown location 99", id="unknown-location"),
    pytest.param({"entity_id": 3}, "Entity 3", id="entity-outside-organization"),
    pytest.param({"location_id": 30}, "entity 3", id="location-outside-organization"),
    pytest.param({"location_id": 20, "entity_id": 1}, "not to entity 1",
                 id="location-of-another-entity"),
    pytest.param({"organization_entity_ids": []}, "no covered entity", id="empty-org"),
]
# fmt: on


@pytest.mark.parametrize(("kwargs", "message"), ERROR_CASES)
def test_route_request_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        route(**kwargs)
