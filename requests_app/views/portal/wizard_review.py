"""Step 7 "Review and sign": everything answered, the requests it makes and to whom, each
entity's due date with its rule and estimated fee with its lines, the full text being signed,
then the typed-name signature and the submit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from ...access import portal as access
from ...choices import AUTHORITY_LABELS, DELIVERY_LABELS, SENSITIVE_LABELS, THIRD_PARTY_LABELS
from ...forms.wizard import WHOSE_CHOICES, WizardContext
from ...forms.wizard_finish import SIGNER_LABELS
from ...forms.wizard_records import COMMON_TYPES, SPECIFIC_TYPES
from ...rules.kinds import DeliveryMethod, RequestKind, SensitiveCategory, ThirdPartyType
from ...services.drafts import SignatureInput, draft_submit
from ...services.drafts_checks import Signature, defect_step, draft_defects, entity_outlooks
from .wizard_steps import BY_SLUG, Step, render_step, step_url


def _items(ctx: WizardContext) -> list[dict[str, Any]]:
    labels = {**COMMON_TYPES, **SPECIFIC_TYPES}
    rows = []
    for item in ctx.state.items():
        rows.append(
            {
                "label": labels.get(item.record_type, item.record_type),
                "description": item.description,
                "ranges": item.date_ranges,
            }
        )
    return rows


def review_context(ctx: WizardContext) -> dict[str, Any]:
    state = ctx.state
    whose = state.get("whose")
    authority = AUTHORITY_LABELS.get(state.authority) if state.authority else ""
    third = whose.get("third_party_type")
    method = state.delivery_method
    return {
        "whose_label": dict(WHOSE_CHOICES).get(state.choice, ""),
        "authority_label": authority,
        "third_party_label": THIRD_PARTY_LABELS.get(ThirdPartyType(third)) if third else "",
        "place": state.place(),
        "items": _items(ctx),
        "sensitive": [SENSITIVE_LABELS[SensitiveCategory(c)] for c in state.sensitive_categories],
        "delivery_label": DELIVERY_LABELS.get(DeliveryMethod(method)) if method else "",
        "outlooks": entity_outlooks(state),
        "uploads": list(ctx.draft.uploads.all()),
        "description": state.description(),
        "is_access": state.kind == RequestKind.ACCESS,
        "is_directed": state.kind == RequestKind.DIRECTED,
        "is_authorized": state.kind == RequestKind.AUTHORIZED,
        "is_continuity": state.kind == RequestKind.CONTINUITY,
        "signer_note": SIGNER_LABELS.get(state.choice, ""),
        "entity_names": ", ".join(e.name for e in ctx.entities),
        "change": {slug: step_url(ctx.draft, slug) for slug in BY_SLUG},
    }


def review_step(request: HttpRequest, ctx: WizardContext, step: Step) -> HttpResponse:
    extra = review_context(ctx)
    if request.method != "POST":
        form = step.form(ctx=ctx)
        return render_step(request, ctx, step, form, [], extra=extra)
    form = step.form(request.POST, ctx=ctx)
    if not form.is_valid():
        return render_step(request, ctx, step, form, [], extra=extra)
    data = form.cleaned_data
    signed = Signature(
        name=data["signature_name"],
        signed_on=timezone.localdate(),
        expiration_date=data.get("expiration_date"),
        expiration_event=data.get("expiration_event", ""),
    )
    defects = draft_defects(ctx.state, signed)
    if defects:
        # Shown before submit, never after: each on this page, with a link to its step.
        extra["elsewhere"] = [
            {"message": d.message, "url": step_url(ctx.draft, defect_step(d))}
            for d in defects
            if defect_step(d) != "review"
        ]
        mine = [d for d in defects if defect_step(d) == "review"]
        return render_step(request, ctx, step, form, mine, extra=extra)
    try:
        requests = draft_submit(
            draft=ctx.draft,
            signature=SignatureInput(
                name=signed.name,
                expiration_date=signed.expiration_date,
                expiration_event=signed.expiration_event,
                ip=request.META.get("REMOTE_ADDR") or None,
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ),
            language=get_language() or "en",
            user=access.portal_identity(request).user,
            # Emails carry full links; the host is the one the patient is using.
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except ValidationError as exc:  # DraftNotReady, or a policy changed since the last step
        extra["elsewhere"] = [{"message": m, "url": ""} for m in exc.messages]
        return render_step(request, ctx, step, form, [], extra=extra)
    if access.portal_identity(request).user is None:
        access.guest_allow_requests(request, requests)
    return redirect(reverse("portal:wizard_done", kwargs={"key": ctx.draft.key}))
