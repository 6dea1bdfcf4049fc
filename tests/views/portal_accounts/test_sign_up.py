"""Sign-up over HTTP: the emailed confirmation link, in the chosen language; what was typed is
kept; an address is never said to be taken; tampered, expired and resent links."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from .helpers import LA, PASSWORD, User, link_in, make_user, sign_up, text

pytestmark = pytest.mark.django_db


def test_it_signs_up_confirms_by_email_and_lands_signed_in(client, post, mailoutbox) -> None:
    page = client.get("/portal/account/signup/?next=/portal/")
    assert page.status_code == 200
    assert 'name="full_name"' in text(page)

    response = sign_up(post, email="Ana@Example.org", next="/portal/?from=signup")
    assert response.status_code == 302
    assert response.url == "/portal/account/signup/sent/"
    sent = client.get(response.url)
    assert "ana@example.org" in text(sent)

    user = User.objects.get(username="ana@example.org")
    assert (user.email, user.is_active, user.get_full_name()) == (
        "ana@example.org",
        False,
        "Ana María Rivera",
    )
    assert user.password != PASSWORD and user.check_password(PASSWORD)
    (message,) = mailoutbox
    assert message.to == ["ana@example.org"]
    assert "Confirm your email" in message.subject

    landed = client.get(link_in(message), follow=True)
    assert landed.redirect_chain[-1][0] == "/portal/?from=signup"
    assert "Your email is confirmed and you are signed in" in text(landed)
    assert "Sign out" in text(landed)
    user.refresh_from_db()
    assert user.is_active
    assert client.session["_auth_user_id"] == str(user.pk)

    # The link works once: a second click (or a mail scanner's) does not sign in again.
    client.post("/portal/account/logout/")
    again = client.get(link_in(message), follow=True)
    assert "already confirmed" in text(again)
    assert "_auth_user_id" not in client.session


def test_it_writes_the_confirmation_in_the_chosen_language(client, post, mailoutbox) -> None:
    sign_up(post, language="es")
    (message,) = mailoutbox
    assert "/portal/account/confirm/" in message.body
    landed = client.get(link_in(message))
    assert landed.cookies["django_language"].value == "es"


def test_it_keeps_what_was_typed_when_the_passwords_differ(client, post, mailoutbox) -> None:
    response = sign_up(post, password2="Something-else-2026")
    assert response.status_code == 200
    body = text(response)
    assert "The two passwords are not the same." in body
    assert 'value="Ana María Rivera"' in body
    assert 'aria-describedby="id_password2_error"' in body
    assert not User.objects.exists()
    assert mailoutbox == []


def test_it_applies_django_password_rules(client, post) -> None:
    response = sign_up(post, password1="12345678", password2="12345678")
    assert response.status_code == 200
    assert "too common" in text(response) or "entirely numeric" in text(response)
    assert not User.objects.exists()


def test_it_never_says_an_email_is_taken(client, post, mailoutbox) -> None:
    owner = make_user("ana@example.org")
    response = sign_up(post, email="ANA@example.org")
    assert response.url == "/portal/account/signup/sent/"
    assert User.objects.filter(email__iexact="ana@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    (message,) = mailoutbox
    assert message.to == ["ana@example.org"]
    assert "tried to create an account" in message.subject
    assert "/portal/account/login/" in message.body
    assert "/portal/account/password/" in message.body


def test_it_refuses_a_tampered_confirmation_link(client, post, mailoutbox) -> None:
    sign_up(post)
    path = link_in(mailoutbox[0])
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This link does not work" in text(response)
    assert not User.objects.get(username="ana@example.org").is_active
    assert "_auth_user_id" not in client.session


def test_it_offers_a_new_link_when_the_old_one_expired(client, post, mailoutbox) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=LA), tick=False):
        sign_up(post)
    path = link_in(mailoutbox[0])
    with time_machine.travel(datetime(2026, 3, 5, 9, 1, tzinfo=LA), tick=False):
        response = client.get(path)
        assert response.status_code == 200
        assert "This link has expired" in text(response)
        assert 'value="ana@example.org"' in text(response)
        assert not User.objects.get(username="ana@example.org").is_active

        post("/portal/account/signup/resend/", {"email": "ana@example.org"})
        assert len(mailoutbox) == 2
        client.get(link_in(mailoutbox[1]))
    assert User.objects.get(username="ana@example.org").is_active


def test_it_resends_without_revealing_whether_an_account_waits(client, post, mailoutbox) -> None:
    make_user("active@example.org")
    for email in ("nobody@example.org", "active@example.org"):
        response = post("/portal/account/signup/resend/", {"email": email}, follow=True)
        assert f"If an account with {email} is waiting for confirmation" in text(response)
    assert mailoutbox == []
