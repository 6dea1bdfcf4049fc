"""Release: one stamped PDF packet, built in a Celery task, then the request is released.

The flow (pretix's "POST queues a task, the page polls progress"):
1. packet_request_build (staff press Release): the request must be READY. Creates or resets
   the Packet to queued under the request's row lock; a second click finds it queued or
   building and enqueues nothing. The task is enqueued after commit.
2. packet_build (the task): claims the packet with a conditional UPDATE and a lease, so a task
   delivered twice builds once; builds the PDF from copies of the stored files, saving
   progress as it goes; then, in ONE transaction, stores the file, marks the packet built and
   calls request_release, which writes the release event and the disclosure entry. If the
   request is no longer READY by then, nothing is released and the stored file is removed.
3. A document that cannot be read fails the packet with a message naming it; the request
   stays READY and staff fix the document and press Release again.

The lease: a build owns the packet until `lease_until`, a margin past Celery's hard time limit
(no task outlives it, so an expired lease means the worker died: kill -9, out of memory, a
lost machine). A delivery that finds a live lease held by another build retries when it ends
(tasks.packets); one that finds it expired takes the build over. The lease is also the build's
fencing token: a build stores its file, its progress or its failure only while the lease it
took is still the packet's, so a build taken over can never release the request a second
time. While the packet is QUEUED, `lease_until` is when the recovery sweep may publish the
build again (services/recovery.py): the on-commit publish has until then.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import LetterText, Packet, Request, TimelineEvent
from ..packets import EmptyPacket, SourceDocument, SourceError, build_packet
from ..packets.letters import InvoiceLine, LetterInfo, letters_renderer
from ..selectors.calendar import entity_today
from ..workflow import Status
from .dispatch import enqueue_on_commit
from .errors import TransitionNotAllowed
from .timeline import event_record
from .transitions import request_release

logger = logging.getLogger(__name__)

BUSY_STATES = (Packet.State.QUEUED, Packet.State.BUILDING)
_TIME_LIMIT = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 900))
# How long a build owns the packet: Celery's hard time limit plus a margin for clocks that
# differ between machines and for the moments between the task's start and its claim.
LEASE = _TIME_LIMIT + min(timedelta(minutes=1), _TIME_LIMIT)
# A build still queued or building after this will never finish by itself: the next Release
# press may start it again (the recovery sweep does the same, every minute).
STALE_AFTER = LEASE
# How long the on-commit publish of a queued build has before the recovery sweep publishes it
# again, and how long the sweep waits before publishing the same build once more.
QUEUED_GRACE = timedelta(minutes=1)
# A build whose worker died this many times in a row fails instead of starting again: a packet
# that kills its worker (memory) must not loop forever with reject_on_worker_lost.
MAX_INTERRUPTIONS = 3


class PacketBusy(Exception):
    """Another build holds the packet's lease; the task tries again when it ends."""

    def __init__(self, packet_id: int, lease_until: Any) -> None:
        super().__init__(f"Packet {packet_id} is being built until {lease_until}")
        self.packet_id = packet_id
        self.lease_until = lease_until


_PROGRESS_STEP = 4  # save progress every few percent, not on every page


def packet_footer() -> str:
    """The confidentiality line on every page, in the active language."""
    return _(
        "CONFIDENTIAL health information. Do not disclose it further except as the law allows."
    )


def bates_prefix(request: Request) -> str:
    """COHNMC + ROI-2026-000042: every page number in the packet starts with this."""
    return f"{request.entity.bates_prefix}-{request.number}"


def _build_requested_at(request: Request) -> Any:
    event = (
        TimelineEvent.objects.filter(request=request, action="packet_build")
        .order_by("-at", "-id")
        .first()
    )
    return event.at if event else None


def _is_stale(packet: Packet, req: Request) -> bool:
    """True when a queued or building packet will not finish by itself."""
    now = timezone.now()
    if packet.state == Packet.State.BUILDING and packet.lease_until is not None:
        return packet.lease_until < now
    requested = _build_requested_at(req)
    return requested is None or now - requested > STALE_AFTER


