"""Emails to staff: the assignee when a request is given to them, the assignee when the
requester writes or revokes, and the legal-clock alerts expanded into one email per recipient
(assignee; supervisors when overdue, or instead of a missing assignee)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from requests_app.models import ClockAlert, Notification, Request, StaffMembership
from requests_app.services import transitions as t
from requests_app.services.notifications import notification_send
from requests_app.services.notifications_staff import clock_alerts_deliver
from requests_app.services.requester import request_reply
from requests_app.tasks.notify import deliver_clock_alerts

from ..factories import OrganizationFactory, UserFactory, submit

pytestmark = pytest.mark.django_db

T = ClockAlert.Threshold


@pytest.fixture
def supervisor(org):
    user = UserFactory(username="sup", first_name="Sara", last_name="Boss", is_staff=True)
    StaffMembership.objects.create(user=user, organization=org, role="supervisor")
    return user


@pytest.fixture
def supervisor_2(org):
    user = UserFactory(username="sup2", is_staff=True)
    StaffMembership.objects.create(user=user, organization=org, role="supervisor")
    return user


@pytest.fixture
def req(entity_a) -> Request:
    request = submit(entity=entity_a)
    Notification.objects.all().delete()  # the requester's confirmation
    return request


def alert(req: Request, threshold: str) -> ClockAlert:
    return ClockAlert.objects.create(
        request=req, threshold=threshold, due_on=req.due_on, created_at=timezone.now()
    )


def staff_emails() -> dict[str, set[str]]:
    """template -> the addresses it went to."""
    out: dict[str, set[str]] = {}
    for row in Notification.objects.filter(audience="staff"):
        out.setdefault(row.template, set()).add(row.to)
    return out


# --- assignment and requester actions ----------------------------------------------------


def test_the_assignee_is_told_when_someone_else_assigns(req, staff_a, supervisor) -> None:
    t.request_assign(req, actor=supervisor, assignee=staff_a)
    event = req.events.get(action="assign")
    (notification,) = Notification.objects.all()
    assert (notification.template, notification.to, notification.user) == (
        "staff_assigned",
        staff_a.email,
        staff_a,
    )
    assert notification.key == f"assign:{event.pk}" and notification.language == "en"
    assert notification_send(notification_id=notification.pk)
    (message,) = mail.outbox
    assert message.subject == f"Request {req.number} was assigned to you"
    assert "Sara Boss assigned request" in message.body
    assert f"/staff/requests/{req.number}/" in message.body
    assert req.patient.last_name not in message.body  # staff emails name no patient


def test_taking_a_request_yourself_emails_nobody(req, staff_a) -> None:
    t.request_assign(req, actor=staff_a, assignee=staff_a)
    t.request_assign(req, actor=staff_a, assignee=None)
    assert not Notification.objects.exists()


def test_the_assignee_hears_when_the_requester_replies(req, staff_a) -> None:
    t.request_assign(req, actor=staff_a, assignee=staff_a)
    request_reply(request=req, text="My diagnosis is in the attached letter.", guest_email="a@b.c")
    assert staff_emails()["staff_requester_message"] == {staff_a.email}
    staff = Notification.objects.get(template="staff_requester_message")
    notification_send(notification_id=staff.pk)
    body = next(m.body for m in mail.outbox if m.to == [staff_a.email])
    assert "The requester sent a message" in body and "diagnosis" not in body
    # The guest who wrote gets a receipt as well as the requester on file.
    receipts = Notification.objects.filter(template="reply_received")
    assert {r.to for r in receipts} == {req.requester.email, "a@b.c"}


# --- clock alerts ------------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [T.DUE_SOON, T.DUE_TODAY, T.EXTENSION])
def test_an_assigned_alert_goes_to_the_assignee_only(req, staff_a, supervisor, threshold):
    Request.objects.filter(pk=req.pk).update(assignee=staff_a)
    made = alert(req, threshold)
    assert clock_alerts_deliver() == 1
    template = f"staff_{threshold}"
    assert staff_emails() == {template: {staff_a.email}}
    assert Notification.objects.get().key == f"alert:{made.pk}:{staff_a.pk}"


@pytest.mark.parametrize("threshold", [T.DUE_SOON, T.DUE_TODAY, T.EXTENSION])
def test_an_unassigned_alert_goes_to_the_supervisors(
    req, staff_a, supervisor, supervisor_2, threshold
):
    alert(req, threshold)
    clock_alerts_deliver()
    assert staff_emails() == {f"staff_{threshold}": {supervisor.email, supervisor_2.email}}


def test_overdue_goes_to_the_assignee_and_the_supervisors(req, staff_a, supervisor) -> None:
    Request.objects.filter(pk=req.pk).update(assignee=staff_a)
    alert(req, T.OVERDUE)
    clock_alerts_deliver()
    assert staff_emails() == {"staff_overdue": {staff_a.email, supervisor.email}}


def test_an_unassigned_overdue_request_goes_to_the_supervisors(req, supervisor) -> None:
    alert(req, T.OVERDUE)
    clock_alerts_deliver()
    assert staff_emails() == {"staff_overdue": {supervisor.email}}


def test_a_supervisor_who_is_the_assignee_is_written_to_once(req, supervisor) -> None:
    Request.objects.filter(pk=req.pk).update(assignee=supervisor)
    alert(req, T.OVERDUE)
    clock_alerts_deliver()
    assert Notification.objects.filter(to=supervisor.email).count() == 1


def test_supervisors_of_another_organization_are_not_told(req, supervisor) -> None:
    other = UserFactory(username="elsewhere", is_staff=True)
    StaffMembership.objects.create(
        user=other, organization=OrganizationFactory(), role="supervisor"
    )
    alert(req, T.OVERDUE)
    clock_alerts_deliver()
    assert staff_emails() == {"staff_overdue": {supervisor.email}}


def test_staff_without_an_email_address_are_skipped(req, staff_a, supervisor, caplog) -> None:
    staff_a.email = ""
    staff_a.save()
    Request.objects.filter(pk=req.pk).update(assignee=staff_a)
    made = alert(req, T.OVERDUE)
    clock_alerts_deliver()
    assert staff_emails() == {"staff_overdue": {supervisor.email}}
    assert "no email address" in caplog.text
    made.refresh_from_db()
    assert made.delivered_at is not None


def test_delivering_twice_sends_each_alert_once(req, staff_a) -> None:
    Request.objects.filter(pk=req.pk).update(assignee=staff_a)
    alert(req, T.DUE_SOON)
    assert deliver_clock_alerts.delay().get() == 1
    assert deliver_clock_alerts.delay().get() == 0
    assert Notification.objects.count() == 1


def test_an_alert_another_process_claimed_is_skipped(req, staff_a, monkeypatch) -> None:
    """Two sweeps read the same undelivered alert; the second one's claim finds it taken."""
    Request.objects.filter(pk=req.pk).update(assignee=staff_a)
    made = alert(req, T.DUE_TODAY)
    from requests_app.services import notifications_staff

    read = notifications_staff._undelivered

    def read_then_lose_the_race(limit):
        alerts = read(limit)
        ClockAlert.objects.filter(pk=made.pk).update(delivered_at=timezone.now())
        return alerts

    monkeypatch.setattr(notifications_staff, "_undelivered", read_then_lose_the_race)
    assert clock_alerts_deliver() == 0
    assert not Notification.objects.exists()


