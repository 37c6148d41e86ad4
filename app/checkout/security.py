"""Security headers of the hosted pages and the sandbox window.

A strict Content-Security-Policy per response: scripts and styles only from this origin or
carrying the response's nonce, plus Kakao's postcode script on the page that uses it; no
framing; forms may only go where this response's forms (and the redirects that follow them,
which Chromium checks against ``form-action`` too) really go.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import g
from werkzeug.wrappers import Response

#: Kakao's postcode loader (the reference document's ``//t1.daumcdn.net/...`` path, on the
#: CDN host Kakao moved it to in 2026, and always over https).
POSTCODE_SCRIPT = "https://t1.kakaocdn.net/mapjsapi/bundle/postcode/prod/postcode.v2.js"
#: Where that loader fetches its core script (both names serve the same CDN during Kakao's
#: move) and where its search window lives (the daum.net name redirects to kakao.com).
POSTCODE_SCRIPT_ORIGINS = ("https://t1.kakaocdn.net", "https://t1.daumcdn.net")
POSTCODE_FRAME_ORIGINS = ("https://postcode.map.kakao.com", "https://postcode.map.daum.net")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # The page's URL is clean (the capability is in a cookie), and nothing of it leaves.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def nonce() -> str:
    """This response's nonce, for the templates' ``<style>`` and ``<script>`` tags."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    value: str = g.csp_nonce
    return value


def origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allow_form_target(*urls: str | None) -> None:
    """Let this response's forms reach these URLs' origins (form targets and redirects)."""
    targets: set[str] = g.setdefault("csp_form_origins", set())
    targets.update(found for url in urls if url and (found := origin(url)))


def use_postcode() -> None:
    g.csp_postcode = True


def content_security_policy(
    nonce_value: str | None, form_origins: set[str], *, postcode: bool
) -> str:
    scripts = ["'self'"]
    styles = ["'self'"]
    if nonce_value:
        scripts.append(f"'nonce-{nonce_value}'")
        styles.append(f"'nonce-{nonce_value}'")
    frames = ["'none'"]
    if postcode:
        scripts.extend(POSTCODE_SCRIPT_ORIGINS)
        frames = list(POSTCODE_FRAME_ORIGINS)
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": styles,
        "img-src": ["'self'", "data:"],
        "frame-src": frames,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *sorted(form_origins)],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def apply_headers(response: Response) -> Response:
    policy = content_security_policy(
        g.get("csp_nonce"), g.get("csp_form_origins", set()), postcode=g.get("csp_postcode", False)
    )
    response.headers["Content-Security-Policy"] = policy
    response.headers.update(HEADERS)
    return response
