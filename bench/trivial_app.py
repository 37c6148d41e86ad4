"""The baseline for bench/sessions_load.py: a Flask app answering one small JSON body.

Served by gunicorn with exactly the settings used for `app:create_app()`, so the ratio of the
two throughputs measures what the application adds on top of Flask + gunicorn.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify

app = Flask(__name__)


@app.get("/")
def index() -> Response:
    return jsonify({"success": True, "status": "ok"})
