"""Intake of paper, fax, phone and walk-in requests, keyed in by HIM staff.

The received time is the real time of receipt (the fax header, the date stamp on the
envelope), not when staff typed it in: it starts the legal clock (DOMAIN.md section 2). The
scanned authorization is kept as an Attachment, and what staff read on the paper becomes an
Authorization row (source "scanned") that the authorization rules check like any other.
"""

from __future__ import annotations

import uuid
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pikepdf
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageSequence, UnidentifiedImageError

from ..models import (
    Attachment,
    Authorization,
    Channel,
    Entity,
    Location,
    Patient,
    Request,
    Requester,
    TimelineEvent,
)
from ..rules.kinds import RequesterRole, RequestKind
from .submission import ItemSpec, request_submit
from .timeline import event_record
from .uploads import file_sha256

# A faxed authorization with a cover sheet and ID is a few pages; a 30-page TIFF fax at
# 200 dpi is about 3 MB. 25 MB leaves room for colour scans.
MAX_SCAN_BYTES = 25 * 1024 * 1024
# A clock a few minutes fast on the clerk's computer must not refuse "received just now".
FUTURE_TOLERANCE = timedelta(minutes=5)
# Paper found in a drawer a year late still starts its clock on the day it came in, but a date
# further back is almost surely a typing error.
MAX_BACKDATE = timedelta(days=366)
STAFF_CHANNELS = frozenset({Channel.MAIL, Channel.FAX, Channel.PHONE, Channel.WALK_IN})

# Scans kept between two tries of the intake form (see scan_stash).
STASH_FOLDER = "intake-stash"
STASH_SALT = "roi.intake.stash"
STASH_MAX_AGE = 6 * 60 * 60

PDF, JPEG, PNG, TIFF = "application/pdf", "image/jpeg", "image/png", "image/tiff"
SUFFIX = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", TIFF: ".tif"}


@dataclass(frozen=True)
class CheckedScan:
    file: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str
    pages: int


def _sniff(head: bytes) -> str | None:
    # By content, never by name or the browser's Content-Type.
    if b"%PDF-" in head[:1024]:
        return PDF
    if head[:3] == b"\xff\xd8\xff":
        return JPEG
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    return None


def _pages(upload: UploadedFile, content_type: str, name: str) -> int:
    upload.seek(0)
    try:
        if content_type == PDF:
            with pikepdf.open(upload) as pdf:
                return len(pdf.pages)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                pages = 0
                for frame in ImageSequence.Iterator(image):
                    frame.load()  # decodes every page: a truncated fax fails here
                    pages += 1
                return pages
    except pikepdf.PasswordError as exc:
        raise ValidationError(
            _("“%(name)s” is protected by a password. Scan it again without one.") % {"name": name}
        ) from exc
    except (
        pikepdf.PdfError,
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            _("“%(name)s” could not be opened; it may be damaged. Scan it again.") % {"name": name}
        ) from exc
    finally:
        upload.seek(0)


def scan_check(upload: UploadedFile) -> CheckedScan:
    """A scanned document: PDF, JPEG, PNG or TIFF (what fax servers write), judged by its
    content, opened page by page."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "scan"
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if size > MAX_SCAN_BYTES:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB. Scan it in black and white or in parts.")
            % {"name": name, "mb": MAX_SCAN_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    content_type = _sniff(upload.read(2048))
    upload.seek(0)
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not a PDF, JPEG, PNG or TIFF file.") % {"name": name}
        )
    pages = _pages(upload, content_type, name)
    if pages == 0:
        raise ValidationError(_("“%(name)s” has no pages.") % {"name": name})
    upload.seek(0)
    return CheckedScan(upload, name, content_type, size, file_sha256(upload), pages)


def scan_stash(scan: CheckedScan, *, user: Any) -> str:
    """Keep a checked scan while the clerk fixes another field: a browser cannot re-send a
    file input, and nothing entered may be lost. Returns a signed token for a hidden field."""
    scan.file.seek(0)
    path = default_storage.save(
        f"{STASH_FOLDER}/{uuid.uuid4().hex}{SUFFIX[scan.content_type]}", scan.file
    )
    scan.file.seek(0)
    return signing.dumps(
        {"path": path, "name": scan.original_name, "user": user.pk}, salt=STASH_SALT
    )


def scan_unstash(token: str, *, user: Any) -> UploadedFile:
    """The stashed scan back, once: the stash is removed when read."""
    again = ValidationError(_("The file kept from the last try has expired; choose it again."))
    try:
        data = signing.loads(token, salt=STASH_SALT, max_age=STASH_MAX_AGE)
    except signing.BadSignature as exc:
        raise again from exc
    path = str(data.get("path", ""))
    if data.get("user") != user.pk or not path.startswith(f"{STASH_FOLDER}/"):
        raise again
    if not default_storage.exists(path):
        raise again
    with default_storage.open(path, "rb") as fh:
        content = fh.read()
    default_storage.delete(path)
    return SimpleUploadedFile(str(data.get("name") or "scan"), content)


def received_at_check(received_at: datetime, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if received_at > now + FUTURE_TOLERANCE:
        raise ValidationError(_("The date received cannot be in the future."))
    if received_at < now - MAX_BACKDATE:
        raise ValidationError(
            _("The date received is more than a year ago. Check the date on the paper.")
        )


def entity_noon(entity: Entity, day: date) -> datetime:
    """A date written on paper as a moment: noon in the entity's zone keeps it the same day
    in UTC for every US zone."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(entity.timezone))


