"""The web server's access log never holds a shopper's capability: the checkoutUrl and the
gateways' returns carry it in the query string (``?t=``)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from app import gunicorn_config
from app.devserver import gunicorn_command

ROOT = Path(__file__).resolve().parents[2]
CONFIG_OPTION = "--config python:app.gunicorn_config"


def test_access_log_lines_show_the_path_without_the_query(tmp_path: Path):
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", gunicorn_config.access_log_format)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/checkout/cs_1?t=CAPABILITY",
        "PATH_INFO": "/checkout/cs_1",
        "QUERY_STRING": "t=CAPABILITY",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
    }
    response = SimpleNamespace(status="303 See Other", sent=0, headers=[])
    Logger(config).access(response, {}, environ, timedelta(milliseconds=5))
    line = (tmp_path / "access.log").read_text()
    assert '"GET /checkout/cs_1 HTTP/1.1" 303' in line
    assert "CAPABILITY" not in line


def test_every_way_of_starting_the_web_server_uses_the_config():
    procfile = (ROOT / "Procfile").read_text()
    assert re.search(rf"^web: gunicorn .*{re.escape(CONFIG_OPTION)}", procfile, re.M)
    assert CONFIG_OPTION in " ".join(gunicorn_command("127.0.0.1", 8000, 2))
