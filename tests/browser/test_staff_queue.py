"""A clerk works the queue in a real browser: filters it, searches a caller's request by name
and date of birth, and takes two requests with bulk assign."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from requests_app.models import Request
from requests_app.workflow import Status

from ..factories import PatientFactory, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def make(entity, *, last_name: str, due_in: int, status=Status.SUBMITTED, born=None) -> Request:
    patient = PatientFactory(last_name=last_name, date_of_birth=born or date(1980, 1, 1))
    req = submit(entity=entity, patient=patient)
    today = timezone.localdate()
    Request.objects.filter(pk=req.pk).update(due_on=today + timedelta(days=due_in), status=status)
    return req


def test_a_clerk_filters_searches_and_takes_requests(
    live_server, page: Page, staff_a, entity_a
) -> None:
    late = make(entity_a, last_name="Okafor", due_in=-2, status=Status.IN_REVIEW)
    soon = make(entity_a, last_name="Nguyen", due_in=1)
    later = make(entity_a, last_name="Delgado", due_in=9, born=date(1955, 10, 30))
    sign_in(page, live_server, staff_a)

    page.goto(live_server.url + "/staff/")
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(late.number)  # oldest due date first
    expect(rows.nth(0).locator(".badge")).to_have_text("Overdue 2 days")
    expect(rows.nth(1).locator(".badge")).to_have_text("Due in 1 day")

    # Filter: htmx refreshes the results and the address bar keeps the filter.
    page.get_by_label("Status", exact=True).select_option("in_review")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Okafor")
    expect(page).to_have_url(re.compile(r"status=in_review"))

    # Search a caller by name and date of birth, as they say it on the phone.
    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_role("searchbox", name="Search").fill("delgado 10/30/1955")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(later.number)

    # Back to the default view; take the two most urgent ones.
    page.get_by_role("link", name="Reset").click()
    expect(rows).to_have_count(3)
    page.get_by_label(f"Select {late.number}").check()
    page.get_by_label(f"Select {soon.number}").check()
    page.get_by_label("Assign selected to").select_option("me")
    page.get_by_role("button", name="Assign", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("2 requests assigned to Alma Clerk.")
    expect(rows.nth(0)).to_contain_text("Alma Clerk")
    expect(rows.nth(1)).to_contain_text("Alma Clerk")
    expect(rows.nth(2)).to_contain_text("Unassigned")
    assert set(Request.objects.filter(assignee=staff_a).values_list("number", flat=True)) == {
        late.number,
        soon.number,
    }


def test_the_queue_fits_a_phone(live_server, page: Page, staff_a, entity_a) -> None:
    for i in range(3):
        make(entity_a, last_name=f"Rivera{i}", due_in=i)
    sign_in(page, live_server, staff_a)
    page.set_viewport_size({"width": 375, "height": 812})

    page.goto(live_server.url + "/staff/")

    expect(page.locator("table.queue-table tbody tr")).to_have_count(3)
    # Each request is a card; nothing overflows sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_after_the_sweep_a_clerk_finds_and_extends_the_request_that_needs_a_decision(
    live_server, page: Page, staff_a, entity_a, mailoutbox
) -> None:
    # An amendment (60 days, one 30-day extension) due tomorrow and not extended: the
    # deadline sweep flags it and emails its clerk; the clerk finds it with the filter,
    # extends it, and the flag goes at once.
    from requests_app.rules.kinds import RequestKind
    from requests_app.services.clocks import deadline_sweep
    from requests_app.services.transitions import request_assign

    patient = PatientFactory(
        first_name="María", last_name="García", date_of_birth=date(1975, 3, 14)
    )
    amendment = submit(
        entity=entity_a,
        patient=patient,
        kind=RequestKind.AMENDMENT,
        amendment_what_is_wrong="My allergy list says penicillin.",
        amendment_should_say="No known drug allergies.",
    )
    today = timezone.localdate()
    Request.objects.filter(pk=amendment.pk).update(
        due_on=today + timedelta(days=1), latest_extension_on=today + timedelta(days=31)
    )
    request_assign(amendment, actor=staff_a, assignee=staff_a)
    other = make(entity_a, last_name="Okafor", due_in=20)
    deadline_sweep()
    assert f"Request {amendment.number}: decide on an extension" in [m.subject for m in mailoutbox]

    sign_in(page, live_server, staff_a)
    page.goto(live_server.url + "/staff/")
    rows = page.locator("table.queue-table tbody tr")
    flagged = rows.filter(has_text=amendment.number)
    expect(flagged.locator(".badge-extension")).to_have_text("Extension decision needed")
    expect(rows.filter(has_text=other.number).locator(".badge-extension")).to_have_count(0)

    # Typed without accents, as a clerk does on the phone.
    page.get_by_role("searchbox", name="Search").fill("garcia")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    page.get_by_role("searchbox", name="Search").fill("")
    page.get_by_text("More filters").click()
    page.get_by_label("Extension decision needed").check()
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(amendment.number)

    rows.first.get_by_role("link", name=amendment.number).click()
    page.get_by_role("link", name="Extend the due date").click()
    page.get_by_label("Reason for the delay").fill("The physician must review the change.")
    page.get_by_role("button", name="Confirm: Extend the due date").click()
    expect(page.get_by_text("Extended; the written notice is being prepared.")).to_be_visible()
    expect(page.locator(".rf-extension")).to_have_count(0)
    page.goto(live_server.url + "/staff/?extension=on")
    expect(page.locator("table.queue-table tbody tr")).to_have_count(0)
