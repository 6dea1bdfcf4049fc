"""The audit trail in the admin (timeline events, disclosures): read, filtered, never changed
or deleted."""

from __future__ import annotations

from datetime import date

import pytest

from requests_app.models import Disclosure, TimelineEvent

from .helpers import url


@pytest.mark.parametrize("model", [TimelineEvent, Disclosure], ids=lambda m: m.__name__)
def test_the_audit_trail_cannot_be_changed_or_deleted(hilda_client, one_of_each, model) -> None:
    obj = one_of_each[model]
    content = hilda_client.get(url(model, "change", obj.pk)).content.decode()
    assert 'name="_save"' not in content
    assert hilda_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert hilda_client.get(url(model, "delete", obj.pk)).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_disclosures_filter_by_exemption_and_date(hilda_client, one_of_each) -> None:
    treatment = one_of_each[Disclosure]
    accountable = Disclosure.objects.create(
        patient=treatment.patient,
        disclosed_on=date(2025, 6, 1),
        recipient_name="Court",
        description="Records",
        purpose="Subpoena",
    )
    changelist = url(Disclosure, "changelist")

    def found(**params: str) -> list[Disclosure]:
        return list(hilda_client.get(changelist, params).context["cl"].result_list)

    assert found(exemption__exact="treatment") == [treatment]
    assert found(accountable="yes") == [accountable]
    assert found(disclosed_on__gte="2026-01-01", disclosed_on__lt="2027-01-01") == [treatment]
    assert found(disclosed_on__year="2025") == [accountable]
