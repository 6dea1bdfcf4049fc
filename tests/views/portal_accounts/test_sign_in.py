"""Sign-in and sign-out with an email and a password, and a password reset by email."""

from __future__ import annotations

import pytest

from ...factories import UserFactory
from .helpers import PASSWORD, User, link_in, make_user, sign_up, text

pytestmark = pytest.mark.django_db


# --- Sign-in and sign-out


def test_it_signs_in_with_the_email_in_any_case_and_follows_next(client) -> None:
    user = make_user("ana@example.org")
    page = client.get("/portal/account/login/?next=/portal/?x=1")
    assert '<label for="id_username" class="form-label fw-semibold">Email</label>' in text(page)
    response = client.post(
        "/portal/account/login/",
        {"username": " ANA@example.org ", "password": PASSWORD, "next": "/portal/?x=1"},
    )
    assert response.status_code == 302
    assert response.url == "/portal/?x=1"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_ignores_a_next_that_leaves_the_site(client) -> None:
    make_user("ana@example.org")
    response = client.post(
        "/portal/account/login/",
        {"username": "ana@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == "/portal/"


def test_it_says_the_same_for_a_wrong_password_and_an_unknown_email(client) -> None:
    make_user("ana@example.org")
    for email, password in (("ana@example.org", "wrong-one"), ("who@example.org", PASSWORD)):
        response = client.post("/portal/account/login/", {"username": email, "password": password})
        assert response.status_code == 200
        assert "That email and password do not match" in text(response)
        assert 'value="' + email in text(response)


def test_it_refuses_staff_and_points_them_to_the_staff_sign_in(client, staff_a, admin_user) -> None:
    for user in (staff_a, admin_user):
        response = client.post(
            "/portal/account/login/", {"username": user.email, "password": "pw-for-tests"}
        )
        assert response.status_code == 200
        body = text(response)
        assert "Staff and administrators sign in on the staff site." in body
        assert 'href="/admin/"' in body
        assert "_auth_user_id" not in client.session


def test_it_tells_an_unverified_account_to_check_its_email(client, post, mailoutbox) -> None:
    sign_up(post)
    mailoutbox.clear()
    response = client.post(
        "/portal/account/login/", {"username": "ana@example.org", "password": PASSWORD}
    )
    body = text(response)
    assert "Please confirm your email first" in body
    assert 'action="/portal/account/signup/resend/"' in body
    assert "_auth_user_id" not in client.session

    post("/portal/account/signup/resend/", {"email": "ana@example.org"})
    (message,) = mailoutbox
    assert "/portal/account/confirm/" in message.body

    # With the wrong password it is the ordinary error: the account's state stays private.
    wrong = client.post(
        "/portal/account/login/", {"username": "ana@example.org", "password": "nope-nope"}
    )
    assert "Please confirm your email first" not in text(wrong)
    assert "That email and password do not match" in text(wrong)


def test_it_signs_in_a_demo_patient_whose_username_is_not_the_email(client) -> None:
    user = UserFactory(username="maria.garcia", email="maria.garcia@example.com")
    client.post(
        "/portal/account/login/",
        {"username": "maria.garcia@example.com", "password": "pw-for-tests"},
    )
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_signs_out_only_on_post(client) -> None:
    user = make_user("ana@example.org")
    client.force_login(user)
    assert client.get("/portal/account/logout/").status_code == 405
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post("/portal/account/logout/", follow=True)
    assert "You are signed out." in text(response)
    assert "_auth_user_id" not in client.session


def test_the_header_shows_the_links_for_who_is_there(client) -> None:
    anonymous = text(client.get("/portal/"))
    for label in ("Sign in", "Create an account", "Follow a request"):
        assert label in anonymous
    assert "Sign out" not in anonymous
    client.force_login(make_user("ana@example.org"))
    signed_in = text(client.get("/portal/"))
    assert 'action="/portal/account/logout/"' in signed_in
    assert ">Create an account<" not in signed_in


# --- Password reset


def test_it_resets_a_password_by_email(client, post, mailoutbox) -> None:
    make_user("ana@example.org")
    response = post("/portal/account/password/", {"email": "Ana@example.org"}, follow=True)
    assert "If an account uses this address" in text(response)
    (message,) = mailoutbox
    assert message.to == ["ana@example.org"]

    form = client.get(link_in(message), follow=True)
    assert "Choose a new password" in text(form)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Brand-new-harbor-9", "new_password2": "Brand-new-harbor-9"},
        follow=True,
    )
    assert "Your new password is saved" in text(done)
    assert User.objects.get(username="ana@example.org").check_password("Brand-new-harbor-9")
    assert client.get(link_in(message), follow=True).context["validlink"] is False


def test_it_answers_the_same_for_unknown_and_staff_addresses(
    client, post, mailoutbox, staff_a
) -> None:
    for email in ("nobody@example.org", staff_a.email):
        response = post("/portal/account/password/", {"email": email}, follow=True)
        assert "If an account uses this address" in text(response)
    assert mailoutbox == []


def test_a_password_reset_also_confirms_a_waiting_account(client, post, mailoutbox) -> None:
    sign_up(post)
    mailoutbox.clear()
    post("/portal/account/password/", {"email": "ana@example.org"})
    form = client.get(link_in(mailoutbox[0]), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Brand-new-harbor-9", "new_password2": "Brand-new-harbor-9"},
    )
    assert User.objects.get(username="ana@example.org").is_active
