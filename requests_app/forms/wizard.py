"""Forms of the request wizard, steps 1-3 ("Whose records?", "Who is the patient?", "Where
were you seen?") and what every step form shares. Forms only validate; the authorization
rules' defects are attached beside the fields by `StepForm.attach_problems`.

Steps 4-7 are in wizard_records.py and wizard_finish.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import AUTHORITY_LABELS, THIRD_PARTY_LABELS
from ..models import Entity, Organization, RequestDraft
from ..rules.authorization import Defect
from ..rules.kinds import ReleaseScope
from ..services.drafts_state import (
    CHOICE_DECEASED,
    CHOICE_DIRECTED,
    CHOICE_PROVIDER,
    CHOICE_REPRESENTATIVE,
    CHOICE_SELF,
    CHOICE_THIRD_PARTY,
    DECEASED_AUTHORITIES,
    LIVING_AUTHORITIES,
    DraftState,
)

EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass
class WizardContext:
    """What a step form may depend on: the draft's answers so far and who is filling it in."""

    draft: RequestDraft
    state: DraftState
    known_email: str = ""  # the account's or the confirmed guest address
    signed_in: bool = False
    entities: list[Entity] = field(default_factory=list)  # the entities that will get requests


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def as_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    return value


class StepForm(forms.Form):
    """A wizard step. Saved values are plain JSON; a form bound to them re-validates them, so
    a later change of an earlier answer shows which step needs another look."""

    # Defect.field -> this form's field; other defects of the step are shown above the form.
    defect_fields: dict[str, str] = {}
    # Not required to save the step, but required by the rules before submit: never marked
    # "optional" on the page.
    rule_required: frozenset[str] = frozenset()

    def __init__(self, *args: Any, ctx: WizardContext, **kwargs: Any) -> None:
        self.ctx = ctx
        super().__init__(*args, **kwargs)
        self.setup()
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(
                widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput
            ):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")

    def setup(self) -> None:
        """Fit the fields to the answers so far (subclasses)."""

    @classmethod
    def data_from_saved(cls, saved: dict[str, Any]) -> dict[str, Any]:
        return dict(saved)

    def saved_values(self) -> dict[str, Any]:
        return {name: as_json(value) for name, value in self.cleaned_data.items()}

    def attach_problems(self, defects: list[Defect], *, hide_errors: bool = False) -> list[str]:
        """Put each error and defect beside its field (BoundField.problems, aria attributes);
        return the messages that belong to no field."""
        general = [] if hide_errors or not self.is_bound else list(self.non_field_errors())
        by_field: dict[str, list[str]] = {}
        for defect in defects:
            name = self.defect_fields.get(defect.field, defect.field)
            if name in self.fields:
                by_field.setdefault(name, []).append(defect.message)
            elif defect.message not in general:
                general.append(defect.message)
        self.has_problems = bool(general)
        for name in self.fields:
            bound = self[name]
            errors = [] if hide_errors or not self.is_bound else list(bound.errors)
            problems = errors + [m for m in by_field.get(name, []) if m not in errors]
            bound.problems = problems
            described = [f"{bound.auto_id}_helptext"] if bound.help_text else []
            attrs = self.fields[name].widget.attrs
            if problems:
                self.has_problems = True
                described.append(f"{bound.auto_id}_error")
                attrs["aria-invalid"] = "true"
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            if described:
                attrs["aria-describedby"] = " ".join(described)
        return general


# --- Step 1: "Whose records?"

WHOSE_CHOICES = [
    (CHOICE_SELF, _("My own records")),
    (CHOICE_DIRECTED, _("Send a copy of my records to someone else")),
    (CHOICE_REPRESENTATIVE, _("Records of someone I represent")),
    (CHOICE_DECEASED, _("Records of someone who has died")),
    (CHOICE_THIRD_PARTY, _("I am a third party with the patient's written permission")),
    (CHOICE_PROVIDER, _("I am a health care provider treating the patient")),
]
WHOSE_HELP = {
    CHOICE_SELF: _(
        "It is your right to get your own records (45 CFR 164.524). You never need to say why."
    ),
    CHOICE_DIRECTED: _(
        "For example to your lawyer, another doctor or a family member. You tell us who gets "
        "them and sign to say so."
    ),
    CHOICE_REPRESENTATIVE: _(
        "Your child, or an adult whose guardian, health care agent or personal representative "
        "you are."
    ),
    CHOICE_DECEASED: _(
        "You are the executor or administrator of the estate, or next of kin. You will need "
        "the death certificate."
    ),
    CHOICE_THIRD_PARTY: _(
        "An insurance company, attorney, employer, government agency or school. The patient "
        "signs a permission (authorization) at the end."
    ),
    CHOICE_PROVIDER: _("Records sent to you for the patient's care (continuity of care)."),
}


