"""gunicorn's worker and logger for this site (`gunicorn.conf.py` names them).

The worker is gunicorn's threaded worker (`gthread`) with these changes:

- A request (its line, headers and a body of up to READ_AHEAD_BYTES) is read by the worker's
  event loop, and only a complete one is given a thread; a request not in within READ_TIMEOUT
  seconds closes the connection. With sync workers, three clients sending a header byte every
  2 s held all three workers for 30 s; here they hold no thread at all.
- While one of its threads holds a search slot (iopfinder/admission.py), the worker takes no
  new connections, so `/healthz` and light pages go to a worker whose interpreter is not busy
  with a search (when the server has more workers than search slots, as it does by default).
- Workers share their kept-alive connections out (ConnectionShares): a worker holding more than
  SHARE_MARGIN connections above the fewest another worker holds answers with `Connection:
  close`, and the client reconnects. gunicorn's workers race to accept on one socket, and a
  burst of new connections (a proxy's pool, a load test's 50) often went 44/6, 48/2 or 50/0
  between two workers; with 50/0 one interpreter did all the work, and uncached API throughput
  at 50 connections was 171 req/s instead of 270.
- A connection closed after its answer waits for the client to close its end in the event
  loop (SiteWorker.linger), where gunicorn blocked the whole worker on it for up to 2 s.
- Errors gunicorn answers itself (a malformed request, a request line too long) get the site's
  security headers and a plain page, and are logged without the request line.
"""

import contextlib
import errno
import fcntl
import functools
import html
import mmap
import os
import re
import selectors
import socket
import struct
import threading
import time
from datetime import datetime

from gunicorn import glogging
from gunicorn import util as gunicorn_util
from gunicorn.http import errors
from gunicorn.http.wsgi import Response, default_environ
from gunicorn.workers.gthread import TConn, ThreadWorker

from .logs import PrivateFormatter

READ_TIMEOUT = 10.0
# A connection closed after its answer lingers this long for the client to close its end, with
# at most LINGER_BYTES read and dropped meanwhile (as gunicorn's close_graceful).
LINGER_SECONDS = 2.0
LINGER_BYTES = 65536
# Larger requests (none of the site's forms comes near) are handed to a thread once this much
# is in; gunicorn's parser then applies its limits, and the thread's deadline still holds.
READ_AHEAD_BYTES = 256 * 1024
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length[ \t]*:[ \t]*(\d{1,12})", re.IGNORECASE)
EXPECT = re.compile(rb"\r\nexpect[ \t]*:", re.IGNORECASE)


def bytes_wanted(buffered):
    """How many bytes make the request that `buffered` begins, or None while its head is
    incomplete. A chunked body, or one the client sends only after `100 Continue`, is left to
    the thread."""
    end = buffered.find(b"\r\n\r\n")
    if end < 0:
        return None
    length = CONTENT_LENGTH.search(buffered, 0, end + 2)
    if length is None or EXPECT.search(buffered, 0, end + 2):
        return end + 4
    return end + 4 + int(length.group(1))


ERROR_STATUSES = [
    # The application's or the configuration's fault, not the client's.
    (
        (
            errors.InvalidResponseHeader,
            errors.InvalidResponseHeaderName,
            errors.ConfigurationProblem,
        ),
        500,
        "Internal Server Error",
    ),
    (errors.LimitRequestLine, 414, "URI Too Long"),
    (errors.LimitRequestHeaders, 431, "Request Header Fields Too Large"),
    (errors.ForbiddenProxyRequest, 403, "Forbidden"),
    (errors.UnsupportedTransferCoding, 501, "Not Implemented"),
    (errors.ExpectationFailed, 417, "Expectation Failed"),
    (errors.ParseException, 400, "Bad Request"),
]
ERROR_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
    ("Connection", "close"),
]
CRISIS_LINES = (
    'If you need help now, call or text <a href="tel:988">988</a>, '
    'or <a href="tel:911">911</a> in an emergency.'
)


