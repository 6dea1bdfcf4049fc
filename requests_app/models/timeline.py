"""What happened to a request, and the accounting-of-disclosures log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..workflow import Status
from .people import Patient
from .request import Request


class TimelineEvent(models.Model):
    """One row per status change, note, message or other fact. Written in the same transaction
    as the change it describes, so the timeline never disagrees with the status."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Request received")
        STATUS = "status", _("Status change")
        EXTENSION = "extension", _("Deadline extended")
        ASSIGNMENT = "assignment", _("Assignment")
        NOTE = "note", _("Internal note")
        MESSAGE_TO_REQUESTER = "message_out", _("Message to the requester")
        MESSAGE_FROM_REQUESTER = "message_in", _("Message from the requester")
        DOCUMENT = "document", _("Document")
        AUTHORIZATION = "authorization", _("Authorization")
        DOWNLOAD = "download", _("Download")
        SYSTEM = "system", _("System")
        EMAIL = "email", _("Email")
        CLOCK = "clock", _("Legal clock")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=30, blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Internal notes stay with staff; everything else the requester may see.
    visible_to_requester = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request.number} {self.at:%Y-%m-%d %H:%M} {self.kind}"


class Disclosure(models.Model):
    """The accounting log (164.528): every release to someone other than the patient.
    `accountable` is False for the exempt ones (treatment, under authorization...), which are
    still logged for the audit trail but left out of the patient's accounting."""

    class Exemption(models.TextChoices):
        NONE = "", _("Not exempt")
        TREATMENT = "treatment", _("Treatment, payment or operations")
        AUTHORIZATION = "authorization", _("Under the patient's authorization")
        TO_PATIENT = "to_patient", _("To the patient or at the patient's direction")
        OTHER = "other", _("Other exemption")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="disclosures")
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="disclosures"
    )
    disclosed_on = models.DateField()
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField(blank=True)
    description = models.TextField()
    purpose = models.CharField(max_length=300)
    exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-disclosed_on", "-id"]
        constraints = [
            # Building a packet twice must not log the disclosure twice.
            models.UniqueConstraint(fields=["request"], name="disclosure_once_per_request"),
        ]

    def __str__(self) -> str:
        return f"{self.disclosed_on} to {self.recipient_name}"

    @property
    def accountable(self) -> bool:
        return not self.exemption
