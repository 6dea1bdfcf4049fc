"""The files a requester sends with a reply. Each file is checked by services.uploads (the
same check as the wizard's uploads: PDF, JPEG, PNG or HEIC, at most 10 MB, judged by its
content and opened once to catch damage); this module adds what a reply needs on top: a limit
on the number of files, the file's name in every message, and the original name kept for
display."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .uploads import MAX_UPLOAD_BYTES, CheckedUpload, upload_check

MAX_FILES_PER_MESSAGE = 5
UPLOAD_HINT_MB = MAX_UPLOAD_BYTES // (1024 * 1024)


@dataclass(frozen=True)
class ReplyUpload:
    file: UploadedFile
    original_name: str
    checked: CheckedUpload


def _display_name(upload: UploadedFile) -> str:
    # Browsers on some systems send a full path; only the last part is the name.
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[:255] or "upload"


def uploads_check(uploads: list[UploadedFile]) -> list[ReplyUpload]:
    if len(uploads) > MAX_FILES_PER_MESSAGE:
        raise ValidationError(
            _("Send at most %(n)d files at a time.") % {"n": MAX_FILES_PER_MESSAGE}
        )
    errors: list[str] = []
    checked = []
    for upload in uploads:
        name = _display_name(upload)
        try:
            checked.append(ReplyUpload(upload, name, upload_check(upload)))
        except ValidationError as exc:
            for message in exc.messages:
                # The size message names the file already; the others do not.
                errors.append(message if name in message else f"“{name}”: {message}")
    if errors:
        raise ValidationError(errors)
    return checked
