"""The daily clean-up: abandoned and long-submitted drafts go with their files, and intake
scans past their token's age; what is still in use stays."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from requests_app.models import DraftUpload, RequestDraft
from requests_app.services.drafts import draft_start, draft_upload_add
from requests_app.services.drafts_cleanup import drafts_purge_abandoned
from requests_app.services.intake import STASH_FOLDER
from requests_app.services.uploads import CheckedUpload

pytestmark = pytest.mark.django_db
# The real clock: the stashed scans' ages are their files' modification times.
NOW = timezone.now()


def draft(user, *, updated: datetime, submitted: datetime | None = None) -> RequestDraft:
    made = draft_start(user=user)
    upload = ContentFile(b"%PDF-1.4 scan", name="id.pdf")
    checked = CheckedUpload(content_type="application/pdf", size=13, sha256="0" * 64, suffix=".pdf")
    draft_upload_add(draft=made, kind="photo_id", upload=upload, checked=checked)
    RequestDraft.objects.filter(pk=made.pk).update(updated_at=updated, submitted_at=submitted)
    return made


def stash(name: str, age: timedelta) -> str:
    path = default_storage.save(f"{STASH_FOLDER}/{name}", ContentFile(b"scan"))
    moment = time.time() - age.total_seconds()
    os.utime(default_storage.path(path), (moment, moment))
    return path


def test_it_purges_what_is_no_longer_used_and_keeps_the_rest(
    patient_user, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = tmp_path
    old = draft(patient_user, updated=NOW - timedelta(days=31))
    recent = draft(patient_user, updated=NOW - timedelta(days=29))
    old_submitted = draft(
        patient_user, updated=NOW - timedelta(days=40), submitted=NOW - timedelta(days=31)
    )
    new_submitted = draft(
        patient_user, updated=NOW - timedelta(days=40), submitted=NOW - timedelta(days=2)
    )
    files = {d.pk: d.uploads.get().file.name for d in (old, recent, old_submitted)}
    stale = stash("stale.pdf", timedelta(hours=7))
    fresh = stash("fresh.pdf", timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        result = drafts_purge_abandoned(now=NOW)

    kept = set(RequestDraft.objects.values_list("pk", flat=True))
    assert kept == {recent.pk, new_submitted.pk}
    assert DraftUpload.objects.filter(draft__in=[old, old_submitted]).count() == 0
    assert result.as_dict() == {"drafts": 2, "draft_files": 2, "stashed_scans": 1}
    assert not default_storage.exists(files[old.pk])
    assert not default_storage.exists(files[old_submitted.pk])
    assert default_storage.exists(files[recent.pk])
    assert not default_storage.exists(stale) and default_storage.exists(fresh)
    again = drafts_purge_abandoned(now=NOW)
    assert again.as_dict() == {"drafts": 0, "draft_files": 0, "stashed_scans": 0}
