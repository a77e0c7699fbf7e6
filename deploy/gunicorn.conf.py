"""gunicorn settings of one web instance (``gunicorn -c deploy/gunicorn.conf.py
certif.wsgi``). Every instance is alike and stateless: sessions, the rate-limit
cache and the task queue live in PostgreSQL, files in the storage; nginx spreads
the requests over the instances (``deploy/nginx/certif.conf``)."""

import multiprocessing
import os

# One address per instance: the systemd unit certif-web@N sets 127.0.0.1:800N.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Synchronous workers: each request is short (long work runs in db_worker).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer is killed (and logged): nothing slow belongs in a
# request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# A worker is replaced after this many requests (memory held by one large page
# comes back).
max_requests = 2000
max_requests_jitter = 200
# nginx on the same machine: only it may say what the client's scheme was.
forwarded_allow_ips = "127.0.0.1"
# The request lines are Django's (JSON, with the request id: certif/logs.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# The application is loaded once, before the workers fork: less memory, and a
# broken configuration stops the instance at start.
preload_app = True
