"""Caching of search responses (many people search the same places with the same needs) and of
the home page's summary of the catalogue.

The cache is an optional layer (iopfinder/cache.py): when it fails (Redis down or unreachable)
searches are answered uncached, slower but right, and `/healthz` reports it.
"""

import functools
import hashlib

from django.conf import settings
from django.contrib.messages import get_messages
from django.utils import timezone
from django.utils.translation import get_language

from iopfinder.cache import cache_call

from .models import Program


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
    """Serve a GET (or HEAD) search response from the cache while the catalogue has not changed.

    Keyed by `search_key`: the time any program last changed is part of it, so a curator's edit
    is visible on the next request. Only plain 200 responses that set no cookie are stored:
    nothing personal is ever cached.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.SEARCH_CACHE_SECONDS
        # A visitor's own notes ("added to your shortlist") are shown on the next page: that
        # page is theirs alone, never served from or stored in the shared cache.
        # HEAD is a GET whose body the server drops (link checkers, uptime checks): served
        # and stored alike, so that it costs no search either.
        if not seconds or request.method not in ("GET", "HEAD") or get_messages(request):
            return view(request, *args, **kwargs)
        key = search_key(request, Program.objects.last_change())
        if key is None:
            return view(request, *args, **kwargs)
        response = cache_call("get", key)
        if response is not None:
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if response.status_code == 200 and not response.cookies:
            cache_call("set", key, response, seconds)
        return response

    return wrapper


# The home page's summary is kept this long at most. Its key holds the catalogue's version (the
# latest change to any program), so an edit usually shows on the next visit; what leaves the
# latest change as it was shows within this time: a program deleted outright, or a long import
# whose changes, stamped before it committed, are older than an edit committed meanwhile.
CATALOGUE_SUMMARY_SECONDS = 300


def catalogue_summary():
    """The published catalogue's summary for the home page (ProgramQuerySet.catalogue_summary),
    read from the cache while the catalogue has not changed: counting it reads every program
    (80 ms at 100,000 programs, on every visit to the front door). Uncached when the cache
    fails."""
    today = timezone.localdate()
    # The version of every program, not only the published ones': archiving the program
    # changed last changes it.
    key = (
        "catalogue-summary:"
        + hashlib.sha256(
            f"{Program.objects.last_change()}|{today}|{settings.STALE_AFTER_DAYS}|{get_language()}".encode()
        ).hexdigest()
    )
    summary = cache_call("get", key)
    if summary is None:
        summary = Program.objects.published().catalogue_summary(
            stale_after_days=settings.STALE_AFTER_DAYS, today=today
        )
        cache_call("set", key, summary, CATALOGUE_SUMMARY_SECONDS)
    return summary
