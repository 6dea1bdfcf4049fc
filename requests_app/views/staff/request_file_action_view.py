"""The view behind every action of the request file (the registry is request_file_actions.py).

GET shows the form with what will happen (the confirmation); POST calls the action's one
service and redirects back to the file with a message (PRG). An action the status does not
allow (a stale tab, a forged form) is refused with a message, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from ...access.staff import get_staff_request_or_404
from ...forms import staff as f
from ...models import Request
from ...rules.denials import ACCESS_DENIAL_GROUNDS, AMENDMENT_DENIAL_GROUNDS
from ...services import staff_actions as sa
from ...services.errors import TransitionNotAllowed
from ...workflow import ACTIONS as WORKFLOW
from ...workflow import Status
from .decorators import staff_required
from .request_file_actions import STAFF_ACTIONS, StaffAction, extension_blocker


def _file_url(req: Request) -> str:
    return reverse("staff:request_file", kwargs={"number": req.number})


def _build_form(action: StaffAction, req: Request, user: Any, data: Any = None) -> f.ActionForm:
    form_class = action.form
    kwargs = action.form_kwargs(req, user)
    if action.slug == "assign" and "staff" not in kwargs:
        form_class = f.AssignSelfForm
    return form_class(data, req=req, **kwargs)


def _refuse(request: HttpRequest, req: Request, action: StaffAction) -> HttpResponse:
    reason = extension_blocker(req) if action.slug == "extend" else ""
    messages.error(
        request,
        reason
        or _("“%(action)s” is not possible now: %(number)s is %(status)s.")
        % {"action": action.label, "number": req.number, "status": req.get_status_display()},
    )
    return redirect(_file_url(req))


@staff_required
def request_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    spec = STAFF_ACTIONS.get(action)
    if spec is None:
        raise Http404
    req = get_staff_request_or_404(request.user, number)
    if not spec.offered(req, request.user):
        return _refuse(request, req, spec)
    form = _build_form(spec, req, request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            spec.perform(req, request.user, form.cleaned_data)
        except TransitionNotAllowed as exc:
            # The status moved under us (another clerk, another tab): nothing was done.
            messages.error(request, " ".join(exc.messages))
            return redirect(_file_url(req))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, spec.done)
            return redirect(_file_url(req))
    workflow = WORKFLOW.get(spec.workflow) if spec.workflow else None
    context = {
        "req": req,
        "action": spec,
        "form": form,
        "target": Status(workflow.target).label if workflow else "",
        "extra_context": _extra_context(spec, req),
    }
    return render(request, "staff/request_file/action.html", context, status=200)


def _extra_context(spec: StaffAction, req: Request) -> dict[str, Any]:
    if spec.slug == "accounting":
        return {
            "entries": list(sa.accounting_disclosures(req)),
            "fee": sa.accounting_fee(req),
            "prior": sa.accounting_prior_within_year(req),
        }
    if spec.slug in ("deny", "partially-deny", "amendment-deny"):
        grounds = (
            AMENDMENT_DENIAL_GROUNDS if spec.slug == "amendment-deny" else ACCESS_DENIAL_GROUNDS
        )
        return {"reviewable_codes": [g.code for g in grounds if g.reviewable]}
    return {}


urlpatterns: list[URLPattern] = [
    path(
        f"requests/<str:number>/{a.slug}/",
        request_action,
        {"action": a.slug},
        name=f"request_{a.name}",
    )
    for a in STAFF_ACTIONS.values()
]
