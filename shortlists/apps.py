from django.apps import AppConfig


class ShortlistsConfig(AppConfig):
    """A visitor's shortlist of programs: compare, print, share, download. Kept in the session."""

    name = "shortlists"
    verbose_name = "Shortlists"
