"""The WSGI application: faults, then authentication, then routing, like WordPress.

Order of checks (it decides which error a caller sees first):
1. WooCommerce authentication (bad OAuth -> 401) and the key's read/write permission;
2. route matching (404 rest_no_route);
3. schema validation inside each route (400), then its permission check (401), then work.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request, Response

from . import auth, routes
from .context import Context, Reply
from .errors import WooError
from .faults import Faults
from .store import LoggedRequest, Store

JSON = "application/json; charset=UTF-8"
NO_ROUTE = WooError("rest_no_route", "No route was found matching the URL and request method.", 404)


class WooApp:
    def __init__(
        self,
        store: Store,
        faults: Faults,
        home: str,
        assume_https: bool = False,
        trust_forwarded_proto: bool = False,
    ) -> None:
        self.store = store
        self.faults = faults
        self.home = home
        self.assume_https = assume_https
        self.trust_forwarded_proto = trust_forwarded_proto

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        self.faults.delay()
        fault = self.faults.take(request.path)
        if fault is not None:
            if fault.hang:
                self.faults.hold(fault)
            response = Response(fault.response_body(), fault.status, content_type=JSON)
            if fault.retry_after is not None:
                response.headers["Retry-After"] = fault.retry_after
            self._log(request, fault.status, None, None)
            return response
        seen: list[auth.Credentials] = []
        try:
            reply = self._dispatch(request, seen)
        except WooError as error:
            reply = Reply(error.status, error.body())
        except _AuthFailed as failure:
            reply = Reply(failure.error.status, failure.error.body())
        self._log(request, reply.status, seen[0] if seen else None, reply.body)
        return self._response(reply)

    def _https(self, request: Request) -> bool:
        if self.assume_https:
            return True
        forwarded = request.headers.get("X-Forwarded-Proto", "")
        return self.trust_forwarded_proto and forwarded.lower() == "https"

    def _dispatch(self, request: Request, seen: list[auth.Credentials]) -> Reply:
        path = request.path
        query_pairs = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
        query = auth.php_params(query_pairs)
        if path.rstrip("/") == "/wp-json":
            return Reply(200, self._root_index())
        if not path.startswith("/wp-json/wc/"):
            raise NO_ROUTE
        form = auth.php_params(list(request.form.items(multi=True)))
        try:
            credentials = auth.authenticate(
                self.store,
                request.method,
                path,
                {**query, **form},
                _basic_credentials(request),
                self._https(request),
                self._home(request),
                auth.parse_oauth_header(request.headers.get("Authorization")),
            )
        except WooError as error:
            raise _AuthFailed(error) from None
        seen.append(credentials)
        if credentials.key is not None:
            denied = auth.required_permission_error(credentials.key, request.method)
            if denied is not None:
                raise _AuthFailed(denied)
        # rest_api_loaded() drops the trailing slash of the route.
        route = path.removeprefix("/wp-json").rstrip("/")
        if not route.startswith("/wc/v3"):
            raise NO_ROUTE
        found = routes.match(request.method, route.removeprefix("/wc/v3"))
        if found is None:
            raise NO_ROUTE
        handler, args = found
        params: dict[str, Any] = {**query, **form, **_json_body(request)}
        ctx = Context(self.store, self.home, request.method, path, credentials.key, params, query)
        # One request at a time touches the store, as one database transaction would; the
        # injected latency and holds happen before, outside the lock.
        with self.store.lock:
            return handler(ctx, args)

    def _home(self, request: Request) -> str:
        if self._https(request) and self.home.startswith("http://"):
            return "https://" + self.home.removeprefix("http://")
        return self.home

    def _root_index(self) -> dict[str, Any]:
        return {
            "name": "Korea Checkout WooCommerce double",
            "description": "",
            "url": self.home,
            "home": self.home,
            "namespaces": ["wc/v3"],
            "authentication": [],
            "routes": {"/": {"namespace": ""}, "/wc/v3": {"namespace": "wc/v3"}},
        }

    def _response(self, reply: Reply) -> Response:
        response = _WooResponse(json.dumps(reply.body), reply.status, content_type=JSON)
        for name, value in reply.headers.items():
            response.headers[name] = value
        if "Link" not in reply.headers:
            response.headers["Link"] = f'<{self.home}/wp-json/>; rel="https://api.w.org/"'
        return response

    def _log(
        self,
        request: Request,
        status: int,
        credentials: auth.Credentials | None,
        body: Any,
    ) -> None:
        payload: Any
        try:
            payload = json.loads(request.get_data(cache=True) or b"null")
        except ValueError:
            payload = request.get_data(cache=True).decode("utf-8", "replace")
        entry = LoggedRequest(
            method=request.method,
            path=request.path,
            query=parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True),
            body=payload,
            status=status,
            consumer_key=credentials.key.consumer_key if credentials and credentials.key else None,
            auth_method=credentials.method if credentials else None,
            response_body=body,
        )
        with self.store.lock:
            self.store.request_log.append(entry)


class _WooResponse(Response):
    def get_wsgi_headers(self, environ: dict[str, Any]) -> Any:
        headers = super().get_wsgi_headers(environ)
        # Werkzeug percent-encodes Location; WooCommerce sends the refund's raw route
        # pattern "(?P<order_id>[\\d]+)" there and clients may see it verbatim.
        if "Location" in self.headers:
            headers["Location"] = self.headers["Location"]
        return headers


class _AuthFailed(Exception):
    def __init__(self, error: WooError) -> None:
        super().__init__(error.message)
        self.error = error


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, _, password = decoded.partition(":")
    return user, password


def _json_body(request: Request) -> dict[str, Any]:
    data = request.get_data(cache=True)
    if not data or "json" not in (request.content_type or ""):
        return {}
    try:
        body = json.loads(data)
    except ValueError as error:
        raise WooError(
            "rest_invalid_json",
            "Invalid JSON body passed.",
            400,
            {"status": 400, "json_error_code": 4, "json_error_message": str(error)},
        ) from None
    return body if isinstance(body, dict) else {}
