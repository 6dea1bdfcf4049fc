"""Forms for the actions on the staff request file. They only validate; the services act."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Request
from ..rules.denials import ACCESS_DENIAL_GROUNDS, AMENDMENT_DENIAL_GROUNDS, DenialGround
from ..services.staff_actions import IDENTITY_CHECKS, SHIPMENT_METHODS

TEXT_ROWS = 4


def _text(label: str, *, required: bool = True, help_text: str = "", rows: int = TEXT_ROWS):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=4000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ActionForm(forms.Form):
    """Base of every action form: it knows the request it acts on."""

    def __init__(self, *args: Any, req: Request, **kwargs: Any) -> None:
        self.req = req
        super().__init__(*args, **kwargs)


class ConfirmForm(ActionForm):
    """Actions with nothing to ask: the confirmation page is the form."""


class AssignForm(ActionForm):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody (unassigned)")
    )

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = staff
        field.label_from_instance = lambda user: user.get_full_name() or user.get_username()
        field.initial = self.req.assignee_id


class AssignSelfForm(ActionForm):
    """A clerk takes a request or lets it go; only supervisors pick someone else."""

    take = forms.TypedChoiceField(
        label=_("Assignment"),
        choices=[("1", _("Assign to me")), ("0", _("Unassign me"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )


class VerifyForm(ActionForm):
    checks = forms.MultipleChoiceField(
        label=_("What you checked"),
        choices=list(IDENTITY_CHECKS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Verification must not become a barrier, and it is never charged for."),
    )
    note = _text(_("Notes"), required=False, rows=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("checks") and not data.get("note"):
            raise forms.ValidationError(_("Tick what you checked, or describe it in the note."))
        return data


class PendForm(ActionForm):
    missing = _text(
        _("What exactly is missing"),
        help_text=_(
            "The requester reads this word for word in the notice, for example: “A copy of the "
            "guardianship order naming you as guardian.”"
        ),
    )


class ResumeForm(ActionForm):
    note = _text(_("What was received"), required=False, rows=2)


class ExtendForm(ActionForm):
    new_due_on = forms.DateField(
        label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = _text(
        _("Reason for the delay"),
        help_text=_("It goes in the written notice to the requester."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = self.req.latest_extension_on
        attrs = self.fields["new_due_on"].widget.attrs
        attrs["min"] = self.req.due_on.isoformat()
        if latest:
            attrs["max"] = latest.isoformat()
            self.fields["new_due_on"].initial = latest
            self.fields["new_due_on"].help_text = _("No later than %(date)s.") % {
                "date": latest.isoformat()
            }

    def clean_new_due_on(self) -> date:
        day = self.cleaned_data["new_due_on"]
        latest = self.req.latest_extension_on
        if day <= self.req.due_on or (latest and day > latest):
            raise forms.ValidationError(
                _("Choose a date after %(due)s and no later than %(latest)s.")
                % {
                    "due": self.req.due_on.isoformat(),
                    "latest": latest.isoformat() if latest else "-",
                }
            )
        return day


def _ground_choices(grounds: tuple[DenialGround, ...]) -> list[tuple[str, str]]:
    def label(g: DenialGround) -> str:
        review = _("reviewable") if g.reviewable else _("not reviewable")
        return f"{g.label} ({review}, 45 CFR {g.citation})"

    return [(g.code, label(g)) for g in grounds]


class DenyForm(ActionForm):
    grounds = forms.MultipleChoiceField(
        label=_("Grounds"), choices=[], widget=forms.CheckboxSelectMultiple
    )
    explanation = _text(
        _("Explanation in plain language"),
        help_text=_("It goes in the letter. Fear of bad news is never a ground."),
    )
    records_location = _text(
        _("Where the records are"),
        required=False,
        rows=2,
        help_text=_("Needed when we do not hold the records: say where they are, if we know."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grounds"].choices = _ground_choices(ACCESS_DENIAL_GROUNDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "not_held" in (data.get("grounds") or []) and not data.get("records_location"):
            self.add_error(
                "records_location",
                _("Say where the records are, or that we do not know: the letter must tell them."),
            )
        return data


class AmendmentDenyForm(DenyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grounds"].choices = _ground_choices(AMENDMENT_DENIAL_GROUNDS)
        del self.fields["records_location"]


class ReasonForm(ActionForm):
    reason = _text(_("Reason"), rows=3)


class OptionalReasonForm(ActionForm):
    reason = _text(_("Reason or note"), required=False, rows=2)


class ShipmentForm(ActionForm):
    method = forms.ChoiceField(label=_("Sent as"), choices=list(SHIPMENT_METHODS.items()))
    carrier = forms.CharField(
        label=_("Carrier"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "carriers"}),
        help_text=_("USPS, UPS, FedEx, a courier..."),
    )
    tracking = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    shipped_on = forms.DateField(
        label=_("Date sent"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = _text(_("Note"), required=False, rows=2)


class NoteForm(ActionForm):
    text = _text(_("Internal note"), help_text=_("Staff only: never shown to the requester."))


class MessageForm(ActionForm):
    text = _text(
        _("Message to the requester"),
        help_text=_("The requester sees it in the portal and gets it by email."),
        rows=5,
    )


class AmendmentAcceptForm(ActionForm):
    amendment = _text(
        _("Amendment appended to the record"),
        help_text=_(
            "Linked to the part of the record it corrects; it goes with future "
            "disclosures of that part."
        ),
        rows=5,
    )
    inform = _text(
        _("People to inform"),
        required=False,
        rows=2,
        help_text=_("Whom the requester asked us to tell, and others we know rely on it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amendment"].initial = self.req.amendment_should_say
