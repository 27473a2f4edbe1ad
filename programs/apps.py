from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class ProgramsConfig(AppConfig):
    """The IOP catalogue: programs, search, curation and data exchange."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "IOP catalogue"


class CuratorsAdminConfig(AdminConfig):
    """Django's admin, with the curators' admin site as the default site."""

    default_site = "iopfinder.admin.CuratorsAdminSite"
