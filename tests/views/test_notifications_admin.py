"""The outbox in the admin: read-only, and "send again" for failed emails only."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from requests_app.models import Notification

from ..factories import submit

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:requests_app_notification_changelist"


@pytest.fixture
def hilda(client, admin_user):
    client.force_login(admin_user)
    return client


def test_it_sends_a_failed_email_again_and_leaves_the_others(
    hilda, entity_a, django_capture_on_commit_callbacks
) -> None:
    failed = Notification.objects.get(request=submit(entity=entity_a))
    Notification.objects.filter(pk=failed.pk).update(
        state=Notification.State.FAILED, attempts=7, last_error="SMTPServerDisconnected"
    )
    queued = Notification.objects.get(request=submit(entity=entity_a))

    with django_capture_on_commit_callbacks(execute=True):
        response = hilda.post(
            reverse(CHANGELIST),
            {"action": "send_again", "_selected_action": [failed.pk, queued.pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "1 email queued to be sent again." in page
    assert "1 email was not failed and was left alone." in page
    failed.refresh_from_db()
    assert failed.state == Notification.State.SENT and failed.attempts == 1
    assert [m.to for m in mail.outbox] == [[failed.to]]
    queued.refresh_from_db()
    assert queued.state == Notification.State.QUEUED


def test_it_shows_the_outbox_but_offers_no_edit(hilda, entity_a) -> None:
    notification = Notification.objects.get(request=submit(entity=entity_a))
    page = hilda.get(reverse(CHANGELIST) + "?state=queued").content.decode()
    assert notification.to in page and "received" in page
    change = reverse("admin:requests_app_notification_change", args=[notification.pk])
    response = hilda.post(change, {"to": "someone@else.org"})
    assert response.status_code == 403
    notification.refresh_from_db()
    assert notification.to != "someone@else.org"
    alerts = hilda.get(reverse("admin:requests_app_clockalert_changelist") + "?delivered=no")
    assert alerts.status_code == 200
