"""Checking what a requester uploads: a photo ID, proof of authority, a death certificate.

Files are judged by what they contain, never by their name or the browser's content type: a
PDF must open in pikepdf, a photo must decode in Pillow (HEIC from iPhones through
pillow-heif). Anything else gets a plain-language message and is not stored.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass

import pikepdf
import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Phone photos of a page are 2-6 MB; a scanned multi-page PDF rarely exceeds 10 MB.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The only files staff can open on any workstation.
_IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
_HEIF_FORMATS = {"HEIF", "HEIC", "AVIF"}

pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    suffix: str
    size: int
    sha256: str


def file_sha256(upload: UploadedFile) -> str:
    """The SHA-256 of an uploaded file, read in chunks, leaving it at the start."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _is_pdf(upload: UploadedFile) -> bool:
    upload.seek(0)
    # The PDF header may follow a little junk; readers accept it within the first 1 KB.
    head = upload.read(1024)
    upload.seek(0)
    return b"%PDF-" in head


def _check_pdf(upload: UploadedFile) -> tuple[str, str]:
    try:
        with pikepdf.open(upload) as pdf:
            if len(pdf.pages) == 0:
                raise ValidationError(_("This PDF has no pages."), code="empty")
    except pikepdf.PasswordError as exc:
        raise ValidationError(
            _("This PDF is protected by a password. Please upload a copy without a password."),
            code="encrypted",
        ) from exc
    except pikepdf.PdfError as exc:
        raise ValidationError(
            _("This PDF could not be opened. It may be damaged; please scan or save it again."),
            code="corrupt",
        ) from exc
    finally:
        upload.seek(0)
    return "application/pdf", ".pdf"


def _check_image(upload: UploadedFile) -> tuple[str, str]:
    try:
        with warnings.catch_warnings():
            # A huge image is refused, not just warned about (decompression bombs).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format = (image.format or "").upper()
                image.load()  # decodes the pixels: a truncated file fails here
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ValidationError(
            _(
                "This file is not a PDF, JPEG, PNG or HEIC photo we can open. It may be "
                "damaged; please take the photo or scan again."
            ),
            code="corrupt",
        ) from exc
    finally:
        upload.seek(0)
    if image_format in _IMAGE_FORMATS:
        return _IMAGE_FORMATS[image_format]
    if image_format in _HEIF_FORMATS:
        return "image/heic", ".heic"
    raise ValidationError(
        _("Please upload a PDF, JPEG, PNG or HEIC file."),
        code="format",
    )


def upload_check(upload: UploadedFile) -> CheckedUpload:
    """The upload's real type, size and hash; ValidationError with a message for the page."""
    size = upload.size or 0
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s. Each file can be at most %(limit)s.")
            % {
                "name": upload.name,
                "size": filesizeformat(size),
                "limit": filesizeformat(MAX_UPLOAD_BYTES),
            },
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("This file is empty."), code="empty")
    content_type, suffix = _check_pdf(upload) if _is_pdf(upload) else _check_image(upload)
    return CheckedUpload(content_type, suffix, size, file_sha256(upload))
