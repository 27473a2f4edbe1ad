"""Middleware: the Content-Security-Policy header and a friendly 503 when the database is down."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from .api import errors_response, wants_json

logger = logging.getLogger(__name__)


def content_security_policy():
    """The policy: our own scripts only (no inline script), map tiles from MAP_TILE_URL's host."""
    img_sources = ["'self'", "data:"]
    if settings.MAP_TILE_URL:
        parts = urlsplit(settings.MAP_TILE_URL.replace("{s}", "a"))
        if parts.scheme and parts.netloc:
            host = parts.netloc
            if "{s}" in settings.MAP_TILE_URL:
                host = "*." + host.split(".", 1)[1]
            img_sources.append(f"{parts.scheme}://{host}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # The admin and Leaflet set a few inline styles; styles cannot run code.
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(img_sources)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy and Permissions-Policy headers to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        # Geolocation only for our own "use my location" button; nothing else.
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(self), camera=(), microphone=(), interest-cohort=()"
        )
        return response


class DatabaseUnavailableMiddleware:
    """Answers 503 with a plain page, not a stack trace, when the database cannot serve a request:
    unreachable, read-only (a failover, maintenance), or a query stopped by the statement timeout.

    The connection is retried on the next request (CONN_HEALTH_CHECKS), so the site recovers
    by itself when the database returns.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        reason = database_unavailable_reason(exception)
        if reason is None:
            return None
        # The class and the reason only: an error's text can hold the query's parameters.
        logger.error("Database unavailable (%s): %s", reason, exception.__class__.__name__)
        return database_unavailable_response(request)


# PostgreSQL's SQLSTATE codes for "not now" (https://www.postgresql.org/docs/current/errcodes-appendix.html).
UNAVAILABLE_SQLSTATES = {
    "57014": "statement timeout",
    "25006": "read-only",
    "57P01": "shutting down",
    "57P02": "crashed",
    "57P03": "starting up",
    "53300": "too many connections",
}


def database_unavailable_reason(exception):
    """Why the database could not serve the request, or None for a real error (a bug: 500)."""
    if not isinstance(exception, DatabaseError):
        return None
    if isinstance(exception, InterfaceError):
        return "unreachable"
    sqlstate = getattr(exception.__cause__, "sqlstate", None) or ""
    if sqlstate in UNAVAILABLE_SQLSTATES:
        return UNAVAILABLE_SQLSTATES[sqlstate]
    if sqlstate.startswith("08"):  # connection exceptions
        return "unreachable"
    text = str(exception).lower()
    if "readonly database" in text or "read-only" in text:  # SQLite, or a read-only file system
        return "read-only"
    # Other OperationalErrors (a deadlock, a lock timeout) are real 500s.
    markers = ("connect", "server closed", "terminating connection", "unable to open")
    if isinstance(exception, OperationalError) and any(marker in text for marker in markers):
        return "unreachable"
    return None


def database_unavailable_response(request):
    """The 503 page (or JSON for the API) shown while the database is down."""
    if wants_json(request):
        message = "The directory is temporarily unavailable. Try again soon."
        response = errors_response({"__all__": [message]}, 503)
    else:
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
    response["Retry-After"] = "30"
    return response
