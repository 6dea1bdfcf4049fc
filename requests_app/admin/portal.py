"""What the patient portal keeps between steps: visible for support, never edited."""

from __future__ import annotations

from django.contrib import admin

from ..models import DraftUpload, EmailCode, RequestDraft
from .base import ReadOnlyAdmin


@admin.register(RequestDraft)
class RequestDraftAdmin(ReadOnlyAdmin):
    fields = (
        "key",
        "user",
        "guest_email",
        "language",
        "step",
        "created_at",
        "updated_at",
        "submitted_at",
        "submission",
    )
    list_display = ("key", "user", "guest_email", "step", "updated_at", "submitted_at")
    list_filter = ("step", ("submitted_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("key", "guest_email", "user__username", "user__email")


@admin.register(DraftUpload)
class DraftUploadAdmin(ReadOnlyAdmin):
    fields = ("draft", "kind", "original_name", "content_type", "size", "sha256", "uploaded_at")
    list_display = ("original_name", "kind", "draft", "size", "uploaded_at")
    list_filter = ("kind",)
    list_select_related = ("draft",)


@admin.register(EmailCode)
class EmailCodeAdmin(ReadOnlyAdmin):
    # The code itself is never shown: only its keyed hash is stored.
    fields = ("email", "purpose", "created_at", "expires_at", "attempts", "used_at")
    list_display = ("email", "purpose", "created_at", "expires_at", "attempts", "used_at")
    list_filter = ("purpose",)
    search_fields = ("email",)
