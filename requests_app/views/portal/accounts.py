"""Patient portal: accounts and guest access.

Sign-up with an emailed confirmation link, sign-in with email and password, sign-out (POST),
password reset; a one-time emailed code for guests; following a request without an account
(request number + date of birth + code, or the signed link in our emails); the portal home.

This module keeps its own short-lived session entries (what was typed before the code step);
who may see what is stored only through access/portal.py.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ...access import portal as access
from ...forms.accounts import (
    CodeForm,
    EmailForm,
    FollowForm,
    LoginForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    SignupForm,
)
from ...models import EmailCode
from ...services import accounts as services

SIGNUP_EMAIL = "portal_accounts_signup_email"
PENDING_GUEST = "portal_accounts_pending_guest"  # {"email", "next"}
PENDING_FOLLOW = "portal_accounts_pending_follow"  # {"email", "number", "dob"}

CODE_ERRORS = {
    services.CodeCheck.WRONG: gettext_lazy(
        "That code is not right. Check the newest email from us and try again."
    ),
    services.CodeCheck.EXPIRED: gettext_lazy(
        "This code has expired: codes work for 15 minutes. Ask for a new one below."
    ),
    services.CodeCheck.LOCKED: gettext_lazy(
        "Too many wrong tries for this code. Ask for a new one below."
    ),
    services.CodeCheck.MISSING: gettext_lazy(
        "This code was already used or has been replaced. Ask for a new one below."
    ),
}
TOO_MANY_CODES = gettext_lazy(
    "We already sent 5 codes to this address in the last hour. Please use the newest code we "
    "sent, or wait an hour and ask again."
)

SIGNED_IN_FOLLOW = gettext_lazy(
    "Requests made without an account are followed as a guest. To open one, sign out first "
    "and use the link from the email, or the request number."
)


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _language(request: HttpRequest) -> str:
    language = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return language if language in {"en", "es"} else "en"


def _detail_url(number: str) -> str:
    # The request pages belong to another area; until they exist, the portal home will do.
    for kwargs in ({"kwargs": {"number": number}}, {"args": [number]}):
        try:
            return reverse("portal:request_detail", **kwargs)
        except NoReverseMatch:
            continue
    return reverse("portal:home")


def _posted(request: HttpRequest) -> dict | None:
    return request.POST if request.method == "POST" else None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/accounts/home.html", {"identity": access.portal_identity(request)}
    )


# --- Sign-up ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if access.portal_identity(request).user is not None:
        messages.info(request, _("You are already signed in."))
        return redirect("portal:home")
    initial = {"language": _language(request), "next": _safe_next(request, request.GET.get("next"))}
    form = SignupForm(_posted(request), initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        services.account_signup(
            full_name=data["full_name"],
            email=data["email"],
            password=data["password1"],
            language=data["language"],
            site_url=_site_url(request),
            next_url=_safe_next(request, data["next"]),
        )
        request.session[SIGNUP_EMAIL] = data["email"]
        return redirect("portal:signup_sent")
    return render(request, "portal/accounts/signup.html", {"form": form})


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get(SIGNUP_EMAIL, "")
    form = EmailForm(initial={"email": email})
    return render(request, "portal/accounts/signup_sent.html", {"email": email, "form": form})


@require_POST
def signup_resend(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/accounts/signup_sent.html", {"email": "", "form": form})
    email = form.cleaned_data["email"]
    services.account_resend_confirmation(
        email=email,
        language=_language(request),
        site_url=_site_url(request),
        next_url=_safe_next(request, form.cleaned_data["next"]),
    )
    request.session[SIGNUP_EMAIL] = email
    # Same words whether or not an account waits: the page must not reveal which one it is.
    messages.info(
        request,
        _("If an account with %(email)s is waiting for confirmation, we sent a new link.")
        % {"email": email},
    )
    return redirect("portal:signup_sent")


@require_GET
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    outcome = services.account_confirm(token=token)
    if outcome.status == services.ConfirmStatus.ACTIVATED:
        auth_login(request, outcome.user, backend=settings.AUTHENTICATION_BACKENDS[0])
        messages.success(request, _("Your email is confirmed and you are signed in. Welcome!"))
        response = redirect(_safe_next(request, outcome.next_url) or "portal:home")
        if outcome.language:
            # No profile field holds the language yet; the cookie keeps the portal in it.
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, outcome.language)
        return response
    if outcome.status == services.ConfirmStatus.ALREADY_ACTIVE:
        messages.info(request, _("Your email is already confirmed. Please sign in."))
        return redirect("portal:login")
    form = EmailForm(initial={"email": outcome.email})
    expired = outcome.status == services.ConfirmStatus.EXPIRED
    return render(
        request,
        "portal/accounts/signup_link_problem.html",
        {"form": form, "expired": expired, "days": services.CONFIRM_MAX_AGE.days},
        status=200 if expired else 400,
    )


# --- Sign-in, sign-out, password reset -------------------------------------------------------


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/accounts/login.html"
    authentication_form = LoginForm
    next_page = "portal:home"

    def get_context_data(self, **kwargs: object) -> dict:
        return {**super().get_context_data(**kwargs), "staff_url": reverse("admin:index")}

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("You are signed in."))
        return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    # Also ends a guest visit: the whole session goes.
    auth_logout(request)
    messages.info(request, _("You are signed out."))
    return redirect("portal:home")


class PortalPasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/accounts/password_reset.html"
    form_class = PortalPasswordResetForm
    success_url = reverse_lazy("portal:password_reset_done")


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/accounts/password_reset_done.html"


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/accounts/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("portal:login")

    def form_valid(self, form: PortalSetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your new password is saved. Please sign in."))
        return response


# --- Guests: confirm an email with a code ----------------------------------------------------


def _code_page(request: HttpRequest, form: CodeForm, *, email: str, resend: dict) -> HttpResponse:
    return render(
        request, "portal/accounts/code_verify.html", {"form": form, "email": email, **resend}
    )


@require_http_methods(["GET", "POST"])
def guest_start(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if access.portal_identity(request).user is not None:
        messages.info(request, _("You are signed in, so you do not need a code."))
        return redirect(next_url or "portal:home")
    form = EmailForm(_posted(request), initial={"next": next_url})
    if form.is_valid():
        email = form.cleaned_data["email"]
        sent = services.email_code_issue(
            email=email, purpose=EmailCode.Purpose.GUEST_FILING, language=_language(request)
        )
        if sent:
            request.session[PENDING_GUEST] = {"email": email, "next": next_url}
            messages.success(request, _("We sent a 6-digit code to %(email)s.") % {"email": email})
            return redirect("portal:guest_verify")
        form.add_error("email", TOO_MANY_CODES)
    pending = request.session.get(PENDING_GUEST) or {}
    return render(request, "portal/accounts/guest_start.html", {"form": form, "pending": pending})


@require_http_methods(["GET", "POST"])
def guest_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_GUEST)
    if not pending:
        messages.info(request, _("First tell us your email, and we will send you a code."))
        return redirect("portal:guest_start")
    form = CodeForm(_posted(request))
    if form.is_valid():
        result = services.email_code_check(
            email=pending["email"],
            purpose=EmailCode.Purpose.GUEST_FILING,
            code=form.cleaned_data["code"],
        )
        if result == services.CodeCheck.OK:
            access.guest_confirm_email(request, pending["email"])
            request.session.pop(PENDING_GUEST, None)
            messages.success(request, _("Thank you, your email is confirmed."))
            return redirect(_safe_next(request, pending.get("next")) or "portal:home")
        form.add_error("code", CODE_ERRORS[result])
    resend = {
        "resend_url": reverse("portal:guest_start"),
        "resend_fields": {"email": pending["email"], "next": pending.get("next", "")},
        "restart_url": reverse("portal:guest_start"),
    }
    return _code_page(request, form, email=pending["email"], resend=resend)


# --- Following a request without an account --------------------------------------------------


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    if access.portal_identity(request).user is not None:
        # A signed-in account sees only its own requests; guest access would not show.
        messages.info(request, SIGNED_IN_FOLLOW)
        return redirect("portal:home")
    form = FollowForm(_posted(request))
    if form.is_valid():
        data = form.cleaned_data
        sent = services.guest_follow_request_code(
            number=data["number"],
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            language=_language(request),
        )
        if sent:
            request.session[PENDING_FOLLOW] = {
                "email": data["email"],
                "number": data["number"],
                "dob": data["date_of_birth"].isoformat(),
            }
            # The same words whether or not anything matched: nothing can be guessed from it.
            messages.info(
                request,
                _(
                    "If these details match a request, we sent a 6-digit code to %(email)s. "
                    "It can take a minute to arrive."
                )
                % {"email": data["email"]},
            )
            return redirect("portal:follow_verify")
        form.add_error(None, TOO_MANY_CODES)
    return render(request, "portal/accounts/follow.html", {"form": form})


@require_http_methods(["GET", "POST"])
def follow_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_FOLLOW)
    if not pending:
        return redirect("portal:follow")
    form = CodeForm(_posted(request))
    if form.is_valid():
        outcome = services.guest_follow_verify(
            number=pending["number"],
            date_of_birth=date.fromisoformat(pending["dob"]),
            email=pending["email"],
            code=form.cleaned_data["code"],
        )
        if outcome.check == services.CodeCheck.OK and outcome.requests:
            services.guest_grant_requests(
                http_request=request, email=pending["email"], requests=outcome.requests, via="code"
            )
            request.session.pop(PENDING_FOLLOW, None)
            typed = pending["number"].upper()
            shown = next((r for r in outcome.requests if r.number.upper() == typed), None)
            return redirect(_detail_url((shown or outcome.requests[0]).number))
        if outcome.check == services.CodeCheck.OK:
            # The request changed since the code was sent (for example, linked to an account).
            messages.error(request, _("We could not open that request. Please try again."))
            return redirect("portal:follow")
        form.add_error("code", CODE_ERRORS[outcome.check])
    resend = {
        "resend_url": reverse("portal:follow"),
        "resend_fields": {
            "number": pending["number"],
            "date_of_birth": pending["dob"],
            "email": pending["email"],
        },
        "restart_url": reverse("portal:follow"),
    }
    return _code_page(request, form, email=pending["email"], resend=resend)


@require_GET
def track_link(request: HttpRequest, token: str) -> HttpResponse:
    outcome = services.guest_tracking_open(token=token)
    signed_in = access.portal_identity(request).user is not None
    if outcome.status == services.TrackStatus.OK and not signed_in:
        services.guest_grant_requests(
            http_request=request, email=outcome.email, requests=outcome.requests, via="link"
        )
        return redirect(_detail_url(outcome.number))
    if outcome.status == services.TrackStatus.OK:
        messages.info(request, SIGNED_IN_FOLLOW)
        return redirect("portal:home")
    if outcome.status == services.TrackStatus.HAS_ACCOUNT:
        detail = _detail_url(outcome.number)
        if signed_in:
            return redirect(detail)
        messages.info(request, _("This request belongs to an account. Please sign in to see it."))
        return redirect(f"{reverse('portal:login')}?{urlencode({'next': detail})}")
    return render(request, "portal/accounts/follow.html", {"form": FollowForm(), "bad_link": True})


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("account/signup/", signup, name="signup"),
    path("account/signup/sent/", signup_sent, name="signup_sent"),
    path("account/signup/resend/", signup_resend, name="signup_resend"),
    path("account/confirm/<str:token>/", signup_confirm, name="signup_confirm"),
    path("account/login/", PortalLoginView.as_view(), name="login"),
    path("account/logout/", logout, name="logout"),
    path("account/password/", PortalPasswordResetView.as_view(), name="password_reset"),
    path(
        "account/password/sent/",
        PortalPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password/<uidb64>/<token>/",
        PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("guest/", guest_start, name="guest_start"),
    path("guest/verify/", guest_verify, name="guest_verify"),
    path("follow/", follow, name="follow"),
    path("follow/verify/", follow_verify, name="follow_verify"),
    path("track/<str:token>/", track_link, name="track_link"),
]
