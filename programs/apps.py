from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.core.management import call_command
from django.db.models.signals import post_delete, post_migrate, post_save


def cache_tables_create(sender, using="default", **kwargs):
    """The database cache's tables (rate limits) come with every `migrate`."""
    call_command("createcachetable", database=using, verbosity=0)


class ProgramsConfig(AppConfig):
    """The IOP catalogue: programs, search, curation and data exchange."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "IOP catalogue"

    def ready(self):
        from . import vocabulary_cache

        post_migrate.connect(cache_tables_create, sender=self)
        # `flush` (tests between cases) sends post_migrate too.
        post_migrate.connect(vocabulary_cache.forget, dispatch_uid="vocabulary_forget_migrate")
        for signal in (post_save, post_delete):
            signal.connect(
                vocabulary_cache.forget, sender="programs.Term", dispatch_uid="vocabulary_forget"
            )


class CuratorsAdminConfig(AdminConfig):
    """Django's admin, with the curators' admin site as the default site."""

    default_site = "iopfinder.admin.CuratorsAdminSite"