@dataclass(frozen=True)
class PatientSpec:
    first_name: str
    last_name: str
    date_of_birth: date
    middle_name: str = ""
    other_names: str = ""
    date_of_death: date | None = None
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class RequesterSpec:
    role: str
    full_name: str
    organization_name: str = ""
    third_party_type: str = ""
    representative_authority: str = ""
    relationship: str = ""
    email: str = ""
    phone: str = ""
    fax: str = ""
    address: str = ""
    preferred_language: str = "en"


@dataclass(frozen=True)
class PaperAuthorization:
    """What staff read on the paper authorization: ticked boxes and the values written."""

    description: str = ""
    discloser: str = ""
    names_recipient: bool = False
    gives_recipient_address: bool = False
    purpose: str = ""
    expiration_date: date | None = None
    expiration_event: str = ""
    signature_name: str = ""
    signed_on: date | None = None
    statement_revocation: bool = False
    statement_conditioning: bool = False
    statement_redisclosure: bool = False
    statement_copy_right: bool = False
    font_size_pt: int | None = None
    signature_used_only_for_authorization: bool = True
    specific_consents: tuple[str, ...] = ()
    psychotherapy_notes_separate: bool = False
    known_false_information: bool = False


@dataclass(frozen=True)
class IntakeSpec:
    entity: Entity
    channel: str
    received_at: datetime
    kind: str
    delivery_method: str
    requester: RequesterSpec
    patient: Patient | None = None  # an existing patient, found by name and date of birth
    new_patient: PatientSpec | None = None
    location: Location | None = None
    items: list[ItemSpec] = field(default_factory=list)
    recipient_name: str = ""
    recipient_address: str = ""
    recipient_email: str = ""
    recipient_fax: str = ""
    purpose: str = ""
    sensitive_categories: list[str] = field(default_factory=list)
    estimated_pages: int = 0
    language: str = "en"
    summary_requested: bool = False
    benefit_appeal: bool = False
    amendment_what_is_wrong: str = ""
    amendment_should_say: str = ""
    authorization: PaperAuthorization | None = None
    # (Attachment.Kind, checked scan) pairs; the scanned authorization among them.
    scans: list[tuple[str, CheckedScan]] = field(default_factory=list)


# A written, signed request is what these kinds rest on (164.508, 164.524(c)(3)(ii)).
NEEDS_PAPER = frozenset({RequestKind.AUTHORIZED, RequestKind.DIRECTED})


def _staff_covers(user: Any, entity: Entity) -> bool:
    from .staff_actions import staff_for_entity

    return staff_for_entity(entity).filter(pk=user.pk).exists()


def _authorization_row(spec: IntakeSpec, requester: RequesterSpec) -> dict[str, Any] | None:
    paper = spec.authorization
    if paper is None:
        return None
    return {
        "source": Authorization.Source.SCANNED,
        "description": paper.description.strip(),
        "discloser": paper.discloser.strip(),
        "recipient_name": spec.recipient_name if paper.names_recipient else "",
        "recipient_address": spec.recipient_address if paper.gives_recipient_address else "",
        "purpose": paper.purpose.strip(),
        "expiration_date": paper.expiration_date,
        "expiration_event": paper.expiration_event.strip(),
        "statement_revocation": paper.statement_revocation,
        "statement_conditioning": paper.statement_conditioning,
        "statement_redisclosure": paper.statement_redisclosure,
        "statement_copy_right": paper.statement_copy_right,
        "font_size_pt": paper.font_size_pt,
        "signature_used_only_for_authorization": paper.signature_used_only_for_authorization,
        "specific_consents": list(paper.specific_consents),
        "psychotherapy_notes_separate": paper.psychotherapy_notes_separate,
        "known_false_information": paper.known_false_information,
        "signer_role": requester.role,
        "representative_authority": requester.representative_authority,
        "signature_name": paper.signature_name.strip(),
        "signed_at": entity_noon(spec.entity, paper.signed_on) if paper.signed_on else None,
    }


