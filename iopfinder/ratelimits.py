"""Rate limits that hold across every process and app server: counted in the database cache.

Counting in each process's memory let a client send one correction per worker and reset the
count by killing workers; counting in Redis lost the limit with Redis. The `ratelimits` cache
(a table made by `createcachetable`, which `migrate` runs) is shared by every process that
shares the database.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import caches
from django.shortcuts import render

RATE_LIMIT_CACHE = "ratelimits"


def keyed_hash(value):
    """A keyed hash of an address or email: enough to tell them apart, not to know them."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def client_key(request):
    """A keyed hash of the client's address: enough to tell clients apart, not to know them.

    REMOTE_ADDR is the client's own address, also behind a trusted proxy
    (`iopfinder.middleware.ClientAddressMiddleware`).
    """
    return keyed_hash(request.META.get("REMOTE_ADDR", ""))


def rate_limit_take(scope, request, *, limit, seconds):
    """Take one of the client's `limit` allowances for `scope`, each held `seconds`; False when
    none is left."""
    return rate_limit_take_for(scope, client_key(request), limit=limit, seconds=seconds)


def rate_limit_take_for(scope, key, *, limit, seconds):
    """Take one of `key`'s `limit` allowances for `scope` (e.g. a hashed email).

    Each allowance is one cache key claimed with `add`, which the database makes atomic (a
    unique key): concurrent requests in different processes cannot both take the last one.
    """
    cache = caches[RATE_LIMIT_CACHE]
    keys = [f"{scope}:{key}:{slot}" for slot in range(limit)]
    if any(cache.add(key, 1, seconds) for key in keys):
        return True
    # The database cache also answers False when the database refuses the write (read-only):
    # then the request goes on, and its own write gets the 503 it deserves, not a false 429.
    return len(cache.get_many(keys)) < limit


def login_lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: 429, the plain page, and when to retry."""
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME * 3600))
    return response
