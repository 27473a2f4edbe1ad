"""Admission control: at most SEARCH_SLOTS wide uncached searches run at once on a server.

Four clients repeating the most expensive searches kept both cores of a 2-core server busy
(each search is Python in a worker and a query in a PostgreSQL backend), and `/healthz`, a
program page or the home page waited for a core: `/healthz` p95 went from 4 ms to 51 ms. The
expensive searches are the wide ones, which read the whole catalogue (no place, or a radius of
hundreds of miles: `programs.filtersets.is_wide_search`); a search around a place reads a few
hundred programs and runs freely. With one wide search at a time on 2 cores, the other core
stays free for everything else; a search that finds no slot waits for one and, after
SEARCH_SLOT_WAIT seconds, gets the plain 503 page with `Retry-After`.

Slots are lock files (`flock`) in a directory that gunicorn's master creates at start
(`gunicorn.conf.py` sets SLOTS_DIR_ENV), so they hold across a server's worker processes and
threads, and a killed worker's slot is freed by the kernel. Without that directory (runserver,
tests, management commands) there is no limit.
"""

import contextlib
import fcntl
import functools
import os
import time
from pathlib import Path

from django.conf import settings
from django.dispatch import Signal

from .middleware import database_unavailable_response

SLOTS_DIR_ENV = "IOPFINDER_SEARCH_SLOTS_DIR"
# A waiting search looks for a free slot after 1 ms, then less and less often (up to every
# 10 ms): waiting threads must not take the CPU the running search and /healthz need.
POLL_SECONDS = (0.001, 0.01)

# Sent by the thread that takes a slot and again when it gives it back: gunicorn's worker
# (iopfinder/server.py) stops taking new connections while one of its threads runs a wide search.
slot_taken = Signal()
slot_given_back = Signal()


class NoSlot(Exception):
    """No search slot became free within SEARCH_SLOT_WAIT seconds."""


@contextlib.contextmanager
def search_slot(directory, slots, wait):
    """Hold one of `slots` lock files in `directory` while the block runs; NoSlot after `wait`
    seconds without one."""
    deadline = time.monotonic() + wait
    pause, longest = POLL_SECONDS
    paths = [Path(directory) / f"search-{n}.lock" for n in range(slots)]
    while True:
        for path in paths:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            try:
                slot_taken.send(sender=search_slot)
                yield
            finally:
                os.close(descriptor)  # closing the file releases its lock
                slot_given_back.send(sender=search_slot)
            return
        if time.monotonic() >= deadline:
            raise NoSlot
        time.sleep(pause)
        pause = min(pause * 2, longest)


def admitted(when=None):
    """Run a search view only in a free search slot of this server, when `when(request)` is
    true (always without `when`).

    Put it inside the search cache's decorator, so a cached answer needs no slot. A page is
    rendered in the slot too: rendering a page of results costs as much as finding them.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            directory = os.environ.get(SLOTS_DIR_ENV)
            limited = directory and settings.SEARCH_SLOTS > 0 and (when is None or when(request))
            if not limited:
                return view(request, *args, **kwargs)
            try:
                with search_slot(directory, settings.SEARCH_SLOTS, settings.SEARCH_SLOT_WAIT):
                    response = view(request, *args, **kwargs)
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()
                    return response
            except NoSlot:
                response = database_unavailable_response(request)
                response["Retry-After"] = "5"
                return response

        return wrapper

    return decorator
