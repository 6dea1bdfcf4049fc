from __future__ import annotations

from datetime import date

from requests_app.models import Location
from requests_app.rules.kinds import ReleaseScope


def test_it_lists_where_to_ask_with_the_legal_deadline(client, entity_a, entity_b) -> None:
    Location.objects.create(
        entity=entity_a, name="Duarte campus", address="1500 East Duarte Road\nDuarte, CA 91010"
    )
    Location.objects.create(
        entity=entity_b,
        name="Pasadena clinic",
        address="Pasadena, CA",
        release_scope=ReleaseScope.OWN_LOCATION,
    )
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "City of Hope National Medical Center" in body
    assert "City of Hope Medical Foundation" in body
    assert "1500 East Duarte Road<br>Duarte, CA 91010" in body
    assert "within 15 days" in body
    assert "releases its own records only" in body


def test_it_serves_the_home_page_in_spanish(client, entity_a) -> None:
    response = client.get("/", headers={"accept-language": "es"})
    assert response.status_code == 200
    assert 'lang="es"' in response.content.decode()


def test_the_health_check_reports_the_database(client, db) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_home_page_refuses_a_post(client, db) -> None:
    assert client.post("/").status_code == 405


def test_the_home_page_costs_the_same_queries_for_more_entities(client, org, entity_a) -> None:
    # Each entity's deadline rule and closures come from one prefetch, not a query apiece.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from requests_app.models import Closure

    from ..factories import EntityFactory

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured.captured_queries)

    one = queries()
    for n in range(3):
        entity = EntityFactory(
            organization=org, name=f"Clinic {n}", short_name=f"C{n}", bates_prefix=f"CL{n}"
        )
        Closure.objects.create(entity=entity, date=date(2026, 12, 24), reason="Christmas Eve")
    assert queries() == one
