"""Forms of the "after submitting" pages: reply, withdraw, revoke, and the amendment and
accounting requests. They only validate; the services change things."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ..models import Entity, Patient
from ..rules.accounting import ACCOUNTING_YEARS, accounting_period_start
from ..services.requester import MAX_MESSAGE_CHARS
from ..services.requester_filing import PatientDetails, accounting_period_check
from ..services.requester_uploads import MAX_FILES_PER_MESSAGE, UPLOAD_HINT_MB

NEW_PATIENT = "new"
DETAIL_FIELDS = ("first_name", "middle_name", "last_name", "other_names", "date_of_birth", "phone")
TEXT_LIMIT = 4000
ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic"


def lazy_format(message: Any, **values: Any) -> Any:
    # `gettext_lazy(...) % values` would translate once, at import; this waits for a request.
    return lazy(lambda: str(message) % values, str)()


class AccessibleFormMixin:
    """Bootstrap classes on every widget, and each error tied to its field: the input gets
    aria-invalid and aria-describedby pointing at the message (and the help text)."""

    def _style(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}_help"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._mark_errors()

    def add_error(self, field: str | None, error: Any) -> None:
        # Views add the errors a service raised after validation; mark those fields too.
        super().add_error(field, error)  # type: ignore[misc]
        if hasattr(self, "cleaned_data"):
            self._mark_errors()

    def _mark_errors(self) -> None:
        for name in self._errors or {}:  # type: ignore[attr-defined]
            field = self.fields.get(name)  # type: ignore[attr-defined]
            if field is None:
                continue
            attrs = field.widget.attrs
            described = [f"id_{name}_error"]
            if field.help_text:
                described.append(f"id_{name}_help")
            attrs["aria-describedby"] = " ".join(described)
            attrs["aria-invalid"] = "true"
            if "is-invalid" not in attrs.get("class", "").split():
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReplyForm(AccessibleFormMixin, forms.Form):
    """The files are checked once, by the reply service (they are read and decoded to catch
    damage); its errors come back keyed by field and show under "Add files"."""

    text = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(
        label=_("Add files (optional)"),
        required=False,
        help_text=lazy_format(
            _("PDF, JPEG, PNG or HEIC photos from your phone; up to %(n)d files, %(mb)d MB each."),
            n=MAX_FILES_PER_MESSAGE,
            mb=UPLOAD_HINT_MB,
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("text") or "").strip() and not cleaned.get("files"):
            self.add_error("text", _("Write a message or add a file."))
        return cleaned


class WithdrawForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Would you like to tell us why? (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class RevokeForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Would you like to tell us why? (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._style()


class EntityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Entity) -> str:
        return obj.name


class FilingForm(AccessibleFormMixin, forms.Form):
    """Who the patient is and where the records are: shared by both short forms."""

    patient = forms.ChoiceField(
        label=_("Whose records?"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the people listed.")},
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("Middle name (optional)"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    other_names = forms.CharField(
        label=_("Other names used (optional)"),
        required=False,
        max_length=1000,
        help_text=_("Maiden or previous names, one per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    entity = EntityChoiceField(
        label=_("Where are the records?"),
        queryset=Entity.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose where the records are.")},
    )

    def __init__(
        self, *args: Any, patients: QuerySet[Patient], entities: QuerySet[Entity], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.patients = {str(p.pk): p for p in patients}
        self.fields["patient"].choices = [
            *(
                (pk, f"{p.full_name} ({p.date_of_birth:%Y-%m-%d})")
                for pk, p in self.patients.items()
            ),
            (NEW_PATIENT, _("Different details (a new name, for example): I will type them")),
        ]
        if self.patients and not self.is_bound:
            self.initial.setdefault("patient", next(iter(self.patients)))
        self.fields["entity"].queryset = entities
        if not self.is_bound and len(entities) == 1:
            # One place only: nothing to choose, but the patient still sees its rule.
            self.initial.setdefault("entity", entities[0].pk)
        self._style()

    @property
    def picks_patient(self) -> bool:
        return bool(self.patients)

    @property
    def details_open(self) -> bool:
        """Show the typed-details fields unfolded when they are the only way, when chosen,
        or when one of them has an error (nothing typed is ever hidden)."""
        if not self.patients:
            return True
        if self.is_bound and self.data.get("patient") == NEW_PATIENT:
            return True
        return any(name in self.errors for name in DETAIL_FIELDS)

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born and born > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."))
        if born and born.year < 1900:
            raise ValidationError(_("Check the year of birth."))
        return born

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "patient" in self.errors:
            return cleaned
        choice = cleaned.get("patient") or (NEW_PATIENT if not self.patients else "")
        if not choice:
            self.add_error("patient", _("Choose whose records these are."))
        elif choice == NEW_PATIENT:
            for name, message in (
                ("first_name", _("Enter the patient's first name.")),
                ("last_name", _("Enter the patient's last name.")),
                ("date_of_birth", _("Enter the patient's date of birth.")),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return cleaned

    def chosen_patient(self) -> Patient | None:
        return self.patients.get(self.cleaned_data.get("patient") or "")

    def patient_details(self) -> PatientDetails | None:
        if self.chosen_patient() is not None:
            return None
        data = self.cleaned_data
        return PatientDetails(
            first_name=data["first_name"],
            middle_name=data.get("middle_name", ""),
            last_name=data["last_name"],
            other_names=data.get("other_names", ""),
            date_of_birth=data["date_of_birth"],
            phone=data.get("phone", ""),
        )


class AmendmentForm(FilingForm):
    what_is_wrong = forms.CharField(
        label=_("What is wrong in the records?"),
        max_length=TEXT_LIMIT,
        help_text=_("Say which record or visit, and what it says now."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Tell us what is wrong.")},
    )
    should_say = forms.CharField(
        label=_("What should it say instead?"),
        max_length=TEXT_LIMIT,
        help_text=_("Write the correction, and why it is right if you can."),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Tell us what it should say.")},
    )


class AccountingForm(FilingForm):
    period_start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=lazy_format(_("At most %(n)d years back."), n=ACCOUNTING_YEARS),
        error_messages={"required": _("Enter the first day of the period.")},
    )
    period_end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the last day of the period.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("period_start", accounting_period_start(today))
        self.initial.setdefault("period_end", today)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end:
            try:
                accounting_period_check(start=start, end=end, today=timezone.localdate())
            except ValidationError as exc:
                self.add_error("period_start", exc)
        return cleaned
