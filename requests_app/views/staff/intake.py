"""Staff workspace: intake of requests received by mail, fax, phone or in person."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ...access.staff import staff_entities
from ...forms.staff_intake import SCANS, IntakeForm
from ...services.intake import intake_record, scan_stash
from .decorators import staff_required


def _form(request: HttpRequest, *, searching: bool = False) -> IntakeForm:
    entities = staff_entities(request.user).order_by("name")
    if request.method == "POST":
        return IntakeForm(
            request.POST, request.FILES, entities=entities, user=request.user, searching=searching
        )
    return IntakeForm(entities=entities, user=request.user)


def _keep_scans(form: IntakeForm, user) -> dict[str, str]:
    """Scans that passed their check are kept for the next try (a file input comes back
    empty); returns the field name -> kept file name, for the page to say so."""
    kept = {}
    data = form.data.copy()
    for name, _kind, _label in SCANS:
        if name in form.scans:
            data[f"{name}_kept"] = scan_stash(form.scans[name][1], user=user)
            kept[name] = form.scans[name][1].original_name
    form.data = data
    return kept


@staff_required
def intake(request: HttpRequest) -> HttpResponse:
    searching = request.method == "POST" and "find_patient" in request.POST
    form = _form(request, searching=searching)
    kept: dict[str, str] = {}
    if request.method == "POST" and not searching:
        if form.is_valid():
            try:
                req = intake_record(actor=request.user, spec=form.spec())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(number)s recorded as received %(when)s. Due %(due)s.")
                    % {
                        "number": req.number,
                        "when": form.cleaned_data["received_at"].strftime("%Y-%m-%d %H:%M"),
                        "due": req.due_on.isoformat(),
                    },
                )
                return redirect("staff:request_file", number=req.number)
        kept = _keep_scans(form, request.user)
        messages.error(request, _("Check the highlighted fields; nothing you entered is lost."))
    context = {
        "form": form,
        "matches": form.patient_matches() if request.method == "POST" else [],
        "searched": searching,
        "kept": kept,
        "scan_fields": [name for name, _kind, _label in SCANS],
    }
    return render(request, "staff/intake.html", context)


@require_POST
@staff_required
def intake_patient_search(request: HttpRequest) -> HttpResponse:
    """The patient matches alone, for htmx: the page (and chosen files) stay as they are."""
    form = _form(request, searching=True)
    return render(
        request,
        "staff/request_file/_intake_matches.html",
        {"form": form, "matches": form.patient_matches(), "searched": True},
    )


urlpatterns: list[URLPattern] = [
    path("intake/", intake, name="intake"),
    path("intake/patients/", intake_patient_search, name="intake_patient_search"),
]