class WhoseForm(StepForm):
    choice = forms.ChoiceField(
        label=_("Whose records are you asking for?"),
        choices=WHOSE_CHOICES,
        widget=forms.RadioSelect,
    )
    authority = forms.ChoiceField(
        label=_("What gives you the right to act for the patient?"),
        choices=[(a.value, AUTHORITY_LABELS[a]) for a in LIVING_AUTHORITIES],
        widget=forms.RadioSelect,
        required=False,
    )
    deceased_authority = forms.ChoiceField(
        label=_("How are you related to the patient who died?"),
        choices=[(a.value, AUTHORITY_LABELS[a]) for a in DECEASED_AUTHORITIES],
        widget=forms.RadioSelect,
        required=False,
    )
    third_party_type = forms.ChoiceField(
        label=_("Who are you?"),
        choices=[(k.value, label) for k, label in THIRD_PARTY_LABELS.items()],
        widget=forms.RadioSelect,
        required=False,
    )
    defect_fields = {"representative_authority": "authority", "requester_role": "choice"}

    def setup(self) -> None:
        if self.ctx.state.choice == CHOICE_DECEASED:
            self.defect_fields = {
                **self.defect_fields,
                "representative_authority": "deceased_authority",
            }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("choice")
        needed = {
            CHOICE_REPRESENTATIVE: ("authority", _("Choose what gives you the right to act.")),
            CHOICE_DECEASED: (
                "deceased_authority",
                _("Choose executor or administrator, or next of kin."),
            ),
            CHOICE_THIRD_PARTY: ("third_party_type", _("Choose who you are.")),
        }
        for other, (name, message) in needed.items():
            if choice == other and not data.get(name):
                self.add_error(name, message)
            elif choice != other:
                data[name] = ""  # answers to a question that no longer applies
        return data

    def options(self) -> list[dict[str, Any]]:
        """Each answer with its help text and its follow-up question, for the template."""
        follow_up = {
            CHOICE_REPRESENTATIVE: self["authority"],
            CHOICE_DECEASED: self["deceased_authority"],
            CHOICE_THIRD_PARTY: self["third_party_type"],
        }
        return [
            {
                "radio": radio,
                "help": WHOSE_HELP[radio.data["value"]],
                "sub": follow_up.get(radio.data["value"]),
            }
            for radio in self["choice"]
        ]


# --- Step 2: "Who is the patient?"


