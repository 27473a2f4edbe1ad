"""Site-wide middleware that is not about the catalogue."""

import ipaddress

from django.conf import settings
from django.db import connection
from django.http import HttpResponseBadRequest

from .database import RequestTimeBudget


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
    503 page (programs.middleware.DatabaseUnavailableMiddleware)."""

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
