"""Caching of search responses: many people search the same places with the same needs."""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache

from .models import Program


def search_cache(view):
    """Serve a GET search response from the cache while the catalogue has not changed.

    The key holds the full URL (with its host: the API returns absolute URLs) and the time
    any program last changed, so a curator's edit is visible on the next request. Only plain
    200 responses that set no cookie are stored: nothing personal is ever cached.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.SEARCH_CACHE_SECONDS
        if not seconds or request.method != "GET":
            return view(request, *args, **kwargs)
        version = Program.objects.last_change()
        address = request.build_absolute_uri()
        key = "search:" + hashlib.sha256(f"{version}|{address}".encode()).hexdigest()
        response = cache.get(key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if response.status_code == 200 and not response.cookies:
            cache.set(key, response, seconds)
        return response

    return wrapper
