"""Files: what requesters upload, what staff gather, and the released packet. All stored
through Django's storage API under random names; the original name is kept for display."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .request import Request


def _random_name(folder: str, instance: models.Model, filename: str) -> str:
    # Stored under a random name: the original name can carry a patient's name.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{folder}/{instance.request_id}/{uuid.uuid4().hex}{suffix}"


def attachment_path(instance: models.Model, filename: str) -> str:
    return _random_name("attachments", instance, filename)


def record_document_path(instance: models.Model, filename: str) -> str:
    return _random_name("records", instance, filename)


def packet_path(instance: models.Model, filename: str) -> str:
    return _random_name("packets", instance, filename)


def letter_path(instance: models.Model, filename: str) -> str:
    return _random_name("letters", instance, filename)


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO_ID = "photo_id", _("Photo ID")
        REPRESENTATIVE_AUTHORITY = "representative_authority", _("Proof of authority")
        DEATH_CERTIFICATE = "death_certificate", _("Death certificate")
        SCANNED_AUTHORIZATION = "scanned_authorization", _("Scanned authorization")
        OTHER = "other", _("Other")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class RecordDocument(models.Model):
    """A record staff gathered for release; `position` orders it in the packet."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=record_document_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    page_count = models.PositiveIntegerField(default=0)
    excluded_pages = models.JSONField(default=list, blank=True)
    excluded = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["request", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Packet(models.Model):
    """The one PDF released for a request. One per request: building twice reuses it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Building")
        BUILT = "built", _("Built")
        FAILED = "failed", _("Failed")

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="packet")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=packet_path, blank=True)
    page_count = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(default=list, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    # While BUILDING: the build's claim. A task cannot outlive Celery's hard time limit, so a
    # claim past it means the worker died; the next delivery may take the build over.
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Packet for {self.request.number}"


class Letter(models.Model):
    """A letter the entity sent about a request (denial, extension notice, amendment outcome,
    accounting report...), kept as the PDF that went out. The requester sees it in the portal."""

    class Kind(models.TextChoices):
        DENIAL = "denial", _("Denial letter")
        PARTIAL_DENIAL = "partial_denial", _("Partial denial letter")
        EXTENSION = "extension", _("Extension notice")
        PENDING = "pending", _("Missing information notice")
        AMENDMENT_ACCEPTED = "amendment_accepted", _("Amendment accepted")
        AMENDMENT_DENIAL = "amendment_denial", _("Amendment denial letter")
        ACCOUNTING = "accounting", _("Accounting of disclosures")
        COVER = "cover", _("Release cover letter")
        CLOSURE = "closure", _("Closure notice")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    language = models.CharField(max_length=5, default="en")
    file = models.FileField(upload_to=letter_path)
    page_count = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    visible_to_requester = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.request.number}"