def packet_request_build(*, request: Request, actor: Any) -> Packet:
    """Queue the packet build (staff pressed Release). Idempotent while a build is queued or
    running."""
    with transaction.atomic():
        req = Request.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if req.status != Status.READY:
            raise TransitionNotAllowed(
                _("%(number)s is %(status)s; only a request ready to release can be released.")
                % {"number": req.number, "status": req.get_status_display()},
                code="not_ready",
            )
        if not _has_pages(req):
            raise ValidationError(
                _("Add at least one record document (with pages left in) before releasing."),
                code="empty",
            )
        from .clocks_requester import release_blocked_by_expiry

        blocked = release_blocked_by_expiry(req)
        if blocked:
            raise ValidationError(blocked, code="authorization_expired")
        packet, created = Packet.objects.get_or_create(request=req)
        if not created and packet.state in BUSY_STATES and not _is_stale(packet, req):
            return packet  # a second click: the build already queued does the work
        # Conditional on the state and lease read: only the transaction that moves it to
        # queued enqueues a task, and a build that claimed it meanwhile keeps it.
        reset = Packet.objects.filter(
            pk=packet.pk, state=packet.state, lease_until=packet.lease_until
        ).update(
            state=Packet.State.QUEUED,
            progress=0,
            error="",
            lease_until=timezone.now() + QUEUED_GRACE,
        )
        if not reset:
            packet.refresh_from_db()
            return packet
        event_record(
            request=req,
            kind=TimelineEvent.Kind.SYSTEM,
            actor=actor,
            action="packet_build",
            reason=_("Release requested: building the packet."),
            data={"packet": packet.pk},
            visible_to_requester=False,
        )
        from ..tasks.packets import build_packet as build_task

        actor_id = actor.pk if getattr(actor, "pk", None) else None
        packet_id = packet.pk
        enqueue_on_commit(build_task, packet_id, actor_id)
    packet.refresh_from_db()
    return packet


def _has_pages(req: Request) -> bool:
    return any(
        doc.page_count > len(doc.excluded_pages or [])
        for doc in req.documents.filter(excluded=False)
    )


def _invoice(req: Request) -> tuple[tuple[InvoiceLine, ...], Decimal, str]:
    """The fee estimate stored at submission."""
    fee = req.stored_fee()
    if fee is None:
        return (), Decimal("0"), ""
    lines = tuple(
        InvoiceLine(line.label, line.quantity, line.unit_price, line.amount) for line in fee.lines
    )
    return lines, fee.total, fee.basis


def _letter_text(req: Request) -> LetterText | None:
    texts = LetterText.objects.filter(entity=req.entity, kind=LetterText.Kind.COVER)
    return texts.filter(language=req.language).first() or texts.filter(language="en").first()


def packet_letter_info(req: Request) -> LetterInfo:
    """Everything the cover letter and invoice print, as plain values."""
    entity = req.entity
    policy = getattr(entity, "policy", None)
    text = _letter_text(req)
    lines, total, basis = _invoice(req)
    requester = req.requester
    phone = entity.phone or (policy.help_phone if policy else "") or entity.organization.help_phone
    return LetterInfo(
        language=req.language,
        letter_date=entity_today(entity),
        request_number=req.number,
        bates_prefix=entity.bates_prefix,
        entity_name=entity.name,
        organization_name=entity.organization.name,
        department=entity.him_department,
        entity_address=entity.address,
        phone=phone,
        fax=entity.fax,
        email=entity.email,
        help_hours=policy.help_hours if policy else "",
        patient_name=req.patient.full_name,
        patient_birth_date=req.patient.date_of_birth,
        recipient_name=req.recipient_name or str(requester),
        recipient_address=req.recipient_address or requester.address,
        due_date=req.current_due_on,
        subject=text.subject if text else "",
        body=text.body if text else "",
        invoice_lines=lines,
        invoice_total=total,
        invoice_basis=basis,
        footer=packet_footer(),
    )


