"""View decorators shared by the site's pages."""

import functools
from urllib.parse import urlencode

from django.http import HttpResponseRedirect


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
                return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        return view(request, *args, **kwargs)

    return wrapper
