"""Every admin page opens for an admin and for nobody else, and no changelist runs a query
per row."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from requests_app.models import Patient, Request, RequestNumberCounter

from .helpers import ADDABLE, SERVICE_ONLY, build_world, url


def test_every_model_of_the_app_is_in_the_admin() -> None:
    models = set(apps.get_app_config("requests_app").get_models())
    assert models == set(ADDABLE + SERVICE_ONLY)
    assert all(admin.site.is_registered(model) for model in models)
    assert admin.site.site_header == "roi-portal administration"


@pytest.mark.parametrize("model", ADDABLE, ids=lambda m: m.__name__)
def test_every_editable_field_is_on_the_add_page(hilda_client, model) -> None:
    # The forms list their fields; a field added to the model must not go missing here.
    adminform = hilda_client.get(url(model, "add")).context["adminform"]
    shown = set(adminform.form.fields) | set(adminform.readonly_fields)
    fields = {f.name for f in model._meta.fields if f.editable and not f.primary_key}
    assert fields | {f.name for f in model._meta.many_to_many} <= shown


@pytest.mark.parametrize("model", ADDABLE + SERVICE_ONLY, ids=lambda m: m.__name__)
def test_it_opens_every_changelist_and_change_page(hilda_client, one_of_each, model) -> None:
    assert hilda_client.get(url(model, "changelist")).status_code == 200
    obj = one_of_each[model]
    response = hilda_client.get(url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADDABLE, ids=lambda m: m.__name__)
def test_it_opens_the_add_page(hilda_client, model) -> None:
    assert hilda_client.get(url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", SERVICE_ONLY, ids=lambda m: m.__name__)
def test_it_offers_no_add_page_for_what_only_services_write(hilda_client, model) -> None:
    assert hilda_client.get(url(model, "add")).status_code == 403


def test_it_sends_a_non_staff_user_to_the_login_page(client, patient_user, one_of_each) -> None:
    paths = (
        reverse("admin:index"),
        url(Request, "changelist"),
        url(Patient, "change", one_of_each[Patient].pk),
    )
    for user in (None, patient_user):  # anonymous, then the patient's own portal account
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", ADDABLE + SERVICE_ONLY, ids=lambda m: m.__name__)
def test_no_changelist_runs_a_query_per_row(hilda_client, model) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = hilda_client.get(url(model, "changelist"))
        assert response.status_code == 200
        return len(queries)

    build_world()
    with_one = count()
    build_world()
    build_world()
    assert model.objects.count() >= 2 or model is RequestNumberCounter
    assert count() == with_one