def error_status(exception):
    """The status and reason gunicorn's own answer to `exception` gets."""
    for kind, status, reason in ERROR_STATUSES:
        if isinstance(exception, kind):
            return status, reason
    return 500, "Internal Server Error"


def error_response(status, reason):
    """The whole HTTP response for an error gunicorn answers itself."""
    advice = "Please check the address." if status < 500 else "Please try again in a minute."
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(reason)} · IOP Finder</title></head><body><main>"
        f"<h1>{html.escape(reason)}</h1><p>{advice} {CRISIS_LINES}</p></main></body></html>"
    ).encode()
    headers = [*ERROR_HEADERS, ("Content-Length", str(len(body)))]
    head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode("latin-1") + b"\r\n" + body


class ConnectionShares:
    """How many connections each of a server's workers holds, in a file they all map.

    Each worker's event loop writes its count and the time into its own record on every turn
    (at least once a second); a record not written for STALE seconds is a worker that has
    gone, and its record is free for the next worker to start. A worker that finds no free
    record, or the file locked by another's start for two seconds, takes no part.
    """

    RECORD = struct.Struct("=iid")  # pid, open connections, time.monotonic() of the last write
    RECORDS = 64
    STALE = 5.0

    def __init__(self, path):
        size = self.RECORD.size * self.RECORDS
        self.offset = None
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if not self._locked(descriptor):  # never a worker held in its start
                return
            try:
                if os.fstat(descriptor).st_size < size:
                    os.ftruncate(descriptor, size)
                self.records = mmap.mmap(descriptor, size)
                now = time.monotonic()
                self.offset = next(
                    (
                        index * self.RECORD.size
                        for index, (pid, _, written) in enumerate(
                            self.RECORD.iter_unpack(self.records)
                        )
                        if not pid or now - written > self.STALE
                    ),
                    None,
                )
                self.publish(0)
            finally:
                # Unlocked explicitly: the mapping holds a duplicate of the descriptor, and
                # with it the lock, after the descriptor is closed.
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)

    @staticmethod
    def _locked(descriptor, wait=2.0):
        """Lock the file for this worker's start (workers start side by side); False if it
        stays locked for `wait` seconds."""
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.01)

    def publish(self, connections):
        if self.offset is not None:
            self.RECORD.pack_into(
                self.records, self.offset, os.getpid(), connections, time.monotonic()
            )

    def fewest_elsewhere(self):
        """The fewest connections another live worker that takes connections holds; None when
        there is none."""
        if self.offset is None:
            return None
        now = time.monotonic()
        return min(
            (
                connections
                for index, (pid, connections, written) in enumerate(
                    self.RECORD.iter_unpack(self.records)
                )
                if pid
                and connections >= 0  # TAKES_NONE
                and index * self.RECORD.size != self.offset
                and now - written <= self.STALE
            ),
            default=None,
        )

    def leave(self):
        if self.offset is not None:
            self.RECORD.pack_into(self.records, self.offset, 0, 0, 0.0)
            self.offset = None


# A worker holding more than this many connections above the fewest another worker holds
# closes a kept-alive connection after its next answer. Below it, no connection is closed: a
# client's reconnect costs less than one search, but a margin of 0 would keep two workers
# closing connections back and forth.
SHARE_MARGIN = 2
SHARES_FILE = "connections"
# Published instead of a count by a worker that takes no new connections (stopping, busy with
# a wide search, or full): the others do not close connections for it to take.
TAKES_NONE = -1


class SiteConn(TConn):
    """gunicorn's connection, whose graceful close the worker's event loop waits out without
    blocking (SiteWorker.linger)."""

    linger = None  # the worker's

    def close(self, graceful=False):
        if graceful and self.linger is not None:
            self.linger(self.sock)
        else:
            super().close(graceful)


