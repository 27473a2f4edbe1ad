"""Template context shared by every page."""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import Resolver404, get_script_prefix, resolve, reverse, translate_url
from django.utils import translation


def site(request):
    """Settings the templates need (never anything about the visitor)."""
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
        "language_alternates": language_alternates(request),
    }


def language_alternates(request, path=None):
    """This page in each language of the site, its search kept: [{"code", "name", "url",
    "current"}], or [] for a page in one language only (the API, /manage/, the admin).

    An address that names no page (a 404) offers each language's home page instead; `path`
    names the page to offer when the request's own address is not one (a form's POST).
    """
    path = path or request.get_full_path()
    address, _mark, query = path.partition("?")
    current = translation.get_language()
    if len(address) <= _ALTERNATES_KEPT_LENGTH:
        addresses = _alternate_addresses(address, current, get_script_prefix())
    else:
        addresses = _alternate_addresses.__wrapped__(address, current, get_script_prefix())
    return [
        {
            "code": code,
            "name": name,
            # The search kept (a 404 offers the home page alone).
            "url": f"{url}?{query}" if found and query else url,
            "current": code == current,
        }
        for code, name, url, found in addresses
    ]


# Each page's addresses in the other languages are worked out once a process (per language
# and script prefix): resolving the address and reversing it in each language was 0.35 ms of
# every page. A longer address (only a client's invention) is worked out each time.
_ALTERNATES_KEPT_LENGTH = 200


@lru_cache(maxsize=1024)
def _alternate_addresses(address, current, script_prefix):
    """((code, name, address in that language, whether `address` names a page), ...) for
    `address` (a path without its query) seen in the language `current`; () for a page in
    one language only."""
    try:
        resolve(address)
    except Resolver404:
        found, urls = False, {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                urls[code] = reverse("programs:home")
    else:
        found = True
        urls = {code: translate_url(address, code) for code, _name in settings.LANGUAGES}
        if len(set(urls.values())) == 1:
            return ()
    return tuple((code, name, urls[code], found) for code, name in settings.LANGUAGES)


@receiver(setting_changed)
def _addresses_changed(setting, **kwargs):
    """Tests that change the URL patterns or the languages get addresses worked out anew."""
    if setting in {"ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"}:
        _alternate_addresses.cache_clear()
