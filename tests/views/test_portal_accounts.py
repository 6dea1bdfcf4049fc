"""Getting into the portal over HTTP, the way a person does it: sign-up and the emailed link,
sign-in and sign-out, password reset, a guest's emailed code, following a request without an
account, and the tracking link in our emails."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from requests_app.access import portal as access
from requests_app.models import EmailCode, Patient, Request, TimelineEvent
from requests_app.rules.kinds import DeliveryMethod, RequesterRole, RequestKind
from requests_app.services import accounts as account_services
from requests_app.services.submission import ItemSpec, request_submit

from ..factories import PatientFactory, RequesterFactory, UserFactory, submit

LA = ZoneInfo("America/Los_Angeles")
User = get_user_model()
PASSWORD = "Quiet-harbor-2026"
LINK = re.compile(r"https?://testserver(/\S+)")
CODE = re.compile(r"^\s+(\d{6})\s*$", re.MULTILINE)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # The per-address mail budget lives in the cache, which outlives a test's transaction.
    cache.clear()


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST like a browser; emails queued with on_commit go out before the response returns."""

    def do(url: str, data: dict | None = None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {}, **kwargs)

    return do


def link_in(message) -> str:
    return LINK.search(message.body).group(1)


def code_in(message) -> str:
    return CODE.search(message.body).group(1)


def text(response) -> str:
    return response.content.decode()


def visible_numbers(client) -> set[str]:
    """What this browser session may open, through the portal's one access helper."""
    http_request = RequestFactory().get("/")
    http_request.session = client.session
    http_request.user = AnonymousUser()
    return set(access.portal_requests(http_request).values_list("number", flat=True))


def sign_up(post, email: str = "ana@example.org", **extra) -> object:
    data = {
        "full_name": "Ana María Rivera",
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": "en",
        **extra,
    }
    return post("/portal/account/signup/", data)


def make_user(email: str, *, active: bool = True, **extra) -> User:
    return UserFactory(username=email, email=email, is_active=active, password=PASSWORD, **extra)


# --- Sign-up ---------------------------------------------------------------------------------


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


# --- Sign-in and sign-out --------------------------------------------------------------------


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


# --- Password reset --------------------------------------------------------------------------


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


# --- Guests: a one-time code -----------------------------------------------------------------


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


# --- Following a request without an account --------------------------------------------------


@pytest.fixture
def guest_submission(org, entity_a, entity_b) -> list[Request]:
    """A guest asked the whole organization: one request per entity, one submission."""
    patient = PatientFactory(date_of_birth=date(1980, 2, 29))
    requester = RequesterFactory(full_name=patient.full_name, email="Guest@Example.org")
    return request_submit(
        organization=org,
        patient=patient,
        requester=requester,
        kind=RequestKind.ACCESS,
        delivery_method=DeliveryMethod.PORTAL,
        received_at=timezone.now(),
        items=[ItemSpec(record_type="complete")],
    )


def follow_details(number: str, **extra) -> dict:
    return {"number": number, "date_of_birth": "1980-02-29", "email": "guest@example.org", **extra}


def test_a_guest_follows_a_request_with_number_birth_date_and_code(
    client, post, mailoutbox, guest_submission
) -> None:
    first, second = guest_submission
    other = submit(entity=first.entity)  # someone else's request
    assert "Follow a request" in text(client.get("/portal/follow/"))

    response = post("/portal/follow/", follow_details(f" {first.number.lower()} "), follow=True)
    assert "If these details match a request, we sent a 6-digit code" in text(response)
    (message,) = mailoutbox
    assert first.number in message.body
    response = client.post("/portal/follow/verify/", {"code": code_in(message)})
    assert response.url == reverse("portal:request_detail", kwargs={"number": first.number})
    assert first.number in text(client.get(response.url))
    assert visible_numbers(client) == {first.number, second.number}
    assert other.number not in visible_numbers(client)
    assert TimelineEvent.objects.filter(
        request=first, action="guest_access", visible_to_requester=False
    ).exists()


@pytest.mark.parametrize(
    "change",
    [{"date_of_birth": "1980-03-01"}, {"email": "other@example.org"}, {"number": "ROI-1999-1"}],
)
def test_wrong_details_get_the_same_answer_and_no_email(
    client, post, mailoutbox, guest_submission, change
) -> None:
    response = post("/portal/follow/", {**follow_details(guest_submission[0].number), **change})
    assert response.url == "/portal/follow/verify/"
    page = client.get(response.url)
    assert "If these details match a request, we sent a 6-digit code" in text(page)
    assert mailoutbox == []
    refused = client.post("/portal/follow/verify/", {"code": "123456"})
    assert "That code is not right" in text(refused)
    assert visible_numbers(client) == set()


