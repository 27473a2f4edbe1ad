"""WSGI entry point: `gunicorn iopfinder.wsgi`."""

import gc
import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iopfinder.settings")

application = get_wsgi_application()


def warm_up():
    """Load what every search needs, then keep the garbage collector out of requests' way.

    The gazetteer (ZIP centroids) is built now rather than in someone's first search. Then
    everything alive is frozen out of the collector's passes and its first generation made
    larger: full collections over Django's and the gazetteer's long-lived objects cost a
    search 20-40 ms whenever they struck, which was a large part of the slowest 5 %.

    A worker's threads hand the interpreter to each other every millisecond instead of five,
    so that `/healthz` and light pages are not stuck behind a search in the same worker (four
    clients repeating the most expensive searches: `/healthz` p95 40-47 ms instead of 67-105).
    """
    from programs.geo import gazetteer

    gazetteer()
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)
    sys.setswitchinterval(0.001)


warm_up()
