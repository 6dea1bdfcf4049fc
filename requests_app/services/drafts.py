"""The request wizard's writes: starting a draft, saving a step, adding and removing uploads,
and turning the finished draft into one request per covered entity (draft_submit)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Attachment,
    DraftUpload,
    Patient,
    Request,
    RequestDraft,
    Requester,
    TimelineEvent,
)
from ..rules.kinds import RequesterRole, RequestKind
from .drafts_checks import AUTHORIZATION_FONT_PT, Signature, draft_defects, draft_facts
from .drafts_state import DraftState
from .submission import request_submit
from .timeline import event_record
from .uploads import CheckedUpload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureInput:
    name: str
    expiration_date: date | None
    expiration_event: str
    ip: str | None
    user_agent: str


class DraftNotReady(ValidationError):
    """The draft still has defects: the wizard shows them on their steps."""


def draft_start(
    *, user: AbstractBaseUser | None, guest_email: str = "", language: str = "en"
) -> RequestDraft:
    if user is None and not guest_email:
        raise ValueError("A draft needs a signed-in user or a confirmed guest email.")
    return RequestDraft.objects.create(
        user=user, guest_email="" if user else guest_email.lower(), language=language[:5]
    )


@transaction.atomic
def draft_step_save(
    *, draft: RequestDraft, step: str, values: dict[str, Any], next_step: str, language: str
) -> RequestDraft:
    """Keep one step's answers. The row is locked and re-read so that two open tabs each
    saving a different step do not erase each other's answers."""
    locked = RequestDraft.objects.select_for_update().get(pk=draft.pk, submitted_at__isnull=True)
    locked.data = {**(locked.data or {}), step: values}
    locked.step = next_step
    locked.language = language[:5]
    locked.save(update_fields=["data", "step", "language", "updated_at"])
    return locked


