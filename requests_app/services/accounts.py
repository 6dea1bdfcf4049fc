"""Getting into the patient portal: accounts confirmed by email, one-time codes for guests, and
guest access to the requests a guest filed.

Nothing here may tell a visitor whether an address has an account or whether a request number
exists: every branch that could leak that ends in the same answer, and the difference only shows
up in the mailbox of the address's owner.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..access import portal as access
from ..models import EmailCode, Request, TimelineEvent
from ..models.portal import hash_code
from .timeline import event_record

logger = logging.getLogger(__name__)

CONFIRM_MAX_AGE = timedelta(days=3)
TRACKING_MAX_AGE = timedelta(days=30)
CODE_TTL = timedelta(minutes=15)
CODE_MAX_ATTEMPTS = 5
CODES_PER_HOUR = 5
# Account emails (confirmation, "you already have an account", password reset) per address per
# hour: enough for a person who lost one, too few to turn the form into a mail cannon.
ACCOUNT_MAILS_PER_HOUR = 5

_CONFIRM_SALT = "portal.accounts.confirm"
_TRACKING_SALT = "portal.accounts.track"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _send_after_commit(*, to: str, subject: str, body: str) -> None:
    """Mail once the transaction commits: a rolled-back sign-up never mails a link to an
    account that does not exist. Failures are logged, never shown: the page a visitor sees
    must not depend on whether an email went out."""

    def deliver() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
        except Exception:
            logger.exception("Could not send a portal account email")

    transaction.on_commit(deliver)


def _mail_allowed(email: str, *, kind: str = "account") -> bool:
    """A per-address hourly budget in the cache. The key is a hash, so the cache holds no
    address."""
    digest = hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]
    key = f"portal-accounts:{kind}:{digest}"
    try:
        cache.add(key, 0, timeout=3600)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=3600)
            count = 1
    except Exception:
        # The shared cache (Redis) is away. A patient who needs a code now matters more than
        # the hourly budget during an outage: let it through, and say so in the log.
        logger.warning("Rate-limit cache unavailable; allowing a %s email", kind, exc_info=True)
        return True
    return count <= ACCOUNT_MAILS_PER_HOUR


def _render_mail(template: str, language: str, context: dict[str, Any]) -> str:
    with translation.override(language):
        return render_to_string(template, context)


# --- Accounts --------------------------------------------------------------------------------


def account_for_email(email: str) -> AbstractUser | None:
    """The account an address signs in with. Portal accounts use the address as username;
    older accounts (staff, demo patients) are found by their email field."""
    email = normalize_email(email)
    if not email:
        return None
    users = get_user_model()._default_manager
    return (
        users.filter(username__iexact=email).first()
        or users.filter(email__iexact=email).order_by("pk").first()
    )


def account_is_pending(user: AbstractUser) -> bool:
    """Signed up but never confirmed. An account an admin switched off has signed in before,
    so it never counts as pending and a confirmation link cannot switch it back on."""
    return (
        not user.is_active
        and user.last_login is None
        and not user.is_staff
        and not user.is_superuser
    )


def account_login_name(email: str) -> str:
    user = account_for_email(email)
    return user.get_username() if user is not None else normalize_email(email)


def account_pending_matches(*, email: str, password: str) -> bool:
    """True when the address and password are right but the account waits for its
    confirmation. Only someone who knows the password learns that the account exists."""
    user = account_for_email(email)
    return user is not None and account_is_pending(user) and user.check_password(password)


def _split_name(full_name: str) -> tuple[str, str]:
    # get_full_name() joins the two parts with a space, so any split gives the name back.
    parts = full_name.split(maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else (full_name, "")


def _confirm_link(*, user: AbstractUser, language: str, site_url: str, next_url: str) -> str:
    token = signing.dumps(
        {"u": user.pk, "e": normalize_email(user.email), "l": language, "n": next_url},
        salt=_CONFIRM_SALT,
        compress=True,
    )
    return site_url + reverse("portal:signup_confirm", kwargs={"token": token})


def _mail_confirmation(*, user: AbstractUser, language: str, site_url: str, next_url: str) -> None:
    if not _mail_allowed(user.email):
        return
    link = _confirm_link(user=user, language=language, site_url=site_url, next_url=next_url)
    context = {"user": user, "link": link, "days": CONFIRM_MAX_AGE.days}
    with translation.override(language):
        subject = _("Confirm your email to finish creating your account")
    body = _render_mail("emails/account_confirm.txt", language, context)
    _send_after_commit(to=user.email, subject=subject, body=body)


def _mail_account_exists(*, user: AbstractUser, language: str, site_url: str) -> None:
    if not _mail_allowed(user.email):
        return
    context = {
        "user": user,
        "is_staff": user.is_staff or user.is_superuser,
        "pending": account_is_pending(user),
        "login_url": site_url + reverse("portal:login"),
        "reset_url": site_url + reverse("portal:password_reset"),
        "staff_url": site_url + reverse("admin:index"),
    }
    with translation.override(language):
        subject = _("Someone tried to create an account with your email")
    body = _render_mail("emails/account_exists.txt", language, context)
    _send_after_commit(to=user.email, subject=subject, body=body)


@transaction.atomic
def account_signup(
    *, full_name: str, email: str, password: str, language: str, site_url: str, next_url: str = ""
) -> None:
    """Create an inactive account and mail its confirmation link. An address that already has
    an account gets a "sign in or reset your password" email instead, and the caller cannot
    tell the two apart (no enumeration)."""
    email = normalize_email(email)
    existing = account_for_email(email)
    if existing is None:
        first, last = _split_name(full_name.strip())
        user = get_user_model()(
            username=email, email=email, first_name=first, last_name=last, is_active=False
        )
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # A second sign-up for the same address committed first.
            existing = account_for_email(email)
        else:
            _mail_confirmation(user=user, language=language, site_url=site_url, next_url=next_url)
            return
    # Hash anyway so both answers take about as long.
    make_password(password)
    if existing is not None:
        _mail_account_exists(user=existing, language=language, site_url=site_url)


def account_resend_confirmation(
    *, email: str, language: str, site_url: str, next_url: str = ""
) -> None:
    """Mail a fresh link when the address has an account waiting for confirmation; otherwise
    do nothing, silently."""
    user = account_for_email(email)
    if user is not None and account_is_pending(user) and user.email:
        _mail_confirmation(user=user, language=language, site_url=site_url, next_url=next_url)


class ConfirmStatus(StrEnum):
    ACTIVATED = "activated"
    ALREADY_ACTIVE = "already_active"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclass(frozen=True)
class ConfirmOutcome:
    status: ConfirmStatus
    user: AbstractUser | None = None
    email: str = ""
    language: str = ""
    next_url: str = ""


@transaction.atomic
def account_confirm(*, token: str) -> ConfirmOutcome:
    """Switch on the account a confirmation link names. The link works once: afterwards the
    account is active and the link only says so, it never signs anyone in again."""
    try:
        payload = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        # The signature is good, only old: read the address back to offer a fresh link.
        payload = signing.loads(token, salt=_CONFIRM_SALT)
        return ConfirmOutcome(ConfirmStatus.EXPIRED, email=str(payload.get("e", "")))
    except (signing.BadSignature, ValueError):
        return ConfirmOutcome(ConfirmStatus.INVALID)
    users = get_user_model()._default_manager
    user = users.select_for_update().filter(pk=payload.get("u")).first()
    if user is None or normalize_email(user.email) != payload.get("e"):
        return ConfirmOutcome(ConfirmStatus.INVALID)
    if user.is_active and not (user.is_staff or user.is_superuser):
        return ConfirmOutcome(ConfirmStatus.ALREADY_ACTIVE, user=user, email=user.email)
    if not account_is_pending(user):
        return ConfirmOutcome(ConfirmStatus.INVALID)
    user.is_active = True
    user.save(update_fields=["is_active"])
    return ConfirmOutcome(
        ConfirmStatus.ACTIVATED,
        user=user,
        email=user.email,
        language=str(payload.get("l", "")),
        next_url=str(payload.get("n", "")),
    )


def account_reset_candidates(email: str) -> list[AbstractUser]:
    """Who gets a password-reset email: portal accounts with that address, including one still
    waiting for confirmation (the reset link proves the address just as well). Never staff:
    they do not use the patient pages."""
    email = normalize_email(email)
    users = get_user_model()._default_manager.filter(
        Q(username__iexact=email) | Q(email__iexact=email), is_staff=False, is_superuser=False
    )
    return [
        user
        for user in users
        if user.has_usable_password()
        and normalize_email(user.email) == email
        and (user.is_active or account_is_pending(user))
        and _mail_allowed(email)
    ]


def account_mail_password_reset(*, to: str, context: dict[str, Any]) -> None:
    """The reset email, in the language the visitor is reading the portal in. `context` is
    what Django's PasswordResetForm builds (protocol, domain, uid, token, user)."""
    path = reverse(
        "portal:password_reset_confirm",
        kwargs={"uidb64": context["uid"], "token": context["token"]},
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    mail_context = {
        "user": context["user"],
        "link": f"{context['protocol']}://{context['domain']}{path}",
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    with translation.override(language):
        subject = _("Choose a new password")
    body = _render_mail("emails/account_password_reset.txt", language, mail_context)
    _send_after_commit(to=to, subject=subject, body=body)


@transaction.atomic
def account_password_set(*, user: AbstractUser, password: str) -> AbstractUser:
    """A new password from a reset link. The link reached the address, so an account still
    waiting for confirmation is confirmed too."""
    if account_is_pending(user):
        user.is_active = True
    user.set_password(password)
    user.save()
    return user


# --- One-time codes --------------------------------------------------------------------------


class CodeCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"  # too many wrong tries on this code
    MISSING = "missing"  # none asked for, or already used


def email_code_issue(
    *,
    email: str,
    purpose: str,
    language: str,
    deliver: bool = True,
    context: dict[str, Any] | None = None,
) -> bool:
    """Store a new six-digit code (only its keyed hash) and mail it. Returns False when the
    address already had CODES_PER_HOUR codes this hour. With deliver=False the code is stored
    but never sent, so a non-matching "follow a request" counts against the same budget and
    answers exactly like a matching one."""
    email = normalize_email(email)
    now = timezone.now()
    recent = EmailCode.objects.filter(email__iexact=email, created_at__gte=now - timedelta(hours=1))
    if recent.count() >= CODES_PER_HOUR:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        EmailCode.objects.create(
            email=email,
            purpose=purpose,
            code_hash=hash_code(email, code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        if deliver:
            minutes = int(CODE_TTL.total_seconds() // 60)
            mail_context = {"code": code, "minutes": minutes, **(context or {})}
            template = (
                "emails/code_tracking.txt"
                if purpose == EmailCode.Purpose.GUEST_TRACKING
                else "emails/code_guest.txt"
            )
            with translation.override(language):
                subject = _("Your code: %(code)s") % {"code": code}
            body = _render_mail(template, language, mail_context)
            _send_after_commit(to=email, subject=subject, body=body)
    return True


@transaction.atomic
def email_code_check(*, email: str, purpose: str, code: str) -> CodeCheck:
    """Check a code against the newest one sent to the address for this purpose. Each wrong
    try is counted on the row, locked so two tries at once cannot both slip under the limit."""
    email = normalize_email(email)
    row = (
        EmailCode.objects.select_for_update()
        .filter(email__iexact=email, purpose=purpose)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None or row.used_at is not None:
        return CodeCheck.MISSING
    if row.attempts >= CODE_MAX_ATTEMPTS:
        return CodeCheck.LOCKED
    if row.expires_at <= timezone.now():
        return CodeCheck.EXPIRED
    if not hmac.compare_digest(hash_code(email, code), row.code_hash):
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return CodeCheck.LOCKED if row.attempts >= CODE_MAX_ATTEMPTS else CodeCheck.WRONG
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return CodeCheck.OK


# --- Guest access to requests ----------------------------------------------------------------


def _guest_requests(*, email: str) -> Any:
    return Request.objects.filter(requester__user__isnull=True, requester__email__iexact=email)


def guest_follow_matches(*, number: str, date_of_birth: date, email: str) -> list[Request]:
    """Requests filed without an account that match all three facts, with their siblings from
    the same submission that carry the same address."""
    email = normalize_email(email)
    found = _guest_requests(email=email).filter(
        number__iexact=number.strip(), patient__date_of_birth=date_of_birth
    )
    submissions = list(found.values_list("submission", flat=True)[:1])
    if not submissions:
        return []
    return list(_guest_requests(email=email).filter(submission__in=submissions).order_by("pk"))


def guest_follow_request_code(
    *, number: str, date_of_birth: date, email: str, language: str
) -> bool:
    """Mail a code only if the facts match; answer the same either way. False means the
    hourly code budget for the address is spent."""
    matches = guest_follow_matches(number=number, date_of_birth=date_of_birth, email=email)
    return email_code_issue(
        email=email,
        purpose=EmailCode.Purpose.GUEST_TRACKING,
        language=language,
        deliver=bool(matches),
        context={"number": matches[0].number if matches else ""},
    )


@dataclass(frozen=True)
class FollowOutcome:
    check: CodeCheck
    requests: list[Request] = field(default_factory=list)


def guest_follow_verify(
    *, number: str, date_of_birth: date, email: str, code: str
) -> FollowOutcome:
    check = email_code_check(email=email, purpose=EmailCode.Purpose.GUEST_TRACKING, code=code)
    if check != CodeCheck.OK:
        return FollowOutcome(check)
    matches = guest_follow_matches(number=number, date_of_birth=date_of_birth, email=email)
    return FollowOutcome(check, matches)


@transaction.atomic
def guest_grant_requests(
    *, http_request: HttpRequest, email: str, requests: Iterable[Request], via: str
) -> list[Request]:
    """Let this browser session follow `requests` as the guest `email`. Only requests filed
    without an account under that address are granted, whatever the caller passes; each newly
    opened one gets a staff-only timeline entry (who looked, and how they proved it)."""
    email = normalize_email(email)
    wanted = [r.pk for r in requests]
    allowed = list(_guest_requests(email=email).filter(pk__in=wanted).order_by("pk"))
    access.guest_confirm_email(http_request, email)
    already = set(
        access.portal_requests(http_request)
        .filter(pk__in=[r.pk for r in allowed])
        .values_list("pk", flat=True)
    )
    access.guest_allow_requests(http_request, allowed)
    for request_obj in allowed:
        if request_obj.pk in already:
            continue
        event_record(
            request=request_obj,
            kind=TimelineEvent.Kind.SYSTEM,
            action="guest_access",
            reason=f"Opened by a guest who confirmed {email} ({via}).",
            data={"email": email, "via": via},
            visible_to_requester=False,
        )
    return allowed


def guest_tracking_url(request_obj: Request) -> str:
    """The path (no host) of the link emails carry so a guest can follow a request without a
    code: signed, holds the request and the requester's address, valid TRACKING_MAX_AGE."""
    token = signing.dumps(
        {"r": request_obj.pk, "e": normalize_email(request_obj.requester.email)},
        salt=_TRACKING_SALT,
        compress=True,
    )
    return reverse("portal:track_link", kwargs={"token": token})


class TrackStatus(StrEnum):
    OK = "ok"
    HAS_ACCOUNT = "has_account"  # filed from an account: sign in instead
    INVALID = "invalid"


@dataclass(frozen=True)
class TrackOutcome:
    status: TrackStatus
    email: str = ""
    number: str = ""
    requests: list[Request] = field(default_factory=list)


def guest_tracking_open(*, token: str) -> TrackOutcome:
    try:
        payload = signing.loads(token, salt=_TRACKING_SALT, max_age=TRACKING_MAX_AGE)
    except (signing.BadSignature, ValueError):
        return TrackOutcome(TrackStatus.INVALID)
    email = str(payload.get("e", ""))
    found = Request.objects.select_related("requester").filter(pk=payload.get("r")).first()
    # The address must still be the requester's: a corrected address retires old links.
    if found is None or not email or normalize_email(found.requester.email) != email:
        return TrackOutcome(TrackStatus.INVALID)
    if found.requester.user_id is not None:
        return TrackOutcome(TrackStatus.HAS_ACCOUNT, email=email, number=found.number)
    siblings = list(_guest_requests(email=email).filter(submission=found.submission))
    return TrackOutcome(TrackStatus.OK, email=email, number=found.number, requests=siblings)
