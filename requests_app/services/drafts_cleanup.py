"""The daily clean-up of what the portal and the intake desk keep only for a while: wizard
drafts nobody came back to, submitted drafts whose requests now hold everything, and the scans
the intake form kept between two tries. Drafts and scans carry health information (names,
dates of birth, ID copies), so they are not kept longer than they serve.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import DraftUpload, RequestDraft
from .intake import STASH_FOLDER, STASH_MAX_AGE

logger = logging.getLogger(__name__)

# A draft untouched for this long is abandoned: the wizard saves every step, so a patient who
# comes back within a month finds it as they left it.
ABANDONED_AFTER = timedelta(days=30)
# After submitting, the draft only serves the "done" page and a second click on Submit; the
# requests hold every answer and file.
SUBMITTED_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class PurgeResult:
    drafts: int
    draft_files: int
    stashed_scans: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "drafts": self.drafts,
            "draft_files": self.draft_files,
            "stashed_scans": self.stashed_scans,
        }


def _delete_files(storage: Any, names: list[str]) -> int:
    deleted = 0
    for name in names:
        try:
            storage.delete(name)
            deleted += 1
        except OSError:  # already gone, or the disk refused: tomorrow's run tries again
            logger.warning("Could not delete %s", name)
    return deleted


def _purge_stash(now: datetime) -> int:
    """Intake scans older than the token that points to them (scan_unstash refuses a token
    past STASH_MAX_AGE, so nothing can read them any more)."""
    try:
        _dirs, files = default_storage.listdir(STASH_FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return 0
    cutoff = now - timedelta(seconds=STASH_MAX_AGE)
    stale = []
    for name in files:
        path = f"{STASH_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                stale.append(path)
        except (FileNotFoundError, NotImplementedError):
            continue
    return _delete_files(default_storage, stale)


def drafts_purge_abandoned(*, now: datetime | None = None) -> PurgeResult:
    """Delete abandoned and long-submitted drafts with their uploads, and expired intake
    scans. The rows go in one transaction; their files after it commits, so a rollback never
    leaves a row pointing at a deleted file. Running it twice deletes nothing more."""
    now = now or timezone.now()
    storage = DraftUpload._meta.get_field("file").storage
    with transaction.atomic():
        drafts = RequestDraft.objects.filter(
            Q(submitted_at__isnull=True, updated_at__lt=now - ABANDONED_AFTER)
            | Q(submitted_at__lt=now - SUBMITTED_KEPT)
        )
        files = list(
            DraftUpload.objects.filter(draft__in=drafts.values("pk")).values_list("file", flat=True)
        )
        # The uploads' rows go with their drafts (CASCADE).
        _total, per_model = drafts.delete()
        count = per_model.get(RequestDraft._meta.label, 0)
        transaction.on_commit(lambda: _delete_files(storage, files))
    result = PurgeResult(drafts=count, draft_files=len(files), stashed_scans=_purge_stash(now))
    if count or result.stashed_scans:
        logger.info("Purged %s", result.as_dict())
    return result
