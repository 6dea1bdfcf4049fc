"""Organization > Entity (a HIPAA covered entity) > Location, and each entity's policy."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import (
    DAY_UNIT_CHOICES,
    DEADLINE_KEY_CHOICES,
    RELEASE_SCOPE_CHOICES,
    US_STATE_CHOICES,
)
from ..rules import fees
from ..rules.authorization import DEFAULT_VALIDITY_DAYS
from ..rules.clocks import MAX_DUE_SOON_WORKING_DAYS
from ..rules.deadlines import DeadlineRule
from ..rules.fees import FeeSchedule
from ..rules.kinds import DayUnit, DeadlineKey, DeliveryMethod, ReleaseScope


def timezone_is_valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: names with spaces
        return False
    return True


def validate_timezone(value: str) -> None:
    # Every due date is computed in the entity's time zone; a bad name would break them all.
    if not timezone_is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as America/Los_Angeles."),
            params={"value": value},
        )


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    help_phone = models.CharField(_("help phone"), max_length=40, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")

    def __str__(self) -> str:
        return self.name


class Entity(models.Model):
    """A covered entity: it holds its own designated record set and answers for its deadlines."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="entities"
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=60)
    # Prefix of every Bates number stamped on this entity's packets, e.g. COH-ROI-2026-000042-0001.
    bates_prefix = models.CharField(_("Bates prefix"), max_length=10, unique=True)
    jurisdiction = models.CharField(
        _("state"),
        max_length=2,
        choices=US_STATE_CHOICES,
        help_text=_("The state whose law applies; the stricter of it and HIPAA always wins."),
    )
    timezone = models.CharField(
        max_length=60, default="America/Los_Angeles", validators=[validate_timezone]
    )
    him_department = models.CharField(_("HIM department"), max_length=200, blank=True)
    address = models.TextField(_("mailing address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("covered entity")
        verbose_name_plural = _("covered entities")

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        CLINIC = "clinic", _("Clinic")
        COMMUNITY = "community", _("Community site")

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.HOSPITAL)
    address = models.TextField(_("address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    release_scope = models.CharField(
        _("release scope"),
        max_length=20,
        choices=RELEASE_SCOPE_CHOICES,
        default=ReleaseScope.ENTITY,
        help_text=_("A Keck clinic releases only its own records; a hospital its whole entity."),
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["entity__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"], name="location_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


def default_delivery_methods() -> list[str]:
    return [
        DeliveryMethod.PORTAL.value,
        DeliveryMethod.SECURE_EMAIL.value,
        DeliveryMethod.MAIL.value,
    ]


money = {
    "max_digits": 8,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0"))],
}


class EntityPolicy(models.Model):
    """Rules an admin configures per entity. Legal floors are checked in clean() by the pure
    rules, so the admin sees a clear message instead of saving an unlawful policy."""

    entity = models.OneToOneField(Entity, on_delete=models.CASCADE, related_name="policy")
    default_authorization_days = models.PositiveSmallIntegerField(
        _("authorization validity when none is written (days)"),
        default=DEFAULT_VALIDITY_DAYS,
        validators=[MinValueValidator(1)],
    )
    delivery_methods = models.JSONField(
        _("delivery methods offered"), default=default_delivery_methods
    )
    holiday_country = models.CharField(max_length=2, default="US")
    holiday_subdivision = models.CharField(
        max_length=10, blank=True, help_text=_("Defaults to the entity's state.")
    )
    help_phone = models.CharField(_("help phone"), max_length=40, blank=True)
    help_hours = models.CharField(_("help hours"), max_length=200, blank=True)
    # Fee schedule (DOMAIN.md section 5): mirrors rules.fees.FeeSchedule, whose defaults are
    # the California caps.
    per_page_paper = models.DecimalField(**{**money, "default": fees.CA_PER_PAGE_PAPER})
    per_page_microfilm = models.DecimalField(**{**money, "default": fees.CA_PER_PAGE_MICROFILM})
    electronic_flat_fee = models.DecimalField(**money)
    media_fee = models.DecimalField(**money)
    postage = models.DecimalField(**money)
    summary_fee = models.DecimalField(**money)
    free_record_years = models.PositiveSmallIntegerField(default=0)
    third_party_per_page = models.DecimalField(**{**money, "default": fees.CA_THIRD_PARTY_PER_PAGE})
    third_party_per_page_microfilm = models.DecimalField(
        **{**money, "default": fees.CA_THIRD_PARTY_PER_PAGE_MICROFILM}
    )
    third_party_clerical_per_quarter_hour = models.DecimalField(
        **{**money, "default": fees.CA_CLERICAL_PER_QUARTER_HOUR}
    )
    third_party_base_fee = models.DecimalField(**money)
    accounting_fee = models.DecimalField(**money)
    benefit_appeal_free = models.BooleanField(default=True)
    # Legal clocks and reminders (services/clocks.py).
    due_soon_working_days = models.PositiveSmallIntegerField(
        _("warn staff this many working days before a due date"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DUE_SOON_WORKING_DAYS)],
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind a requester we are waiting on after (days)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    close_pending_after_days = models.PositiveSmallIntegerField(
        _("close a request still waiting on the requester after (days)"),
        default=60,
        validators=[MinValueValidator(2), MaxValueValidator(730)],
    )

    class Meta:
        verbose_name = _("entity policy")
        verbose_name_plural = _("entity policies")

    def __str__(self) -> str:
        return f"Policy of {self.entity}"

    @property
    def subdivision(self) -> str:
        return self.holiday_subdivision or self.entity.jurisdiction

    def fee_schedule(self) -> FeeSchedule:
        return FeeSchedule(
            per_page_paper=self.per_page_paper,
            per_page_microfilm=self.per_page_microfilm,
            electronic_flat_fee=self.electronic_flat_fee,
            media_fee=self.media_fee,
            postage=self.postage,
            summary_fee=self.summary_fee,
            free_record_years=self.free_record_years,
            third_party_per_page=self.third_party_per_page,
            third_party_per_page_microfilm=self.third_party_per_page_microfilm,
            third_party_clerical_per_quarter_hour=self.third_party_clerical_per_quarter_hour,
            third_party_base_fee=self.third_party_base_fee,
            accounting_fee=self.accounting_fee,
            benefit_appeal_free=self.benefit_appeal_free,
        )

    def clean(self) -> None:
        from ..rules.fees import validate_schedule

        methods = self.delivery_methods
        if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
            raise ValidationError({"delivery_methods": _("Give a list of delivery methods.")})
        # The entity may be one the admin is creating in the same form (not saved yet).
        field = self._meta.get_field("entity")
        entity = (
            self.entity
            if field.is_cached(self)
            else (Entity.objects.filter(pk=self.entity_id).first() if self.entity_id else None)
        )
        errors = []
        if entity is not None and entity.jurisdiction:
            errors = validate_schedule(self.fee_schedule(), jurisdiction=entity.jurisdiction)
        unknown = set(methods) - {m.value for m in DeliveryMethod}
        if unknown:
            errors.append(_("Unknown delivery methods: %s") % ", ".join(sorted(unknown)))
        if not methods:
            errors.append(_("Offer at least one delivery method."))
        if self.close_pending_after_days <= self.reminder_after_days:
            errors.append(_("Remind the requester before closing: the reminder must come first."))
        if errors:
            raise ValidationError([str(e) for e in errors])


class DeadlinePolicy(models.Model):
    """One deadline rule per entity and request kind; validated against the legal floor."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="deadline_policies")
    key = models.CharField(_("applies to"), max_length=30, choices=DEADLINE_KEY_CHOICES)
    days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    unit = models.CharField(max_length=10, choices=DAY_UNIT_CHOICES, default=DayUnit.CALENDAR)
    extension_days = models.PositiveSmallIntegerField(default=0)
    pauses_when_pending = models.BooleanField(
        _("clock pauses while waiting for the requester"), default=False
    )
    moves_to_open_day = models.BooleanField(
        _("a due date on a closed day moves to the next open day"), default=False
    )

    class Meta:
        ordering = ["entity", "key"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "key"], name="deadline_policy_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.entity.short_name}: {self.get_key_display()}"

    @classmethod
    def from_rule(cls, *, entity: Entity, key: DeadlineKey, rule: DeadlineRule) -> DeadlinePolicy:
        return cls(
            entity=entity,
            key=key,
            days=rule.days,
            unit=rule.unit,
            extension_days=rule.extension_days,
            pauses_when_pending=rule.pauses_when_pending,
            moves_to_open_day=rule.moves_to_open_day,
        )

    def as_rule(self) -> DeadlineRule:
        return DeadlineRule(
            days=self.days,
            unit=DayUnit(self.unit),
            extension_days=self.extension_days,
            pauses_when_pending=self.pauses_when_pending,
            moves_to_open_day=self.moves_to_open_day,
        )

    def clean(self) -> None:
        # Missing fields get their own "required" errors; a new entity's inline rows are
        # checked by the admin formset against the jurisdiction being posted.
        if not self.entity_id or not self.days or not self.key or not self.unit:
            return
        if not timezone_is_valid(self.entity.timezone):
            return  # the entity form reports the time zone; no date can be computed without it
        from ..selectors.calendar import entity_closed_days, validate_deadline_policy

        errors = validate_deadline_policy(
            entity=self.entity,
            key=DeadlineKey(self.key),
            rule=self.as_rule(),
            closed=entity_closed_days(self.entity),
        )
        if errors:
            raise ValidationError([str(e) for e in errors])


class Closure(models.Model):
    """A day the HIM office is closed beyond federal and state holidays (working-day rules
    skip it)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "date"], name="closure_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


class LetterText(models.Model):
    """The text of each letter the entity sends, per language; rendered into PDF letters."""

    class Kind(models.TextChoices):
        COVER = "cover", _("Release cover letter")
        DENIAL = "denial", _("Denial letter")
        EXTENSION = "extension", _("Extension notice")
        PENDING = "pending", _("Missing information notice")
        AMENDMENT_DENIAL = "amendment_denial", _("Amendment denial letter")
        AMENDMENT_ACCEPTED = "amendment_accepted", _("Amendment accepted letter")
        ACCOUNTING = "accounting", _("Accounting of disclosures cover letter")
        CLOSURE = "closure", _("Closure notice")

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    language = models.CharField(max_length=5, choices=[("en", "English"), ("es", "Español")])
    subject = models.CharField(max_length=200)
    body = models.TextField(
        help_text=_(
            "Plain text. Placeholders: {patient}, {number}, {due_date}, {reason}, "
            "{phone}, {entity}."
        )
    )

    class Meta:
        ordering = ["entity", "kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "kind", "language"], name="letter_unique_kind_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity.short_name}: {self.get_kind_display()} ({self.language})"
