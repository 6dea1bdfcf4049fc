"""Step 4 "What records do you want?" and its consent step for specially protected records.

Date ranges work without JavaScript: each record type shows its rows of optional from/to
dates, and "Add another date range" posts the form back with one more row (htmx, when it is
there, swaps only the form). At most MAX_DATE_RANGES rows per type.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import SENSITIVE_LABELS
from ..models.request import MAX_DATE_RANGES, RequestedItem
from ..rules.kinds import RequestKind, SensitiveCategory
from .wizard import StepForm, as_json, date_input

RT = RequestedItem.RecordType
# The short list most people pick from, in plain words; the rest are "specific parts".
COMMON_TYPES = {
    RT.COMPLETE: _("Everything (my complete medical record)"),
    RT.LAST_VISIT: _("My last visit"),
    RT.LAB_RESULTS: _("Test results"),
    RT.IMAGING_REPORTS: _("Imaging reports (X-ray, CT, MRI reports)"),
    RT.DIAGNOSTIC_IMAGES: _("The images themselves, on a CD or USB drive"),
    RT.BILLING: _("Billing records"),
    RT.SUMMARY: _("A summary of my care"),
}
SPECIFIC_TYPES = {t: t.label for t in RT if t not in COMMON_TYPES}
# A date range means nothing for these.
UNDATED_TYPES = {RT.LAST_VISIT, RT.SUMMARY}
RANGE_ROWS_DEFAULT = 1


def _rows_key(record_type: str) -> str:
    return f"rows_{record_type}"


class RecordsForm(StepForm):
    types = forms.MultipleChoiceField(
        label=_("What records do you want?"),
        choices=[(t.value, label) for t, label in {**COMMON_TYPES, **SPECIFIC_TYPES}.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_description = forms.CharField(
        label=_("Describe the other records you want"), max_length=300, required=False
    )
    sensitive = forms.TypedChoiceField(
        label=_(
            "Do you also want records the law protects more closely: HIV test results, "
            "substance use treatment, genetic tests, mental health records or psychotherapy "
            "notes?"
        ),
        choices=[("no", _("No")), ("yes", _("Yes, I will give my specific consent"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )
    defect_fields = {"description": "types"}

    def __init__(self, *args: Any, add_range: str = "", **kwargs: Any) -> None:
        self.add_range = add_range
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        if not self.ctx.state.is_patient:
            self.fields["types"].label = _("What records do you want?")
        source = self.data if self.is_bound else self.initial
        self.row_counts: dict[str, int] = {}
        for record_type in RT:
            if record_type in UNDATED_TYPES:
                continue
            try:
                rows = int(source.get(_rows_key(record_type), RANGE_ROWS_DEFAULT))
            except (TypeError, ValueError):
                rows = RANGE_ROWS_DEFAULT
            if self.add_range == record_type.value:
                rows += 1
            rows = max(RANGE_ROWS_DEFAULT, min(rows, MAX_DATE_RANGES))
            # Posted back by a hidden input the template writes with the current count, so
            # "Add another date range" keeps every row it added.
            self.row_counts[record_type.value] = rows
            for i in range(rows):
                for end in ("from", "to"):
                    self.fields[f"{end}_{record_type}_{i}"] = forms.DateField(
                        label=_("From") if end == "from" else _("To"),
                        widget=date_input(),
                        required=False,
                    )

    def type_rows(self, group: dict) -> list[dict[str, Any]]:
        checkboxes = {box.data["value"]: box for box in self["types"]}
        rows = []
        for record_type, label in group.items():
            count = self.row_counts.get(record_type.value, 0)
            rows.append(
                {
                    "value": record_type.value,
                    "checkbox": checkboxes[record_type.value],
                    "label": label,
                    "ranges": [
                        (self[f"from_{record_type}_{i}"], self[f"to_{record_type}_{i}"])
                        for i in range(count)
                    ],
                    "can_add": 0 < count < MAX_DATE_RANGES,
                    "rows_name": _rows_key(record_type),
                    "other": record_type == RT.OTHER,
                }
            )
        return rows

    def common_rows(self) -> list[dict[str, Any]]:
        return self.type_rows(COMMON_TYPES)

    def specific_rows(self) -> list[dict[str, Any]]:
        return self.type_rows(SPECIFIC_TYPES)

    def specific_open(self) -> bool:
        if self.is_bound:
            getlist = getattr(self.data, "getlist", None)
            chosen = set(getlist("types") if getlist else self.data.get("types", []))
        else:
            chosen = set(self.initial.get("types", []))
        return bool(chosen & {t.value for t in SPECIFIC_TYPES})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = data.get("types") or []
        if not chosen and not data.get("sensitive"):
            self.add_error("types", _("Choose at least one kind of record."))
        if RT.OTHER in chosen and not (data.get("other_description") or "").strip():
            self.add_error("other_description", _("Tell us which other records you want."))
        ranges: dict[str, list[list[date]]] = {}
        born = self.ctx.state.date_of_birth or date(1900, 1, 1)
        for record_type in chosen:
            pairs: list[list[date]] = []
            for i in range(self.row_counts.get(record_type, 0)):
                start = data.get(f"from_{record_type}_{i}")
                end = data.get(f"to_{record_type}_{i}")
                if start is None and end is None:
                    continue
                # One end left empty means "from the beginning" or "until today".
                start = start or born
                end = end or max(timezone.localdate(), start)
                if start > end:
                    self.add_error(f"to_{record_type}_{i}", _("This date is before the start."))
                    continue
                if [start, end] not in pairs:
                    pairs.append([start, end])
            if pairs:
                ranges[record_type] = pairs
        data["ranges"] = ranges
        return data

    def saved_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "types": list(data.get("types") or []),
            "other_description": data.get("other_description", "")
            if RT.OTHER in (data.get("types") or [])
            else "",
            "ranges": {k: as_json(v) for k, v in data.get("ranges", {}).items()},
            "sensitive": bool(data.get("sensitive")),
        }

    @classmethod
    def data_from_saved(cls, saved: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "types": list(saved.get("types", [])),
            "other_description": saved.get("other_description", ""),
            "sensitive": "yes" if saved.get("sensitive") else "no",
        }
        for record_type, pairs in (saved.get("ranges") or {}).items():
            data[_rows_key(record_type)] = len(pairs)
            for i, (start, end) in enumerate(pairs):
                data[f"from_{record_type}_{i}"] = start
                data[f"to_{record_type}_{i}"] = end
        return data


# --- Step 4b: specific consent for specially protected records

CONSENT_TEXT = {
    SensitiveCategory.HIV: _(
        "Include HIV test results. I give my specific consent to release them "
        "(Cal. Health & Safety Code 120980)."
    ),
    SensitiveCategory.SUBSTANCE_USE: _(
        "Include substance use disorder treatment records. I give my specific consent to "
        "release them (42 CFR Part 2)."
    ),
    SensitiveCategory.GENETIC: _(
        "Include genetic test results. I give my specific consent to release them "
        "(Cal. Civil Code 56.17)."
    ),
    SensitiveCategory.LPS_MENTAL_HEALTH: _(
        "Include mental health treatment records (LPS). I give my specific consent to release "
        "them (Cal. Welfare & Institutions Code 5328)."
    ),
    SensitiveCategory.PSYCHOTHERAPY_NOTES: _(
        "Include psychotherapy notes. I give my specific consent to release them."
    ),
}


class ConsentForm(StepForm):
    categories = forms.MultipleChoiceField(
        label=_("Which of these records do you want?"),
        choices=[(c.value, CONSENT_TEXT[c]) for c in SensitiveCategory],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    defect_fields = {
        "specific_consents": "categories",
        "psychotherapy_notes_separate": "categories",
    }

    def setup(self) -> None:
        self.labels = SENSITIVE_LABELS
        self.psychotherapy_note = (
            _(
                "Psychotherapy notes are kept apart from your medical record and are not part "
                "of the right of access; the provider may decide not to release them."
            )
            if self.ctx.state.kind == RequestKind.ACCESS
            else _(
                "Psychotherapy notes need a permission of their own. Ask for them alone in a "
                "separate request."
            )
        )

    def clean_categories(self) -> list[str]:
        chosen = self.cleaned_data["categories"]
        if not chosen:
            raise forms.ValidationError(
                _("Choose at least one, or go back and answer No to the question about them.")
            )
        return chosen
