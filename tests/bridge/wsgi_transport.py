"""A `requests` transport adapter that hands requests to a WSGI app in process, so unit
tests of the bridge call the public API without a server (end-to-end tests use real HTTP)."""

from __future__ import annotations

from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import Client


class WSGIAdapter(BaseAdapter):
    def __init__(self, wsgi_app: Any) -> None:
        super().__init__()
        self._client = Client(wsgi_app)

    def send(self, request: requests.PreparedRequest, **_: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self._client.open(
            parts.path,
            method=request.method or "GET",
            query_string=parts.query,
            headers=dict(request.headers),
            data=body or b"",
            base_url=f"{parts.scheme}://{parts.netloc}",
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(dict(answer.headers))
        response.raw = BytesIO(answer.get_data())
        response._content = answer.get_data()
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        """Nothing to close."""
