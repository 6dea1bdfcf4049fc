"""What a requester does with a request they filed: reply to staff (with files), withdraw it,
revoke the authorization, and download the released packet (each download recorded).

The caller has already checked, through access/portal.py, that this person may see the
request. A signed-in requester is the `actor`; a guest (no account, email confirmed with a
one-time code) acts with actor=None and is named by `guest_email` in the event data, so the
timeline always says who did what.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Attachment, Authorization, Packet, Request, TimelineEvent
from ..workflow import Status
from .errors import TransitionNotAllowed
from .notifications_staff import requester_action_notify
from .requester_uploads import uploads_check
from .timeline import event_record
from .transitions import request_withdraw

MAX_MESSAGE_CHARS = 5000


def _who(actor: Any, guest_email: str | None) -> dict[str, str]:
    if getattr(actor, "pk", None):
        return {"by": "requester"}
    if guest_email:
        return {"by": "guest", "guest_email": guest_email.strip().lower()}
    raise ValueError("A requester action needs a signed-in actor or a confirmed guest email.")


def _guest_label(actor: Any, guest_email: str | None) -> str:
    # event_record labels a missing actor "System"; a guest is a person, named by address.
    if not getattr(actor, "pk", None) and guest_email:
        return _("%(email)s (guest)") % {"email": guest_email.strip().lower()}
    return ""


def _locked(request: Request) -> Request:
    # The same row lock the status transitions take, so a reply or a revocation is ordered
    # with a concurrent staff resume or release and never reads a status about to change.
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("entity", "requester")
        .get(pk=request.pk)
    )


@transaction.atomic
def request_reply(
    *,
    request: Request,
    text: str,
    files: list[UploadedFile] | None = None,
    actor: Any = None,
    guest_email: str | None = None,
) -> TimelineEvent:
    """A message from the requester to staff, with files stored as attachments. While the
    request waits for the requester, the reply does not move the status (staff check it and
    resume); the event records that it answers what we asked for."""
    who = _who(actor, guest_email)
    text = (text or "").strip()
    files = list(files or [])
    # Errors are keyed by the form field they belong to, so the page shows each one there.
    if not text and not files:
        raise ValidationError({"text": _("Write a message or add a file.")})
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            {"text": _("Keep the message under %(n)d characters.") % {"n": MAX_MESSAGE_CHARS}}
        )
    try:
        checked = uploads_check(files)
    except ValidationError as exc:
        raise ValidationError({"files": exc.messages}) from exc
    locked = _locked(request)
    attachments = []
    for upload in checked:
        attachment = Attachment(
            request=locked,
            kind=Attachment.Kind.OTHER,
            original_name=upload.original_name,
            content_type=upload.checked.content_type,
            size=upload.checked.size,
            sha256=upload.checked.sha256,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        # Stored under a random name with the suffix of the real type (documents.py).
        attachment.file.save(f"reply{upload.checked.suffix}", File(upload.file), save=False)
        attachment.save()
        attachments.append(attachment)
    answers_pending = locked.status == Status.PENDING_REQUESTER
    event = event_record(
        request=locked,
        kind=TimelineEvent.Kind.MESSAGE_FROM_REQUESTER,
        actor=actor,
        action="reply",
        reason=text,
        data={
            **who,
            "files": [a.original_name for a in attachments],
            "attachments": [a.pk for a in attachments],
            "answers_pending": answers_pending,
        },
        visible_to_requester=True,
        notify=True,  # a receipt to the requester (and to whoever wrote, if someone else)
        label=_guest_label(actor, guest_email),
    )
    requester_action_notify(event=event)
    return event


def requester_withdraw(
    *, request: Request, reason: str = "", actor: Any = None, guest_email: str | None = None
) -> Request:
    """Withdraw through the status machine (refused where workflow.can("withdraw") is not),
    naming the requester (or the guest's address) on the event."""
    who = _who(actor, guest_email)
    return request_withdraw(
        request,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason.strip(),
        data=who,
        label=_guest_label(actor, guest_email),
    )


@transaction.atomic
def authorization_revoke(
    *, request: Request, reason: str = "", actor: Any = None, guest_email: str | None = None
) -> Authorization:
    """Revoke the authorization in writing (45 CFR 164.508(b)(5)). It stops future
    disclosures; what was released before is not taken back. Once only: a second call finds
    it revoked and is refused."""
    who = _who(actor, guest_email)
    locked = _locked(request)
    authorization = Authorization.objects.select_for_update().filter(request=locked).first()
    if authorization is None:
        raise ValidationError(_("This request has no authorization to revoke."))
    if authorization.revoked_at is not None:
        raise TransitionNotAllowed(
            _("This authorization was already revoked on %(date)s.")
            % {"date": timezone.localdate(authorization.revoked_at).isoformat()}
        )
    reason = (reason or "").strip()
    authorization.revoked_at = timezone.now()
    authorization.revocation_reason = reason
    authorization.save(update_fields=["revoked_at", "revocation_reason"])
    event = event_record(
        request=locked,
        kind=TimelineEvent.Kind.AUTHORIZATION,
        actor=actor,
        action="revoke",
        reason=reason,
        data={**who, "revoked_at": authorization.revoked_at.isoformat(), "status": locked.status},
        visible_to_requester=True,
        notify=True,
        label=_guest_label(actor, guest_email),
    )
    # Staff must stop any release under it: the assignee hears at once.
    requester_action_notify(event=event)
    return authorization


@transaction.atomic
def packet_download_record(
    *, request: Request, packet: Packet, actor: Any = None, guest_email: str | None = None
) -> TimelineEvent:
    """Every download of a released packet is a timeline row: who and when."""
    event = event_record(
        request=request,
        kind=TimelineEvent.Kind.DOWNLOAD,
        actor=actor,
        action="download",
        data={**_who(actor, guest_email), "packet": packet.pk, "sha256": packet.sha256},
        visible_to_requester=True,
        label=_guest_label(actor, guest_email),
    )
    return event
