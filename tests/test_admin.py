"""The Django admin: every page opens for an admin and for nobody else, the legal floors of
entity policies hold there too, and the audit trail and the status machine cannot be edited."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import (
    Attachment,
    Authorization,
    ClockAlert,
    Closure,
    DeadlinePolicy,
    Disclosure,
    DraftUpload,
    EmailCode,
    Entity,
    EntityPolicy,
    Letter,
    LetterText,
    Location,
    Notification,
    Organization,
    Packet,
    Patient,
    RecordDocument,
    Request,
    RequestDraft,
    RequestedItem,
    Requester,
    RequestNumberCounter,
    StaffMembership,
    TimelineEvent,
)
from requests_app.rules.fees import (
    CA_CLERICAL_PER_QUARTER_HOUR,
    CA_PER_PAGE_PAPER,
    CA_THIRD_PARTY_PER_PAGE,
    CA_THIRD_PARTY_PER_PAGE_MICROFILM,
    FLAT_FEE_CAP,
)
from requests_app.rules.kinds import DeadlineKey
from requests_app.selectors.calendar import entity_today
from requests_app.workflow import Status

from .factories import EntityFactory, PatientFactory, RequesterFactory, UserFactory, submit

LA = ZoneInfo("America/Los_Angeles")

ADDABLE = [
    Organization,
    Entity,
    Location,
    EntityPolicy,
    DeadlinePolicy,
    Closure,
    LetterText,
    StaffMembership,
    Patient,
    Requester,
    Authorization,
]
# Written only by services, or the audit trail itself: shown, never added here.
SERVICE_ONLY = [
    Request,
    RequestedItem,
    Attachment,
    RecordDocument,
    Packet,
    TimelineEvent,
    Disclosure,
    RequestNumberCounter,
    Letter,
    RequestDraft,
    DraftUpload,
    EmailCode,
    Notification,
    ClockAlert,
]


def url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:requests_app_{model._meta.model_name}_{view}", args=args)


def form_data(response: Any) -> dict[str, Any]:
    """What a browser posts back from an admin change or add page: every field of the form
    and of each inline formset (management forms included), with its current value."""
    data: dict[str, Any] = {}

    def add(form: Any) -> None:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = field.value()
        for form in formset.forms:
            add(form)
    return data


def add_row(data: dict[str, Any], prefix: str, **fields: Any) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = index + 1


def inline_errors(response: Any, prefix: str) -> str:
    """The errors the page shows in one inline formset, as text."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            formset = inline.formset
            return " ".join(str(e) for e in [*formset.errors, formset.non_form_errors()])
    raise AssertionError(f"no inline {prefix}")


def row_index(data: dict[str, Any], prefix: str, field: str, value: str) -> int:
    for index in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if data.get(f"{prefix}-{index}-{field}") == value:
            return index
    raise AssertionError(f"no {prefix} row with {field}={value}")


