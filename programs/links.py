"""Addresses of a program's pages, written without resolving the URL patterns each time.

A results page links each of its cards to the program's page and to the shortlist's "Add"
address, and the sitemap lists every program: `reverse` matched the patterns for each one, 15-20
us each, a tenth of a card. A slug is letters, digits, hyphens and underscores, which `reverse`
writes as they are, so the address is the same with the slug set between what `reverse` gives
around it, worked out once per view, language and script prefix.
"""

import re
from functools import lru_cache

from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_MARKER = "slug-goes-here"


@lru_cache(maxsize=64)
def _around_slug(viewname, language, script_prefix):
    before, after = reverse(viewname, kwargs={"slug": _MARKER}).split(_MARKER)
    return before, after


def slug_url(viewname, slug):
    """reverse(viewname, kwargs={"slug": slug}) for a view whose one parameter is a slug."""
    if not _SLUG.match(slug):
        return reverse(viewname, kwargs={"slug": slug})
    before, after = _around_slug(viewname, get_language(), get_script_prefix())
    return f"{before}{slug}{after}"