def test_it_delivers_the_oldest_first_up_to_the_limit(entity_a, staff_a) -> None:
    requests = [submit(entity=entity_a) for _ in range(3)]
    Notification.objects.all().delete()
    Request.objects.update(assignee=staff_a)
    now = timezone.now()
    for i, request in enumerate(requests):
        ClockAlert.objects.create(
            request=request,
            threshold=T.DUE_SOON,
            due_on=request.due_on,
            created_at=now - timedelta(minutes=10 - i),
        )
    assert clock_alerts_deliver(limit=2) == 2
    assert {n.request_id for n in Notification.objects.all()} == {r.pk for r in requests[:2]}
    assert clock_alerts_deliver(limit=2) == 1


def test_the_staff_alert_emails_say_what_to_do(req, staff_a) -> None:
    Request.objects.filter(pk=req.pk).update(
        assignee=staff_a, latest_extension_on=req.due_on + timedelta(days=30)
    )
    for threshold in T.values:
        alert(req, threshold)
    clock_alerts_deliver()
    for pk in Notification.objects.values_list("pk", flat=True):
        assert notification_send(notification_id=pk)
    subjects = {m.subject for m in mail.outbox}
    assert f"Request {req.number} is due today" in subjects
    assert f"Request {req.number}: decide on an extension" in subjects
    assert any(s.startswith(f"Request {req.number} is overdue (due ") for s in subjects)
    assert any(s.startswith(f"Request {req.number} is due on ") for s in subjects)
    for message in mail.outbox:
        assert message.to == [staff_a.email]
        assert "Assigned to: Alma Clerk" in message.body
        assert message.alternatives[0][1] == "text/html"
