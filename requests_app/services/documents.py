"""Record documents: what staff gather for release, in the order it goes into the packet.

Staff add files (PDF, TIFF, JPEG, PNG; multi-page TIFF and PDF), move them up and down, leave
pages out ("3, 5-7") or a whole document out. Files are judged by their content, never by their
name; a file that cannot go into a packet (encrypted, damaged, not a record format) is refused
when it is added, with a message naming it.

Changes are allowed only while the request is open and no packet is being built or has been
released: the packet must show exactly what staff saw. Each change locks the request row (so
two clerks moving documents at once do not interleave positions) and writes an internal
timeline event.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..models import Packet, RecordDocument, Request, TimelineEvent
from ..packets import PageRangeError, SourceError, format_page_ranges, inspect_source
from ..packets import parse_page_ranges as _parse
from .timeline import event_record
from .uploads import file_sha256

# Stated on the page. A scanned chart of a few hundred pages at 300 dpi fits; bigger ones can
# be split into several documents.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
BUSY_STATES = (Packet.State.QUEUED, Packet.State.BUILDING)


def _locked(request: Request) -> Request:
    # of=("self",): lock the request row only, as services/transitions.py does.
    return Request.objects.select_for_update(of=("self",)).get(pk=request.pk)


def documents_editable_reason(request: Request) -> str:
    """Why the documents cannot be changed now, or "" when they can."""
    if not request.is_open:
        return _("Records can be changed only while the request is open.")
    state = Packet.objects.filter(request_id=request.pk).values_list("state", flat=True).first()
    if state in BUSY_STATES:
        return _("The packet is being built. Wait until it is done, then change the records.")
    return ""


def _check_editable(request: Request) -> None:
    reason = documents_editable_reason(request)
    if reason:
        raise ValidationError(reason, code="locked")


def _record(request: Request, actor: Any, action: str, reason: str, data: dict) -> None:
    event_record(
        request=request,
        kind=TimelineEvent.Kind.DOCUMENT,
        actor=actor,
        action=action,
        reason=reason,
        data=data,
        visible_to_requester=False,  # staff work in progress, not news for the requester
    )


def _inspect(upload: UploadedFile, name: str):
    path = getattr(upload, "temporary_file_path", None)
    source = Path(path()) if path else upload.file
    try:
        return inspect_source(source, name)
    except SourceError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    finally:
        upload.seek(0)


def document_add(
    *, request: Request, actor: Any, upload: UploadedFile, title: str = ""
) -> RecordDocument:
    """Check the file by its content, store it through the storage API, put it last."""
    original_name = PurePath(upload.name or "document").name[:255] or "document"
    title = (title or "").strip()[:200] or PurePath(original_name).stem[:200] or original_name
    size = upload.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s. A document can be at most %(limit)s; split it.")
            % {
                "name": original_name,
                "size": filesizeformat(size),
                "limit": filesizeformat(MAX_DOCUMENT_BYTES),
            },
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": original_name}, code="empty")
    _check_editable(request)  # before the slow part, so a locked request answers at once
    info = _inspect(upload, original_name)
    digest = file_sha256(upload)
    stored_name = ""
    try:
        with transaction.atomic():
            req = _locked(request)
            _check_editable(req)
            twin = req.documents.filter(sha256=digest).first()
            if twin is not None:
                raise ValidationError(
                    _("This file was already added as “%(title)s”.") % {"title": twin.title},
                    code="duplicate",
                )
            last = req.documents.aggregate(last=Max("position"))["last"]
            document = RecordDocument(
                request=req,
                title=title,
                original_name=original_name,
                content_type=info.content_type,
                page_count=info.page_count,
                sha256=digest,
                position=(last or 0) + 1,
                added_by=actor if getattr(actor, "pk", None) else None,
            )
            document.file.save(f"document{info.suffix}", upload, save=False)
            stored_name = document.file.name
            document.save()
            _record(
                req,
                actor,
                "document_add",
                title,
                {"document": document.pk, "pages": info.page_count, "sha256": digest},
            )
    except BaseException:
        # The row was rolled back; the file must not stay behind in storage.
        if stored_name:
            RecordDocument._meta.get_field("file").storage.delete(stored_name)
        raise
    return document


def _locked_document(document: RecordDocument) -> tuple[Request, RecordDocument]:
    req = _locked(document.request)
    _check_editable(req)
    return req, req.documents.get(pk=document.pk)


def document_move(*, document: RecordDocument, actor: Any, direction: str) -> RecordDocument:
    """Swap the document with its neighbour above ("up") or below ("down"). Positions are
    renumbered 1..n, so gaps and ties left by older data disappear."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Choose up or down."), code="direction")
    with transaction.atomic():
        req, doc = _locked_document(document)
        ordered = list(req.documents.order_by("position", "id"))
        index = next(i for i, d in enumerate(ordered) if d.pk == doc.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(ordered):
            ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, item in enumerate(ordered, start=1):
            item.position = position
        RecordDocument.objects.bulk_update(ordered, ["position"])
        moved = ordered[other if 0 <= other < len(ordered) else index]
        _record(
            req,
            actor,
            "document_move",
            moved.title,
            {"document": moved.pk, "direction": direction, "position": moved.position},
        )
    return moved


def document_exclude_pages(*, document: RecordDocument, actor: Any, pages: str) -> RecordDocument:
    """Leave out the pages in `pages` ("3, 5-7"); empty text puts every page back."""
    with transaction.atomic():
        req, doc = _locked_document(document)
        try:
            excluded = _parse(pages, doc.page_count)
        except PageRangeError as exc:
            raise ValidationError(_(exc.message) % exc.params, code="pages") from exc
        if doc.page_count and len(excluded) >= doc.page_count:
            raise ValidationError(
                _(
                    "That leaves out every page of “%(title)s”. To leave the whole document "
                    "out, use “Exclude document”."
                )
                % {"title": doc.title},
                code="all_pages",
            )
        doc.excluded_pages = excluded
        doc.save(update_fields=["excluded_pages"])
        _record(
            req,
            actor,
            "document_pages",
            doc.title,
            {"document": doc.pk, "excluded_pages": excluded, "pages": format_page_ranges(excluded)},
        )
    return doc


def document_set_excluded(
    *, document: RecordDocument, actor: Any, excluded: bool
) -> RecordDocument:
    """Leave the whole document out of the packet, or put it back."""
    with transaction.atomic():
        req, doc = _locked_document(document)
        if doc.excluded != excluded:
            doc.excluded = excluded
            doc.save(update_fields=["excluded"])
            _record(
                req,
                actor,
                "document_exclude" if excluded else "document_include",
                doc.title,
                {"document": doc.pk},
            )
    return doc
