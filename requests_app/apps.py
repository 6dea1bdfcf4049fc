from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = _("Release of information")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing WeasyPrint turns on Pillow's global LOAD_TRUNCATED_IMAGES, after which a
        # truncated JPEG or PNG upload would pass the content check. Import it once here and
        # switch the flag back: our letters embed no images that could be truncated.
        import weasyprint  # noqa: F401
        from PIL import ImageFile

        ImageFile.LOAD_TRUNCATED_IMAGES = False
