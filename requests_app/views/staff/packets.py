"""Staff workspace: record documents and the released packet.

Every view finds the request through the staff access helper (404 outside the clerk's
entities), parses one small form, calls one service, adds a message and goes back to the page
the form was on (the request file, or the standalone packet page). Bad input re-renders the
packet page with the message and what was typed, never a 500.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from ...access.staff import get_staff_request_or_404
from ...models import Packet, RecordDocument, Request
from ...services import documents as document_services
from ...services import packets as packet_services
from .decorators import staff_required
from .files import private_file

# --------------------------------------------------------------------------- forms


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Record document"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class PagesForm(forms.Form):
    pages = forms.CharField(max_length=500, required=False)


class ExcludeForm(forms.Form):
    excluded = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")


# ------------------------------------------------------------------------- helpers


def _back(request: HttpRequest, req: Request) -> HttpResponse:
    """To the page the form was on: `next`, else the Referer, else the packet page; only
    staff pages of this site."""
    for candidate in (request.POST.get("next"), request.headers.get("Referer")):
        if not candidate:
            continue
        if url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            # Keep the path only: the Referer is absolute.
            parts = urlsplit(candidate)
            if parts.path.startswith("/staff/"):
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                return redirect(f"{target}#pk-panel")
    return redirect(reverse("staff:packet", args=[req.number]) + "#pk-panel")


def _page_path(request: HttpRequest, req: Request) -> str:
    """The staff page an htmx request came from (htmx sends HX-Current-URL), else the packet
    page."""
    parts = urlsplit(request.headers.get("HX-Current-URL", ""))
    if parts.path.startswith("/staff/") and parts.netloc in ("", request.get_host()):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("staff:packet", args=[req.number])


def _page(request: HttpRequest, req: Request, *, status: int = 200, **panel: Any) -> HttpResponse:
    """The standalone packet page; after bad input, with the message and what was typed."""
    return render(request, "staff/packets/page.html", {"req": req, **panel}, status=status)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _document(req: Request, document_id: int) -> RecordDocument:
    return get_object_or_404(req.documents, pk=document_id)


# --------------------------------------------------------------------------- views


@staff_required
@require_GET
def packet_page(request: HttpRequest, number: str) -> HttpResponse:
    return _page(request, get_staff_request_or_404(request.user, number))


@staff_required
@require_POST
def document_add(request: HttpRequest, number: str) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        error = _("Choose a PDF, TIFF, JPEG or PNG file to add.")
        return _page(
            request, req, status=400, panel_error=error, upload_title=form.data.get("title", "")
        )
    try:
        document = document_services.document_add(
            request=req,
            actor=request.user,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        )
    except ValidationError as exc:
        return _page(
            request,
            req,
            status=400,
            panel_error=_error_text(exc),
            upload_title=form.cleaned_data["title"],
        )
    messages.success(
        request,
        ngettext(
            "Added “%(title)s” (%(pages)s page).",
            "Added “%(title)s” (%(pages)s pages).",
            document.page_count,
        )
        % {"title": document.title, "pages": document.page_count},
    )
    return _back(request, req)


@staff_required
@require_POST
def document_move(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    document = _document(req, document_id)
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose up or down."))
        document_services.document_move(
            document=document, actor=request.user, direction=form.cleaned_data["direction"]
        )
    except ValidationError as exc:
        return _page(request, req, status=400, panel_error=_error_text(exc))
    return _back(request, req)


@staff_required
@require_POST
def document_pages(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    document = _document(req, document_id)
    form = PagesForm(request.POST)
    typed = request.POST.get("pages", "")
    try:
        if not form.is_valid():
            raise ValidationError(_("Write the pages to leave out, such as 3, 5-7."))
        document = document_services.document_exclude_pages(
            document=document, actor=request.user, pages=form.cleaned_data["pages"]
        )
    except ValidationError as exc:
        return _page(
            request,
            req,
            status=400,
            panel_error=_error_text(exc),
            pages_input={"document_id": document.pk, "value": typed},
        )
    if document.excluded_pages:
        messages.success(
            request,
            ngettext(
                "“%(title)s”: %(count)s page left out.",
                "“%(title)s”: %(count)s pages left out.",
                len(document.excluded_pages),
            )
            % {"title": document.title, "count": len(document.excluded_pages)},
        )
    else:
        messages.success(request, _("“%(title)s”: every page goes in.") % {"title": document.title})
    return _back(request, req)


@staff_required
@require_POST
def document_exclude(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    document = _document(req, document_id)
    form = ExcludeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose to exclude or include the document."))
        document = document_services.document_set_excluded(
            document=document, actor=request.user, excluded=form.cleaned_data["excluded"]
        )
    except ValidationError as exc:
        return _page(request, req, status=400, panel_error=_error_text(exc))
    if document.excluded:
        messages.success(
            request, _("“%(title)s” is left out of the packet.") % {"title": document.title}
        )
    else:
        messages.success(
            request, _("“%(title)s” goes into the packet.") % {"title": document.title}
        )
    return _back(request, req)


@staff_required
@require_GET
def document_file(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    """The document as added, for staff to check its pages (opened in the browser)."""
    req = get_staff_request_or_404(request.user, number)
    document = _document(req, document_id)
    if not document.file:
        raise Http404
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    return private_file(response, document.original_name)


@staff_required
@require_POST
def packet_build(request: HttpRequest, number: str) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    try:
        packet_services.packet_request_build(request=req, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.info(
            request,
            _("Building the packet. The request is released as soon as it is ready."),
        )
    return _back(request, req)


@staff_required
@require_GET
def packet_progress(request: HttpRequest, number: str) -> HttpResponse:
    """The release section alone, for htmx to poll. When the build has finished, the whole page
    reloads (HX-Refresh), so the status, the documents and the timeline all show it. Without
    htmx, the packet page (which refreshes itself while the build runs)."""
    req = get_staff_request_or_404(request.user, number)
    if not request.headers.get("HX-Request"):
        return _page(request, req)
    packet = Packet.objects.filter(request=req).first()
    # The forms in the partial come back to the page it is on, not to this URL.
    context = {"req": req, "packet": packet or "", "panel_next": _page_path(request, req)}
    response = render(request, "staff/packets/_progress.html", context)
    if packet is None or packet.state not in packet_services.BUSY_STATES:
        response["HX-Refresh"] = "true"
    return response


@staff_required
@require_GET
def packet_download(request: HttpRequest, number: str) -> HttpResponse:
    req = get_staff_request_or_404(request.user, number)
    packet = Packet.objects.filter(request=req, state=Packet.State.BUILT).first()
    if packet is None or not packet.file:
        raise Http404
    handle = packet.file.open("rb")
    packet_services.packet_record_download(packet=packet, actor=request.user)
    response = FileResponse(handle, content_type="application/pdf")
    return private_file(response, f"{req.number}-records.pdf", attachment=True)


_prefix = "requests/<str:number>/"
urlpatterns: list[URLPattern] = [
    path(f"{_prefix}packet/", packet_page, name="packet"),
    path(f"{_prefix}packet/build/", packet_build, name="packet_build"),
    path(f"{_prefix}packet/progress/", packet_progress, name="packet_progress"),
    path(f"{_prefix}packet/download/", packet_download, name="packet_download"),
    path(f"{_prefix}documents/add/", document_add, name="document_add"),
    path(f"{_prefix}documents/<int:document_id>/", document_file, name="document_file"),
    path(f"{_prefix}documents/<int:document_id>/move/", document_move, name="document_move"),
    path(f"{_prefix}documents/<int:document_id>/pages/", document_pages, name="document_pages"),
    path(
        f"{_prefix}documents/<int:document_id>/exclude/", document_exclude, name="document_exclude"
    ),
]
