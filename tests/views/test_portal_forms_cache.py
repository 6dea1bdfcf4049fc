"""The printable request form comes from the server's cache (letters/public_cache.py): rendered
once, served again until something it shows changes, and still served when the cache is down.

The cache here is a local-memory one of the test's own: the suite's shared Redis is emptied by
every test (conftest), which would make a count of renders depend on what else runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.urls import reverse
from weasyprint import HTML

from requests_app.models import Closure, DeadlinePolicy, LetterText, Location
from requests_app.rules.kinds import DeadlineKey

from ..pdf import pdf_text

URL = reverse("portal:request_form_pdf")
LOCAL_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "test-portal-forms-cache",
    }
}
# Redis as production configures it, at an address where nothing listens.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/1",
        "OPTIONS": {"socket_timeout": 1.0, "socket_connect_timeout": 1.0},
    }
}


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """One entry per WeasyPrint rendering."""
    calls: list[int] = []
    write_pdf = HTML.write_pdf

    def counting(self, *args, **kwargs):
        calls.append(1)
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "write_pdf", counting)
    return calls


@pytest.fixture
def local_cache(settings):
    settings.CACHES = LOCAL_CACHE
    from django.core.cache import cache

    cache.clear()
    return cache


def test_it_renders_once_and_serves_the_second_download_from_the_cache(
    client, entity_a, local_cache, renders
) -> None:
    first = client.get(URL, {"lang": "en", "entity": entity_a.pk})
    second = client.get(URL, {"lang": "en", "entity": entity_a.pk})

    assert len(renders) == 1
    assert second.status_code == 200
    assert second.content == first.content
    for header in ("Content-Type", "Content-Disposition", "Content-Language", "Cache-Control"):
        assert second[header] == first[header], header
    assert second["Content-Disposition"] == 'inline; filename="records-request-form-cohnmc-en.pdf"'
    assert "no-store" in second["Cache-Control"]  # browsers and proxies still keep nothing


def test_each_language_and_entity_is_a_form_of_its_own(
    client, entity_a, entity_b, local_cache, renders
) -> None:
    english = client.get(URL, {"lang": "en", "entity": entity_a.pk}).content
    spanish = client.get(URL, {"lang": "es", "entity": entity_a.pk}).content
    other = client.get(URL, {"lang": "en", "entity": entity_b.pk}).content
    every = client.get(URL, {"lang": "en"}).content
    assert len(renders) == 4
    assert len({english, spanish, other, every}) == 4

    client.get(URL, {"lang": "es", "entity": entity_a.pk})
    client.get(URL, {"entity": entity_a.pk}, headers={"accept-language": "es"})
    client.get(URL, {"lang": "en"})
    assert len(renders) == 4


def test_a_changed_deadline_policy_shows_on_the_next_download(
    client, entity_a, local_cache, renders
) -> None:
    before = client.get(URL, {"entity": entity_a.pk})
    assert "within 15 days" in pdf_text(before.content)

    # What the admin's entity page saves when the HIM office promises a shorter time.
    policy = DeadlinePolicy.objects.get(entity=entity_a, key=DeadlineKey.ACCESS_COPY)
    policy.days = 10
    policy.save()
    after = client.get(URL, {"entity": entity_a.pk})

    assert len(renders) == 2
    text = pdf_text(after.content)
    assert "within 10 days" in text
    assert "within 15 days" not in text


def test_changed_contact_details_and_locations_show_on_the_next_download(
    client, entity_a, local_cache, renders
) -> None:
    clinic = Location.objects.create(entity=entity_a, name="Duarte campus", address="Duarte")
    client.get(URL, {"entity": entity_a.pk})

    entity_a.policy.help_hours = "Weekdays 7 a.m. to 7 p.m."
    entity_a.policy.save()
    text = pdf_text(client.get(URL, {"entity": entity_a.pk}).content)
    assert "Weekdays 7 a.m. to 7 p.m." in text
    assert "Duarte campus" in text

    clinic.active = False
    clinic.save()
    text = pdf_text(client.get(URL, {"entity": entity_a.pk}).content)
    assert "Duarte campus" not in text

    # The all-entities form shows the address too.
    client.get(URL, {"lang": "en"})
    entity_a.address = "PO Box 1500, Duarte, CA 91010"
    entity_a.save()
    text = pdf_text(client.get(URL, {"lang": "en"}).content)
    assert "PO Box 1500" in text
    assert len(renders) == 5


def test_a_change_the_form_does_not_show_keeps_the_cached_pdf(
    client, entity_a, local_cache, renders
) -> None:
    first = client.get(URL, {"entity": entity_a.pk}).content
    # A closure moves due dates, not the "within 15 days" the form prints; no letter is on it.
    Closure.objects.create(entity=entity_a, date="2030-12-24", reason="Holiday")
    LetterText.objects.create(
        entity=entity_a, kind=LetterText.Kind.COVER, language="en", subject="Your records", body="."
    )
    entity_a.policy.reminder_after_days = 20
    entity_a.policy.save()

    assert client.get(URL, {"entity": entity_a.pk}).content == first
    assert len(renders) == 1


def test_a_changed_stylesheet_gives_a_new_pdf(
    client, entity_a, local_cache, renders, settings, tmp_path
) -> None:
    """A deploy that changes the letters' CSS, even one it imports, is rendered anew."""
    static = tmp_path / "static"
    shutil.copytree(Path(settings.BASE_DIR) / "static", static)
    settings.STATICFILES_DIRS = [static]
    first = client.get(URL, {"entity": entity_a.pk}).content
    assert client.get(URL, {"entity": entity_a.pk}).content == first
    assert len(renders) == 1

    imported = static / "css" / "letters-base.css"  # @import-ed by letters.css
    imported.write_text(imported.read_text() + "\nbody { color: #123456; }\n")
    changed = client.get(URL, {"entity": entity_a.pk})

    assert changed.status_code == 200
    assert len(renders) == 2
    assert changed.content != first


def test_it_still_serves_the_pdf_when_redis_is_down(
    client, entity_a, renders, settings, caplog
) -> None:
    settings.CACHES = REDIS_DOWN

    for _ in range(2):
        response = client.get(URL, {"lang": "en", "entity": entity_a.pk})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            'inline; filename="records-request-form-cohnmc-en.pdf"'
        )
        assert "Request for health records" in pdf_text(response.content)

    assert len(renders) == 2  # nothing kept, nothing failed
    assert "PDF cache unavailable" in caplog.text


def test_it_still_serves_the_pdf_when_the_cache_fails_to_store(
    client, entity_a, renders, settings, caplog
) -> None:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.FullCache"}}

    response = client.get(URL, {"entity": entity_a.pk})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert len(renders) == 1
    assert "not kept" in caplog.text


class FullCache(LocMemCache):
    """Answers reads, fails every write."""

    def set(self, *args, **kwargs) -> None:
        raise OSError("out of memory")
