"""The sitemap for search engines: published programs only, in English and Spanish."""

from collections.abc import Sequence

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
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


class LanguagePairs(Sequence):
    """The (item, language) pairs of a queryset, every language of an item in a row, counted
    and sliced by the database. Django's i18n sitemap builds the pairs of every item before it
    takes a page: at 100,000 programs, 100,000 read for each page of a few thousand."""

    def __init__(self, queryset, languages):
        self.queryset, self.languages = queryset, list(languages)
        self._count = None

    def __len__(self):
        if self._count is None:
            self._count = self.queryset.count() * len(self.languages)
        return self._count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            position = index + len(self) if index < 0 else index
            if not 0 <= position < len(self):
                raise IndexError(index)
            return self[position : position + 1][0]
        start, stop, _ = index.indices(len(self))
        per_item = len(self.languages)
        first = start // per_item
        items = self.queryset[first : -(-stop // per_item)]
        pairs = [(item, language) for item in items for language in self.languages]
        return pairs[start - first * per_item :][: stop - start]


class ProgramSitemap(LanguageSitemap):
    changefreq = "weekly"
    # Programs a page (two <url> each, one a language): a page renders in about 0.2 s at any
    # size of the catalogue. robots.txt lists every page.
    limit = 500

    def items(self):
        return Program.objects.published().order_by("pk").only("slug", "updated")

    @property
    def paginator(self):
        # Django's own list (settings.LANGUAGES unless `languages` says otherwise), as its
        # pairs of every item would use.
        languages = self._languages()
        return Paginator(LanguagePairs(self.items(), languages), self.limit * len(languages))

    def lastmod(self, program):
        return program.updated
