"""WSGI entry point: `gunicorn iopfinder.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iopfinder.settings")

application = get_wsgi_application()


def warm_up():
    """Load what every search needs, then keep the garbage collector out of requests' way.

    The gazetteer (ZIP centroids) is built now rather than in someone's first search. Then
    everything alive is frozen out of the collector's passes and its first generation made
    larger: full collections over Django's and the gazetteer's long-lived objects cost a
    search 20-40 ms whenever they struck, which was a large part of the slowest 5 %.
    """
    from programs.geo import gazetteer

    gazetteer()
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)


warm_up()
