"""A guest confirms an email address with a one-time code: wrong, malformed and expired codes,
five tries, five codes an hour, and a code that still goes out when the cache is down."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from requests_app.access import portal as access
from requests_app.models import EmailCode

from .helpers import LA, code_in, text

pytestmark = pytest.mark.django_db


def test_a_guest_confirms_an_email_with_a_code(client, post, mailoutbox) -> None:
    page = client.get("/portal/guest/?next=/portal/?step=whose")
    assert "Continue without an account" in text(page)
    response = post("/portal/guest/", {"email": "Guest@Example.org", "next": "/portal/?step=whose"})
    assert response.url == "/portal/guest/verify/"
    (message,) = mailoutbox
    assert message.to == ["guest@example.org"]
    code = code_in(message)
    stored = EmailCode.objects.get()
    assert code not in stored.code_hash
    assert stored.expires_at - stored.created_at == timedelta(minutes=15)

    verify = client.get(response.url)
    assert 'autocomplete="one-time-code"' in text(verify)
    done = client.post(response.url, {"code": f"{code[:3]} {code[3:]}"})
    assert done.url == "/portal/?step=whose"
    assert client.session[access.GUEST_EMAIL] == "guest@example.org"
    # A used code does not work twice.
    assert client.get("/portal/guest/verify/").status_code == 302


def test_a_wrong_code_is_refused_and_five_wrong_tries_lock_it(client, post, mailoutbox) -> None:
    post("/portal/guest/", {"email": "guest@example.org"})
    code = code_in(mailoutbox[0])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for attempt in range(1, 6):
        response = client.post("/portal/guest/verify/", {"code": wrong})
        assert response.status_code == 200
        if attempt < 5:
            assert "That code is not right" in text(response)
    assert "Too many wrong tries" in text(response)
    locked = client.post("/portal/guest/verify/", {"code": code})
    assert "Too many wrong tries" in text(locked)
    assert access.GUEST_EMAIL not in client.session
    assert EmailCode.objects.get().attempts == 5

    # A new code works again.
    post("/portal/guest/", {"email": "guest@example.org"})
    fresh = client.post("/portal/guest/verify/", {"code": code_in(mailoutbox[1])})
    assert fresh.status_code == 302
    assert client.session[access.GUEST_EMAIL] == "guest@example.org"


def test_a_code_is_checked_for_its_format_first(client, post, mailoutbox) -> None:
    post("/portal/guest/", {"email": "guest@example.org"})
    response = client.post("/portal/guest/verify/", {"code": "12ab"})
    assert "The code has 6 digits" in text(response)
    assert EmailCode.objects.get().attempts == 0


def test_an_expired_code_is_refused(client, post, mailoutbox) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=LA), tick=False):
        post("/portal/guest/", {"email": "guest@example.org"})
    code = code_in(mailoutbox[0])
    with time_machine.travel(datetime(2026, 3, 2, 9, 16, tzinfo=LA), tick=False):
        response = client.post("/portal/guest/verify/", {"code": code})
    assert "This code has expired" in text(response)
    assert access.GUEST_EMAIL not in client.session


def test_it_sends_at_most_five_codes_an_hour_to_one_address(client, post, mailoutbox) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=LA), tick=False):
        for _ in range(5):
            post("/portal/guest/", {"email": "guest@example.org"})
        response = post("/portal/guest/", {"email": "GUEST@example.org"})
        assert response.status_code == 200
        assert "We already sent 5 codes to this address in the last hour" in text(response)
        assert 'value="GUEST@example.org"' in text(response)
    assert len(mailoutbox) == 5
    with time_machine.travel(datetime(2026, 3, 2, 10, 1, tzinfo=LA), tick=False):
        post("/portal/guest/", {"email": "guest@example.org"})
    assert len(mailoutbox) == 6


def test_a_code_still_goes_out_when_the_rate_limit_cache_is_down(
    client, post, mailoutbox, monkeypatch
) -> None:
    # Redis (the shared cache) away: the patient still gets a code, never a 500.
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", broken)
    response = post("/portal/guest/", {"email": "guest@example.org"})
    assert response.status_code in (200, 302)
    assert len(mailoutbox) == 1


def test_the_code_pages_need_an_email_first(client) -> None:
    assert client.get("/portal/guest/verify/").url == "/portal/guest/"
    assert client.get("/portal/follow/verify/").url == "/portal/follow/"