def _copy_sources(req: Request, folder: Path) -> list[SourceDocument]:
    """Copies of the stored files, in packet order: the build reads local files, whatever the
    storage backend is, and never sees a file change under it."""
    documents = []
    for doc in req.documents.filter(excluded=False).order_by("position", "id"):
        target = folder / f"{doc.pk}"
        try:
            with doc.file.open("rb") as source, target.open("wb") as copy:
                shutil.copyfileobj(source, copy, 1024 * 1024)
        except (OSError, ValueError) as exc:  # ValueError: the field has no file
            raise SourceError(doc.title, "missing", str(exc)) from exc
        documents.append(
            SourceDocument(
                title=doc.title,
                path=target,
                original_name=doc.original_name,
                excluded_pages=frozenset(doc.excluded_pages or []),
                expected_sha256=doc.sha256,
            )
        )
    return documents


def _fail(packet: Packet, lease: Any, message: str, actor: Any) -> Packet:
    """Mark the build failed, if it is still this build's; the request stays READY."""
    with transaction.atomic():
        updated = Packet.objects.filter(
            pk=packet.pk, state=Packet.State.BUILDING, lease_until=lease
        ).update(state=Packet.State.FAILED, progress=0, error=message, lease_until=None)
        if updated:
            event_record(
                request=packet.request,
                kind=TimelineEvent.Kind.SYSTEM,
                actor=actor,
                action="packet_failed",
                reason=message,
                visible_to_requester=False,
            )
    packet.refresh_from_db()
    return packet


def _progress_saver(packet_id: int, lease: Any):
    last = {"value": 0}

    def save(value: int) -> None:
        value = max(0, min(99, int(value)))  # 100 only once built and stored
        if value - last["value"] >= _PROGRESS_STEP:
            last["value"] = value
            # Outside any transaction: the page polling it sees it at once.
            Packet.objects.filter(
                pk=packet_id, state=Packet.State.BUILDING, lease_until=lease
            ).update(progress=value)

    return save


def packet_requeue_interrupted(*, packet_id: int, now: Any = None) -> bool:
    """A build whose lease expired (its worker died) goes back to QUEUED, with a timeline
    entry. True when this call did it (the recovery sweep then publishes the build again)."""
    now = now or timezone.now()
    with transaction.atomic():
        moved = Packet.objects.filter(
            pk=packet_id, state=Packet.State.BUILDING, lease_until__lt=now
        ).update(state=Packet.State.QUEUED, progress=0, lease_until=now + QUEUED_GRACE)
        if moved:
            request = Request.objects.get(packet__pk=packet_id)
            event_record(
                request=request,
                kind=TimelineEvent.Kind.SYSTEM,
                action="packet_interrupted",
                reason=_("The packet build stopped before finishing; it starts again."),
                data={"packet": packet_id},
                visible_to_requester=False,
            )
    return bool(moved)


def _claim(packet_id: int) -> Any:
    """Take the build: the new lease (the build's token), or None when there is nothing to
    take. A conditional UPDATE and its row count: two deliveries never both build, on
    SQLite too, where select_for_update does nothing."""
    packet_requeue_interrupted(packet_id=packet_id)
    lease = timezone.now() + LEASE
    claimed = Packet.objects.filter(pk=packet_id, state=Packet.State.QUEUED).update(
        state=Packet.State.BUILDING, progress=1, error="", lease_until=lease
    )
    return lease if claimed else None


def _interruptions(req: Request) -> int:
    """How many builds since the last Release press died with their worker."""
    events = TimelineEvent.objects.filter(request=req, action="packet_interrupted")
    requested = _build_requested_at(req)
    if requested is not None:
        events = events.filter(at__gte=requested)
    return events.count()


