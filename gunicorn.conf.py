"""Gunicorn settings for production: `gunicorn iopfinder.wsgi` picks this file up."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Search is CPU-bound Python plus short SQL; one worker per core plus one keeps the cores busy
# while a worker waits on PostgreSQL.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = 30
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# The access log format leaves out the query string: searches (places, needs) are not written
# to logs together with the client's address. See README "What is logged".
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
