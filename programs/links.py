"""Addresses of a program's pages, written without resolving the URL patterns each time,
and the `tel:` addresses of its phone numbers.

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


_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|#)\s*(\d+)\s*\Z", re.IGNORECASE)
_NOT_DIGITS = re.compile(r"\D")


@lru_cache(maxsize=4096)
def tel_href(number):
    """A `tel:` address a phone dials for `number` as listings write it: "434-972-1800" is
    "tel:+14349721800"; an extension ("212-529-6320 x8731") follows a pause, as dialers take
    it ("tel:+12125296320,8731"); a short number (988, 211) stays as it is. What holds no
    digit gives "" (no link to make).

    Listings write numbers as "212-529-6320 x8731": as an address, the space made the link
    invalid. (phonenumbers reads any country's numbers; the directory's are all North
    American, 10 digits and an extension, and this is the whole of the job.)
    """
    extension = ""
    if match := _EXTENSION.search(number):
        extension, number = match[1], number[: match.start()]
    digits = _NOT_DIGITS.sub("", number)
    if not digits:
        return ""
    if len(digits) == 10:
        digits = f"+1{digits}"
    elif len(digits) == 11 and digits.startswith("1"):
        digits = f"+{digits}"
    return f"tel:{digits},{extension}" if extension else f"tel:{digits}"