def draft_upload_add(
    *, draft: RequestDraft, kind: str, upload: UploadedFile, checked: CheckedUpload
) -> DraftUpload:
    """Store a checked file through Django's storage API under a random name."""
    item = DraftUpload(
        draft=draft,
        kind=kind,
        original_name=(upload.name or "upload")[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    upload.seek(0)
    # The suffix follows the content, never the name the browser sent.
    item.file.save(f"upload{checked.suffix}", upload, save=False)
    item.save()
    return item


def draft_upload_remove(*, draft: RequestDraft, upload_id: int) -> bool:
    item = DraftUpload.objects.filter(draft=draft, pk=upload_id).first()
    if item is None:
        return False
    item.file.delete(save=False)
    item.delete()
    return True


def _patient_for(state: DraftState, user: AbstractBaseUser | None) -> Patient:
    """Find or create the patient by name and date of birth.

    A portal account is only ever linked to a patient record that this account itself
    created (or was already linked to): typing someone's name and birth date must never show
    that person's other requests in one's account (the portal lists requests by patient.user).
    Staff merge duplicates in the workspace."""
    p = state.patient
    match = Patient.objects.filter(
        first_name__iexact=p["first_name"].strip(),
        last_name__iexact=p["last_name"].strip(),
        date_of_birth=state.date_of_birth,
    )
    owner = user if state.is_patient else None
    patient = (match.filter(user=owner) if owner else match.filter(user__isnull=True)).first()
    if patient is None:
        patient = Patient(
            first_name=p["first_name"].strip(),
            middle_name=p.get("middle_name", "").strip(),
            last_name=p["last_name"].strip(),
            date_of_birth=state.date_of_birth,
            user=owner,
        )
    # Fill what is missing; never overwrite what staff or an earlier request recorded.
    for name in ("middle_name", "other_names", "email", "phone", "address"):
        if not getattr(patient, name) and p.get(name):
            setattr(patient, name, p[name].strip())
    if state.is_patient and not patient.email:
        patient.email = state.draft.guest_email or getattr(user, "email", "") or ""
    if state.date_of_death and not patient.date_of_death:
        patient.date_of_death = state.date_of_death
    patient.preferred_language = state.draft.language
    patient.save()
    return patient


def _requester_for(state: DraftState, user: AbstractBaseUser | None, language: str) -> Requester:
    p = state.patient
    email = state.draft.guest_email or (
        p.get("email") if state.is_patient else p.get("requester_email")
    )
    email = email or getattr(user, "email", "") or ""
    values = {
        "role": state.role,
        "full_name": state.requester_name,
        "organization_name": "" if state.is_patient else p.get("requester_organization", ""),
        "third_party_type": state.third_party_type,
        "representative_authority": state.authority or "",
    }
    contact = {
        "relationship": p.get("relationship", ""),
        # A guest follows requests by the confirmed address, so it is always the one kept.
        "email": email,
        "phone": p.get("phone" if state.is_patient else "requester_phone", ""),
        "fax": p.get("requester_fax", ""),
        "address": p.get("address" if state.is_patient else "requester_address", ""),
        "preferred_language": language,
    }
    requester = Requester.objects.filter(user=user, **values).first() if user else None
    if requester is None:
        return Requester.objects.create(user=user, **values, **contact)
    for name, value in contact.items():
        setattr(requester, name, value or getattr(requester, name))
    requester.save()
    return requester


def _authorization(
    state: DraftState, signature: SignatureInput, facts: Any, now: datetime
) -> dict[str, Any] | None:
    if not state.needs_authorization:
        return None
    # The patient signs a third party's authorization; a representative signs for the patient.
    signer = RequesterRole.SELF if state.kind == RequestKind.AUTHORIZED else state.role
    return {
        "source": "electronic",
        "description": facts.description,
        "discloser": facts.discloser,
        "recipient_name": facts.recipient_name,
        "recipient_address": facts.recipient_address,
        "purpose": facts.purpose,
        "expiration_date": signature.expiration_date,
        "expiration_event": signature.expiration_event,
        "statement_revocation": True,
        "statement_conditioning": True,
        "statement_redisclosure": True,
        "statement_copy_right": True,
        "font_size_pt": AUTHORIZATION_FONT_PT,
        "signature_used_only_for_authorization": True,
        "specific_consents": sorted(c.value for c in facts.specific_consents),
        "psychotherapy_notes_separate": facts.psychotherapy_notes_separate,
        "signer_role": signer,
        "representative_authority": state.authority or "",
        "signature_name": signature.name,
        "signed_at": now,
        "signature_ip": signature.ip,
        "signature_user_agent": signature.user_agent[:400],
    }


def _attach_uploads(draft: RequestDraft, requests: list[Request], user: Any) -> int:
    """Copy each upload once out of drafts/ into the first request's attachments/ folder; the
    other requests of the same submission reference that same stored copy (sha256 on every
    row). A later clean-up of old drafts then never removes a file a request relies on, and a
    split request does not store the same ID twice."""
    uploads = list(draft.uploads.all())
    for item in uploads:
        first = Attachment(
            request=requests[0],
            kind=item.kind,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=user,
        )
        with item.file.open("rb") as handle:
            first.file.save(f"upload{_suffix(item.file.name)}", handle, save=False)
        first.save()
        for other in requests[1:]:
            Attachment.objects.create(
                request=other,
                kind=item.kind,
                file=first.file.name,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                uploaded_by=user,
            )
    return len(uploads)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower()[:10] if dot > name.rfind("/") else ""


def _drop_draft_files(names: list[str], storage: Any) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # a file already gone is not worth failing the patient's request
            log.warning("Could not delete draft upload %s", name)


@transaction.atomic
def draft_submit(
    *,
    draft: RequestDraft,
    signature: SignatureInput,
    language: str,
    user: AbstractBaseUser | None = None,
    now: datetime | None = None,
    site_url: str = "",
) -> list[Request]:
    """Turn the draft into its requests, in one transaction. A second call (a double click,
    a resubmitted form) finds the draft already claimed and returns the same requests."""
    now = now or timezone.now()
    claimed = RequestDraft.objects.filter(pk=draft.pk, submitted_at__isnull=True).update(
        submitted_at=now
    )
    draft.refresh_from_db()
    if not claimed:
        return list(Request.objects.filter(submission=draft.submission).order_by("number"))
    state = DraftState(draft)
    if not all(state.saved(step) for step in ("whose", "patient", "where", "records", "delivery")):
        raise DraftNotReady(_("Please answer every step before you submit."))
    signed = Signature(
        signature.name,
        timezone.localdate(now),
        signature.expiration_date,
        signature.expiration_event,
    )
    defects = draft_defects(state, signed)
    if defects:
        # Rolls the claim back with everything else: the draft stays open to fix.
        raise DraftNotReady([d.message for d in defects])
    facts = draft_facts(state, signed)
    place = state.place()
    if place is None:
        raise DraftNotReady(_("Please choose again where you were seen."))
    patient = _patient_for(state, user)
    requester = _requester_for(state, user, language)
    delivery = state.delivery
    requests = request_submit(
        organization=place.organization,
        entity=place.entity,
        location=place.location,
        patient=patient,
        requester=requester,
        kind=state.kind,
        delivery_method=state.delivery_method,
        received_at=now,
        channel="portal",
        actor=user,
        # One confirmation email for the submission, however many requests it split into
        # (its outbox key is the submission: services/notifications.event_notify).
        notify=True,
        items=state.items(),
        recipient_name=delivery.get("recipient_name", ""),
        recipient_address=delivery.get("recipient_address", ""),
        recipient_email=delivery.get("recipient_email", ""),
        recipient_fax=delivery.get("recipient_fax", ""),
        purpose=delivery.get("purpose", "") if state.kind == RequestKind.AUTHORIZED else "",
        sensitive_categories=state.sensitive_categories,
        language=language,
        summary_requested="summary" in state.record_types,
        authorization=_authorization(state, signature, facts, now),
    )
    files = _attach_uploads(draft, requests, user)
    for request in requests:
        # The signature of every request is kept, authorization or not (who, when, from where).
        event_record(
            request=request,
            kind=TimelineEvent.Kind.DOCUMENT,
            actor=user,
            action="signed",
            reason=_("Signed electronically by %(name)s.") % {"name": signature.name},
            data={
                "signature_name": signature.name,
                "signed_at": now.isoformat(),
                "ip": signature.ip,
                "user_agent": signature.user_agent[:400],
                "attachments": files,
                "draft": str(draft.key),
            },
        )
    draft_files = [item.file.name for item in draft.uploads.all()]
    storage = DraftUpload._meta.get_field("file").storage
    draft.uploads.all().delete()
    draft.submission = requests[0].submission if requests else uuid.uuid4()
    draft.save(update_fields=["submission", "updated_at"])
    transaction.on_commit(lambda: _drop_draft_files(draft_files, storage))
    return requests
