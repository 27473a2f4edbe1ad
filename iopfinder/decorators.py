"""View decorators shared by the site's pages."""

import functools
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.utils.http import MAX_URL_REDIRECT_LENGTH as MAX_REDIRECT_LENGTH


def drop_empty_parameters(view):
    """Redirect a GET whose query string holds empty parameters to the same URL without them.

    A search form sends every field, filled or not (`?near=22902&radius=&age=...`); the clean
    URL is shorter to share and is the one the search cache keys on.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            pairs = _pairs(request)
            kept = [(name, value) for name, value in pairs if value.strip()]
            # A URL too long to redirect to is no link to share anyway, and the view ignores
            # empty values.
            if len(kept) != len(pairs) and (redirect := _redirect(request, kept)):
                return redirect
        return view(request, *args, **kwargs)

    return wrapper


def typed_place_replaces_point(view):
    """Redirect a search that names a place (`near`) and also gives a point (`lat`, `lng`) to
    the same search without the point.

    "Use my location" fills the form's hidden lat and lng; a place typed afterwards replaces
    it, as the page's script does by clearing them. Without JavaScript both were sent, and
    the page answered "a place or lat and lng, not both" to every search after, with no way
    to clear the hidden fields but "Clear all". (The API keeps that error: a program sending
    both means something it should be told of.)
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method in ("GET", "HEAD") and request.GET.get("near", "").strip():
            pairs = _pairs(request)
            kept = [(name, value) for name, value in pairs if name not in ("lat", "lng")]
            if len(kept) != len(pairs) and (redirect := _redirect(request, kept)):
                return redirect
        return view(request, *args, **kwargs)

    return wrapper


def _pairs(request):
    return [(name, value) for name, values in request.GET.lists() for value in values]


def _redirect(request, pairs):
    """A redirect to this page with the query string `pairs`; None when that URL would be
    longer than Django redirects to (a 400)."""
    query = urlencode(pairs)
    location = request.path + (f"?{query}" if query else "")
    return HttpResponseRedirect(location) if len(location) <= MAX_REDIRECT_LENGTH else None
