"""gunicorn's production settings: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every setting comes from the environment, with defaults measured on a 2-core machine
(bench/README.md, "Pages under load"). Behind a TLS reverse proxy, bind to 127.0.0.1.

| variable | default | meaning |
|---|---|---|
| GUNICORN_BIND | 127.0.0.1:8000 | address and port (the proxy talks to it) |
| GUNICORN_WORKERS | cores + 1 | worker processes |
| GUNICORN_WORKER_CLASS | sync | sync workers: each request does short SQL and template work |
| GUNICORN_THREADS | 1 | threads per worker (only with the gthread class) |
| GUNICORN_TIMEOUT | 30 | seconds before a silent worker is killed and replaced |
| GUNICORN_GRACEFUL_TIMEOUT | 30 | seconds a worker has to finish its requests on restart |
| GUNICORN_KEEPALIVE | 5 | seconds an idle keep-alive connection from the proxy stays open |
| GUNICORN_MAX_REQUESTS | 0 | restart a worker after this many requests (0: never) |
| GUNICORN_ACCESSLOG | - | access log file ("-": standard output, "": none) |
| GUNICORN_LOGLEVEL | info | error log level |
| GUNICORN_PRELOAD | 0 | 1: import the app once in the master before forking |
"""
import multiprocessing
import os
import sys

from questionnaires.web.production import public_bind_warning


def _int(name: str, default: int) -> int:
    """A whole number from the environment, or a French message that stops gunicorn."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} : nombre entier attendu, reçu « {raw} ».") from None


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Bound to a public address, clients can reach the app around the TLS proxy: say so at start.
_warning = public_bind_warning(bind.split(","))
if _warning:
    print(_warning, file=sys.stderr)
# Sync workers, cores + 1: the pages are CPU-bound (templates, SQLAlchemy), so more workers than
# cores only add switching; on 2 cores a worker cost 3.3-3.4 ms of CPU per section page with 2
# or 3 workers and 4.1 ms with the usual 2 × cores + 1 = 5 (bench/README.md). The extra one
# covers a worker waiting on PostgreSQL or on the proxy.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
# Jitter so that workers started together do not all restart at the same moment.
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# Access lines with personal-link tokens replaced by "***" (questionnaires/web/log_masking.py)
logger_class = "questionnaires.web.log_masking.TokenMaskingLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Off by default: with it, `kill -HUP` no longer loads new code, and it was not measured to
# help (each worker imports the app once, ~1 s, at start-up only).
preload_app = os.environ.get("GUNICORN_PRELOAD", "0").lower() in {"1", "true", "yes"}
# The proxy sets X-Forwarded-*; only trust it from the local machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
