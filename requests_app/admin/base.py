"""Pieces shared by the admin modules: read-only admins for what only services write, the
date-of-birth search HIM staff match patients with, and a guard for model clean() methods."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ..selectors.queue import parse_date_of_birth


class ReadOnlyMixin:
    """For the audit trail and for rows that only services write (uploads, packets, counters):
    staff may look, but an edit here would bypass the service and its timeline event."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    # 100 rows a page keeps an audit review readable; the full count on a big table is a
    # second COUNT(*) nobody needs.
    list_per_page = 100
    show_full_result_count = False


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class DateOfBirthSearchMixin:
    """Search "garcia 03/14/1975": words that read as a date match the date of birth exactly,
    the other words go through the usual search_fields. HIM staff match a patient by name and
    date of birth (never a Social Security number, DOMAIN.md section 8)."""

    date_of_birth_lookup = "date_of_birth"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        words = search_term.split()
        dates = [d for d in map(parse_date_of_birth, words) if d is not None]
        rest = " ".join(w for w in words if parse_date_of_birth(w) is None)
        queryset, may_have_duplicates = super().get_search_results(  # type: ignore[misc]
            request, queryset, rest
        )
        if dates:
            queryset = queryset.filter(**{f"{self.date_of_birth_lookup}__in": dates})
        return queryset, may_have_duplicates


class ModelCleanGuardMixin:
    """Model clean() methods read related rows and enum values (`self.entity.jurisdiction`,
    `DeadlineKey(self.key)`). When one of those fields has already failed, the form reports
    that error; running clean() on the half-built instance would raise instead (a 500)."""

    model_clean_needs: tuple[str, ...] = ()

    def _post_clean(self) -> None:
        fields: dict[str, Any] = self.fields  # type: ignore[attr-defined]
        cleaned: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        if any(name in fields and name not in cleaned for name in self.model_clean_needs):
            return
        super()._post_clean()  # type: ignore[misc]
