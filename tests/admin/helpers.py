"""What the admin tests share: the admin's URLs, what a browser posts back from an admin
page, and one row of every model."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Model
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
from requests_app.rules.kinds import DeadlineKey

from ..factories import EntityFactory, UserFactory, submit

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