def test_a_request_filed_from_an_account_cannot_be_followed_as_a_guest(
    client, post, mailoutbox, entity_a, patient, patient_requester
) -> None:
    mine = submit(entity=entity_a, patient=patient, requester=patient_requester)
    details = {
        "number": mine.number,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "email": patient_requester.email,
    }
    post("/portal/follow/", details)
    assert mailoutbox == []


def test_the_follow_form_explains_bad_input_and_keeps_it(client) -> None:
    response = client.post(
        "/portal/follow/",
        {"number": "ROI-2026-000001", "date_of_birth": "2999-01-01", "email": "not-an-email"},
    )
    assert response.status_code == 200
    body = text(response)
    assert "A date of birth cannot be in the future." in body
    assert "Enter a valid email address." in body
    assert 'value="ROI-2026-000001"' in body
    assert client.post("/portal/follow/", {"date_of_birth": "31/31/1980"}).status_code == 200


# --- The tracking link in our emails ---------------------------------------------------------


def test_the_tracking_link_opens_only_that_submission(client, guest_submission, entity_a) -> None:
    first, second = guest_submission
    requester = first.requester
    later = submit(entity=entity_a, patient=first.patient, requester=requester)
    stranger = submit(entity=entity_a, patient=first.patient)  # another email

    response = client.get(account_services.guest_tracking_url(first))
    assert response.url == reverse("portal:request_detail", kwargs={"number": first.number})
    assert visible_numbers(client) == {first.number, second.number}
    assert later.number not in visible_numbers(client)
    assert stranger.number not in visible_numbers(client)


def test_a_tampered_or_old_tracking_link_opens_nothing(client, guest_submission) -> None:
    url = account_services.guest_tracking_url(guest_submission[0])
    tampered = url[:-4] + ("x" if url[-4] != "x" else "y") + url[-3:]
    response = client.get(tampered)
    assert response.status_code == 200
    assert "This link does not work any more." in text(response)
    assert 'name="date_of_birth"' in text(response)
    assert visible_numbers(client) == set()

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert "This link does not work any more." in text(client.get(url))
    assert visible_numbers(client) == set()


def test_a_tracking_link_dies_when_the_requester_email_changes(client, guest_submission) -> None:
    url = account_services.guest_tracking_url(guest_submission[0])
    guest_submission[0].requester.__class__.objects.filter(
        pk=guest_submission[0].requester_id
    ).update(email="new@example.org")
    assert "This link does not work any more." in text(client.get(url))


def test_a_guest_cannot_open_another_patients_request(client, guest_submission, entity_a) -> None:
    other_patient = Patient.objects.create(
        first_name="Otto", last_name="Other", date_of_birth=date(1970, 1, 1)
    )
    other = submit(
        entity=entity_a,
        patient=other_patient,
        requester=RequesterFactory(role=RequesterRole.SELF, email="guest@example.org"),
    )
    client.get(account_services.guest_tracking_url(guest_submission[0]))
    http_request = RequestFactory().get("/")
    http_request.session = client.session
    http_request.user = AnonymousUser()
    assert access.get_portal_request_or_404(http_request, guest_submission[0].number)
    # Same address, but a different submission that this guest never proved: still hidden.
    with pytest.raises(Http404):
        access.get_portal_request_or_404(http_request, other.number)
    with pytest.raises(Http404):
        access.get_portal_request_or_404(http_request, "ROI-2026-999999")


def test_a_tracking_link_for_an_account_request_asks_to_sign_in(
    client, entity_a, patient, patient_requester
) -> None:
    mine = submit(entity=entity_a, patient=patient, requester=patient_requester)
    response = client.get(account_services.guest_tracking_url(mine))
    assert response.url.startswith("/portal/account/login/?next=")
    assert visible_numbers(client) == set()


# --- The portal home -------------------------------------------------------------------------


def test_the_portal_home_explains_the_right_of_access(client) -> None:
    body = text(client.get("/portal/"))
    assert "45 CFR 164.524" in body
    for href in (
        "/portal/account/login/",
        "/portal/account/signup/",
        "/portal/guest/",
        "/portal/follow/",
    ):
        assert f'href="{href}"' in body


def test_the_portal_home_greets_a_signed_in_requester(client) -> None:
    client.force_login(make_user("ana@example.org", first_name="Ana", last_name="Rivera"))
    body = text(client.get("/portal/"))
    assert "Hello, Ana Rivera." in body
    assert 'href="/portal/guest/"' not in body


def test_the_portal_home_treats_staff_as_visitors(client, staff_a) -> None:
    client.force_login(staff_a)
    body = text(client.get("/portal/"))
    assert 'href="/portal/account/login/"' in body


def test_a_signed_in_account_is_told_to_sign_out_to_follow_as_a_guest(
    client, guest_submission
) -> None:
    client.force_login(make_user("ana@example.org"))
    response = client.get(account_services.guest_tracking_url(guest_submission[0]), follow=True)
    assert "To open one, sign out first" in text(response)
    assert "To open one, sign out first" in text(client.get("/portal/follow/", follow=True))
