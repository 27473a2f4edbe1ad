from django.apps import AppConfig


class GuideConfig(AppConfig):
    """ "Help me find a program": plain questions that end in a prefilled search. Stores nothing."""

    name = "guide"
    verbose_name = "Guide"
