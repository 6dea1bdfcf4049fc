"""Forms for getting into the portal: sign-up, sign-in, password reset, one-time codes and
"follow a request". They validate only; the services in services/accounts.py act."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models.people import LANGUAGE_CHOICES
from ..services import accounts as account_services


class PortalBoundField(BoundField):
    """Bootstrap classes on every widget, and `is-invalid` on a field with errors. Django
    itself adds aria-invalid and points aria-describedby at "<id>_error" and
    "<id>_helptext", which the field template renders."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
            base = "form-check-input"
        elif isinstance(widget, forms.Select):
            base = "form-select"
        else:
            base = "form-control"
        # The widget's own classes too: Django lets these attrs replace the widget's.
        own = widget.attrs.get("class", "")
        classes = [base, own, attrs.get("class", ""), "is-invalid" if self.errors else ""]
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs


class PortalForm(forms.Form):
    bound_field_class = PortalBoundField


class NextMixin(forms.Form):
    # Where to go afterwards; the view checks that it is a safe local URL.
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


class SignupForm(NextMixin, PortalForm):
    full_name = forms.CharField(
        label=_("Your full name"), max_length=150, widget=forms.TextInput({"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=150,
        help_text=_("You will use it to sign in. We send a link to it to confirm it is yours."),
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=_("At least 8 characters. Not only numbers, and not a common password."),
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(
        label=_("Which language should we write to you in?"),
        choices=LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
    )

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError(_("Please enter your name."), code="required")
        return name

    def clean_email(self) -> str:
        return account_services.normalize_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            # The validators compare the password with the name and address being registered.
            probe = get_user_model()(
                username=data.get("email", ""),
                email=data.get("email", ""),
                first_name=data.get("full_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class LoginForm(AuthenticationForm):
    """Email and password. Refuses staff (they sign in at /admin/) and tells a person whose
    account waits for confirmation to check their email, but only once the password is right,
    so the form never reveals which addresses have accounts."""

    bound_field_class = PortalBoundField
    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match. Please try again."),
        "unverified": _(
            "Please confirm your email first: open the link we sent you. "
            "No email? We can send it again."
        ),
        "staff": _(
            "This sign-in is for patients and the people who ask for their records. "
            "Staff and administrators sign in on the staff site."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal = ""

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if email and password:
            self.user_cache = authenticate(
                self.request,
                username=account_services.account_login_name(email),
                password=password,
            )
            if self.user_cache is None:
                if account_services.account_pending_matches(email=email, password=password):
                    self.refusal = "unverified"
                    raise ValidationError(self.error_messages["unverified"], code="unverified")
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.is_staff or user.is_superuser:
            self.refusal = "staff"
            raise ValidationError(self.error_messages["staff"], code="staff")


class EmailForm(NextMixin, PortalForm):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"})
    )

    def clean_email(self) -> str:
        return account_services.normalize_email(self.cleaned_data["email"])


class PortalPasswordResetForm(PasswordResetForm):
    bound_field_class = PortalBoundField

    def get_users(self, email: str) -> list[Any]:
        return account_services.account_reset_candidates(email)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        account_services.account_mail_password_reset(to=to_email, context=context)


class PortalSetPasswordForm(SetPasswordForm):
    bound_field_class = PortalBoundField

    def save(self, commit: bool = True) -> Any:
        return account_services.account_password_set(
            user=self.user, password=self.cleaned_data["new_password1"]
        )


class CodeForm(PortalForm):
    code = forms.CharField(
        label=_("The 6-digit code from the email"),
        max_length=20,
        widget=forms.TextInput(
            {
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "class": "code-input",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        # People copy codes with spaces or dashes in them.
        code = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(code) != 6:
            raise ValidationError(_("The code has 6 digits, like 123456."), code="format")
        return code


class FollowForm(PortalForm):
    number = forms.CharField(
        label=_("Request number"),
        max_length=30,
        help_text=_("It is in the email we sent when you asked, like ROI-2026-000123."),
    )
    date_of_birth = forms.DateField(
        label=_("The patient's date of birth"),
        widget=forms.DateInput({"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    email = forms.EmailField(
        label=_("The email used on the request"),
        max_length=254,
        widget=forms.EmailInput({"autocomplete": "email"}),
    )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise ValidationError(_("A date of birth cannot be in the future."), code="future")
        return born

    def clean_email(self) -> str:
        return account_services.normalize_email(self.cleaned_data["email"])
