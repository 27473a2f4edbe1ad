"""The sitemap for search engines: published programs only, in English and Spanish."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Program


class LanguageSitemap(Sitemap):
    """Every page in each language of settings.LANGUAGES, each pointing at the others
    (`hreflang` alternates, English as `x-default`)."""

    i18n = True
    alternates = True
    x_default = True


class PageSitemap(LanguageSitemap):
    """The home page, where a search starts."""

    changefreq = "monthly"

    def items(self):
        return ["programs:home"]

    def location(self, name):
        return reverse(name)


class ProgramSitemap(LanguageSitemap):
    changefreq = "weekly"
    limit = 10000

    def items(self):
        return Program.objects.published().order_by("pk").only("slug", "updated")

    def lastmod(self, program):
        return program.updated
