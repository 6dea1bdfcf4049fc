"""Patient portal: after submitting. "My requests", one request's page (status in words, due
date and its rule, timeline, messages with a reply box), withdraw and revoke.

Every request is looked up through access/portal.py by its public number: another
patient's number is a 404, never a 403. The packet download and the letters are in
requests_packet.py, the amendment and accounting forms in requests_filing.py; this module's
`urlpatterns` carries all of them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ...access.portal import get_portal_request_or_404, portal_requests
from ...forms.requests import ReplyForm, RevokeForm, WithdrawForm
from ...models import Request
from ...selectors import portal as read
from ...selectors import portal_release as after_release
from ...services.requester import authorization_revoke, request_reply, requester_withdraw
from . import requests_filing, requests_packet
from .requests_common import acting_as, reverse_or, viewer_of, viewer_required


def _detail_url(req: Request) -> str:
    return reverse("portal:request_detail", args=[req.number])


def _errors_text(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


@never_cache
@require_GET
@viewer_required
def my_requests(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/requests/list.html",
        {
            "groups": read.my_requests_grouped(portal_requests(request)),
            "wizard_url": reverse_or("portal:wizard_start"),
        },
    )


def _detail_context(request: HttpRequest, req: Request, reply_form: ReplyForm) -> dict[str, Any]:
    viewer = viewer_of(request)
    return {
        "req": req,
        "status_words": read.status_in_words(req.status),
        "tone": read.status_tone(req.status),
        "kind_words": read.kind_in_words(req.kind),
        "delivery_words": read.delivery_in_words(req.delivery_method),
        "timeline": read.requester_timeline(req, viewer),
        "messages_list": read.requester_messages(req, viewer),
        "pending": read.pending_ask(req),
        "can_withdraw": read.can_withdraw(req, viewer),
        "authorization": getattr(req, "authorization", None),
        "can_revoke": read.authorization_revocable(req, viewer),
        "packet": after_release.packet_for_download(req),
        "deliveries": after_release.deliveries(req),
        "fee": after_release.fee_view(req),
        "released": after_release.was_released(req),
        "letters": read.request_letters(req),
        "documents": read.staff_documents(req),
        "my_files": read.requester_files(req),
        "items": list(read.items_in_words(req)),
        "period": read.accounting_period(req),
        "reply_form": reply_form,
    }


@never_cache
@require_GET
@viewer_required
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    req = get_portal_request_or_404(request, number)
    return render(
        request, "portal/requests/detail.html", _detail_context(request, req, ReplyForm())
    )


@never_cache
@require_POST
@viewer_required
def request_reply_view(request: HttpRequest, number: str) -> HttpResponse:
    req = get_portal_request_or_404(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            request_reply(
                request=req,
                text=form.cleaned_data["text"],
                files=form.cleaned_data["files"],
                **acting_as(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you. Your message was sent to our staff."))
            return redirect(_detail_url(req) + "#messages")
    # The text stays in the box; files must be chosen again (browsers never refill them).
    return render(request, "portal/requests/detail.html", _detail_context(request, req, form))


@never_cache
@require_http_methods(["GET", "POST"])
@viewer_required
def request_withdraw_view(request: HttpRequest, number: str) -> HttpResponse:
    req = get_portal_request_or_404(request, number)
    if not read.can_withdraw(req, viewer_of(request)):
        if read.viewer_filed(req, viewer_of(request)):
            messages.error(request, _("This request can no longer be withdrawn."))
        else:
            messages.error(request, _("Only the person who sent this request can withdraw it."))
        return redirect(_detail_url(req))
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            requester_withdraw(
                request=req, reason=form.cleaned_data["reason"], **acting_as(request)
            )
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(
                request, _("Your request %(number)s was withdrawn.") % {"number": req.number}
            )
        return redirect(_detail_url(req))
    return render(
        request,
        "portal/requests/withdraw_confirm.html",
        {"req": req, "form": form, "kind_words": read.kind_in_words(req.kind)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@viewer_required
def authorization_revoke_view(request: HttpRequest, number: str) -> HttpResponse:
    req = get_portal_request_or_404(request, number)
    if not read.authorization_revocable(req, viewer_of(request)):
        messages.error(request, _("There is no authorization to revoke on this request."))
        return redirect(_detail_url(req))
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            authorization_revoke(
                request=req, reason=form.cleaned_data["reason"], **acting_as(request)
            )
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        else:
            messages.success(request, _("The authorization is revoked."))
        return redirect(_detail_url(req))
    return render(
        request,
        "portal/requests/revoke_confirm.html",
        {"req": req, "form": form, "authorization": req.authorization},
    )


urlpatterns: list[URLPattern] = [
    path("requests/", my_requests, name="my_requests"),
    path("requests/<request_number:number>/", request_detail, name="request_detail"),
    path("requests/<request_number:number>/reply/", request_reply_view, name="request_reply"),
    path(
        "requests/<request_number:number>/withdraw/",
        request_withdraw_view,
        name="request_withdraw",
    ),
    path(
        "requests/<request_number:number>/revoke/",
        authorization_revoke_view,
        name="authorization_revoke",
    ),
    *requests_packet.urlpatterns,
    *requests_filing.urlpatterns,
]
