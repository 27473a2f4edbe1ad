"""The cache as an optional layer: when it fails (Redis down or unreachable) callers go on
without it, slower but right, and `/healthz` reports it as down."""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

# After a failure the cache is left alone this many seconds: a cache that is down must not
# cost every request a connection attempt.
CACHE_RETRY_SECONDS = 5
_down_until = 0.0


def _failed(error):
    global _down_until
    _down_until = time.monotonic() + CACHE_RETRY_SECONDS
    # The class only: the error's text may hold a key or a server address.
    logger.warning("Search cache unavailable: %s", error.__class__.__name__)


def cache_call(operation, *args):
    """Call `cache.<operation>(*args)`; None (and the cache skipped for a while) if it fails."""
    if time.monotonic() < _down_until:
        return None
    try:
        return getattr(cache, operation)(*args)
    except Exception as error:  # any backend's failure: redis, a socket, a full disk
        _failed(error)
        return None


def cache_status():
    """Whether the cache answers, for `/healthz`: "ok" or "down". Asks it even while skipped."""
    global _down_until
    try:
        cache.get("healthz")
    except Exception as error:
        _failed(error)
        return "down"
    _down_until = 0.0
    return "ok"
