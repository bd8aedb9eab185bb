"""Gunicorn settings for production, all from the environment (README: Deployment).

    gunicorn -c python:jco.web.gunicorn_conf "jco:create_app()"

The app keeps no state in its processes (signed-cookie sessions, rate-limit counters in Redis,
files in the database), so any number of these processes on any number of hosts can serve
behind one load balancer and one PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("JCO_BIND", "127.0.0.1:8000").split(",")
# Requests mostly wait on the database, so a few threads per worker; workers bounded so that a
# large host does not open more PostgreSQL connections than the server allows
# (each worker: pool_size 5 + max_overflow 10).
workers = _int("JCO_WORKERS", min(multiprocessing.cpu_count() * 2 + 1, 8))
threads = _int("JCO_THREADS", 4)
worker_class = "gthread"
timeout = _int("JCO_WORKER_TIMEOUT", 60)  # a request stuck longer than this is killed
graceful_timeout = _int("JCO_GRACEFUL_TIMEOUT", 30)  # in-flight requests finish on restart
keepalive = _int("JCO_KEEPALIVE", 5)
# Recycle workers now and then so that a slow leak never grows without bound.
max_requests = _int("JCO_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Each worker builds its own app and database engine: never share pooled connections over fork.
preload_app = False
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# The reverse proxies allowed to say, via X-Forwarded-Proto, that the client used HTTPS.
# The app itself reads X-Forwarded-For/-Proto/-Host only when JCO_TRUSTED_PROXIES is set.
forwarded_allow_ips = os.environ.get("JCO_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# Guards against oversized request lines and headers.
limit_request_line = 8190
limit_request_fields = 100

accesslog = os.environ.get("JCO_ACCESS_LOG", "-")
errorlog = os.environ.get("JCO_ERROR_LOG", "-")
loglevel = os.environ.get("JCO_LOG_LEVEL", "info")
# The client's address as the proxy saw it, then the usual combined format and the duration.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
proc_name = "jco-tracker"
# Gunicorn ≥ 25 opens a control socket in $HOME by default; nothing here uses it, and two
# instances on one host would fight over the path.
control_socket_disable = True
