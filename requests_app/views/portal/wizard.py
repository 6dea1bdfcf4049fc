"""Patient portal: the request wizard.

/portal/request/                      portal:wizard_start  start, or continue a saved draft
/portal/request/<key>/<step>/         portal:wizard_step   one question at a time
/portal/request/<key>/done/           portal:wizard_done   the request numbers, what happens next

Every step is saved as it is answered (RequestDraft.data), so a closed browser loses nothing.
Steps are taken in order: asking for a later step before the earlier ones are complete goes
back to the first one still to do. Drafts are looked up only through access/portal.py, so
another person's draft key is a 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ...access import portal as access
from ...models import Request, RequestDraft
from ...services.drafts import draft_start
from ...services.drafts_state import DraftState
from .wizard_review import review_step
from .wizard_steps import (
    BY_SLUG,
    STEP_COUNT,
    applicable_steps,
    defects_by_step,
    first_incomplete,
    form_step,
    step_url,
    wizard_context,
)


def _reverse_or_empty(name: str, *, query: dict[str, str] | None = None, **kwargs: object) -> str:
    try:
        url = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # an area another engineer is still building
        return ""
    return f"{url}?{urlencode(query)}" if query else url


@require_http_methods(["GET", "POST"])
def wizard_start(request: HttpRequest) -> HttpResponse:
    identity = access.portal_identity(request)
    if request.method == "POST" and identity.is_known:
        draft = draft_start(
            user=identity.user,
            guest_email=identity.guest_email or "",
            language=get_language() or "en",
        )
        if identity.user is None:
            access.guest_allow_draft(request, draft)
        return redirect(step_url(draft, "whose"))
    here = {"next": reverse("portal:wizard_start")}
    drafts = []
    for draft in access.portal_drafts(request)[:5]:
        state = DraftState(draft, upload_kinds=set())
        step = BY_SLUG.get(draft.step) or BY_SLUG["whose"]
        drafts.append(
            {
                "draft": draft,
                "patient": state.patient_name,
                "step": step,
                "url": step_url(draft, step.slug),
            }
        )
    context = {
        "identity": identity,
        "drafts": drafts,
        "step_count": STEP_COUNT,
        "login_url": _reverse_or_empty("portal:login", query=here),
        "signup_url": _reverse_or_empty("portal:signup", query=here),
        "guest_url": _reverse_or_empty("portal:guest_start", query=here),
    }
    return render(request, "portal/wizard/start.html", context)


def _submitted_requests(request: HttpRequest, key: str) -> list[Request]:
    """The requests of a submitted draft that this visitor may see (access.portal_requests
    decides); empty when there are none or the draft is not theirs."""
    draft = RequestDraft.objects.filter(key=key, submitted_at__isnull=False).first()
    if draft is None or draft.submission is None:
        return []
    found = access.portal_requests(request).filter(submission=draft.submission)
    return list(found.select_related("entity__policy", "patient").order_by("number"))


@require_http_methods(["GET", "POST"])
def wizard_step(request: HttpRequest, key: str, step: str) -> HttpResponse:
    try:
        draft = access.get_draft_or_404(request, str(key))
    except Http404:
        # A second click on "Submit", or the back button after it: show what was sent.
        if _submitted_requests(request, str(key)):
            return redirect(reverse("portal:wizard_done", kwargs={"key": key}))
        raise
    ctx = wizard_context(request, draft)
    grouped = defects_by_step(ctx.state)
    first = first_incomplete(ctx, grouped)
    slugs = [s.slug for s in applicable_steps(ctx.state)]
    if step not in slugs:
        if step not in BY_SLUG:
            raise Http404
        return redirect(step_url(draft, first.slug))  # a step these answers skip
    if slugs.index(step) > slugs.index(first.slug):
        # Steps go in order; a later step (a bookmark, a forged POST) waits for this one.
        messages.warning(request, _("Please finish this step first."))
        return redirect(step_url(draft, first.slug))
    current = BY_SLUG[step]
    if step == "review":
        return review_step(request, ctx, current)
    return form_step(request, ctx, current)


def wizard_done(request: HttpRequest, key: str) -> HttpResponse:
    requests = _submitted_requests(request, str(key))
    if not requests:
        raise Http404
    identity = access.portal_identity(request)
    rows = [
        {
            "request": r,
            "url": _reverse_or_empty("portal:request_detail", number=r.number)
            if identity.is_known
            else "",
        }
        for r in requests
    ]
    context = {
        "rows": rows,
        "guest": identity.user is None,
        "email": requests[0].requester.email,
        "help_phone": requests[0].entity.policy.help_phone
        if hasattr(requests[0].entity, "policy")
        else "",
        "start_url": reverse("portal:wizard_start"),
    }
    return render(request, "portal/wizard/done.html", context)


urlpatterns: list[URLPattern] = [
    path("request/", wizard_start, name="wizard_start"),
    path("request/<uuid:key>/done/", wizard_done, name="wizard_done"),
    path("request/<uuid:key>/<slug:step>/", wizard_step, name="wizard_step"),
]
