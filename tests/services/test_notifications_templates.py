"""Every requester email, in English and Spanish, as it goes out: each one made by the real
service that causes it, then sent from the outbox. Subject, a line of the body, the HTML part,
and never the patient's date of birth (1980-02-29 for every factory patient)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from requests_app.models import Notification, Request
from requests_app.rules.kinds import DeliveryMethod, RequestKind
from requests_app.services import staff_actions
from requests_app.services import transitions as t
from requests_app.services.notifications import notification_send, requester_notify
from requests_app.services.requester import authorization_revoke, request_reply
from requests_app.workflow import Status

from ..factories import PatientFactory, RequesterFactory, UserFactory, submit

pytestmark = pytest.mark.django_db


def _request(entity, language: str, *, status: str = Status.SUBMITTED, **kwargs) -> Request:
    patient = PatientFactory()
    requester = RequesterFactory(
        full_name=patient.full_name,
        email="ana@example.org",
        preferred_language=language,
        user=UserFactory(email="ana@example.org"),
    )
    req = submit(entity=entity, patient=patient, requester=requester, language=language, **kwargs)
    if status != Status.SUBMITTED:
        Request.objects.filter(pk=req.pk).update(status=status)  # set-up only
        req.refresh_from_db()
    return req


def received(entity, staff, lang):
    return _request(entity, lang)


def pending(entity, staff, lang):
    req = _request(entity, lang, status=Status.IN_REVIEW)
    return t.request_pend(req, actor=staff, missing="A copy of your photo ID")


def extension(entity, staff, lang):
    req = _request(entity, lang, status=Status.IN_PROGRESS)
    Request.objects.filter(pk=req.pk).update(latest_extension_on=req.due_on + timedelta(days=30))
    return t.request_extend(
        req, actor=staff, new_due_on=req.due_on + timedelta(days=20), reason="The doctor is away."
    )


def denied(entity, staff, lang):
    req = _request(entity, lang, status=Status.IN_REVIEW)
    return t.request_deny(req, actor=staff, grounds=["legal_proceedings"], explanation="Lawsuit.")


def partially_denied(entity, staff, lang):
    req = _request(entity, lang, status=Status.IN_REVIEW)
    return t.request_partially_deny(
        req, actor=staff, grounds=["psychotherapy_notes"], explanation="Notes withheld."
    )


def ready(entity, staff, lang):
    req = _request(entity, lang, status=Status.IN_PROGRESS, delivery=DeliveryMethod.PICKUP)
    return t.request_mark_ready(req, actor=staff)


def released(entity, staff, lang):
    return t.request_release(_request(entity, lang, status=Status.READY), actor=staff)


def shipped(entity, staff, lang):
    req = _request(entity, lang, status=Status.RELEASED, delivery=DeliveryMethod.MAIL)
    staff_actions.request_record_shipment(
        req,
        actor=staff,
        method="mail",
        carrier="USPS",
        tracking="9400 1000",
        shipped_on=timezone.localdate(),
    )
    return req


def answered(entity, staff, lang):
    req = _request(entity, lang, status=Status.IN_PROGRESS, kind=RequestKind.AMENDMENT)
    return t.request_answer(req, actor=staff, note="Letter sent")


def closed(entity, staff, lang):
    return t.request_close(_request(entity, lang, status=Status.RELEASED), actor=staff)


def withdrawn(entity, staff, lang):
    return t.request_withdraw(_request(entity, lang), actor=staff, reason="No longer needed")


def message(entity, staff, lang):
    req = _request(entity, lang, status=Status.IN_REVIEW)
    staff_actions.request_message_requester(req, actor=staff, text="Your diagnosis of X is...")
    return req


def reminder(entity, staff, lang):
    req = pending(entity, staff, lang)
    requester_notify(
        request=req,
        template="reminder",
        key=f"reminder:{req.pk}:1",
        data={"close_on": (timezone.localdate() + timedelta(days=50)).isoformat()},
    )
    return req


def auto_closed(entity, staff, lang):
    req = pending(entity, staff, lang)
    requester_notify(request=req, template="auto_closed", key=f"auto_closed:{req.pk}")
    return req


def reply_received(entity, staff, lang):
    req = pending(entity, staff, lang)
    request_reply(request=req, text="Here it is.", actor=req.requester.user)
    return req


def revoked(entity, staff, lang):
    req = _request(
        entity,
        lang,
        kind=RequestKind.DIRECTED,
        recipient_name="Dr. Jones",
        recipient_address="1 Main St",
        authorization={"recipient_name": "Dr. Jones", "signature_name": "Ana Rivera"},
    )
    authorization_revoke(request=req, reason="Changed my mind", actor=req.requester.user)
    return req


# template: (make it, a line of the English body, a line of the Spanish body)
CASES: dict[str, tuple[Callable, str, str]] = {
    "received": (received, "We received your request for the medical records of", "Hola,"),
    "pending": (pending, "A copy of your photo ID", "A copy of your photo ID"),
    "extension": (extension, "Why: The doctor is away.", "Por qué: The doctor is away."),
    "denied": (denied, "Read the letter on your request's page.", "Su solicitud"),
    "partially_denied": (partially_denied, "We are still working on the rest.", "Su solicitud"),
    "ready": (ready, "You can pick them up at", "Su solicitud"),
    "released": (released, "Download them from your request's page", "Su solicitud"),
    "shipped": (shipped, "Tracking number: 9400 1000", "9400 1000"),
    "answered": (answered, "We answered your request in a letter.", "Su solicitud"),
    "closed": (closed, "We closed your request.", "Su solicitud"),
    "withdrawn": (withdrawn, "Your request was withdrawn, as asked.", "Su solicitud"),
    "message": (message, "We sent you a message about your request.", "Su solicitud"),
    "reminder": (reminder, "we will close the request", "Su solicitud"),
    "auto_closed": (auto_closed, "did not receive the information we asked for", "Su solicitud"),
    "reply_received": (reply_received, "We received your message.", "Su solicitud"),
    "revoked": (revoked, "164.508(b)(5)", "164.508(b)(5)"),
}
# Subjects that already have their Spanish wording (the others are translated with the catalog).
SPANISH_SUBJECTS = {
    "received": "Recibimos su solicitud de registros",
    "pending": "Necesitamos información para terminar la solicitud",
    "extension": "Necesitamos más tiempo para responder a la solicitud",
    "denied": "Decisión sobre su solicitud de registros",
}


def _send_all() -> None:
    for pk in (
        Notification.objects.filter(state="queued").order_by("pk").values_list("pk", flat=True)
    ):
        notification_send(notification_id=pk)


@pytest.mark.parametrize("template", sorted(CASES))
@pytest.mark.parametrize("language", ["en", "es"])
def test_it_sends_the_requester_email(template, language, entity_a, staff_a) -> None:
    make, english, spanish = CASES[template]
    req = make(entity_a, staff_a, language)
    Notification.objects.exclude(template=template).delete()  # the steps that led here
    mail.outbox.clear()
    _send_all()

    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert req.number in message.subject
    assert "\n" not in message.subject
    if language == "es" and template in SPANISH_SUBJECTS:
        assert SPANISH_SUBJECTS[template] in message.subject
    body = message.body
    assert (english if language == "en" else spanish) in body
    if language == "es" and template != "received":
        assert f"Su solicitud {req.number} a {entity_a.name}" in body
        assert "¿Tiene preguntas? Llame al 626-218-2446." in body or template == "revoked"
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert req.number in html and f'lang="{language}"' in html
    # No date of birth, in any form, and no record content (the staff message's text).
    for part in (message.subject, body, html):
        assert "1980" not in part
        assert "diagnosis" not in part
    notification = Notification.objects.get(template=template)
    assert notification.state == Notification.State.SENT and notification.language == language


def test_a_link_goes_to_the_portal_page_or_a_guest_tracking_link(entity_a) -> None:
    signed_up = _request(entity_a, "en")
    guest = submit(entity=entity_a, requester=RequesterFactory(email="guest@example.org"))
    _send_all()
    by_address = {m.to[0]: m.body for m in mail.outbox}
    portal = f"{settings.SITE_URL}/portal/requests/{signed_up.number}/"
    assert f"Follow it here: {portal}" in by_address["ana@example.org"]
    assert f"Follow it here: {settings.SITE_URL}/portal/track/" in by_address["guest@example.org"]
    assert guest.number in by_address["guest@example.org"]


def test_the_spanish_dates_are_written_the_spanish_way(entity_a, staff_a) -> None:
    req = extension(entity_a, staff_a, "es")
    Notification.objects.exclude(template="extension").delete()
    _send_all()
    (message,) = mail.outbox
    new_due = req.extended_due_on
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"]
    months += ["septiembre", "octubre", "noviembre", "diciembre"]
    assert f"{new_due.day} de {months[new_due.month - 1]} de {new_due.year}" in message.body
    assert isinstance(new_due, date)
