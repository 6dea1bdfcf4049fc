"""The queue's filter form (GET) and the bulk-assign form (POST). They only validate; the
choices come from the viewer's scope (selectors.queue.queue_scope), so an entity, location or
colleague outside it is an invalid choice, never a filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..choices import REQUEST_KIND_CHOICES
from ..selectors.queue import (
    ASSIGNEE_ANYONE,
    ASSIGNEE_DEFAULT,
    ASSIGNEE_ME,
    ASSIGNEE_UNASSIGNED,
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    REQUEST_NUMBER,
    STAFF_STATUS_CHOICES,
    STATUS_ALL,
    STATUS_OPEN,
    Cursor,
    QueueFilters,
    QueueScope,
)

MAX_DUE_WITHIN_DAYS = 365
MAX_BULK = 200


@dataclass(frozen=True)
class SelectView:
    """A select of the filter form, ready to write: the options with the chosen one marked."""

    name: str
    id: str
    label: str
    errors: list[str]
    options: list[tuple[str, str, bool]]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_(
            "Number, patient name or other name, date of birth (1975-03-14 or 03/14/1975). "
            "Looks at every status and assignee unless you choose them."
        ),
    )
    entity = forms.TypedChoiceField(label=_("Entity"), required=False, coerce=int, empty_value=None)
    location = forms.TypedChoiceField(
        label=_("Location"), required=False, coerce=int, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", pgettext_lazy("kind", "Any kind")), *REQUEST_KIND_CHOICES],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (STATUS_OPEN, _("Open (default)")),
            (STATUS_ALL, _("Any status")),
            *STAFF_STATUS_CHOICES,
        ],
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    due_within = forms.IntegerField(
        label=_("Due within (days)"),
        required=False,
        min_value=0,
        max_value=MAX_DUE_WITHIN_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    extension = forms.BooleanField(label=_("Extension decision needed"), required=False)
    received_from = forms.DateField(
        label=_("Received from"),
        required=False,
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        widget=_date_input(),
    )
    received_to = forms.DateField(
        label=_("Received to"),
        required=False,
        input_formats=["%Y-%m-%d", "%m/%d/%Y"],
        widget=_date_input(),
    )
    size = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        choices=[(n, str(n)) for n in PAGE_SIZES],
    )
    # The keyset cursors: hidden, and a malformed one only sends the clerk to the first page.
    after = forms.CharField(required=False, widget=forms.HiddenInput)
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    # Filters behind "More filters": the disclosure opens when one of them is set.
    MORE = (
        "location",
        "kind",
        "due_within",
        "overdue",
        "extension",
        "received_from",
        "received_to",
        "size",
    )

    def __init__(self, *args: Any, scope: QueueScope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        names = {e.pk: e.short_name for e in scope.entities}
        self.fields["entity"].choices = [
            ("", _("All my entities")),
            *((e.pk, e.short_name) for e in scope.entities),
        ]
        self.fields["location"].choices = [
            ("", _("Any location")),
            *((loc.pk, f"{names.get(loc.entity_id, '')}: {loc.name}") for loc in scope.locations),
        ]
        self.fields["assignee"].choices = [
            (ASSIGNEE_DEFAULT, _("Mine & unassigned")),
            (ASSIGNEE_ME, _("Mine")),
            (ASSIGNEE_UNASSIGNED, _("Unassigned")),
            (ASSIGNEE_ANYONE, _("Anyone")),
            *((str(c.pk), c.label) for c in scope.colleagues),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        for name in ("after", "before"):
            text = data.get(name) or ""
            data[name] = Cursor.parse(text) if text else None
            if text and data[name] is None:
                self.add_error(None, _("That page link is out of date; showing the first page."))
        return data

    def filters(self) -> QueueFilters:
        """The filters that validated. A bad field is left out (its error is on the page,
        what was typed stays in the box) and the others still apply."""
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            entity=data.get("entity"),
            location=data.get("location"),
            kind=data.get("kind") or "",
            status=data.get("status") or STATUS_OPEN,
            assignee=data.get("assignee") or ASSIGNEE_DEFAULT,
            due_within=data.get("due_within"),
            overdue=bool(data.get("overdue")),
            extension=bool(data.get("extension")),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            search=data.get("q") or "",
        )

    def cursors(self) -> tuple[Cursor | None, Cursor | None]:
        data = getattr(self, "cleaned_data", {})
        return data.get("after"), data.get("before")

    def page_size(self) -> int:
        return getattr(self, "cleaned_data", {}).get("size") or DEFAULT_PAGE_SIZE

    def more_filters_used(self) -> bool:
        return any(self.data.get(name) not in (None, "") for name in self.MORE)

    def _select(self, name: str) -> SelectView:
        bound = self[name]
        current = "" if bound.value() in (None, "") else str(bound.value())
        if name == "size":
            current = str(self.page_size())
        return SelectView(
            name=name,
            id=bound.id_for_label,
            label=str(bound.label),
            errors=list(bound.errors),
            options=[
                (str(value), str(label), str(value) == current)
                for value, label in bound.field.choices
            ],
        )

    @property
    def main_selects(self) -> list[SelectView]:
        return [self._select(name) for name in ("entity", "status", "assignee")]

    @property
    def location_select(self) -> SelectView:
        return self._select("location")

    @property
    def kind_select(self) -> SelectView:
        return self._select("kind")

    @property
    def size_select(self) -> SelectView:
        return self._select("size")


class RequestNumbersField(forms.Field):
    """The checked rows: request numbers, from as many checkboxes as were ticked."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        return list(dict.fromkeys(str(v).strip().upper() for v in value if str(v).strip()))

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        if len(value) > MAX_BULK:
            raise forms.ValidationError(
                _("Assign at most %(n)d requests at a time."), params={"n": MAX_BULK}
            )
        if any(not REQUEST_NUMBER.fullmatch(number) for number in value):
            raise forms.ValidationError(_("Some of the selected requests are not valid."))


ASSIGN_TO_ME = "me"
ASSIGN_TO_NOBODY = "none"


class BulkAssignForm(forms.Form):
    numbers = RequestNumbersField(
        error_messages={"required": _("Tick at least one request to assign.")}
    )
    assign_to = forms.ChoiceField(
        label=_("Assign selected to"),
        error_messages={"required": _("Choose whom to assign the selected requests to.")},
    )

    def __init__(self, *args: Any, scope: QueueScope, user_pk: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [
            ("", _("Choose…")),
            (ASSIGN_TO_ME, _("Me")),
            (ASSIGN_TO_NOBODY, _("Nobody (unassign)")),
        ]
        # A clerk takes work or gives it back; handing it to a colleague is a supervisor's
        # call (services/bulk.py enforces it again).
        if scope.is_supervisor:
            choices += [(str(c.pk), c.label) for c in scope.colleagues if c.pk != user_pk]
        self.fields["assign_to"].choices = choices
        self.user_pk = user_pk

    def assignee_id(self) -> int | None:
        value = self.cleaned_data["assign_to"]
        if value == ASSIGN_TO_ME:
            return self.user_pk
        if value == ASSIGN_TO_NOBODY:
            return None
        return int(value)
