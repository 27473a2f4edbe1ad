"""Site-wide middleware: the client address behind a proxy, the database time budget, the
Content-Security-Policy header, a friendly 503 when the database is down, NUL bytes in the admin."""

import ipaddress
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string

from .database import RequestTimeBudget
from .responses import errors_response, wants_json


def _networks(entries):
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class ClientAddressMiddleware:
    """Behind a trusted proxy, REMOTE_ADDR becomes the client's address from X-Forwarded-For.

    Without it every visitor shares the proxy's address, so one person could use up everyone's
    correction reports or lock every curator out of the admin. Only proxies listed in
    TRUSTED_PROXIES (addresses or networks) are believed; the header is read from the right,
    skipping trusted proxies, so a client cannot choose its address by sending the header itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = _networks(settings.TRUSTED_PROXIES)

    def __call__(self, request):
        if self.trusted:
            request.META["REMOTE_ADDR"] = self.client_address(request.META)
        return self.get_response(request)

    def _is_trusted(self, address):
        return address is not None and any(address in network for network in self.trusted)

    def client_address(self, meta):
        remote = meta.get("REMOTE_ADDR", "")
        if not self._is_trusted(_address(remote)):
            return remote
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return remote  # a malformed header: keep the proxy's address
            if not self._is_trusted(address):
                return str(address)
        return remote


class AdminNulCharacterMiddleware:
    """The admin's list filters pass query values to the database, and PostgreSQL refuses text
    with NUL characters (a 500). No admin URL needs one: answer 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") and any(
            "\x00" in name or any("\x00" in value for value in values)
            for name, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("Bad request.", content_type="text/plain")
        return self.get_response(request)


class DatabaseTimeBudgetMiddleware:
    """No request spends more than STATEMENT_TIMEOUT_MS in PostgreSQL, whatever its number of
    statements (`RequestTimeBudget`); past it, the statement is stopped and the visitor gets the
    503 page (DatabaseUnavailableMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.STATEMENT_TIMEOUT_MS or connection.vendor != "postgresql":
            return self.get_response(request)
        budget = RequestTimeBudget(settings.STATEMENT_TIMEOUT_MS)
        try:
            with connection.execute_wrapper(budget):
                return self.get_response(request)
        finally:
            budget.restore(connection)


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
