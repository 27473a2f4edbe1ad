from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Program staff keep their own listings at /manage/, under curators' review."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "staff"
    verbose_name = "Program staff"
