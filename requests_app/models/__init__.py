from .authorization import Authorization
from .documents import Attachment, Letter, Packet, RecordDocument
from .notifications import ClockAlert, Notification
from .organization import (
    Closure,
    DeadlinePolicy,
    Entity,
    EntityPolicy,
    LetterText,
    Location,
    Organization,
)
from .people import Patient, Requester
from .portal import DraftUpload, EmailCode, RequestDraft
from .request import Channel, ClockState, Request, RequestedItem, RequestNumberCounter
from .staff import StaffMembership
from .timeline import Disclosure, TimelineEvent

__all__ = [
    "Attachment",
    "Authorization",
    "Channel",
    "ClockAlert",
    "ClockState",
    "Closure",
    "DeadlinePolicy",
    "Disclosure",
    "DraftUpload",
    "EmailCode",
    "Entity",
    "EntityPolicy",
    "Letter",
    "LetterText",
    "Notification",
    "Location",
    "Organization",
    "Packet",
    "Patient",
    "RecordDocument",
    "Request",
    "RequestDraft",
    "RequestNumberCounter",
    "RequestedItem",
    "Requester",
    "StaffMembership",
    "TimelineEvent",
]
