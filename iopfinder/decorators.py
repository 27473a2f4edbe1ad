"""View decorators shared by the site's pages."""

import functools
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.utils.http import MAX_URL_REDIRECT_LENGTH as MAX_REDIRECT_LENGTH


def tidied_query(*rules):
    """Redirect a GET whose query string the `rules` change to the same page with the query
    they leave, in one redirect. A rule takes the query's (name, value) pairs and returns
    those to keep."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in ("GET", "HEAD"):
                pairs = [(name, value) for name, values in request.GET.lists() for value in values]
                kept = pairs
                for rule in rules:
                    kept = rule(kept)
                # Django refuses to redirect to a longer URL (a 400): such a query is no link
                # to share anyway, and the view answers it as it stands (empty values ignored;
                # a place with a point, the form's error).
                if kept != pairs:
                    query = urlencode(kept)
                    location = request.path + (f"?{query}" if query else "")
                    if len(location) <= MAX_REDIRECT_LENGTH:
                        return HttpResponseRedirect(location)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def without_empty_values(pairs):
    """A search form sends every field, filled or not (`?near=22902&radius=&age=...`); the
    clean URL is shorter to share and is the one the search cache keys on."""
    return [(name, value) for name, value in pairs if value.strip()]


def typed_place_replaces_point(pairs):
    """A search naming a place (`near`) loses the point (`lat`, `lng`) sent with it.

    "Use my location" fills the form's hidden lat and lng; a place typed afterwards replaces
    it, as the page's script does by clearing them. Without JavaScript both were sent, and
    the page answered "a place or lat and lng, not both" to every search after, with no way
    to clear the hidden fields but "Clear all". (The API keeps that error: a program sending
    both means something it should be told of.)
    """
    if not any(name == "near" and value.strip() for name, value in pairs):
        return pairs
    return [(name, value) for name, value in pairs if name not in ("lat", "lng")]
