"""gunicorn's settings in production: the units run `gunicorn --config deploy/gunicorn.conf.py
--bind HOST:PORT`, one instance per port (deploy/systemd/gender-champions-web@.service)."""

import logging
import os

wsgi_app = "config.wsgi"
# Sync workers: nginx in front reads whole requests and takes whole answers, so a worker is held
# only while Django works. WEB_CONCURRENCY per instance (gunicorn's own variable): about the cores
# of the host over the instances on it, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# A request taking longer is ended (its worker restarted); nginx waits 40 s (deploy/nginx/).
timeout = 30
graceful_timeout = 20
# Workers are replaced now and then, staggered, so a slow leak never grows for long.
max_requests = 2000
max_requests_jitter = 200
# Two instances on one host must not share gunicorn's control socket; it is not used.
control_socket_disable = True
# The app logs each request (config/logging.py: JSON, with its request id) and nginx does too.
accesslog = None
errorlog = "-"
logging.captureWarnings(True)  # Python's warnings too, as log lines (py.warnings)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    # gunicorn names a request's path in its own lines ("Error handling request <path>"): without
    # the secrets paths carry (config/logging.py), as every line the app writes.
    "filters": {"secrets": {"()": "config.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["secrets"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False}},
}
