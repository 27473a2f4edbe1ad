"""The sitemap for search engines: published programs only."""

from django.contrib.sitemaps import Sitemap

from .models import Program


class ProgramSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10000

    def items(self):
        return Program.objects.published().order_by("pk").only("slug", "updated")

    def lastmod(self, program):
        return program.updated
