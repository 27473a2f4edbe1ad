"""The database goes away and comes back: friendly 503s meanwhile, and recovery by itself.

A real PostgreSQL sits behind a TCP relay that the test cuts and restores, while the site runs
under gunicorn as in production.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = ("127.0.0.1", 5432)
DATABASE = "iopfinder_faults"


class Relay:
    """A TCP relay to PostgreSQL that can be cut (existing connections dropped, new refused)."""

    def __init__(self, target):
        self.target = target
        self.up = True
        self.connections = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.connections += [client, server]
            for source, sink in [(client, server), (server, client)]:
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()

    def cut(self):
        self.up = False
        for sock in self.connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.connections = []

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


def postgres_available():
    try:
        socket.create_connection(POSTGRES, timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture
def relay():
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not answering on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    relay = Relay(POSTGRES)
    yield relay
    relay.close()
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def site(relay):
    """The site under gunicorn, as in production, on a database reached through the relay."""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{relay.port}/{DATABASE}",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "iopfinder.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )

    def get(path):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return {"status": response.status, "body": response.read().decode()}
        except urllib.error.HTTPError as error:
            return {"status": error.code, "body": error.read().decode()}

    for _ in range(100):
        try:
            get("/healthz")
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    yield get
    server.terminate()
    server.wait(timeout=30)


def test_pages_answer_503_while_the_database_is_down_and_recover_by_themselves(relay, site):
    assert site("/healthz")["status"] == 200
    assert site("/programs/?near=22902")["status"] == 200

    relay.cut()
    health = site("/healthz")
    assert health["status"] == 503
    assert json.loads(health["body"])["status"] != "ok"
    for path in ["/", "/programs/?near=22902", "/programs/some-program/"]:
        page = site(path)
        assert page["status"] == 503, path
        assert "temporarily unavailable" in page["body"]
        assert "Traceback" not in page["body"] and "psycopg" not in page["body"]
    api = site("/api/programs/?near=22902")
    assert api["status"] == 503
    assert "errors" in json.loads(api["body"])
    # A 5xx for robots.txt reads to crawlers as "disallow everything".
    robots = site("/robots.txt")
    assert robots["status"] == 200 and "Sitemap: http://localhost/sitemap.xml" in robots["body"]

    relay.restore()
    assert site("/healthz")["status"] == 200
    assert site("/programs/?near=22902")["status"] == 200
    assert site("/api/programs/?near=22902")["status"] == 200
