"""Migration 0007 gives the requests stored before it the parts of their deadline rule, where
recomputing them as request_submit did gives exactly the words stored then (in English or
Spanish); the others keep showing their stored words."""

from __future__ import annotations

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import translation

from requests_app.models import DeadlinePolicy, Request
from requests_app.rules.kinds import DeadlineKey

from .factories import submit

migration = importlib.import_module("requests_app.migrations.0007_due_rule_parts")
LA = ZoneInfo("America/Los_Angeles")
RECEIVED = datetime(2026, 3, 2, 10, tzinfo=LA)


def stored_before(req: Request, words: str) -> Request:
    """The request as the code before 0007 left it: the words it stored, and no parts. The
    words are written out here as that code wrote them, not made by today's rule_text, so a
    change of wording shows as a migration that no longer recognises old rows."""
    Request.objects.filter(pk=req.pk).update(due_rule=words, due_rule_parts={})
    req.refresh_from_db()
    return req


def parts(req: Request) -> dict:
    req.refresh_from_db()
    return req.due_rule_parts


@pytest.fixture
def ten_day_policy(entity_a):
    DeadlinePolicy.objects.filter(entity=entity_a, key=DeadlineKey.ACCESS_COPY).update(days=10)


def test_it_recomputes_the_parts_whose_words_match(entity_a, ten_day_policy) -> None:
    law = submit(entity=entity_a, received_at=RECEIVED, kind="amendment", delivery="portal")
    policy = submit(entity=entity_a, received_at=RECEIVED)
    expected = {law.pk: law.due_rule_parts, policy.pk: policy.due_rule_parts}
    assert expected[policy.pk]["binding"] == "policy"
    assert expected[law.pk]["binding"] == "law"
    stored_before(law, "Ley federal (HIPAA): en un plazo de 60 días (45 CFR 164.526(b)(2))")
    stored_before(policy, "Our policy: within 10 days")

    migration.fill_rule_parts(apps, None)

    assert parts(law) == expected[law.pk]
    assert parts(policy) == expected[policy.pk]
    with translation.override("en"):
        assert law.due_rule_text == "Federal law (HIPAA): within 60 days (45 CFR 164.526(b)(2))"


def test_it_leaves_what_it_cannot_recompute_faithfully(entity_a, ten_day_policy) -> None:
    changed = stored_before(
        submit(entity=entity_a, received_at=RECEIVED), "Nuestra política: en un plazo de 10 días"
    )
    odd = submit(entity=entity_a, received_at=RECEIVED)
    Request.objects.filter(pk=odd.pk).update(due_rule="Per the 2019 memo", due_rule_parts={})
    # The policy changed since: today's rule would say 12 days, the request said 10.
    DeadlinePolicy.objects.filter(entity=entity_a, key=DeadlineKey.ACCESS_COPY).update(days=12)

    migration.fill_rule_parts(apps, None)

    assert parts(changed) == {} and parts(odd) == {}
    assert changed.due_rule_text == "Nuestra política: en un plazo de 10 días"
    odd.refresh_from_db()
    assert odd.due_rule_text == "Per the 2019 memo"


def test_going_back_writes_the_words_the_old_code_reads(entity_a) -> None:
    new = submit(entity=entity_a, received_at=RECEIVED)
    assert new.due_rule == ""
    with translation.override("es"):
        migration.words_for_old_code(apps, None)
    new.refresh_from_db()
    assert new.due_rule == "California law: within 15 days (Cal. Health & Safety Code 123110)"
