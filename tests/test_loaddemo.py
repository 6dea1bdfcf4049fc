"""`manage.py loaddemo`: the demo facilities, logins and about 200 requests, loaded twice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Model
from django.test import override_settings
from django.utils import timezone
from django.utils.formats import date_format

from requests_app.models import (
    Authorization,
    Closure,
    DeadlinePolicy,
    Disclosure,
    Entity,
    EntityPolicy,
    LetterText,
    Location,
    Organization,
    Patient,
    Request,
    RequestedItem,
    Requester,
    RequestNumberCounter,
    StaffMembership,
    TimelineEvent,
)
from requests_app.rules.kinds import DeadlineKey, ReleaseScope, RequesterRole, RequestKind
from requests_app.selectors.calendar import entity_today
from requests_app.services.clocks import deadline_sweep
from requests_app.workflow import OPEN_STATUSES, Status

pytestmark = pytest.mark.django_db

MODELS: tuple[type[Model], ...] = (
    Organization, Entity, Location, EntityPolicy, DeadlinePolicy, LetterText, Closure,
    StaffMembership, Patient, Requester, Request, RequestedItem, Authorization, TimelineEvent,
    Disclosure, RequestNumberCounter,
)  # fmt: skip
LOGINS = {
    "admin": "demo-admin-2026",
    "clerk.cohnmc": "demo-staff-2026",
    "clerk.cohmf": "demo-staff-2026",
    "clerk.keck": "demo-staff-2026",
    "clerk.dfci": "demo-staff-2026",
    "supervisor": "demo-staff-2026",
    "maria.garcia": "demo-patient-2026",
    "james.chen": "demo-patient-2026",
    "rep.linda": "demo-patient-2026",
}


@dataclass(frozen=True)
class Loaded:
    first_output: str
    second_output: str
    first_state: dict
    second_state: dict
    callbacks_left: int


def _state() -> dict:
    """Every row count, plus the fields a careless second run would rewrite."""
    state: dict = {model.__name__: model.objects.count() for model in MODELS}
    state["users"] = sorted(get_user_model().objects.values_list("username", "password"))
    state["requests"] = sorted(
        Request.objects.values_list("number", "status", "due_on", "answered_at", "updated_at")
    )
    state["events"] = sorted(TimelineEvent.objects.values_list("id", "at"))
    return state


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo twice, once for the whole module (it takes seconds), inside a
    transaction that is rolled back afterwards; each test runs in a savepoint within it.
    The fast hasher is the one conftest.py gives every test, so the logins can be checked."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        connection = transaction.get_connection()
        queued = len(connection.run_on_commit)
        first, second = StringIO(), StringIO()
        call_command("loaddemo", stdout=first)
        first_state = _state()
        call_command("loaddemo", stdout=second)
        yield Loaded(
            first.getvalue(), second.getvalue(), first_state, _state(),
            len(connection.run_on_commit) - queued,
        )  # fmt: skip
        transaction.set_rollback(True)


def test_it_changes_nothing_when_run_again(demo):
    assert demo.second_state == demo.first_state
    assert "nothing changed" in demo.second_output


def test_it_queues_no_emails(demo):
    # Every service step queues a notification on commit; the demo drops them.
    assert demo.callbacks_left == 0
    # ...and leaves no outbox rows for the recovery sweep to send a minute later.
    from requests_app.models import Notification

    assert not Notification.objects.exists()


def test_it_creates_about_200_requests_of_every_kind_and_status(demo):
    assert 190 <= Request.objects.count() <= 210
    assert set(Request.objects.values_list("kind", flat=True)) == set(RequestKind)
    assert set(Request.objects.values_list("status", flat=True)) == set(Status.values)


def test_it_spreads_requests_over_every_entity_and_channel(demo):
    per_entity = {e.bates_prefix: e.requests.count() for e in Entity.objects.all()}
    assert per_entity.keys() == {"COHNMC", "COHMF", "KECK", "DFCI"}
    assert min(per_entity.values()) >= 10
    channels = set(Request.objects.values_list("channel", flat=True))
    assert {"portal", "mail", "fax", "walk_in", "phone"} <= channels


def test_each_request_number_is_unique_and_shaped_roi_year_six_digits(demo):
    numbers = list(Request.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"ROI-\d{4}-\d{6}", number) for number in numbers)


def test_some_open_requests_are_overdue_and_some_due_within_three_days(demo):
    today = timezone.localdate()
    assert Request.objects.current_due_on_overdue(today).exists()
    due_soon = [
        r for r in Request.objects.open() if 0 <= (r.current_due_on - today).days <= 3
    ]  # fmt: skip
    assert due_soon


def test_requests_were_received_over_the_last_120_days(demo):
    now = timezone.now()
    received = list(Request.objects.values_list("received_at", flat=True))
    assert max(received) <= now
    assert (now - min(received)).days >= 90


def test_timelines_run_in_order_from_receipt_to_now(demo):
    now = timezone.now()
    for request in Request.objects.prefetch_related("events"):
        moments = [event.at for event in request.events.all()]  # ordered by at, id
        ids = [event.id for event in request.events.all()]
        assert ids == sorted(ids), request.number
        assert request.received_at <= moments[0] and moments[-1] <= now, request.number
        if request.answered_at:
            assert request.received_at <= request.answered_at <= now, request.number


def test_extensions_were_sent_before_the_first_due_date(demo):
    extended = Request.objects.filter(extended_due_on__isnull=False)
    assert extended.exists()
    for request in extended:
        sent_on = timezone.localdate(request.extended_at)
        assert sent_on <= request.due_on < request.extended_due_on <= request.latest_extension_on


def test_every_release_to_someone_else_is_in_the_disclosure_log(demo):
    # Amendments and accountings release no records, so they are not disclosures.
    released = (
        Request.objects.filter(events__action="release")
        .exclude(requester__role=RequesterRole.SELF)
        .exclude(kind__in=[RequestKind.AMENDMENT, RequestKind.ACCOUNTING])
    )
    assert released.exists()
    for request in released:
        assert Disclosure.objects.filter(request=request).exists(), request.number
    assert not Request.objects.filter(status__in=OPEN_STATUSES, disclosures__isnull=False).exists()


def test_directed_and_authorized_requests_carry_an_authorization(demo):
    kinds = [RequestKind.DIRECTED, RequestKind.AUTHORIZED]
    assert not Request.objects.filter(kind__in=kinds, authorization__isnull=True).exists()


def test_city_of_hope_has_two_covered_entities(demo):
    coh = Organization.objects.get(name="City of Hope")
    assert sorted(coh.entities.values_list("bates_prefix", flat=True)) == ["COHMF", "COHNMC"]
    duarte = Location.objects.get(name="Duarte campus")
    assert "1500 East Duarte Road" in duarte.address and "Office 6A" in duarte.address
    assert coh.entities.get(bates_prefix="COHNMC").fax == "626-218-8443"


def test_keck_clinics_release_only_their_own_records(demo):
    keck = Entity.objects.get(bates_prefix="KECK")
    clinics = keck.locations.filter(kind=Location.Kind.CLINIC)
    assert clinics.count() == 2
    assert set(clinics.values_list("release_scope", flat=True)) == {ReleaseScope.OWN_LOCATION}
    hospitals = keck.locations.filter(kind=Location.Kind.HOSPITAL)
    assert set(hospitals.values_list("release_scope", flat=True)) == {ReleaseScope.ENTITY}
    assert keck.policy.free_record_years == 2
    assert keck.policy.help_phone == "(800) 872-2273"


def test_each_entity_has_its_policies_letters_and_a_closure(demo):
    for entity in Entity.objects.all():
        assert entity.policy.default_authorization_days == 90
        assert set(entity.deadline_policies.values_list("key", flat=True)) == set(DeadlineKey)
        letters = set(entity.letters.values_list("kind", "language"))
        assert letters == {(k, lang) for k in LetterText.Kind.values for lang in ("en", "es")}
        assert entity.closures.exists()
    dfci = Entity.objects.get(bates_prefix="DFCI")
    assert dfci.timezone == "America/New_York"
    routine = dfci.deadline_policies.get(key=DeadlineKey.ACCESS_COPY)
    assert (routine.days, routine.unit) == (15, "working")


def test_it_prints_the_logins_every_time(demo):
    for output in (demo.first_output, demo.second_output):
        assert "http://127.0.0.1:8000/" in output and "/admin/" in output
        for username, password in LOGINS.items():
            assert re.search(rf"{re.escape(username)}\s+{re.escape(password)}", output)


def test_the_printed_logins_work(demo):
    for username, password in LOGINS.items():
        assert authenticate(username=username, password=password), username
    assert get_user_model().objects.get(username="admin").is_superuser
    maria = Patient.objects.get(user__username="maria.garcia")
    assert maria.preferred_language == "es" and maria.requests.exists()


def test_the_people_cover_the_roles_a_demo_needs(demo):
    staff = StaffMembership.objects.select_related("user")
    assert {m.user.username for m in staff if m.role == "clerk"} == {
        "clerk.cohnmc", "clerk.cohmf", "clerk.keck", "clerk.dfci",
    }  # fmt: skip
    assert staff.filter(user__username="supervisor", role="supervisor").count() == 2
    linda = Requester.objects.get(user__username="rep.linda")
    assert linda.role == RequesterRole.REPRESENTATIVE and linda.requests.exists()
    assert Patient.objects.filter(date_of_death__isnull=False).exists()
    assert Request.objects.filter(requester__role=RequesterRole.EXECUTOR).exists()
    assert Patient.objects.exclude(other_names="").exists()
    third_parties = Requester.objects.filter(role=RequesterRole.THIRD_PARTY)
    assert {"attorney", "insurer", "agency"} <= set(
        third_parties.values_list("third_party_type", flat=True)
    )


def test_it_prints_only_the_logins_when_asked(db):
    before = Request.objects.count()
    out = StringIO()
    call_command("loaddemo", "--logins", stdout=out)
    assert "demo-admin-2026" in out.getvalue()
    assert "Demo data" not in out.getvalue()
    assert Request.objects.count() == before


def test_the_first_deadline_sweep_alerts_on_a_clerks_overdue_demo_request(
    demo, django_capture_on_commit_callbacks, mailoutbox
):
    # What `make run` shows: the request is overdue from the moment it was entered (received
    # weeks ago), and beat's first sweep raises its alert and emails the clerk.
    number = re.search(r"overdue alert of (ROI-\d{4}-\d{6})", demo.first_output)[1]
    showcase = Request.objects.get(number=number)
    today = entity_today(showcase.entity)
    assert showcase.status in OPEN_STATUSES and showcase.clock_state == "overdue"
    assert not showcase.clock_alerts.exists()
    assert 1 <= (today - showcase.current_due_on).days <= 3
    assert showcase.assignee.username == "clerk.keck"
    with django_capture_on_commit_callbacks(execute=True):
        deadline_sweep()
    showcase.refresh_from_db()
    assert showcase.clock_state == "overdue"
    assert list(showcase.clock_alerts.values_list("threshold", flat=True)) == ["overdue"]
    due = date_format(showcase.current_due_on, "DATE_FORMAT")
    subject = f"Request {number} is overdue (due {due})"
    assert {m.to[0] for m in mailoutbox if m.subject == subject} == {
        "clerk.keck@example.com",
        "supervisor@example.com",
    }
