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
            pairs = [(name, value) for name, values in request.GET.lists() for value in values]
            kept = [(name, value) for name, value in pairs if value.strip()]
            if len(kept) != len(pairs):
                query = urlencode(kept)
                location = request.path + (f"?{query}" if query else "")
                # Django refuses to redirect to a longer URL (a 400); such a search is no link
                # to share anyway, and the view ignores empty values.
                if len(location) <= MAX_REDIRECT_LENGTH:
                    return HttpResponseRedirect(location)
        return view(request, *args, **kwargs)

    return wrapper