class SiteWorker(ThreadWorker):
    """gunicorn's threaded worker, reading each request in its event loop.

    A connection gets a thread only once its request is in (or READ_AHEAD_BYTES of it). A
    request not in within READ_TIMEOUT seconds closes the connection. A thread still reading a
    request's head at its deadline (one larger than READ_AHEAD_BYTES) has its connection shut,
    which frees it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.heads = {}  # connection -> deadline, while the event loop reads its head
        self.reading = {}  # connection -> deadline, while a thread reads the rest of its head
        self.searches = 0  # this worker's threads holding a search slot
        self.shares = None  # ConnectionShares, when the server has a slots directory
        self.closing = 0  # connections this worker's threads are closing to share them out
        self.closing_lock = threading.Lock()
        self.requests = threading.local()  # each thread's connection, for shared_out
        self.lingering = {}  # socket -> [deadline, bytes read], closed after its answer
        self.loop_thread = None  # the event loop's thread

    def load_wsgi(self):
        super().load_wsgi()
        from django.conf import settings

        from . import admission

        directory = os.environ.get(admission.SLOTS_DIR_ENV)
        if directory and self.cfg.workers > 1:
            try:
                self.shares = ConnectionShares(os.path.join(directory, SHARES_FILE))
            except OSError as error:  # a worker that fails its start would halt the server
                self.log.warning("Connections not shared between workers: %s", error.strerror)
            else:
                self.wsgi = functools.partial(self.shared_out, self.wsgi)
        if self.cfg.workers > settings.SEARCH_SLOTS:  # other workers are free to take connections
            admission.slot_taken.connect(self.search_began, weak=False)
            admission.slot_given_back.connect(self.search_ended, weak=False)

    # A thread's part: the event loop counts, on its own thread

    def search_began(self, **kwargs):
        if self.alive:  # a stopping worker's event loop may have closed its queue
            self.method_queue.defer(self.count_searches, 1)

    def search_ended(self, **kwargs):
        if self.alive:
            self.method_queue.defer(self.count_searches, -1)

    def shared_out(self, application, environ, start_response):
        """The application, answering with `Connection: close` while this worker holds more
        than its share of connections. A thread that closes one counts it in `closing` until
        the event loop has closed it, so that four threads answering at once do not close four
        connections when one is over."""
        conn = getattr(self.requests, "connection", None)
        if conn is None:  # HTTP/2, which does not pass through handle_request: left alone
            return application(environ, start_response)
        with self.closing_lock:
            fewest = self.shares.fewest_elsewhere()
            over = fewest is not None and self.nr_conns - self.closing > fewest + SHARE_MARGIN
            if over:
                self.closing += 1
                conn.shared_out = True
        if over:
            start_response.__self__.force_close()  # gunicorn's Response, before its head is sent
        return application(environ, start_response)

    # The event loop's part

    def wait_for_and_dispatch_events(self, timeout):
        if self.shares is not None:
            taking = self.alive and self._accepting
            self.shares.publish(self.nr_conns if taking else TAKES_NONE)
        super().wait_for_and_dispatch_events(timeout)

    def finish_request(self, conn, fs):
        super().finish_request(conn, fs)  # closes the connection if it was shared out
        if getattr(conn, "shared_out", False):
            conn.shared_out = False
            with self.closing_lock:
                self.closing -= 1

    def linger(self, sock):
        """Close `sock` after its last answer as gunicorn's close_graceful does (RFC 9112
        9.6): the write side at once, the rest once the client has closed its end or within
        LINGER_SECONDS, reading and dropping what it still sends. Here the event loop waits for
        the client instead of blocking on it: one that kept its end open after an answer with
        `Connection: close` held the whole worker for 2 s, and connections shared out
        (shared_out) are closed that way too."""
        if threading.get_ident() != self.loop_thread:  # not the event loop's: gunicorn's way
            gunicorn_util.close_graceful(sock)
            return
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
            self.poller.register(sock, selectors.EVENT_READ, self.on_lingering_readable)
        except (OSError, ValueError, KeyError):
            gunicorn_util.close(sock)
            return
        self.lingering[sock] = [time.monotonic() + LINGER_SECONDS, 0]

    def on_lingering_readable(self, sock):
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        state = self.lingering.get(sock)
        if state is None:
            return
        state[1] += len(data)
        if not data or state[1] >= LINGER_BYTES:
            self.linger_end(sock)

    def linger_end(self, sock):
        self.lingering.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(sock)
        gunicorn_util.close(sock)

    def run(self):
        self.loop_thread = threading.get_ident()
        try:
            super().run()
        finally:
            if self.shares is not None:
                self.shares.leave()

    def count_searches(self, change):
        self.searches += change
        self.set_accept_enabled(self.nr_conns < self.worker_connections)

    def set_accept_enabled(self, enabled):
        # A stopping worker takes no connections, even when its last search ends meanwhile.
        super().set_accept_enabled(enabled and not self.searches and self.alive)

    def accept(self, listener):
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = SiteConn(self.cfg, client, address, listener.getsockname())
        conn.linger = self.linger
        self.head_wait(conn)

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection sends its next request: read its head here too."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self.head_wait(conn)

    def head_wait(self, conn):
        if self.cfg.is_ssl:  # TLS is terminated by the proxy in front; gunicorn's way otherwise
            self.enqueue_req(conn)
            return
        conn.head = b""
        self.heads[conn] = time.monotonic() + READ_TIMEOUT
        conn.sock.setblocking(False)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, functools.partial(self.on_head_readable, conn)
        )

    def on_head_readable(self, conn, client):
        try:
            data = conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self.head_drop(conn)
            return
        conn.head += data
        wanted = bytes_wanted(conn.head)
        if (wanted is not None and len(conn.head) >= wanted) or len(conn.head) > READ_AHEAD_BYTES:
            self.poller.unregister(conn.sock)
            del self.heads[conn]
            conn.data_ready = True
            self.enqueue_req(conn)

    def head_drop(self, conn):
        self.heads.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self):
        """Also close connections whose head is late (the main loop runs this every second)."""
        super().murder_pending()
        now = time.monotonic()
        for conn, deadline in list(self.heads.items()):
            if deadline < now:
                self.head_drop(conn)
        for sock, (deadline, _read) in list(self.lingering.items()):
            if deadline < now:
                self.linger_end(sock)
        for conn, deadline in list(self.reading.items()):
            if deadline < now and self.reading.pop(conn, None) is not None:
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)  # the reading thread sees the end

    # The threads' part

    def handle(self, conn):
        head = getattr(conn, "head", b"")
        if head:
            conn.head = b""
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(head)
        self.reading[conn] = time.monotonic() + READ_TIMEOUT
        try:
            return super().handle(conn)
        finally:
            self.reading.pop(conn, None)

    def handle_request(self, req, conn):
        self.reading.pop(conn, None)  # the head is in; the application bounds its own time
        self.requests.connection = conn
        try:
            return super().handle_request(req, conn)
        finally:
            self.requests.connection = None

    def handle_error(self, req, client, addr, exc):
        started = datetime.now()
        status, reason = error_status(exc)
        if status == 500:
            self.log.exception("Error handling a request")  # no request line: it holds the search
        else:
            self.log.warning("Refused a malformed request: %s", type(exc).__name__)
        if req is not None:
            environ = default_environ(req, client, self.cfg)
            environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = "", ""
            response = Response(req, client, self.cfg)
            response.status = f"{status} {reason}"
            self.log.access(response, req, environ, datetime.now() - started)
        with contextlib.suppress(Exception):
            client.setblocking(True)
            client.sendall(error_response(status, reason))


class PrivateLogger(glogging.Logger):
    """gunicorn's logger, writing its error log through `PrivateFormatter`."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(PrivateFormatter(self.error_fmt, self.datefmt))
