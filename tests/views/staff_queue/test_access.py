"""Who may look at the staff queue, and what: a stranger is sent to sign in, a patient gets a
404, a clerk sees only their entities (rows, counts and filter choices), a supervisor the
organization."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from requests_app.models import Location

from ...factories import PatientFactory
from .helpers import TODAY, get, make, numbers_in

pytestmark = pytest.mark.django_db


def test_it_sends_a_stranger_to_the_staff_sign_in(client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_it_is_a_404_for_a_signed_in_patient(client, patient_user) -> None:
    client.force_login(patient_user)
    assert client.get("/staff/").status_code == 404


def test_a_clerk_never_sees_another_entitys_rows_counts_or_choices(
    client, staff_a, staff_b, entity_a, entity_b
) -> None:
    Location.objects.create(entity=entity_b, name="Foundation clinic", address="Irwindale")
    make(entity_a, due=TODAY)
    theirs = make(entity_b, due=TODAY, patient=PatientFactory(last_name="Foundation"))

    for query in ("", "?status=all&assignee=anyone", f"?entity={entity_b.pk}", "?q=Foundation"):
        page = get(client, staff_a, query).content.decode()
        assert theirs.number not in page
        assert "COH MF" not in page and "Foundation clinic" not in page
        assert "Beto" not in page  # staff_b is no colleague of staff_a
    page = get(client, staff_a, f"?entity={entity_b.pk}").content.decode()
    assert "Select a valid choice" in page
    assert re.search(r"Open <strong>1</strong>", get(client, staff_a).content.decode())


def test_a_supervisor_sees_the_organization(client, supervisor, entity_a, entity_b) -> None:
    a, b = make(entity_a, due=TODAY), make(entity_b, due=TODAY + timedelta(days=1))

    response = get(client, supervisor)

    assert numbers_in(response) == [a.number, b.number]
