"""Patient portal: the short amendment and accounting-of-disclosures forms. Both show, before
submit, the due date with the rule behind it (60 days) and the fee (free; an accounting is
free once in 12 months)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ...access.portal import guest_allow_requests, portal_identity
from ...forms.requests import AccountingForm, AmendmentForm, FilingForm
from ...models import Patient, Request
from ...rules.kinds import RequestKind
from ...selectors.portal_filing import filing_entities, filing_previews
from ...services.requester_filing import requester_file_accounting, requester_file_amendment
from .requests_common import viewer_required


def _patients(request: HttpRequest) -> Any:
    identity = portal_identity(request)
    if identity.user is None:
        return Patient.objects.none()
    return Patient.objects.filter(user=identity.user).order_by("last_name", "first_name", "pk")


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _filed(request: HttpRequest, req: Request) -> HttpResponse:
    if portal_identity(request).user is None:
        # A guest follows the request in this session (access helper), and later by email.
        guest_allow_requests(request, [req])
    messages.success(
        request,
        _("We received your request %(number)s. We will answer by %(due)s.")
        % {"number": req.number, "due": date_format(req.current_due_on, "DATE_FORMAT")},
    )
    return redirect(reverse("portal:request_detail", args=[req.number]))


def _page(
    request: HttpRequest, template: str, form: FilingForm, kind: str, title: str
) -> HttpResponse:
    entities = list(form.fields["entity"].queryset)
    previews = filing_previews(kind=kind, entities=entities, now=timezone.now())
    identity = portal_identity(request)
    return render(
        request,
        template,
        {
            "form": form,
            # Each radio with what it means before submit: the due date and its rule.
            "entity_choices": [
                (radio, previews.get(radio.data["value"].value)) for radio in form["entity"]
            ],
            "title": title,
            "reply_to": identity.user.email if identity.user is not None else identity.guest_email,
        },
    )


def _filing_kwargs(request: HttpRequest, form: FilingForm) -> dict[str, Any]:
    identity = portal_identity(request)
    return {
        "entity": form.cleaned_data["entity"],
        "user": identity.user,
        "guest_email": identity.guest_email,
        "patient": form.chosen_patient(),
        "details": form.patient_details(),
        "language": _language(),
    }


def _filing_view(
    request: HttpRequest,
    *,
    form_class: type[FilingForm],
    file: Callable[..., Request],
    fields: tuple[str, ...],
    template: str,
    kind: RequestKind,
    title: str,
) -> HttpResponse:
    """GET the form; POST files the request through one service, then shows the result."""
    form = form_class(
        request.POST if request.method == "POST" else None,
        patients=_patients(request),
        entities=filing_entities(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            req = file(
                **{name: form.cleaned_data[name] for name in fields},
                **_filing_kwargs(request, form),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _filed(request, req)
    return _page(request, template, form, kind, title)


@never_cache
@require_http_methods(["GET", "POST"])
@viewer_required
def amendment_new(request: HttpRequest) -> HttpResponse:
    return _filing_view(
        request,
        form_class=AmendmentForm,
        file=requester_file_amendment,
        fields=("what_is_wrong", "should_say"),
        template="portal/requests/amendment_form.html",
        kind=RequestKind.AMENDMENT,
        title=_("Ask us to correct your records"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@viewer_required
def accounting_new(request: HttpRequest) -> HttpResponse:
    return _filing_view(
        request,
        form_class=AccountingForm,
        file=requester_file_accounting,
        fields=("period_start", "period_end"),
        template="portal/requests/accounting_form.html",
        kind=RequestKind.ACCOUNTING,
        title=_("Who received your records?"),
    )


urlpatterns: list[URLPattern] = [
    path("amendment/new/", amendment_new, name="amendment_new"),
    path("accounting/new/", accounting_new, name="accounting_new"),
]
