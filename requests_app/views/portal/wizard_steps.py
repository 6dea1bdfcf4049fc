"""The wizard's steps: their order, which apply to a draft, which is the first one still to
do, and the GET/POST handling shared by the form steps. The views in wizard.py dispatch here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from ...access import portal as access
from ...forms.wizard import PatientForm, StepForm, WhereForm, WhoseForm, WizardContext
from ...forms.wizard_finish import DeliveryForm, ReviewForm, UploadsForm
from ...forms.wizard_records import ConsentForm, RecordsForm
from ...models import RequestDraft
from ...rules.authorization import Defect
from ...rules.kinds import RequesterRole
from ...services.drafts import draft_step_save, draft_upload_add, draft_upload_remove
from ...services.drafts_checks import defect_step, draft_defects
from ...services.drafts_state import DraftState, routed_entities


@dataclass(frozen=True)
class Step:
    slug: str
    number: int
    title: Any
    form: type[StepForm]


STEPS = (
    Step("whose", 1, gettext_lazy("Whose records?"), WhoseForm),
    Step("patient", 2, gettext_lazy("Who is the patient?"), PatientForm),
    Step("where", 3, gettext_lazy("Where were you seen?"), WhereForm),
    Step("records", 4, gettext_lazy("What records do you want?"), RecordsForm),
    Step("consent", 4, gettext_lazy("Specially protected records"), ConsentForm),
    Step("delivery", 5, gettext_lazy("How do you want them?"), DeliveryForm),
    Step("uploads", 6, gettext_lazy("Your documents"), UploadsForm),
    Step("review", 7, gettext_lazy("Review and sign"), ReviewForm),
)
BY_SLUG = {step.slug: step for step in STEPS}
STEP_COUNT = 7


def applicable_steps(state: DraftState) -> list[Step]:
    steps = []
    for step in STEPS:
        if step.slug == "consent" and not state.wants_sensitive:
            continue
        # A provider asking for continuity of care signs nothing and proves nothing (164.506).
        if step.slug == "uploads" and state.role == RequesterRole.PROVIDER:
            continue
        steps.append(step)
    return steps


def wizard_context(request: HttpRequest, draft: RequestDraft) -> WizardContext:
    identity = access.portal_identity(request)
    state = DraftState(draft)
    known = draft.guest_email or (getattr(identity.user, "email", "") if identity.user else "")
    return WizardContext(
        draft=draft,
        state=state,
        known_email=known or "",
        signed_in=identity.user is not None,
        entities=routed_entities(state),
    )


def step_url(draft: RequestDraft, slug: str) -> str:
    return reverse("portal:wizard_step", kwargs={"key": draft.key, "step": slug})


def defects_by_step(state: DraftState) -> dict[str, list[Defect]]:
    grouped: dict[str, list[Defect]] = {}
    for defect in draft_defects(state):
        grouped.setdefault(defect_step(defect), []).append(defect)
    return grouped


def step_complete(ctx: WizardContext, step: Step, grouped: dict[str, list[Defect]]) -> bool:
    """Answered, still valid under the answers before it, and with no defect of its own."""
    if not ctx.state.saved(step.slug) or grouped.get(step.slug):
        return False
    form = step.form(step.form.data_from_saved(ctx.state.get(step.slug)), ctx=ctx)
    return form.is_valid()


def first_incomplete(ctx: WizardContext, grouped: dict[str, list[Defect]]) -> Step:
    for step in applicable_steps(ctx.state):
        if step.slug == "review" or not step_complete(ctx, step, grouped):
            return step
    return BY_SLUG["review"]


def neighbours(state: DraftState, slug: str) -> tuple[Step | None, Step | None]:
    steps = applicable_steps(state)
    slugs = [s.slug for s in steps]
    i = slugs.index(slug)
    return (steps[i - 1] if i > 0 else None, steps[i + 1] if i + 1 < len(steps) else None)


def step_title(step: Step, state: DraftState) -> Any:
    if step.slug == "where" and state.saved("whose") and not state.is_patient:
        return _("Where was the patient seen?")
    return step.title


def help_phone(ctx: WizardContext) -> str:
    """The number to call about this request: the chosen entity's, else its organization's."""
    for entity in ctx.entities:
        policy = getattr(entity, "policy", None)
        if policy and policy.help_phone:
            return policy.help_phone
    place = ctx.state.place()
    return place.organization.help_phone if place else ""


def render_step(
    request: HttpRequest,
    ctx: WizardContext,
    step: Step,
    form: StepForm,
    defects: list[Defect],
    *,
    hide_errors: bool = False,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    general = form.attach_problems(defects, hide_errors=hide_errors)
    back, _next = neighbours(ctx.state, step.slug)
    context = {
        "draft": ctx.draft,
        "ctx": ctx,
        "state": ctx.state,
        "step": step,
        "title": step_title(step, ctx.state),
        "step_count": STEP_COUNT,
        "form": form,
        "general_problems": general,
        "back_url": step_url(ctx.draft, back.slug) if back else reverse("portal:wizard_start"),
        "progress": round(100 * step.number / STEP_COUNT),
        "help_phone": help_phone(ctx),
        **(extra or {}),
    }
    return render(request, f"portal/wizard/step_{step.slug}.html", context, status=status)


def _initial(ctx: WizardContext, step: Step, identity: access.PortalIdentity) -> dict[str, Any]:
    saved = ctx.state.get(step.slug)
    if saved:
        return step.form.data_from_saved(saved)
    if step.slug == "patient" and ctx.state.is_patient and identity.user is not None:
        user = identity.user
        return {"first_name": user.first_name, "last_name": user.last_name}
    return {}


def form_step(request: HttpRequest, ctx: WizardContext, step: Step) -> HttpResponse:
    """GET shows the step (with its defects once it was answered); POST validates, saves and
    moves on, or stays with every answer kept and each problem beside its field."""
    identity = access.portal_identity(request)
    extra = {"uploads": list(ctx.draft.uploads.all())} if step.slug == "uploads" else {}
    if request.method != "POST":
        form = step.form(initial=_initial(ctx, step, identity), ctx=ctx)
        shown = defects_by_step(ctx.state).get(step.slug, []) if ctx.state.saved(step.slug) else []
        return render_step(request, ctx, step, form, shown, extra=extra)

    if step.slug == "uploads" and request.POST.get("remove", "").isdigit():
        if draft_upload_remove(draft=ctx.draft, upload_id=int(request.POST["remove"])):
            messages.info(request, _("The file was removed."))
        return redirect(step_url(ctx.draft, step.slug))

    kwargs: dict[str, Any] = {}
    if step.slug == "records":
        kwargs["add_range"] = request.POST.get("add_range", "")
    form = step.form(request.POST, request.FILES, ctx=ctx, **kwargs)
    if kwargs.get("add_range"):
        # "Add another date range": the same answers with one more row, nothing judged yet.
        return render_step(request, ctx, step, form, [], hide_errors=True)
    valid = form.is_valid()
    if step.slug == "uploads":
        for name, checked in form.checked.items():
            draft_upload_add(
                draft=ctx.draft, kind=name, upload=request.FILES[name], checked=checked
            )
        extra = {"uploads": list(ctx.draft.uploads.all())}
    if not valid:
        return render_step(request, ctx, step, form, [], extra=extra)

    values = form.saved_values()
    preview = DraftState(_with_answer(ctx.draft, step.slug, values))
    own = defects_by_step(preview).get(step.slug, [])
    _back, following = neighbours(preview, step.slug)
    # With a defect of its own the step stays put (answers saved) and shows it in place.
    target = step.slug if own else (following.slug if following else "review")
    saved_draft = draft_step_save(
        draft=ctx.draft,
        step=step.slug,
        values=values,
        next_step=target,
        language=get_language() or "en",
    )
    if own:
        messages.warning(request, _("Your answers are saved. Please look at the notes below."))
    return redirect(step_url(saved_draft, target))


def _with_answer(draft: RequestDraft, slug: str, values: dict[str, Any]) -> RequestDraft:
    """An unsaved copy of the draft with one more answer, to decide where to go next."""
    return RequestDraft(
        pk=draft.pk,
        key=draft.key,
        user_id=draft.user_id,
        guest_email=draft.guest_email,
        language=draft.language,
        data={**(draft.data or {}), slug: values},
    )
