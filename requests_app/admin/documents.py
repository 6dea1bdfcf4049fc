"""Files: uploads from requesters, records staff gathered, and the released packet.

All are written by services (checksums, page counts, the packet build), so the admin only
shows them. The stored files are not linked here: they hold PHI and are served only through
the staff workspace's access checks, not by a plain media URL.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..models import Attachment, Letter, Packet, RecordDocument
from .base import ReadOnlyAdmin, ReadOnlyTabularInline


class AttachmentInline(ReadOnlyTabularInline):
    model = Attachment
    fields = ("kind", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("uploaded_by")


class RecordDocumentInline(ReadOnlyTabularInline):
    model = RecordDocument
    fields = (
        "position",
        "title",
        "original_name",
        "page_count",
        "excluded",
        "added_by",
        "added_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("added_by")


class PacketInline(ReadOnlyTabularInline):
    model = Packet
    fields = ("state", "progress", "page_count", "built_at", "error")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The row prints the packet's __str__, which reads the request number.
        return super().get_queryset(request).select_related("request")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    fields = (
        "request",
        "kind",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    list_display = (
        "original_name",
        "kind",
        "request",
        "content_type",
        "file_size",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("kind", ("uploaded_at", admin.DateFieldListFilter))
    list_select_related = ("request", "uploaded_by")
    search_fields = ("request__number", "original_name", "sha256")
    ordering = ("-uploaded_at", "-id")

    @admin.display(description=_("size"), ordering="size")
    def file_size(self, obj: Attachment) -> str:
        return filesizeformat(obj.size)


@admin.register(RecordDocument)
class RecordDocumentAdmin(ReadOnlyAdmin):
    fields = (
        "request",
        "title",
        "original_name",
        "content_type",
        "page_count",
        "excluded_pages",
        "excluded",
        "position",
        "sha256",
        "added_by",
        "added_at",
    )
    list_display = (
        "title",
        "request",
        "page_count",
        "excluded",
        "position",
        "added_by",
        "added_at",
    )
    list_filter = ("excluded", ("added_at", admin.DateFieldListFilter))
    list_select_related = ("request", "added_by")
    search_fields = ("request__number", "title", "original_name", "sha256")


@admin.register(Packet)
class PacketAdmin(ReadOnlyAdmin):
    fields = (
        "request",
        "state",
        "progress",
        "error",
        "page_count",
        "sha256",
        "manifest",
        "built_at",
    )
    list_display = ("request", "state", "progress", "page_count", "built_at")
    list_filter = ("state", ("built_at", admin.DateFieldListFilter))
    list_select_related = ("request",)
    search_fields = ("request__number", "sha256")


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    # Letters are what went out in writing: part of the record, never edited here.
    fields = (
        "request",
        "kind",
        "language",
        "page_count",
        "sha256",
        "visible_to_requester",
        "created_by",
        "created_at",
    )
    list_display = ("request", "kind", "language", "page_count", "created_at")
    list_filter = ("kind", "language", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("request",)
    search_fields = ("request__number", "sha256")
