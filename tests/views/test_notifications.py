"""Emails seen through the pages: a supervisor's assignment on the request file emails the
assignee; the request file's timeline shows what was emailed and what could not be sent; the
requester's page shows neither."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from requests_app.models import Notification, Request, StaffMembership
from requests_app.services import transitions as t
from requests_app.services.notifications import MAX_ATTEMPTS, notification_send

from ..factories import UserFactory, submit

pytestmark = pytest.mark.django_db


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"ana@example.org": (550, b"No such user")})


@pytest.fixture
def supervisor(org):
    user = UserFactory(username="sup", first_name="Sara", last_name="Boss", is_staff=True)
    StaffMembership.objects.create(user=user, organization=org, role="supervisor")
    return user


@pytest.fixture
def req(entity_a) -> Request:
    return submit(entity=entity_a)


def test_it_emails_the_staff_member_a_supervisor_assigns(
    client, supervisor, staff_a, req, django_capture_on_commit_callbacks
) -> None:
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/requests/{req.number}/assign/", {"assignee": staff_a.pk}, follow=True
        )
    assert response.status_code == 200
    (message,) = mail.outbox
    assert message.to == [staff_a.email]
    assert message.subject == f"Request {req.number} was assigned to you"
    assert "Sara Boss assigned request" in message.body
    page = client.get(reverse("staff:request_file", args=[req.number])).content.decode()
    assert f"Email sent to {staff_a.email}" in page


def test_the_request_file_shows_an_email_that_could_not_be_sent(
    client, staff_a, req, settings
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    Request.objects.filter(pk=req.pk).update(status="in_review")
    t.request_pend(req, actor=staff_a, missing="Photo ID")
    notification = Notification.objects.get(template="pending")
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS - 1)
    notification_send(notification_id=notification.pk)  # the last attempt

    client.force_login(staff_a)
    page = client.get(reverse("staff:request_file", args=[req.number])).content.decode()
    assert f"Email to {req.requester.email} could not be sent: SMTPRecipientsRefused" in page
    assert "Internal" in page


def test_the_requester_does_not_see_the_email_log(client, entity_a, patient_user) -> None:
    from requests_app.models import Requester

    requester = Requester.objects.create(
        role="self", full_name="María García", email="maria@example.org", user=patient_user
    )
    mine = submit(entity=entity_a, requester=requester)
    for pk in Notification.objects.values_list("pk", flat=True):
        notification_send(notification_id=pk)
    assert mine.events.filter(kind="email").exists()
    client.force_login(patient_user)
    page = client.get(reverse("portal:request_detail", args=[mine.number])).content.decode()
    assert mine.number in page
    assert "Email sent to" not in page