def packet_build(*, packet_id: int, actor_id: int | None = None) -> Packet:
    """Build the packet and release the request. A repeated delivery returns the packet as it
    is (built, failed), or raises PacketBusy while another build holds a live lease."""
    lease = _claim(packet_id)
    packet = Packet.objects.select_related(
        "request__entity__organization",
        "request__entity__policy",
        "request__patient",
        "request__requester",
    ).get(pk=packet_id)
    if lease is None:
        if packet.state == Packet.State.BUILDING and packet.lease_until:
            raise PacketBusy(packet.pk, packet.lease_until)
        return packet
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    req = packet.request
    from .clocks_requester import release_blocked_by_expiry

    # Checked again here: the build may run long after Release was pressed (a broker outage).
    blocked = release_blocked_by_expiry(req)
    if blocked:
        return _fail(packet, lease, blocked, actor)
    if _interruptions(req) >= MAX_INTERRUPTIONS:
        return _fail(
            packet,
            lease,
            _(
                "The packet build stopped %(count)s times before finishing (the worker ran out "
                "of memory or time). Nothing was released. Split the largest documents, then "
                "release again; if it fails again, tell the help desk."
            )
            % {"count": MAX_INTERRUPTIONS},
            actor,
        )
    with (
        tempfile.TemporaryDirectory(prefix="packet-") as folder,
        translation.override(req.language),
    ):
        out = Path(folder) / "packet.pdf"
        try:
            sources = _copy_sources(req, Path(folder))
            result = build_packet(
                documents=sources,
                bates_prefix=bates_prefix(req),
                footer=packet_footer(),
                out=out,
                render_letters=letters_renderer(packet_letter_info(req)),
                request_number=req.number,
                title=_("Records released for request %(number)s") % {"number": req.number},
                progress=_progress_saver(packet.pk, lease),
            )
        except SourceError as exc:
            logger.info("Packet %s failed on a document: %s", packet.pk, exc)
            return _fail(packet, lease, exc.message, actor)
        except EmptyPacket:
            return _fail(
                packet, lease, _("Nothing to release: every document or page is excluded."), actor
            )
        except Exception:
            logger.exception("Packet %s could not be built", packet.pk)
            _fail(
                packet,
                lease,
                _(
                    "The packet could not be built because of an error on our side. Nothing "
                    "was released. Try again; if it fails again, tell the help desk."
                ),
                actor,
            )
            raise
        return _store_and_release(packet, lease, result, out, actor)


def _store_and_release(packet: Packet, lease: Any, result: Any, out: Path, actor: Any) -> Packet:
    storage = Packet._meta.get_field("file").storage
    stored = ""
    previous = ""
    try:
        with transaction.atomic():
            locked = Packet.objects.select_for_update().get(pk=packet.pk)
            if locked.state != Packet.State.BUILDING or locked.lease_until != lease:
                return locked  # no longer this build's (requeued, taken over, reset)
            previous = locked.file.name or ""
            with out.open("rb") as handle:
                locked.file.save(f"{locked.request.number}.pdf", File(handle), save=False)
            stored = locked.file.name
            locked.page_count = result.page_count
            locked.sha256 = result.sha256
            locked.manifest = result.manifest
            locked.built_at = timezone.now()
            locked.state = Packet.State.BUILT
            locked.progress = 100
            locked.error = ""
            locked.lease_until = None
            locked.save()
            request_release(
                locked.request_id,
                actor=actor,
                note=_("Packet of %(pages)s pages, SHA-256 %(sha256)s.")
                % {"pages": result.page_count, "sha256": result.sha256},
            )
            if previous and previous != stored:
                # A packet built before a reopen: the new one replaces it once committed.
                transaction.on_commit(lambda: storage.delete(previous))
    except ValidationError as exc:  # TransitionNotAllowed: no longer READY
        if stored:
            storage.delete(stored)
        message = _("Nothing was released: %(reason)s") % {"reason": " ".join(exc.messages)}
        return _fail(packet, lease, message, actor)
    except BaseException:
        if stored:
            storage.delete(stored)
        raise
    packet.refresh_from_db()
    return packet


def packet_record_download(*, packet: Packet, actor: Any) -> TimelineEvent:
    """Staff downloaded the released packet: an internal timeline entry (who, when, which)."""
    return event_record(
        request=packet.request,
        kind=TimelineEvent.Kind.DOWNLOAD,
        actor=actor,
        action="packet_download",
        reason=_("Packet downloaded by staff."),
        data={"packet": packet.pk, "sha256": packet.sha256},
        visible_to_requester=False,
    )
