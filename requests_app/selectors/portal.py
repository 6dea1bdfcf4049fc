"""What a requester reads about their requests in the portal: the status in plain words, the
list grouped by submission, the timeline, the messages and the letters (after release:
portal_release.py; the short forms' previews: portal_filing.py).

Everything here works on a request the caller already fetched through
access/portal.py (the access check is not repeated here), and reads only what the
requester may see: TimelineEvent rows with visible_to_requester=True, never an internal note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ..choices import DELIVERY_LABELS
from ..models import Attachment, Letter, Request, TimelineEvent
from ..rules.deadlines import rule_text
from ..rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from ..workflow import Status, can

# One short sentence per status, written for the person who asked (DOMAIN.md section 8:
# status the requester can see without phoning).
STATUS_WORDS: dict[str, Any] = {
    Status.SUBMITTED: _("We have your request. We will start on it soon."),
    Status.PENDING_REQUESTER: _("We need something from you. See our message."),
    Status.IN_REVIEW: _("We are checking your request."),
    Status.IN_PROGRESS: _("We are working on your request."),
    Status.READY: _("Your request is done and will be sent shortly."),
    Status.RELEASED: _("Done: we sent what you asked for."),
    Status.CLOSED: _("This request is closed."),
    Status.DENIED: _("We could not do what you asked. The reason is below."),
    Status.PARTIALLY_DENIED: _("We can do only part of what you asked. The reason is below."),
    Status.WITHDRAWN: _("This request was withdrawn."),
}

# A colour family per status for the badge (requests.css); the words carry the meaning.
STATUS_TONE: dict[str, str] = {
    Status.SUBMITTED: "info",
    Status.PENDING_REQUESTER: "action",
    Status.IN_REVIEW: "info",
    Status.IN_PROGRESS: "info",
    Status.READY: "info",
    Status.RELEASED: "done",
    Status.CLOSED: "muted",
    Status.DENIED: "denied",
    Status.PARTIALLY_DENIED: "denied",
    Status.WITHDRAWN: "muted",
}

# What was asked for, in the requester's words rather than the legal category.
KIND_WORDS: dict[str, Any] = {
    RequestKind.ACCESS: _("A copy of the records"),
    RequestKind.DIRECTED: _("A copy sent to someone the patient chose"),
    RequestKind.AUTHORIZED: _("Records released with an authorization"),
    RequestKind.CONTINUITY: _("Records sent to a provider for care"),
    RequestKind.AMENDMENT: _("A correction to the records"),
    RequestKind.ACCOUNTING: _("A list of who received the records (accounting of disclosures)"),
}

# Status events, told by what the action did rather than by the status it reached.
ACTION_WORDS: dict[str, Any] = {
    "start_review": _("We started checking your request."),
    "pend": _("We asked for something we need."),
    "resume": _("We are working on your request again."),
    "verify": _("We checked identity and authority."),
    "deny": _("We denied the request in writing."),
    "partially_deny": _("We denied part of the request in writing."),
    "mark_ready": _("Your request is ready to be sent."),
    "return_to_work": _("We went back to work on your request."),
    "release": _("We sent what you asked for."),
    "close": _("The request was closed."),
    "withdraw": _("The request was withdrawn."),
    "reopen": _("The request was reopened."),
}

# Kinds the requester never sees, whatever the visibility flag says: defence in depth
# against an internal note saved with the wrong flag.
STAFF_ONLY_KINDS = frozenset({TimelineEvent.Kind.NOTE, TimelineEvent.Kind.ASSIGNMENT})

SHIPPED_LABELS: dict[str, Any] = {
    "carrier": _("Carrier"),
    "tracking": _("Tracking number"),
    "tracking_number": _("Tracking number"),
    "on": _("Sent on"),
    "date": _("Sent on"),
    "sent_on": _("Sent on"),
    "to": _("Sent to"),
    "address": _("Sent to"),
    "media": _("Media"),
    "method": _("How"),
    "pages": _("Pages"),
    "fax": _("Fax number"),
}

# Files a requester sends to prove identity or authority: never shown as our letters.
IDENTITY_KINDS = frozenset(
    {
        Attachment.Kind.PHOTO_ID,
        Attachment.Kind.REPRESENTATIVE_AUTHORITY,
        Attachment.Kind.DEATH_CERTIFICATE,
        Attachment.Kind.SCANNED_AUTHORIZATION,
    }
)


def status_in_words(status: str) -> str:
    return str(STATUS_WORDS.get(status, ""))


def status_tone(status: str) -> str:
    return STATUS_TONE.get(status, "info")


def kind_in_words(kind: str) -> str:
    return str(KIND_WORDS.get(kind, kind))


def delivery_in_words(method: str) -> str:
    try:
        return str(DELIVERY_LABELS[DeliveryMethod(method)])
    except (KeyError, ValueError):
        return method


@dataclass(frozen=True)
class Viewer:
    """Who reads the page: a signed-in user's id, or a confirmed guest's address."""

    user_id: int | None
    guest_email: str | None


@dataclass(frozen=True)
class ListedRequest:
    request: Request
    status_words: str
    tone: str
    kind_words: str

    @property
    def extended(self) -> bool:
        return self.request.extended_due_on is not None


@dataclass(frozen=True)
class SubmissionGroup:
    """Requests filed together. A request to a whole organization is split into one request
    per covered entity (routing rule); the list shows them side by side."""

    submission: str
    received_at: datetime
    requests: list[ListedRequest]

    @property
    def is_split(self) -> bool:
        return len(self.requests) > 1


def my_requests_grouped(requests: QuerySet[Request]) -> list[SubmissionGroup]:
    """The viewer's requests, newest submission first, grouped by submission."""
    rows = requests.select_related("entity", "organization").order_by("-received_at", "-id")
    groups: dict[str, SubmissionGroup] = {}
    for req in rows:
        key = str(req.submission)
        group = groups.get(key)
        if group is None:
            group = groups[key] = SubmissionGroup(key, req.received_at, [])
        group.requests.append(
            ListedRequest(
                req, status_in_words(req.status), status_tone(req.status), kind_in_words(req.kind)
            )
        )
    for group in groups.values():
        group.requests.sort(key=lambda item: item.request.entity.name)
    return list(groups.values())


