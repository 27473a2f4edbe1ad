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
from django.utils.html import conditional_escape, format_html
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


# A North American number as listings write it: 434-972-1800, (434) 972-1800, 434.972.1800,
# +1 434 972 1800; and an extension right after it: x204, ext. 204, Ext: 204, #204.
_NANP = re.compile(r"(?<!\d)(?:\+?1[\s.\-]*)?\(?(\d{3})\)?[\s.\-]*(\d{3})[\s.\-]*(\d{4})(?!\d)")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension|#)\s*:?\s*(\d{1,6})(?!\d)", re.IGNORECASE)
_NOT_DIGITS = re.compile(r"\D")


@lru_cache(maxsize=4096)
def tel_href(number):
    """A `tel:` address a phone dials for `number` as listings write it, or "" when it holds
    no number to dial: "434-972-1800" is "tel:+14349721800"; an extension ("212-529-6320
    x8731") follows a pause, as dialers take it ("tel:+12125296320,8731"); the first number
    of several; an international number (+44 ...) kept with its plus; a three-digit service
    number (988, 211) as it is.

    Listings write numbers as "212-529-6320 x8731": as an address, the space made the link
    invalid. (phonenumbers reads any country's numbers; the directory's are North American,
    and this is the whole of the job.)
    """
    if match := _NANP.search(number):
        digits = "+1" + "".join(match.groups())
        extension = _EXTENSION.match(number, match.end())
        return f"tel:{digits},{extension[1]}" if extension else f"tel:{digits}"
    digits = _NOT_DIGITS.sub("", number)
    if number.strip().startswith("+") and 7 <= len(digits) <= 15:
        return f"tel:+{digits}"
    return f"tel:{digits}" if len(digits) == 3 else ""


def phone_link(number):
    """`number` as a link that dials it (tel_href), or as text when there is nothing to dial
    ("TBD", "1-800-FLOWERS")."""
    href = tel_href(number or "")
    if not href:
        return conditional_escape(number or "")
    return format_html('<a href="{}">{}</a>', href, number)


def is_phone_number(text):
    """Whether `text` is a number people can dial: one tel_href reads ("434-555-0100",
    "(434) 555-0100 x12", "988"), or one with some digits in letters on the keypad
    ("1-800-GET-HELP"), which starts with its digits and holds nothing but what phone numbers
    are written with. (A link dials only the first kind: letters are shown as written.)"""
    if tel_href(text):
        return True
    return bool(_VANITY.fullmatch(text)) and bool(tel_href(text.upper().translate(_KEYPAD)))


_KEYPAD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "22233344455566677778889999")
_VANITY = re.compile(r"[+(]?\d[\d\sA-Za-z().\-]*")
