"""What a person does on each page of the wizard: start, answer a step and expect the next
one, and a self request filled in up to the review."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

LA = ZoneInfo("America/Los_Angeles")


NOW = datetime(2026, 3, 2, 10, 0, tzinfo=LA)  # a Monday


def start(client: Client) -> str:
    response = client.post(reverse("portal:wizard_start"))
    assert response.status_code == 302, response.content[:500]
    assert response.url.endswith("/whose/")
    return response.url


def key_of(url: str) -> str:
    return re.search(r"/request/([0-9a-f-]{36})/", url).group(1)


def step(key: str, slug: str) -> str:
    return reverse("portal:wizard_step", kwargs={"key": key, "step": slug})


def answer(client: Client, key: str, slug: str, data: dict, *, expect: str | None = None):
    """POST a step; by default expect to be sent on to the step `expect`."""
    response = client.post(step(key, slug), data)
    if expect is None:
        return response
    assert response.status_code == 302, _problems(response)
    assert response.url == step(key, expect), (response.url, _problems(response))
    return response


def _problems(response) -> str:
    text = response.content.decode()
    return " | ".join(
        re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>\s*</div>', text, re.S)
    )


PATIENT = {
    "first_name": "María",
    "last_name": "García",
    "other_names": "María López",
    "date_of_birth": "1980-02-29",
    "phone": "626-555-0100",
    "address": "1 Main St\nDuarte, CA 91010",
}


def self_request_until_review(client: Client, place: str, **records) -> str:
    key = key_of(start(client))
    answer(client, key, "whose", {"choice": "self"}, expect="patient")
    answer(client, key, "patient", PATIENT, expect="where")
    answer(client, key, "where", {"place": place}, expect="records")
    data = {
        "types": ["lab_results", "billing"],
        "rows_lab_results": "2",
        "from_lab_results_0": "2025-01-01",
        "to_lab_results_0": "2025-06-30",
        "from_lab_results_1": "2025-09-01",
        "to_lab_results_1": "2025-12-31",
        "sensitive": "no",
        **records,
    }
    answer(client, key, "records", data, expect="delivery")
    answer(client, key, "delivery", {"method": "portal"}, expect="uploads")
    answer(client, key, "uploads", {}, expect="review")
    return key