def visible_events(request: Request) -> QuerySet[TimelineEvent]:
    return (
        request.events.filter(visible_to_requester=True)
        .exclude(kind__in=STAFF_ONLY_KINDS)
        .order_by("at", "id")
    )


def _is_mine(event: TimelineEvent, viewer: Viewer) -> bool:
    if viewer.user_id is not None and event.actor_id == viewer.user_id:
        return True
    by_guest = (event.data or {}).get("guest_email")
    return bool(viewer.guest_email and by_guest and by_guest.lower() == viewer.guest_email)


def _who(event: TimelineEvent, request: Request, viewer: Viewer) -> str:
    if _is_mine(event, viewer):
        return str(_("You"))
    requester_side = event.kind == TimelineEvent.Kind.MESSAGE_FROM_REQUESTER or (
        (event.data or {}).get("by") in {"requester", "guest"}
    )
    if requester_side:
        return request.requester.full_name
    # Staff are named by their office: the person may change, the office answers.
    return request.entity.name


def shipped_details(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [
            (str(SHIPPED_LABELS.get(key, key.replace("_", " ").capitalize())), str(item))
            for key, item in value.items()
            if item not in (None, "", [], {})
        ]
    if isinstance(value, list):
        return [detail for item in value for detail in shipped_details(item)]
    if value in (None, "", True, False):
        return []
    return [("", str(value))]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    detail: str
    who: str
    mine: bool
    details: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    letter: Letter | None = None


def _event_title(event: TimelineEvent, mine: bool) -> str:
    K = TimelineEvent.Kind
    if event.kind == K.CREATED:
        return str(_("We received the request."))
    if event.kind == K.STATUS:
        words = ACTION_WORDS.get(event.action)
        return str(words) if words else status_in_words(event.to_status)
    if event.kind == K.EXTENSION:
        return str(_("We need more time to answer."))
    if event.kind == K.MESSAGE_TO_REQUESTER:
        return str(_("We sent you a message."))
    if event.kind == K.MESSAGE_FROM_REQUESTER:
        return str(_("You sent us a message.") if mine else _("A message was sent to us."))
    if event.kind == K.AUTHORIZATION:
        if event.action == "revoke":
            return str(_("The authorization was revoked."))
        return str(_("Authorization"))
    if event.kind == K.DOWNLOAD:
        return str(_("You downloaded the records.") if mine else _("The records were downloaded."))
    if event.kind == K.DOCUMENT:
        return str(_("A document was added."))
    return str(event.get_kind_display())


def _as_date(value: Any) -> str:
    """An ISO date from event data, in the reader's language; anything else as it is."""
    try:
        return date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value or "")


def requester_timeline(request: Request, viewer: Viewer) -> list[TimelineEntry]:
    """What happened and why, oldest first, built only from requester-visible events."""
    entries = []
    # A letter answers one event (services.letters); link it where it happened.
    letters = {letter.pk: letter for letter in request_letters(request)}
    for event in visible_events(request):
        data = event.data or {}
        details = shipped_details(data.get("shipped"))
        if event.kind == TimelineEvent.Kind.CREATED and data.get("rule"):
            # The rule's parts, in the reader's language; an older event stored the words.
            rule = data["rule"]
            words = rule_text(rule) if isinstance(rule, dict) else str(rule)
            if words:
                details.append((str(_("Due date rule")), words))
        if event.kind == TimelineEvent.Kind.EXTENSION and data.get("to"):
            details.append((str(_("New due date")), _as_date(data["to"])))
        mine = _is_mine(event, viewer)
        entries.append(
            TimelineEntry(
                at=event.at,
                kind=event.kind,
                title=_event_title(event, mine),
                detail=event.reason,
                who=_who(event, request, viewer),
                mine=mine,
                details=details,
                files=[str(name) for name in data.get("files", [])],
                letter=letters.get(data.get("letter_id")),
            )
        )
    return entries


