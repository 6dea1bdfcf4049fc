"""The staff queue, driven over HTTP as a clerk works it: what it shows and in what order,
every filter and the search, the counts, bulk assignment, scope, keyset paging and the
number of queries a page costs."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db.models.functions import Coalesce

from requests_app.models import Location, Request, StaffMembership
from requests_app.rules.kinds import RequestKind
from requests_app.services.transitions import request_pend
from requests_app.workflow import Status

from ..factories import PatientFactory, UserFactory, submit

LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LA)  # a Monday
TODAY = NOW.date()

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def colleague_a(entity_a) -> User:
    user = UserFactory(username="clerk.a2", first_name="Cora", last_name="Colleague")
    membership = StaffMembership.objects.create(user=user, organization=entity_a.organization)
    membership.entities.add(entity_a)
    return user


@pytest.fixture
def supervisor(org) -> User:
    user = UserFactory(username="sup", first_name="Sam", last_name="Super")
    StaffMembership.objects.create(
        user=user, organization=org, role=StaffMembership.Role.SUPERVISOR
    )
    return user


def make(
    entity,
    *,
    due: date,
    assignee=None,
    status: str | None = None,
    location: Location | None = None,
    **kwargs,
) -> Request:
    """A request through the real service, then put where the test needs it: its clock,
    status, assignee and location (a hospital location routes to the whole entity)."""
    kwargs.setdefault("received_at", NOW - timedelta(days=5))
    req = submit(entity=entity, **kwargs)
    changes = {"due_on": due, "assignee": assignee, "location": location}
    if status:
        changes["status"] = status
    Request.objects.filter(pk=req.pk).update(**changes)
    req.refresh_from_db()
    return req


def numbers_in(response) -> list[str]:
    """The request numbers in the table, in page order."""
    return re.findall(r'name="numbers" value="(ROI-\d{4}-\d+)"', response.content.decode())


def get(client, user, query: str = ""):
    client.force_login(user)
    response = client.get("/staff/" + query)
    assert response.status_code == 200
    return response


# --- Who may look.


def test_it_sends_a_stranger_to_the_staff_sign_in(client) -> None:
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_it_is_a_404_for_a_signed_in_patient(client, patient_user) -> None:
    client.force_login(patient_user)
    assert client.get("/staff/").status_code == 404


# --- The default view.


def test_it_shows_my_open_requests_and_the_unassigned_ones_oldest_due_first(
    client, staff_a, colleague_a, entity_a
) -> None:
    later_mine = make(entity_a, due=TODAY + timedelta(days=9), assignee=staff_a)
    soon_unassigned = make(entity_a, due=TODAY + timedelta(days=2))
    overdue_mine = make(entity_a, due=TODAY - timedelta(days=4), assignee=staff_a)
    colleagues = make(entity_a, due=TODAY, assignee=colleague_a)
    answered = make(entity_a, due=TODAY - timedelta(days=9), status=Status.RELEASED)

    response = get(client, staff_a)

    assert numbers_in(response) == [overdue_mine.number, soon_unassigned.number, later_mine.number]
    page = response.content.decode()
    assert colleagues.number not in page and answered.number not in page


def test_it_orders_by_the_extended_due_date_when_there_is_one(client, staff_a, entity_a) -> None:
    extended = make(entity_a, due=TODAY - timedelta(days=1))
    Request.objects.filter(pk=extended.pk).update(extended_due_on=TODAY + timedelta(days=20))
    plain = make(entity_a, due=TODAY + timedelta(days=5))

    response = get(client, staff_a)

    assert numbers_in(response) == [plain.number, extended.number]
    assert "Extended from 03/01/2026" in response.content.decode()


def test_it_shows_the_time_left_as_a_badge(client, staff_a, entity_a) -> None:
    make(entity_a, due=TODAY - timedelta(days=2))
    make(entity_a, due=TODAY)
    make(entity_a, due=TODAY + timedelta(days=3))
    make(entity_a, due=TODAY + timedelta(days=12))

    page = get(client, staff_a).content.decode()

    assert 'class="badge badge-overdue">Overdue 2 days' in page
    assert 'class="badge badge-due-today">Due today' in page
    assert 'class="badge badge-due-soon">Due in 3 days' in page
    assert 'class="badge badge-on-track">On track, 12 days left' in page


def test_it_shows_the_reason_for_a_pause(client, staff_a, entity_a) -> None:
    req = make(entity_a, due=TODAY + timedelta(days=5))
    request_pend(req, actor=staff_a, missing="An old reason")
    Request.objects.filter(pk=req.pk).update(status=Status.IN_REVIEW)
    request_pend(req, actor=staff_a, missing="A copy of the power of attorney")
    Request.objects.filter(pk=req.pk).update(paused_on=TODAY - timedelta(days=1))

    page = get(client, staff_a).content.decode()

    assert "Waiting for the requester" in page
    assert "A copy of the power of attorney" in page
    assert "An old reason" not in page
    assert "Clock paused since 03/01/2026" in page


def test_it_shows_what_a_clerk_needs_in_each_row(client, staff_a, entity_a) -> None:
    location = Location.objects.create(entity=entity_a, name="Duarte campus", address="Duarte")
    patient = PatientFactory(
        first_name="Rosa", last_name="Delgado", date_of_birth=date(1955, 10, 30)
    )
    req = make(entity_a, due=TODAY + timedelta(days=5), patient=patient, location=location)

    page = get(client, staff_a).content.decode()

    for text in (
        req.number,
        "Rosa Delgado",
        "10/30/1955",
        "Access",
        "COH NMC",
        "Duarte campus",
        "Submitted",
        "02/25/2026",  # received, in the entity's time zone
        "03/07/2026",
        "Unassigned",
        "Portal",
    ):
        assert text in page


def test_htmx_gets_only_the_results_for_the_same_filters(client, staff_a, entity_a) -> None:
    req = make(entity_a, due=TODAY)
    client.force_login(staff_a)

    response = client.get("/staff/?status=submitted", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "<html" not in page and 'id="bulk-form"' in page
    assert numbers_in(response) == [req.number]
    # The bulk form sends the clerk back to these filters after assigning.
    assert 'name="next" value="/staff/?status=submitted"' in page


# --- Filters.


def test_it_filters_by_entity_location_kind_and_status(
    client, supervisor, entity_a, entity_b
) -> None:
    duarte = Location.objects.create(entity=entity_a, name="Duarte campus", address="Duarte")
    in_a = make(entity_a, due=TODAY)
    at_duarte = make(entity_a, due=TODAY, location=duarte)
    in_b = make(entity_b, due=TODAY)
    amendment = make(entity_b, due=TODAY, kind=RequestKind.AMENDMENT)
    ready = make(entity_b, due=TODAY, status=Status.READY)
    closed = make(entity_a, due=TODAY, status=Status.CLOSED)

    def shown(query: str) -> set[str]:
        return set(numbers_in(get(client, supervisor, query)))

    assert shown(f"?entity={entity_a.pk}") == {in_a.number, at_duarte.number}
    assert shown(f"?location={duarte.pk}") == {at_duarte.number}
    assert shown("?kind=amendment") == {amendment.number}
    assert shown("?status=ready") == {ready.number}
    assert shown("?status=closed") == {closed.number}
    assert closed.number in shown("?status=all")
    assert in_b.number in shown("")


def test_it_filters_by_assignee(client, staff_a, colleague_a, entity_a) -> None:
    mine = make(entity_a, due=TODAY, assignee=staff_a)
    nobodys = make(entity_a, due=TODAY)
    theirs = make(entity_a, due=TODAY, assignee=colleague_a)

    def shown(query: str) -> set[str]:
        return set(numbers_in(get(client, staff_a, query)))

    assert shown("") == {mine.number, nobodys.number}
    assert shown("?assignee=me") == {mine.number}
    assert shown("?assignee=unassigned") == {nobodys.number}
    assert shown("?assignee=anyone") == {mine.number, nobodys.number, theirs.number}
    assert shown(f"?assignee={colleague_a.pk}") == {theirs.number}


def test_it_filters_by_due_date(client, staff_a, entity_a) -> None:
    overdue = make(entity_a, due=TODAY - timedelta(days=1))
    today = make(entity_a, due=TODAY)
    in_three = make(entity_a, due=TODAY + timedelta(days=3))
    make(entity_a, due=TODAY + timedelta(days=4))
    make(entity_a, due=TODAY - timedelta(days=9), status=Status.RELEASED)  # answered: not late

    def shown(query: str) -> set[str]:
        return set(numbers_in(get(client, staff_a, query)))

    assert shown("?overdue=on") == {overdue.number}
    assert shown("?overdue=on&status=all") == {overdue.number}
    assert shown("?due_within=3") == {overdue.number, today.number, in_three.number}
    assert shown("?due_within=0") == {overdue.number, today.number}


def test_overdue_is_judged_by_each_entitys_own_today(
    client, supervisor, entity_a, entity_b
) -> None:
    entity_b.timezone = "America/New_York"
    entity_b.save()
    # 10 pm in Los Angeles is already tomorrow in New York.
    with time_machine.travel(datetime(2026, 3, 2, 22, 0, tzinfo=LA), tick=False):
        in_la = make(entity_a, due=TODAY)
        in_ny = make(entity_b, due=TODAY)
        shown = set(numbers_in(get(client, supervisor, "?overdue=on")))
    assert shown == {in_ny.number}
    assert in_la.number not in shown


def test_it_filters_by_the_day_received(client, staff_a, entity_a) -> None:
    early = make(entity_a, due=TODAY, received_at=datetime(2026, 2, 1, 23, 30, tzinfo=LA))
    middle = make(entity_a, due=TODAY, received_at=datetime(2026, 2, 10, 0, 15, tzinfo=LA))
    make(entity_a, due=TODAY, received_at=datetime(2026, 2, 20, 9, 0, tzinfo=LA))

    shown = numbers_in(get(client, staff_a, "?received_from=2026-02-01&received_to=2026-02-10"))

    assert set(shown) == {early.number, middle.number}


def test_bad_filter_input_keeps_what_was_typed_and_says_why(client, staff_a, entity_a) -> None:
    req = make(entity_a, due=TODAY)

    page = get(
        client,
        staff_a,
        "?due_within=soon&received_from=2026-02-10&received_to=2026-02-01&after=nonsense&q=Rivera",
    ).content.decode()

    assert "Enter a whole number." in page
    assert "The end date is before the start date." in page
    assert "That page link is out of date" in page
    assert 'value="Rivera"' in page
    assert req.number in page  # the filters that were valid still apply


# --- Search.


@pytest.mark.parametrize(
    "term",
    [
        "García",
        "lópez",
        "María García",
        "1975-03-14",
        "03/14/1975",
        "garcía 03/14/1975",
        # Typed without accents, as on most keyboards: still found.
        "garcia",
        "maria lopez",
        "GARCIA 1975-03-14",
    ],
)
def test_it_searches_by_patient_name_other_names_and_date_of_birth(
    client, staff_a, colleague_a, entity_a, term
) -> None:
    patient = PatientFactory(
        first_name="María",
        last_name="García",
        other_names="María López",
        date_of_birth=date(1975, 3, 14),
    )
    found = make(entity_a, due=TODAY, patient=patient, assignee=colleague_a)
    make(entity_a, due=TODAY, patient=PatientFactory(date_of_birth=date(1975, 3, 15)))

    shown = numbers_in(get(client, staff_a, f"?q={term}"))

    # A search looks at every assignee: a caller's request is found whoever holds it.
    assert shown == [found.number]


def test_it_searches_by_request_number_whole_or_in_part(client, staff_a, entity_a) -> None:
    wanted = make(entity_a, due=TODAY, status=Status.CLOSED)
    other = make(entity_a, due=TODAY)

    assert numbers_in(get(client, staff_a, f"?q={wanted.number.lower()}")) == [wanted.number]
    tail = wanted.number[-3:]
    assert numbers_in(get(client, staff_a, f"?q={tail}")) == [wanted.number]
    assert other.number not in numbers_in(get(client, staff_a, f"?q={wanted.number}"))


def test_a_search_keeps_a_status_the_clerk_chose(client, staff_a, entity_a) -> None:
    patient = PatientFactory(last_name="Okafor")
    make(entity_a, due=TODAY, patient=patient, status=Status.CLOSED)
    open_one = make(entity_a, due=TODAY, patient=patient)

    assert numbers_in(get(client, staff_a, "?q=okafor&status=submitted")) == [open_one.number]


# --- Counts.


def test_it_counts_open_requests_per_status_for_the_filters(client, staff_a, entity_a) -> None:
    for _ in range(2):
        make(entity_a, due=TODAY)
    make(entity_a, due=TODAY, status=Status.IN_REVIEW)
    make(entity_a, due=TODAY, status=Status.RELEASED)
    make(entity_a, due=TODAY, status=Status.IN_REVIEW, kind=RequestKind.AMENDMENT)

    page = get(client, staff_a).content.decode()
    assert re.search(r"Open <strong>4</strong>", page)
    assert re.search(r"Submitted <strong>2</strong>", page)
    assert re.search(r"In review <strong>2</strong>", page)
    # Answered requests are history, not work: they are not counted at the top.
    assert "Released <strong>" not in page

    amendments = get(client, staff_a, "?kind=amendment").content.decode()
    assert re.search(r"Open <strong>1</strong>", amendments)
    assert re.search(r"In review <strong>1</strong>", amendments)


# --- Scope.


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


# --- Keyset paging.


def _many(entity, count: int, due=lambda i: TODAY, **fields) -> list[str]:
    """`count` copies of one real request, each with its own number and due date: fast
    enough for pages of 50. Returns the numbers."""
    template = make(entity, due=due(0), **fields)
    base = Request.objects.filter(pk=template.pk).values()[0]
    base.pop("id")
    Request.objects.bulk_create(
        Request(**dict(base, number=f"ROI-2026-9{i:05d}", due_on=due(i))) for i in range(1, count)
    )
    return [template.number, *(f"ROI-2026-9{i:05d}" for i in range(1, count))]


def _link(response, rel: str) -> str:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return "/staff/" + found[1].replace("&amp;", "&") if found else ""


def test_keyset_paging_returns_every_row_once_even_with_ties_on_the_due_date(
    client, staff_a, entity_a
) -> None:
    # Runs of seven requests share a due date, so every page boundary falls inside a tie;
    # some are extended, which moves them in the order.
    _many(entity_a, 60, due=lambda i: TODAY + timedelta(days=i // 7))
    Request.objects.filter(number__in=["ROI-2026-900003", "ROI-2026-900010"]).update(
        extended_due_on=TODAY + timedelta(days=20)
    )
    expected = list(
        Request.objects.order_by(Coalesce("extended_due_on", "due_on"), "pk").values_list(
            "number", flat=True
        )
    )
    client.force_login(staff_a)

    forward, response, url = [], None, "/staff/?size=25"
    while url:
        response = client.get(url)
        forward.append(numbers_in(response))
        url = _link(response, "next")
    assert [len(p) for p in forward] == [25, 25, 10]
    assert sum(forward, []) == expected

    backward, url = [numbers_in(response)], _link(response, "prev")
    while url:
        response = client.get(url)
        backward.insert(0, numbers_in(response))
        url = _link(response, "prev")
    assert backward == forward
    assert "First page" not in response.content.decode()


def test_a_page_link_never_reaches_past_the_scope(client, staff_a, entity_a, entity_b) -> None:
    mine = make(entity_a, due=TODAY)
    make(entity_b, due=TODAY + timedelta(days=1))
    # A cursor typed by hand after the last own row shows nothing of entity B.
    response = get(client, staff_a, f"?after={TODAY.isoformat()}.{mine.pk}")
    assert numbers_in(response) == []


# --- Cost.


@pytest.mark.parametrize("rows", [1, 50])
def test_a_page_costs_at_most_five_queries_whatever_its_length(
    client, staff_a, entity_a, django_assert_max_num_queries, rows
) -> None:
    Location.objects.create(entity=entity_a, name="Duarte campus", address="Duarte")
    _many(entity_a, rows, due=lambda i: TODAY + timedelta(days=i % 9), assignee=staff_a)
    waiting = Request.objects.filter(entity=entity_a).first()
    request_pend(waiting, actor=staff_a, missing="A signed form")
    client.force_login(staff_a)

    with django_assert_max_num_queries(5):
        response = client.get("/staff/?size=50")

    assert len(numbers_in(response)) == rows
    assert "A signed form" in response.content.decode()


# --- Bulk assignment.


def assign(client, user, numbers: list[str], to: str, next_url: str = "/staff/?kind=access"):
    client.force_login(user)
    return client.post(
        "/staff/queue/assign/", {"numbers": numbers, "assign_to": to, "next": next_url}
    )


def messages_of(client, response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_a_clerk_takes_unassigned_requests_in_bulk(client, staff_a, entity_a) -> None:
    first, second = make(entity_a, due=TODAY), make(entity_a, due=TODAY)

    response = assign(client, staff_a, [first.number, second.number], "me")

    assert response.status_code == 302
    assert response["Location"] == "/staff/?kind=access"  # back to the same filters
    assert set(Request.objects.filter(assignee=staff_a).values_list("number", flat=True)) == {
        first.number,
        second.number,
    }
    assert first.events.filter(kind="assignment", actor=staff_a).exists()
    page = client.get(response["Location"]).content.decode()
    assert "2 requests assigned to Alma Clerk." in page


def test_a_clerk_gives_back_their_own_but_not_a_colleagues(
    client, staff_a, colleague_a, entity_a
) -> None:
    mine = make(entity_a, due=TODAY, assignee=staff_a)
    theirs = make(entity_a, due=TODAY, assignee=colleague_a)

    response = assign(client, staff_a, [mine.number, theirs.number], "none")

    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.assignee is None
    assert theirs.assignee == colleague_a
    said = messages_of(client, response)
    assert "1 request unassigned." in said
    assert any(theirs.number in m and "only they or a supervisor" in m for m in said)


def test_a_clerk_cannot_take_a_colleagues_request(client, staff_a, colleague_a, entity_a) -> None:
    theirs = make(entity_a, due=TODAY, assignee=colleague_a)

    response = assign(client, staff_a, [theirs.number], "me")

    theirs.refresh_from_db()
    assert theirs.assignee == colleague_a
    assert any("ask a supervisor" in m for m in messages_of(client, response))


def test_a_clerk_cannot_hand_work_to_a_colleague(client, staff_a, colleague_a, entity_a) -> None:
    req = make(entity_a, due=TODAY)

    # The choice is not offered to a clerk...
    assert "Cora Colleague" not in get(client, staff_a).content.decode().split('id="bulk-form"')[1]
    response = assign(client, staff_a, [req.number], str(colleague_a.pk))
    req.refresh_from_db()
    assert req.assignee is None
    assert any("Select a valid choice" in m for m in messages_of(client, response))

    # ...and the service refuses it anyway.
    from requests_app.services.bulk import request_bulk_assign

    result = request_bulk_assign(actor=staff_a, numbers=[req.number], assignee_id=colleague_a.pk)
    assert result.assigned == [] and "only a supervisor" in result.refused[0][1]


def test_a_supervisor_reassigns_to_anyone_who_works_for_the_entity(
    client, supervisor, staff_a, staff_b, colleague_a, entity_a, entity_b
) -> None:
    in_a = make(entity_a, due=TODAY, assignee=colleague_a)
    in_b = make(entity_b, due=TODAY)

    response = assign(client, supervisor, [in_a.number, in_b.number], str(staff_a.pk))

    in_a.refresh_from_db(), in_b.refresh_from_db()
    assert in_a.assignee == staff_a
    assert in_b.assignee is None  # staff_a cannot open entity B's requests
    said = messages_of(client, response)
    assert "1 request assigned to Alma Clerk." in said
    assert any(in_b.number in m and "does not work for this entity" in m for m in said)


def test_bulk_assign_touches_nothing_outside_scope_or_answered(
    client, staff_a, entity_a, entity_b
) -> None:
    theirs = make(entity_b, due=TODAY)
    closed = make(entity_a, due=TODAY, status=Status.CLOSED)

    response = assign(client, staff_a, [theirs.number, closed.number, "ROI-2026-999999"], "me")

    assert not Request.objects.filter(assignee=staff_a).exists()
    said = messages_of(client, response)
    assert f"Not changed (not found): {theirs.number}, ROI-2026-999999." in said
    assert f"Not changed (not open): {closed.number}." in said


def test_bulk_assign_with_nothing_ticked_says_so(client, staff_a, entity_a) -> None:
    response = assign(client, staff_a, [], "me")

    assert response.status_code == 302
    assert "Tick at least one request to assign." in messages_of(client, response)


def test_bulk_assign_only_returns_to_the_queue(client, staff_a, entity_a) -> None:
    req = make(entity_a, due=TODAY)

    for target in ("https://evil.example/staff/", "//evil.example/", "/admin/"):
        response = assign(client, staff_a, [req.number], "me", next_url=target)
        assert response["Location"] == "/staff/"


def test_bulk_assign_needs_staff_and_a_post(client, patient_user, staff_a) -> None:
    client.force_login(patient_user)
    assert client.post("/staff/queue/assign/", {"assign_to": "me"}).status_code == 404
    client.force_login(staff_a)
    assert client.get("/staff/queue/assign/").status_code == 405