class PatientForm(StepForm):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    middle_name = forms.CharField(label=_("Middle name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    other_names = forms.CharField(
        label=_("Other names used"),
        help_text=_("For example a maiden or previous name, one per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=date_input())
    date_of_death = forms.DateField(label=_("Date of death"), widget=date_input(), required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    address = forms.CharField(
        label=_("Mailing address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    requester_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)
    requester_organization = forms.CharField(
        label=_("Organization"), max_length=200, required=False
    )
    relationship = forms.CharField(
        label=_("Your relationship to the patient"),
        help_text=_("For example: mother, son, spouse."),
        max_length=100,
        required=False,
    )
    requester_email = forms.EmailField(label=_("Your email"), required=False)
    requester_phone = forms.CharField(label=_("Your phone"), max_length=40, required=False)
    requester_fax = forms.CharField(label=_("Your fax"), max_length=40, required=False)
    requester_address = forms.CharField(
        label=_("Your mailing address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    defect_fields = {"requesting_provider": "requester_organization"}

    def setup(self) -> None:
        state = self.ctx.state
        for name in ("first_name", "middle_name", "last_name"):
            self.fields[name].widget.attrs["autocomplete"] = (
                {
                    "first_name": "given-name",
                    "middle_name": "additional-name",
                    "last_name": "family-name",
                }[name]
                if state.is_patient
                else "off"
            )
        if state.is_patient:
            self.fields["date_of_birth"].widget.attrs["autocomplete"] = "bday"
            for name in [
                n for n in self.fields if n.startswith("requester_") or n == "relationship"
            ]:
                del self.fields[name]
            self.fields["phone"].widget.attrs["autocomplete"] = "tel"
            self.fields["address"].widget.attrs["autocomplete"] = "street-address"
            if self.ctx.known_email:
                del self.fields["email"]
            else:
                self.fields["email"].required = True
                self.fields["email"].label = _("Your email")
        else:
            self.fields["requester_name"].required = True
            self.fields["email"].label = _("Patient's email")
            self.fields["phone"].label = _("Patient's phone")
            self.fields["address"].label = _("Patient's mailing address")
            if self.ctx.known_email:
                del self.fields["requester_email"]
            else:
                self.fields["requester_email"].required = True
            if state.role.value not in ("representative", "executor", "next_of_kin"):
                del self.fields["relationship"]
            if state.choice not in (CHOICE_THIRD_PARTY, CHOICE_PROVIDER):
                del self.fields["requester_organization"]
                del self.fields["requester_fax"]
            elif state.choice == CHOICE_PROVIDER:
                self.fields["requester_organization"].label = _("Practice, clinic or hospital")
            else:
                self.fields["requester_organization"].label = _("Company, firm or agency (if any)")
        if not state.is_deceased:
            del self.fields["date_of_death"]
        else:
            self.fields["date_of_death"].required = True

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born < EARLIEST_BIRTH:
            raise forms.ValidationError(_("Please check the year of birth."))
        return born

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        died, born = data.get("date_of_death"), data.get("date_of_birth")
        if died and died > timezone.localdate():
            self.add_error("date_of_death", _("The date of death cannot be in the future."))
        elif died and born and died < born:
            self.add_error("date_of_death", _("The date of death is before the date of birth."))
        return data


# --- Step 3: "Where were you seen?"


def place_groups(role_is_patient: bool) -> list[dict[str, Any]]:
    """Every organization with the places a request can go to, each explained."""
    groups = []
    organizations = Organization.objects.prefetch_related("entities__policy", "entities__locations")
    for org in organizations:
        entities = [e for e in org.entities.all() if hasattr(e, "policy")]
        if not entities or len(entities) != len(org.entities.all()):
            continue  # an entity that is not set up could not receive its part
        options = []
        if len(entities) > 1:
            names = "; ".join(e.name for e in entities)
            options.append(
                {
                    "value": f"org:{org.pk}",
                    "label": _("All of %(org)s") % {"org": org.name},
                    "help": _(
                        "Each part of %(org)s keeps its own records, so this makes %(n)d "
                        "requests, one to each: %(names)s."
                    )
                    % {"org": org.name, "n": len(entities), "names": names},
                }
            )
        for entity in entities:
            locations = [loc for loc in entity.locations.all() if loc.active]
            covers = [loc.name for loc in locations if loc.release_scope == ReleaseScope.ENTITY]
            help_text = _("Includes %(places)s.") % {"places": ", ".join(covers)} if covers else ""
            label = (
                _("Only %(entity)s") % {"entity": entity.name} if len(entities) > 1 else entity.name
            )
            options.append({"value": f"entity:{entity.pk}", "label": label, "help": help_text})
            for loc in locations:
                if loc.release_scope != ReleaseScope.OWN_LOCATION:
                    continue
                if role_is_patient:
                    note = _("This clinic gives you only the records made at this clinic.")
                else:
                    note = _(
                        "This clinic releases records only to the patient, so your request "
                        "goes to %(entity)s, which covers all its locations."
                    ) % {"entity": entity.name}
                options.append(
                    {
                        "value": f"location:{loc.pk}",
                        "label": _("Only the clinic %(clinic)s") % {"clinic": loc.name},
                        "help": note,
                    }
                )
        groups.append({"organization": org, "options": options})
    return groups


class WhereForm(StepForm):
    place = forms.ChoiceField(label=_("Where were you seen?"), widget=forms.RadioSelect)
    defect_fields = {"discloser": "place"}

    def setup(self) -> None:
        self.groups = place_groups(self.ctx.state.is_patient)
        self.fields["place"].choices = [
            (option["value"], option["label"])
            for group in self.groups
            for option in group["options"]
        ]
        if not self.ctx.state.is_patient:
            self.fields["place"].label = _("Where was the patient seen?")
