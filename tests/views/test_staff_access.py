"""The staff access helper and staff sign-in: scope by entity, 404 outside it."""

from __future__ import annotations

import pytest
from django.http import Http404

from requests_app.access.staff import (
    get_staff_request_or_404,
    is_supervisor,
    staff_entities,
    staff_requests,
)
from requests_app.models import StaffMembership

from ..factories import EntityFactory, UserFactory, submit


@pytest.fixture
def supervisor(org):
    user = UserFactory(username="sup", is_staff=True)
    StaffMembership.objects.create(user=user, organization=org, role="supervisor")
    return user


def test_it_scopes_a_clerk_to_their_entities(staff_a, entity_a, entity_b) -> None:
    mine, theirs = submit(entity=entity_a), submit(entity=entity_b)
    assert list(staff_entities(staff_a)) == [entity_a]
    assert list(staff_requests(staff_a)) == [mine]
    assert get_staff_request_or_404(staff_a, mine.number) == mine
    with pytest.raises(Http404):
        get_staff_request_or_404(staff_a, theirs.number)


def test_a_supervisor_sees_the_whole_organization_and_nothing_else(
    supervisor, entity_a, entity_b
) -> None:
    elsewhere = EntityFactory(name="Keck Medicine of USC")
    submit(entity=entity_a), submit(entity=entity_b), submit(entity=elsewhere)
    assert set(staff_entities(supervisor)) == {entity_a, entity_b}
    assert staff_requests(supervisor).count() == 2
    assert is_supervisor(supervisor, entity_a) and not is_supervisor(supervisor, elsewhere)


def test_an_admin_without_membership_acts_on_nothing(admin_user, entity_a) -> None:
    req = submit(entity=entity_a)
    assert not staff_requests(admin_user).exists()
    with pytest.raises(Http404):
        get_staff_request_or_404(admin_user, req.number)


def test_staff_sign_in_takes_a_clerk_to_work(client, staff_a) -> None:
    response = client.post("/staff/login/", {"username": "clerk.a", "password": "pw-for-tests"})
    assert response.status_code == 302


def test_staff_sign_in_refuses_a_patient(client, patient_user) -> None:
    response = client.post("/staff/login/", {"username": "maria", "password": "pw-for-tests"})
    assert response.status_code == 200
    assert "not set up as HIM staff" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_sign_out_needs_a_post(client, staff_a) -> None:
    client.force_login(staff_a)
    assert client.get("/staff/logout/").status_code == 405
    assert client.post("/staff/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