def _patient(spec: IntakeSpec) -> Patient:
    if spec.patient is not None:
        return spec.patient
    if spec.new_patient is None:
        raise ValidationError(_("Find the patient or enter the patient's name and birth date."))
    p = spec.new_patient
    return Patient.objects.create(
        first_name=p.first_name.strip(),
        middle_name=p.middle_name.strip(),
        last_name=p.last_name.strip(),
        other_names=p.other_names.strip(),
        date_of_birth=p.date_of_birth,
        date_of_death=p.date_of_death,
        address=p.address.strip(),
        phone=p.phone.strip(),
        email=p.email.strip(),
        preferred_language=spec.language,
    )


def _requester(spec: RequesterSpec) -> Requester:
    return Requester.objects.create(
        role=spec.role,
        full_name=spec.full_name.strip(),
        organization_name=spec.organization_name.strip(),
        third_party_type=spec.third_party_type,
        representative_authority=spec.representative_authority,
        relationship=spec.relationship.strip(),
        email=spec.email.strip(),
        phone=spec.phone.strip(),
        fax=spec.fax.strip(),
        address=spec.address.strip(),
        preferred_language=spec.preferred_language,
    )


def _check(spec: IntakeSpec, actor: Any) -> None:
    if spec.channel not in STAFF_CHANNELS:
        raise ValidationError(_("Choose how the request arrived: mail, fax, phone or in person."))
    if not _staff_covers(actor, spec.entity):
        raise ValidationError(_("You do not work on this entity's requests."))
    if spec.location is not None and spec.location.entity_id != spec.entity.pk:
        raise ValidationError(_("That location belongs to another entity."))
    received_at_check(spec.received_at)
    scanned = [kind for kind, _scan in spec.scans]
    if spec.kind in NEEDS_PAPER and Attachment.Kind.SCANNED_AUTHORIZATION not in scanned:
        raise ValidationError(
            _("Upload the scanned authorization: this kind of request rests on the signed paper.")
        )
    if spec.kind == RequestKind.CONTINUITY and spec.requester.role != RequesterRole.PROVIDER:
        raise ValidationError(
            _("A continuity-of-care request comes from a provider: set the requester's role.")
        )


def intake_record(*, actor: Any, spec: IntakeSpec) -> Request:
    """Record a paper, fax, phone or walk-in request as received, with its scans and the
    authorization read from the paper. One request, to the entity staff chose."""
    _check(spec, actor)
    with transaction.atomic():
        patient = _patient(spec)
        requester = _requester(spec.requester)
        (req,) = request_submit(
            organization=spec.entity.organization,
            entity=spec.entity,
            location=spec.location,
            patient=patient,
            requester=requester,
            kind=spec.kind,
            delivery_method=spec.delivery_method,
            received_at=spec.received_at,
            channel=spec.channel,
            actor=actor,
            items=spec.items,
            recipient_name=spec.recipient_name,
            recipient_address=spec.recipient_address,
            recipient_email=spec.recipient_email,
            recipient_fax=spec.recipient_fax,
            purpose=spec.purpose,
            sensitive_categories=spec.sensitive_categories,
            estimated_pages=spec.estimated_pages,
            language=spec.language,
            summary_requested=spec.summary_requested,
            benefit_appeal=spec.benefit_appeal,
            amendment_what_is_wrong=spec.amendment_what_is_wrong,
            amendment_should_say=spec.amendment_should_say,
            authorization=_authorization_row(spec, spec.requester),
        )
        for kind, scan in spec.scans:
            attachment = Attachment(
                request=req,
                kind=kind,
                original_name=scan.original_name,
                content_type=scan.content_type,
                size=scan.size,
                sha256=scan.sha256,
                uploaded_by=actor,
            )
            attachment.file.save(f"scan{SUFFIX[scan.content_type]}", scan.file, save=False)
            attachment.save()
        if spec.authorization is not None:
            event_record(
                request=req,
                kind=TimelineEvent.Kind.AUTHORIZATION,
                actor=actor,
                action="authorization_keyed",
                reason=_("Paper authorization keyed in from the scan."),
                visible_to_requester=False,
            )
    return req
