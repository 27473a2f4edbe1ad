"""Gunicorn settings for production: `gunicorn iopfinder.wsgi` picks this file up."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Search is CPU-bound Python plus short SQL; one worker per core plus one keeps the cores busy
# while a worker waits on PostgreSQL.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
# gunicorn's threaded worker, with a deadline on reading a request's head (iopfinder/server.py):
# with sync workers, three clients sending their headers a byte every 2 s froze the site for
# 30 s. A worker's threads also keep /healthz answering while others wait on PostgreSQL.
worker_class = "iopfinder.server.SiteWorker"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Statements are bounded by the database (STATEMENT_TIMEOUT_MS, 2 s); this is the last resort.
timeout = 30
graceful_timeout = 30
# Recycle workers now and then, as a guard against slow leaks, but rarely: a worker's start
# (Django, the gazetteer) takes about a second, and at 2,000 requests it cost the load test
# half its /healthz throughput and a p99 near one second.
max_requests = 50_000
max_requests_jitter = 5_000
# The access log format leaves out the query string: searches (places, needs) are not written
# to logs together with the client's address. See README "What is logged".
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# The error log never holds a query string, a client address or an exception's message.
logger_class = "iopfinder.server.PrivateLogger"


# Search slots (iopfinder/admission.py): lock files in a directory of this server's own, made
# before the workers are forked so that they all share it.
def on_starting(server):
    import tempfile

    from iopfinder.admission import SLOTS_DIR_ENV

    os.environ[SLOTS_DIR_ENV] = tempfile.mkdtemp(prefix="iopfinder-search-slots-")


def on_exit(server):
    import shutil

    from iopfinder.admission import SLOTS_DIR_ENV

    shutil.rmtree(os.environ.get(SLOTS_DIR_ENV, ""), ignore_errors=True)
