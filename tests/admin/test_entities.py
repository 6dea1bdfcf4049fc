"""The entity page and its policies in the admin: the legal floors of deadlines and fees hold
there too, with the law's own message, and bad input is an error on the page, never a crash."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.test import Client

from requests_app.models import DeadlinePolicy, Entity, EntityPolicy, Organization, StaffMembership
from requests_app.rules.fees import (
    CA_CLERICAL_PER_QUARTER_HOUR,
    CA_PER_PAGE_PAPER,
    CA_THIRD_PARTY_PER_PAGE,
    CA_THIRD_PARTY_PER_PAGE_MICROFILM,
    FLAT_FEE_CAP,
)
from requests_app.rules.kinds import DeadlineKey
from requests_app.selectors.calendar import entity_today

from ..factories import EntityFactory, UserFactory
from .helpers import add_row, form_data, inline_errors, row_index, url


def test_it_refuses_a_california_copy_deadline_of_30_days(hilda_client, entity_a) -> None:
    page = hilda_client.get(url(Entity, "change", entity_a.pk))
    data = form_data(page)
    row = row_index(data, "deadline_policies", "key", DeadlineKey.ACCESS_COPY)
    data[f"deadline_policies-{row}-days"] = 30
    data[f"deadline_policies-{row}-unit"] = "calendar"
    response = hilda_client.post(url(Entity, "change", entity_a.pk), data)
    assert response.status_code == 200
    errors = inline_errors(response, "deadline_policies")
    assert "after the legal deadline" in errors
    assert "Health &amp; Safety Code 123110" in errors
    assert "Please correct the error below." in response.content.decode()
    assert entity_a.deadline_policies.get(key=DeadlineKey.ACCESS_COPY).days == 15


def test_it_saves_a_lawful_change_of_the_entity(hilda_client, entity_a) -> None:
    data = form_data(hilda_client.get(url(Entity, "change", entity_a.pk)))
    row = row_index(data, "deadline_policies", "key", DeadlineKey.ACCESS_COPY)
    data[f"deadline_policies-{row}-days"] = 10
    data["policy-0-electronic_flat_fee"] = "6.50"
    add_row(data, "closures", date="2026-12-24", reason="Christmas Eve")
    response = hilda_client.post(url(Entity, "change", entity_a.pk), data)
    assert response.status_code == 302, response.context["errors"]
    assert entity_a.deadline_policies.get(key=DeadlineKey.ACCESS_COPY).days == 10
    assert EntityPolicy.objects.get(entity=entity_a).electronic_flat_fee == Decimal("6.50")
    assert entity_a.closures.get().reason == "Christmas Eve"


def test_it_refuses_an_electronic_flat_fee_over_650(hilda_client, entity_a) -> None:
    data = form_data(hilda_client.get(url(Entity, "change", entity_a.pk)))
    data["policy-0-electronic_flat_fee"] = "10.00"
    response = hilda_client.post(url(Entity, "change", entity_a.pk), data)
    assert response.status_code == 200
    assert "at most $6.50" in inline_errors(response, "policy")
    assert "The flat fee for electronic copies can be at most $6.50" in response.content.decode()
    assert EntityPolicy.objects.get(entity=entity_a).electronic_flat_fee == Decimal("0")


def test_the_entity_page_quotes_the_fee_caps_of_the_rules(hilda_client, entity_a) -> None:
    page = hilda_client.get(url(Entity, "change", entity_a.pk)).content.decode()
    assert f"at most ${FLAT_FEE_CAP}; California caps paper at ${CA_PER_PAGE_PAPER} a page" in page
    assert (
        f"${CA_THIRD_PARTY_PER_PAGE} a page (${CA_THIRD_PARTY_PER_PAGE_MICROFILM} from microfilm) "
        f"and ${CA_CLERICAL_PER_QUARTER_HOUR} clerical time per quarter hour"
    ) in page
    spanish = hilda_client.get(url(Entity, "change", entity_a.pk), HTTP_ACCEPT_LANGUAGE="es")
    spanish_page = spanish.content.decode()
    assert f"es de ${FLAT_FEE_CAP} como máximo" in spanish_page
    assert f"${CA_THIRD_PARTY_PER_PAGE} por página" in spanish_page


def test_it_checks_the_deadlines_against_a_changed_state(hilda_client, db) -> None:
    # New York has no stricter access law: 30 days is lawful there, not in California.
    entity = EntityFactory(jurisdiction="NY", timezone="America/New_York")
    data = form_data(hilda_client.get(url(Entity, "change", entity.pk)))
    data["jurisdiction"] = "CA"
    response = hilda_client.post(url(Entity, "change", entity.pk), data)
    assert response.status_code == 200
    assert "after the legal deadline" in inline_errors(response, "deadline_policies")
    entity.refresh_from_db()
    assert entity.jurisdiction == "NY"


def new_entity_data(hilda_client: Client, org: Organization) -> dict[str, Any]:
    data = form_data(hilda_client.get(url(Entity, "add")))
    data.update(
        organization=org.pk,
        name="Keck Hospital of USC",
        short_name="Keck",
        bates_prefix="KECK",
        jurisdiction="CA",
        timezone="America/Los_Angeles",
    )
    return data


def test_it_refuses_a_new_california_entity_with_a_30_day_copy_deadline(hilda_client, org) -> None:
    data = new_entity_data(hilda_client, org)
    add_row(
        data,
        "deadline_policies",
        key=DeadlineKey.ACCESS_COPY,
        days=30,
        unit="calendar",
        extension_days=0,
    )
    response = hilda_client.post(url(Entity, "add"), data)
    assert response.status_code == 200
    assert "after the legal deadline" in inline_errors(response, "deadline_policies")
    assert not Entity.objects.filter(name="Keck Hospital of USC").exists()


def test_it_refuses_a_new_entity_with_a_flat_fee_over_650(hilda_client, org) -> None:
    data = new_entity_data(hilda_client, org)
    data["policy-0-electronic_flat_fee"] = "10.00"
    response = hilda_client.post(url(Entity, "add"), data)
    assert response.status_code == 200
    assert "at most $6.50" in inline_errors(response, "policy")
    assert "The flat fee for electronic copies can be at most $6.50" in response.content.decode()
    assert not Entity.objects.filter(name="Keck Hospital of USC").exists()


def test_a_new_entity_gets_its_policy_and_the_state_defaults(hilda_client, org) -> None:
    data = new_entity_data(hilda_client, org)
    add_row(
        data,
        "deadline_policies",
        key=DeadlineKey.ACCESS_COPY,
        days=10,
        unit="calendar",
        extension_days=0,
    )
    response = hilda_client.post(url(Entity, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    entity = Entity.objects.get(name="Keck Hospital of USC")
    assert entity.policy.electronic_flat_fee == Decimal("0")
    rules = {p.key: p.days for p in entity.deadline_policies.all()}
    assert set(rules) == {key.value for key in DeadlineKey}
    assert rules[DeadlineKey.ACCESS_COPY] == 10  # the admin's own, not the default 15
    assert rules[DeadlineKey.ACCESS_INSPECTION] == 5


def test_a_deadline_row_without_a_kind_is_an_error_not_a_crash(hilda_client, entity_a) -> None:
    data = form_data(hilda_client.get(url(Entity, "change", entity_a.pk)))
    add_row(data, "deadline_policies", key="", days=10, unit="calendar", extension_days=0)
    response = hilda_client.post(url(Entity, "change", entity_a.pk), data)
    assert response.status_code == 200
    assert "This field is required." in inline_errors(response, "deadline_policies")


def test_the_deadline_form_shows_the_legal_deadline(hilda_client, entity_a) -> None:
    policy = entity_a.deadline_policies.get(key=DeadlineKey.ACCESS_COPY)
    content = hilda_client.get(url(DeadlinePolicy, "change", policy.pk)).content.decode()
    assert "California law: 15 calendar days, no extension" in content
    assert "Federal law (HIPAA): 30 calendar days" in content


def test_the_deadline_form_refuses_a_deadline_past_the_law(hilda_client, entity_a) -> None:
    policy = entity_a.deadline_policies.get(key=DeadlineKey.ACCESS_INSPECTION)
    data = form_data(hilda_client.get(url(DeadlinePolicy, "change", policy.pk)))
    data["days"] = 10
    data["unit"] = "working"
    response = hilda_client.post(url(DeadlinePolicy, "change", policy.pk), data)
    assert response.status_code == 200
    assert "after the legal deadline" in response.content.decode()
    policy.refresh_from_db()
    assert policy.days == 5


def test_the_policy_add_page_reports_a_missing_entity(hilda_client, db) -> None:
    data = form_data(hilda_client.get(url(EntityPolicy, "add")))
    response = hilda_client.post(url(EntityPolicy, "add"), data)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_a_closure_that_stretches_a_working_day_deadline_warns(hilda_client, entity_a) -> None:
    policy = entity_a.deadline_policies.get(key=DeadlineKey.ACCESS_COPY)
    policy.days, policy.unit = 8, "working"
    policy.full_clean()  # lawful on the holiday calendar alone
    policy.save()
    data = form_data(hilda_client.get(url(Entity, "change", entity_a.pk)))
    first = entity_today(entity_a) + timedelta(days=30)
    for offset in range(10):
        add_row(data, "closures", date=(first + timedelta(days=offset)).isoformat(), reason="Move")
    response = hilda_client.post(url(Entity, "change", entity_a.pk), data, follow=True)
    assert entity_a.closures.count() == 10
    messages = [str(m) for m in response.context["messages"]]
    assert any("Check the deadlines of COH NMC" in m and "123110" in m for m in messages)


def test_it_refuses_an_unknown_time_zone(hilda_client, entity_a) -> None:
    data = form_data(hilda_client.get(url(Entity, "change", entity_a.pk)))
    data["timezone"] = "Pacific Time"
    response = hilda_client.post(url(Entity, "change", entity_a.pk), data)
    assert response.status_code == 200
    assert "is not a time zone name such as America/Los_Angeles" in response.content.decode()


def test_a_clerk_cannot_be_given_another_organizations_entity(hilda_client, org) -> None:
    elsewhere = EntityFactory(short_name="Keck")
    clerk = UserFactory(username="new.clerk", is_staff=True)
    response = hilda_client.post(
        url(StaffMembership, "add"),
        {
            "user": clerk.pk,
            "organization": org.pk,
            "role": "clerk",
            "entities": [elsewhere.pk],
        },
    )
    assert response.status_code == 200
    assert "Keck are not part of City of Hope" in response.content.decode()
    assert not StaffMembership.objects.filter(user=clerk).exists()


def test_it_refuses_a_holiday_calendar_it_cannot_load(hilda_client, entity_a) -> None:
    data = form_data(hilda_client.get(url(Entity, "change", entity_a.pk)))
    data["policy-0-holiday_subdivision"] = "ZZ"
    response = hilda_client.post(url(Entity, "change", entity_a.pk), data)
    assert response.status_code == 200
    assert "No holiday calendar is known for US-ZZ" in inline_errors(response, "policy")


def test_a_deadline_cannot_be_deleted(hilda_client, entity_a) -> None:
    # No law gives authorizations a deadline: without the rule, none could be received.
    policy = entity_a.deadline_policies.get(key=DeadlineKey.AUTHORIZED)
    assert hilda_client.get(url(DeadlinePolicy, "delete", policy.pk)).status_code == 403
    content = hilda_client.get(url(Entity, "change", entity_a.pk)).content.decode()
    assert 'name="deadline_policies-0-DELETE"' not in content