@dataclass(frozen=True)
class Message:
    at: datetime
    from_us: bool
    who: str
    text: str
    asks_for_something: bool
    files: list[str]


def requester_messages(request: Request, viewer: Viewer) -> list[Message]:
    """The conversation: staff messages, what a pend asked for, and the requester's replies."""
    K = TimelineEvent.Kind
    messages = []
    for event in visible_events(request).filter(
        kind__in=[K.MESSAGE_TO_REQUESTER, K.MESSAGE_FROM_REQUESTER, K.STATUS]
    ):
        if event.kind == K.STATUS and event.action != "pend":
            continue
        text = event.reason or (event.data or {}).get("text", "")
        messages.append(
            Message(
                at=event.at,
                from_us=event.kind != K.MESSAGE_FROM_REQUESTER,
                who=_who(event, request, viewer),
                text=text,
                asks_for_something=event.kind == K.STATUS,
                files=[str(name) for name in (event.data or {}).get("files", [])],
            )
        )
    return messages


@dataclass(frozen=True)
class PendingAsk:
    """What we are waiting for while the request is pending_requester, and whether the
    requester has answered since we asked (staff then resume the request)."""

    missing: str
    asked_at: datetime
    answered_at: datetime | None


def pending_ask(request: Request) -> PendingAsk | None:
    if request.status != Status.PENDING_REQUESTER:
        return None
    pend = visible_events(request).filter(action="pend").order_by("-at", "-id").first()
    if pend is None:
        return None
    answer = (
        visible_events(request)
        .filter(kind=TimelineEvent.Kind.MESSAGE_FROM_REQUESTER, at__gte=pend.at)
        .order_by("at", "id")
        .first()
    )
    return PendingAsk(pend.reason, pend.at, answer.at if answer else None)


def viewer_filed(request: Request, viewer: Viewer) -> bool:
    """Whether the viewer is the one who filed the request (not the patient following a
    request someone else filed). A guest only ever sees requests filed with the address they
    confirmed (access/portal.py), so a guest is always the requester."""
    if viewer.user_id is not None:
        return request.requester.user_id == viewer.user_id
    return bool(viewer.guest_email)


# Requesters who act as the individual: the patient and personal representatives
# (164.502(g)). A third party or a provider holds the authorization; it is not theirs to revoke.
ACTS_AS_THE_INDIVIDUAL = frozenset(
    {
        RequesterRole.SELF,
        RequesterRole.REPRESENTATIVE,
        RequesterRole.EXECUTOR,
        RequesterRole.NEXT_OF_KIN,
    }
)


def can_withdraw(request: Request, viewer: Viewer) -> bool:
    """Only the one who filed may withdraw, and only where the workflow allows it."""
    return viewer_filed(request, viewer) and can("withdraw", request.status)


def authorization_revocable(request: Request, viewer: Viewer) -> bool:
    """An authorization not yet revoked, and a viewer who may revoke it: the patient, or a
    requester acting as the individual (45 CFR 164.508(b)(5))."""
    authorization = getattr(request, "authorization", None)
    if authorization is None or authorization.revoked_at is not None:
        return False
    is_patient = viewer.user_id is not None and request.patient.user_id == viewer.user_id
    acts_for_patient = viewer_filed(request, viewer) and (
        request.requester.role in ACTS_AS_THE_INDIVIDUAL
    )
    return is_patient or acts_for_patient


def request_letters(request: Request) -> QuerySet[Letter]:
    """The letters the entity sent (amendment outcome, accounting report, denial, extension
    notice...), as the PDFs that went out. Staff make them later; none yet shows nothing."""
    return request.letters.filter(visible_to_requester=True).order_by("created_at", "id")


def staff_documents(request: Request) -> QuerySet[Attachment]:
    """Other documents our staff attached for the requester (not identity papers)."""
    return (
        request.attachments.filter(uploaded_by__is_staff=True)
        .exclude(kind__in=IDENTITY_KINDS)
        .order_by("uploaded_at", "id")
    )


def requester_files(request: Request) -> QuerySet[Attachment]:
    """Files sent with the request or with a reply (names only on the page)."""
    return request.attachments.exclude(uploaded_by__is_staff=True).order_by("uploaded_at", "id")


def accounting_period(request: Request) -> tuple[date, date] | None:
    """The period an accounting request covers, stored as the item's one date range."""
    for item in request.items.all():
        for pair in item.date_ranges or []:
            try:
                return date.fromisoformat(pair[0]), date.fromisoformat(pair[1])
            except (TypeError, ValueError, IndexError):
                continue
    return None


def items_in_words(request: Request) -> Iterable[tuple[str, str, list[tuple[str, str]]]]:
    for item in request.items.all():
        ranges = [(str(pair[0]), str(pair[1])) for pair in item.date_ranges or [] if len(pair) == 2]
        yield item.get_record_type_display(), item.description, ranges
