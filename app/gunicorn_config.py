"""Gunicorn settings for every way the web server starts (the Procfile and `flask serve`
pass ``--config python:app.gunicorn_config``).

The access log shows the path without the query string: a shopper's ``checkoutUrl`` and the
gateways' returns carry the session's capability (``?t=``), which must not sit in log files.
"""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'
