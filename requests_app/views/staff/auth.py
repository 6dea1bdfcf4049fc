"""Staff sign-in and sign-out, apart from the patient portal's."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from ...access.staff import is_staff_member


class StaffAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": _(
            "This account is not set up as HIM staff. Patients sign in at the patient portal."
        ),
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not is_staff_member(user) and not user.is_superuser:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class StaffLoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    authentication_form = StaffAuthenticationForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        if is_staff_member(self.request.user):
            return reverse("staff:queue")
        return reverse("admin:index")


urlpatterns: list[URLPattern] = [
    path("login/", StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="staff:login"), name="logout"),
]
