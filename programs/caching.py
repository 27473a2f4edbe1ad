"""Caching of search responses: many people search the same places with the same needs.

The cache is an optional layer: when it fails (Redis down or unreachable) searches are answered
uncached, slower but right, and `/healthz` reports it.
"""

import functools
import hashlib
import logging
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.utils.translation import get_language

from .models import Program

logger = logging.getLogger(__name__)

# After a failure the cache is left alone this many seconds: a cache that is down must not
# cost every request a connection attempt.
CACHE_RETRY_SECONDS = 5
_cache_down_until = 0.0


def _cache_failed(error):
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    # The class only: the error's text may hold a key or a server address.
    logger.warning("Search cache unavailable: %s", error.__class__.__name__)


def _cache_call(operation, *args):
    """Call `cache.<operation>(*args)`; None (and the cache skipped for a while) if it fails."""
    if time.monotonic() < _cache_down_until:
        return None
    try:
        return getattr(cache, operation)(*args)
    except Exception as error:  # any backend's failure: redis, a socket, a full disk
        _cache_failed(error)
        return None


def cache_status():
    """Whether the cache answers, for `/healthz`: "ok" or "down". Asks it even while skipped."""
    global _cache_down_until
    try:
        cache.get("healthz")
    except Exception as error:
        _cache_failed(error)
        return "down"
    _cache_down_until = 0.0
    return "ok"


def search_key(request, version):
    """The cache key of a search, or None when it must not be cached.

    The key holds the address without its query (the API returns absolute URLs), the search's
    parameters with their values de-duplicated and sorted, and the catalogue's version. A
    request with a parameter the search does not know is not cached: each such parameter made a
    new entry (1,200 URLs took a worker from 215 to 395 MB), and results pages repeat the whole
    query in their links, so one visitor's parameters would be shown to others.
    """
    from .filtersets import ProgramFilterSet

    if not set(request.GET) <= ProgramFilterSet.known_parameters():
        return None
    parameters = sorted((name, sorted(set(request.GET.getlist(name)))) for name in request.GET)
    address = request.build_absolute_uri(request.path)
    return (
        "search:"
        + hashlib.sha256(f"{version}|{get_language()}|{address}|{parameters}".encode()).hexdigest()
    )


def search_cache(view):
    """Serve a GET search response from the cache while the catalogue has not changed.

    Keyed by `search_key`: the time any program last changed is part of it, so a curator's edit
    is visible on the next request. Only plain 200 responses that set no cookie are stored:
    nothing personal is ever cached.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.SEARCH_CACHE_SECONDS
        # A visitor's own notes ("added to your shortlist") are shown on the next page: that
        # page is theirs alone, never served from or stored in the shared cache.
        if not seconds or request.method != "GET" or get_messages(request):
            return view(request, *args, **kwargs)
        key = search_key(request, Program.objects.last_change())
        if key is None:
            return view(request, *args, **kwargs)
        response = _cache_call("get", key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if response.status_code == 200 and not response.cookies:
            _cache_call("set", key, response, seconds)
        return response

    return wrapper
