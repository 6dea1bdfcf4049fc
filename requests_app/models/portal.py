"""What the patient portal keeps between steps: wizard drafts with their uploads, and the
one-time codes that confirm a guest's email address."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .documents import Attachment
from .people import LANGUAGE_CHOICES


class RequestDraft(models.Model):
    """A request being filled in. Every wizard step saves here, so a closed browser loses
    nothing; on submit the draft becomes one request per covered entity."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="request_drafts",
    )
    # A guest files without an account once this address is confirmed with a one-time code.
    guest_email = models.EmailField(blank=True)
    language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    step = models.CharField(max_length=30, default="whose")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(guest_email=""),
                name="draft_has_an_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft {self.key} ({self.step})"


def draft_upload_path(instance: DraftUpload, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"drafts/{instance.draft_id}/{uuid.uuid4().hex}{suffix}"


class DraftUpload(models.Model):
    draft = models.ForeignKey(RequestDraft, on_delete=models.CASCADE, related_name="uploads")
    kind = models.CharField(max_length=30, choices=Attachment.Kind.choices)
    file = models.FileField(upload_to=draft_upload_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


def hash_code(email: str, code: str) -> str:
    """Codes are stored as keyed hashes: a database dump gives no usable code."""
    message = f"{email.strip().lower()}:{code.strip()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


class EmailCode(models.Model):
    """A six-digit code emailed to confirm an address (guest filing, guest tracking)."""

    class Purpose(models.TextChoices):
        GUEST_FILING = "guest_filing", _("File a request without an account")
        GUEST_TRACKING = "guest_tracking", _("Follow a request without an account")

    email = models.EmailField(db_index=True)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} code for {self.email}"
