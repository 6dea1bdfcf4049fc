"""Patient portal: the released packet and the letters.

The request page links to `packet_link`, which checks access and issues a signed URL that
works for 10 minutes, for this request and this viewer only (django.core.signing). The
download view checks access again, checks the signature, records the download on the
timeline and streams the PDF through Django's storage. A link that expired, was altered or
was issued to someone else gets a page that says so and offers a fresh link.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ...access.portal import get_portal_request_or_404
from ...models import Request
from ...selectors import portal as read
from ...selectors import portal_release as after_release
from ...services.requester import packet_download_record
from .requests_common import acting_as, viewer_of, viewer_required

LINK_MAX_AGE_SECONDS = 10 * 60
LINK_SALT = "portal.packet-download"


def _viewer_key(request: HttpRequest) -> str:
    """Binds a link to the person it was issued to. A guest is named by a hash of the
    address: the token is signed, not encrypted, and sits in a URL."""
    viewer = viewer_of(request)
    if viewer.user_id is not None:
        return f"u{viewer.user_id}"
    digest = hashlib.sha256((viewer.guest_email or "").encode()).hexdigest()[:24]
    return f"g{digest}"


def packet_token(request: HttpRequest, req: Request) -> str:
    return signing.dumps({"r": req.pk, "v": _viewer_key(request)}, salt=LINK_SALT, compress=True)


def _link_problem(request: HttpRequest, req: Request, problem: str, status: int) -> HttpResponse:
    return render(
        request,
        "portal/requests/link_invalid.html",
        {"req": req, "problem": problem},
        status=status,
    )


@never_cache
@require_GET
@viewer_required
def packet_link(request: HttpRequest, number: str) -> HttpResponse:
    req = get_portal_request_or_404(request, number)
    if after_release.packet_for_download(req) is None:
        raise Http404
    return redirect(
        reverse("portal:packet_download", args=[req.number, packet_token(request, req)])
    )


@never_cache
@require_GET
@viewer_required
def packet_download(request: HttpRequest, number: str, token: str) -> HttpResponse:
    req = get_portal_request_or_404(request, number)
    packet = after_release.packet_for_download(req)
    if packet is None:
        raise Http404
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        return _link_problem(request, req, "expired", 410)
    except signing.BadSignature:
        return _link_problem(request, req, "invalid", 403)
    if not isinstance(payload, dict) or payload.get("r") != req.pk:
        return _link_problem(request, req, "invalid", 403)
    if payload.get("v") != _viewer_key(request):
        return _link_problem(request, req, "not_yours", 403)
    # Opened before the download is recorded: a file missing from storage is a 404, not a
    # download on the timeline.
    response = _stream(packet.file, filename=f"{req.number}.pdf", content_type="application/pdf")
    packet_download_record(request=req, packet=packet, **acting_as(request))
    return response


def _stream(stored: Any, *, filename: str, content_type: str) -> FileResponse:
    try:
        handle = stored.storage.open(stored.name, "rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
@viewer_required
def letter_download(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """A letter the entity sent (amendment outcome, accounting, denial...). Looked up among
    this request's requester-visible letters only."""
    req = get_portal_request_or_404(request, number)
    letter = read.request_letters(req).filter(pk=pk).first()
    if letter is None or not letter.file:
        raise Http404
    return _stream(
        letter.file, filename=f"{req.number}-{letter.kind}.pdf", content_type="application/pdf"
    )


@never_cache
@require_GET
@viewer_required
def document_download(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Another document our staff attached for the requester."""
    req = get_portal_request_or_404(request, number)
    document = read.staff_documents(req).filter(pk=pk).first()
    if document is None or not document.file:
        raise Http404
    return _stream(
        document.file,
        filename=document.original_name or f"{req.number}-{document.pk}",
        content_type=document.content_type or "application/octet-stream",
    )


urlpatterns: list[URLPattern] = [
    path("requests/<request_number:number>/packet/", packet_link, name="packet_link"),
    path(
        "requests/<request_number:number>/packet/<str:token>/",
        packet_download,
        name="packet_download",
    ),
    path(
        "requests/<request_number:number>/letters/<int:pk>/",
        letter_download,
        name="letter_download",
    ),
    path(
        "requests/<request_number:number>/documents/<int:pk>/",
        document_download,
        name="document_download",
    ),
]