@pytest.fixture
def hilda(db) -> User:
    """Hilda, the HIM director: the superuser who configures entities in the admin."""
    return UserFactory(
        username="hilda",
        first_name="Hilda",
        last_name="Director",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def hilda_client(client: Client, hilda: User) -> Client:
    client.force_login(hilda)
    return client


def build_world(entity: Entity | None = None, **request_kwargs: Any) -> dict[type[Model], Model]:
    """One row of every model, in `entity` or in a new organization of its own."""
    entity = entity or EntityFactory()
    membership = StaffMembership.objects.create(
        user=UserFactory(is_staff=True), organization=entity.organization
    )
    membership.entities.add(entity)
    request = submit(entity=entity, **request_kwargs)
    request.assignee = membership.user
    request.save(update_fields=["assignee"])
    return {
        Organization: entity.organization,
        Entity: entity,
        Location: Location.objects.create(entity=entity, name="Duarte campus", address="Duarte"),
        EntityPolicy: entity.policy,
        DeadlinePolicy: entity.deadline_policies.get(key=DeadlineKey.ACCESS_COPY),
        Closure: Closure.objects.create(entity=entity, date=date(2026, 12, 24), reason="Eve"),
        LetterText: LetterText.objects.create(
            entity=entity,
            kind=LetterText.Kind.COVER,
            language="en",
            subject="Your records",
            body="Dear {patient}",
        ),
        StaffMembership: membership,
        Patient: request.patient,
        Requester: request.requester,
        Request: request,
        RequestedItem: request.items.get(),
        # Signed in the portal (the default source): read-only but for a revocation.
        Authorization: Authorization.objects.create(
            request=request,
            description="All records",
            recipient_name="María García",
            purpose="At the request of the individual",
            signature_name="María García",
            signed_at=request.received_at,
        ),
        Attachment: Attachment.objects.create(
            request=request,
            kind=Attachment.Kind.PHOTO_ID,
            file="attachments/1/id.jpg",
            original_name="license.jpg",
            content_type="image/jpeg",
            size=2048,
            sha256="0" * 64,
        ),
        RecordDocument: RecordDocument.objects.create(
            request=request,
            title="Labs 2025",
            file="records/1/labs.pdf",
            original_name="labs.pdf",
            content_type="application/pdf",
            page_count=3,
            sha256="1" * 64,
        ),
        Packet: Packet.objects.create(request=request),
        TimelineEvent: request.events.get(),
        Disclosure: Disclosure.objects.create(
            patient=request.patient,
            request=request,
            disclosed_on=date(2026, 3, 10),
            recipient_name="Kaiser Permanente",
            description="Lab results",
            purpose="Continuity of care",
            exemption=Disclosure.Exemption.TREATMENT,
        ),
        RequestNumberCounter: RequestNumberCounter.objects.get(
            year=request.received_at.astimezone(LA).year
        ),
        Letter: Letter.objects.create(
            request=request,
            kind=Letter.Kind.DENIAL,
            file="letters/1/denial.pdf",
            page_count=2,
            sha256="2" * 64,
        ),
        RequestDraft: (draft := RequestDraft.objects.create(guest_email="guest@example.org")),
        DraftUpload: DraftUpload.objects.create(
            draft=draft,
            kind=Attachment.Kind.PHOTO_ID,
            file="drafts/1/id.png",
            original_name="id.png",
            content_type="image/png",
            size=1000,
            sha256="3" * 64,
        ),
        EmailCode: EmailCode.objects.create(
            email="guest@example.org",
            purpose=EmailCode.Purpose.GUEST_FILING,
            code_hash="4" * 64,
            expires_at=request.received_at,
        ),
        # The requester's confirmation, queued by the submission.
        Notification: Notification.objects.get(request=request),
        ClockAlert: ClockAlert.objects.create(
            request=request,
            threshold=ClockAlert.Threshold.DUE_SOON,
            due_on=request.due_on,
            created_at=request.received_at,
        ),
    }


@pytest.fixture
def one_of_each(entity_a, patient, patient_requester) -> dict[type[Model], Model]:
    return build_world(
        entity_a,
        patient=patient,
        requester=patient_requester,
        received_at=datetime(2026, 3, 2, 9, tzinfo=LA),
    )


# --- Every page opens, for an admin only.


def test_every_model_of_the_app_is_in_the_admin() -> None:
    models = set(apps.get_app_config("requests_app").get_models())
    assert models == set(ADDABLE + SERVICE_ONLY)
    assert all(admin.site.is_registered(model) for model in models)
    assert admin.site.site_header == "roi-portal administration"


@pytest.mark.parametrize("model", ADDABLE, ids=lambda m: m.__name__)
def test_every_editable_field_is_on_the_add_page(hilda_client, model) -> None:
    # The forms list their fields; a field added to the model must not go missing here.
    adminform = hilda_client.get(url(model, "add")).context["adminform"]
    shown = set(adminform.form.fields) | set(adminform.readonly_fields)
    fields = {f.name for f in model._meta.fields if f.editable and not f.primary_key}
    assert fields | {f.name for f in model._meta.many_to_many} <= shown


@pytest.mark.parametrize("model", ADDABLE + SERVICE_ONLY, ids=lambda m: m.__name__)
def test_it_opens_every_changelist_and_change_page(hilda_client, one_of_each, model) -> None:
    assert hilda_client.get(url(model, "changelist")).status_code == 200
    obj = one_of_each[model]
    response = hilda_client.get(url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADDABLE, ids=lambda m: m.__name__)
def test_it_opens_the_add_page(hilda_client, model) -> None:
    assert hilda_client.get(url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", SERVICE_ONLY, ids=lambda m: m.__name__)
def test_it_offers_no_add_page_for_what_only_services_write(hilda_client, model) -> None:
    assert hilda_client.get(url(model, "add")).status_code == 403


def test_it_sends_a_non_staff_user_to_the_login_page(client, patient_user, one_of_each) -> None:
    paths = (
        reverse("admin:index"),
        url(Request, "changelist"),
        url(Patient, "change", one_of_each[Patient].pk),
    )
    for user in (None, patient_user):  # anonymous, then the patient's own portal account
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", ADDABLE + SERVICE_ONLY, ids=lambda m: m.__name__)
def test_no_changelist_runs_a_query_per_row(hilda_client, model) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = hilda_client.get(url(model, "changelist"))
        assert response.status_code == 200
        return len(queries)

    build_world()
    with_one = count()
    build_world()
    build_world()
    assert model.objects.count() >= 2 or model is RequestNumberCounter
    assert count() == with_one


# --- Legal floors on the entity page.


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


# --- Requests: the status machine stays in the services.


def test_the_request_page_does_not_offer_to_edit_the_status(hilda_client, one_of_each) -> None:
    request = one_of_each[Request]
    response = hilda_client.get(url(Request, "change", request.pk))
    content = response.content.decode()
    assert 'name="status"' not in content
    assert 'name="due_on"' not in content
    assert 'name="number"' not in content
    assert "Start review" in content  # the next step, named, for the staff workspace
    assert 'name="recipient_name"' in content


def test_a_posted_status_is_ignored(hilda_client, one_of_each) -> None:
    request = one_of_each[Request]
    data = form_data(hilda_client.get(url(Request, "change", request.pk)))
    data.update(status=Status.RELEASED, due_on="2030-01-01", recipient_name="Dr. Lee")
    response = hilda_client.post(url(Request, "change", request.pk), data)
    assert response.status_code == 302, response.context["errors"]
    request.refresh_from_db()
    assert request.status == Status.SUBMITTED
    assert request.due_on != date(2030, 1, 1)
    assert request.recipient_name == "Dr. Lee"


def test_a_signed_electronic_authorization_is_read_only(hilda_client, one_of_each) -> None:
    request = one_of_each[Request]
    content = hilda_client.get(url(Request, "change", request.pk)).content.decode()
    assert 'name="authorization-0-recipient_name"' not in content
    assert 'name="authorization-0-revocation_reason"' in content


def test_assign_to_me_goes_through_the_service(hilda_client, hilda, one_of_each) -> None:
    request = one_of_each[Request]
    response = hilda_client.post(
        url(Request, "changelist"), {"action": "assign_to_me", "_selected_action": [request.pk]}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.assignee == hilda
    assert request.events.filter(kind=TimelineEvent.Kind.ASSIGNMENT, actor=hilda).exists()


def test_it_finds_requests_by_number_patient_and_requester(hilda_client, one_of_each) -> None:
    request = one_of_each[Request]
    other = submit(
        entity=request.entity,
        patient=PatientFactory(last_name="Nguyen"),
        requester=RequesterFactory(full_name="Nguyen Law Group"),
    )
    for term in (request.number, "garcía", "García 02/29/1980"):
        response = hilda_client.get(url(Request, "changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == [request], term
    response = hilda_client.get(url(Request, "changelist"), {"q": "nguyen law"})
    assert list(response.context["cl"].result_list) == [other]


def test_it_finds_patients_by_other_names_and_date_of_birth(hilda_client, patient) -> None:
    PatientFactory(first_name="María", last_name="García", date_of_birth=date(1990, 5, 1))
    for term, found in (
        ("lópez", [patient]),
        ("garcía 1980-02-29", [patient]),
        ("garcía 05/01/1990", [Patient.objects.get(date_of_birth="1990-05-01")]),
    ):
        response = hilda_client.get(url(Patient, "changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == found, term


# --- The audit trail is read-only.


@pytest.mark.parametrize("model", [TimelineEvent, Disclosure], ids=lambda m: m.__name__)
def test_the_audit_trail_cannot_be_changed_or_deleted(hilda_client, one_of_each, model) -> None:
    obj = one_of_each[model]
    content = hilda_client.get(url(model, "change", obj.pk)).content.decode()
    assert 'name="_save"' not in content
    assert hilda_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert hilda_client.get(url(model, "delete", obj.pk)).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_disclosures_filter_by_exemption_and_date(hilda_client, one_of_each) -> None:
    treatment = one_of_each[Disclosure]
    accountable = Disclosure.objects.create(
        patient=treatment.patient,
        disclosed_on=date(2025, 6, 1),
        recipient_name="Court",
        description="Records",
        purpose="Subpoena",
    )
    changelist = url(Disclosure, "changelist")

    def found(**params: str) -> list[Disclosure]:
        return list(hilda_client.get(changelist, params).context["cl"].result_list)

    assert found(exemption__exact="treatment") == [treatment]
    assert found(accountable="yes") == [accountable]
    assert found(disclosed_on__gte="2026-01-01", disclosed_on__lt="2027-01-01") == [treatment]
    assert found(disclosed_on__year="2025") == [accountable]
