"""Staff workspace: the request file, everything about one request on one page, and the
permission-checked views of its attachments and letters. The actions live in
request_file_actions.py; their routes are added here."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from PIL import Image

from ...access.staff import get_staff_request_or_404
from ...models import Letter, TimelineEvent
from ...services.letters import letter_retry
from .decorators import staff_required
from .files import private_file
from .request_file_action_view import urlpatterns as action_urlpatterns
from .request_file_context import letters_context, request_file_context

# Browsers show PDFs, JPEGs and PNGs; fax TIFFs and phone HEIC photos are shown as a PNG of
# their first page.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
PREVIEW_TYPES = frozenset({"image/tiff", "image/heic"})


@staff_required
def request_file(request: HttpRequest, number: str) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    return render(request, "staff/request_file.html", request_file_context(req, request.user))


@staff_required
def request_letters(request: HttpRequest, number: str) -> HttpResponse:
    """The letters panel alone: htmx polls it while a letter is being rendered."""
    req = get_staff_request_or_404(request.user, number)
    events = [e for e in req.events.all() if "letter_kind" in (e.data or {})]
    context = {"req": req, **letters_context(req, events)}
    with timezone.override(ZoneInfo(req.entity.timezone)):
        return render(request, "staff/request_file/_letters.html", context)


def _png_preview(file) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    with Image.open(file) as image:
        image.seek(0)
        image.thumbnail((1600, 2200))
        buffer = io.BytesIO()
        image.convert("RGB" if image.mode not in ("1", "L", "RGB") else image.mode).save(
            buffer, "PNG"
        )
    return buffer.getvalue()


@staff_required
def request_attachment(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    attachment = get_object_or_404(req.attachments, pk=pk)
    if request.GET.get("preview") and attachment.content_type in PREVIEW_TYPES:
        with attachment.file.open("rb") as fh:
            png = _png_preview(fh)
        return private_file(
            FileResponse(io.BytesIO(png), content_type="image/png"),
            f"{attachment.original_name}.png",
        )
    content_type = attachment.content_type
    if content_type not in INLINE_TYPES | PREVIEW_TYPES:
        content_type = "application/octet-stream"
    response = FileResponse(attachment.file.open("rb"), content_type=content_type)
    return private_file(response, attachment.original_name)


@staff_required
def request_letter(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    letter = get_object_or_404(Letter, request=req, pk=pk)
    response = FileResponse(letter.file.open("rb"), content_type="application/pdf")
    return private_file(response, f"{letter.kind}-{req.number}.pdf")


@require_POST
@staff_required
def request_letter_retry(request: HttpRequest, number: str, event_id: int) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    event = get_object_or_404(TimelineEvent, request=req, pk=event_id)
    if "letter_kind" not in (event.data or {}):
        raise Http404
    letter_retry(event_id=event.pk)
    messages.info(request, _("The letter is being prepared again."))
    return redirect("staff:request_file", number=req.number)


urlpatterns: list[URLPattern] = [
    path("requests/<str:number>/", request_file, name="request_file"),
    path("requests/<str:number>/letters/", request_letters, name="request_letters"),
    path("requests/<str:number>/letters/<int:pk>/", request_letter, name="request_letter"),
    path(
        "requests/<str:number>/letters/retry/<int:event_id>/",
        request_letter_retry,
        name="request_letter_retry",
    ),
    path(
        "requests/<str:number>/attachments/<int:pk>/",
        request_attachment,
        name="request_attachment",
    ),
    *action_urlpatterns,
]
