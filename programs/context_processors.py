"""Template context shared by every page."""

from django.conf import settings
from django.urls import Resolver404, resolve, reverse, translate_url
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
    try:
        resolve(path.partition("?")[0])
    except Resolver404:
        urls = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                urls[code] = reverse("programs:home")
    else:
        urls = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
        if len(set(urls.values())) == 1:
            return []
    current = translation.get_language()
    return [
        {"code": code, "name": name, "url": urls[code], "current": code == current}
        for code, name in settings.LANGUAGES
    ]
