from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def cache_tables_create(sender, using="default", **kwargs):
    """The database cache's tables (rate limits) come with every `migrate`."""
    call_command("createcachetable", database=using, verbosity=0)


class ProgramsConfig(AppConfig):
    """The IOP catalogue: programs, search, curation and data exchange."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "IOP catalogue"

    def ready(self):
        post_migrate.connect(cache_tables_create, sender=self)


class CuratorsAdminConfig(AdminConfig):
    """Django's admin, with the curators' admin site as the default site."""

    default_site = "iopfinder.admin.CuratorsAdminSite"
