"""The patient whose records are asked for, and the person or body asking."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import AUTHORITY_CHOICES, REQUESTER_ROLE_CHOICES, THIRD_PARTY_CHOICES
from ..rules.kinds import RequesterRole

LANGUAGE_CHOICES = [("en", "English"), ("es", "Español")]


NAME_FIELDS = frozenset({"first_name", "middle_name", "last_name", "other_names"})


def fold(text: str) -> str:
    """Lower case without accents: "María José Núñez" -> "maria jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def full_name(first: str | None, middle: str | None, last: str | None) -> str:
    """A person's name as the product writes it: the parts they gave, in order."""
    return " ".join(part for part in (first, middle, last) if part)


def fold_names(*names: str) -> str:
    return " ".join(fold(name) for name in " ".join(names).split())


class Patient(models.Model):
    # Never a Social Security number (DOMAIN.md section 8): name, other names and date of
    # birth are what HIM staff match records with.
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    other_names = models.TextField(
        _("other names used"), blank=True, help_text=_("Maiden or previous names, one per line.")
    )
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("mailing address"), blank=True)
    preferred_language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    date_of_death = models.DateField(_("date of death"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient_records",
        help_text=_("The portal account of the patient, when the patient has one."),
    )
    # Every name, other names too, folded (lower case, no accents): a clerk who types "garcia"
    # finds "García". Kept by save(); the queue search also matches the names as stored.
    search_names = models.TextField(editable=False, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name", "date_of_birth"])]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.date_of_birth:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_names = fold_names(
            self.first_name, self.middle_name, self.last_name, self.other_names
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and NAME_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_names"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.middle_name, self.last_name)

    @property
    def is_deceased(self) -> bool:
        return self.date_of_death is not None


class Requester(models.Model):
    """Whoever asks: the patient, a personal representative (164.502(g)), next of kin or an
    executor, a third party under authorization, or a treating provider."""

    role = models.CharField(_("role"), max_length=20, choices=REQUESTER_ROLE_CHOICES)
    full_name = models.CharField(_("full name"), max_length=200)
    organization_name = models.CharField(
        _("organization"),
        max_length=200,
        blank=True,
        help_text=_("Law firm, insurer, agency or practice, for a third party or provider."),
    )
    third_party_type = models.CharField(max_length=20, choices=THIRD_PARTY_CHOICES, blank=True)
    representative_authority = models.CharField(
        max_length=20, choices=AUTHORITY_CHOICES, blank=True
    )
    relationship = models.CharField(_("relationship to the patient"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    address = models.TextField(_("mailing address"), blank=True)
    preferred_language = models.CharField(max_length=5, choices=LANGUAGE_CHOICES, default="en")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requester_profiles",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        if self.organization_name:
            return f"{self.full_name} ({self.organization_name})"
        return self.full_name

    @property
    def is_patient(self) -> bool:
        return self.role == RequesterRole.SELF
