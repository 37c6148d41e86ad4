"""Drive the hosted page with Flask's test client like a browser would (no JavaScript)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", ""), values.get("method", "get")))
        elif tag == "input" and self.forms and values.get("type") == "hidden":
            self.forms[-1].fields[values.get("name", "")] = values.get("value", "")


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def shopper_link(client, session: str) -> str:
    """The path of the session's ``checkoutUrl``. ``session`` is that URL already (a browser
    over HTTP reads it from the API), or a session id whose link a Flask client's app makes."""
    if session.startswith(("http://", "https://", "/")):
        return path_of(session)
    return path_of(client.application.extensions["kc.checkout_links"].shopper_url(session))


def session_id_of(session: str) -> str:
    found = re.search(r"cs_[0-9a-f]{32}", session)
    assert found is not None, session
    return found.group(0)


def open_page(client, session: str, query: str = ""):
    """The shopper opens their link: the capability becomes a cookie, then the page shows."""
    granted = client.get(shopper_link(client, session) + query)
    assert granted.status_code == 303, granted.get_data(as_text=True)
    return client.get(path_of(granted.headers["Location"]))


def page_token(client, session: str) -> str:
    html = open_page(client, session).get_data(as_text=True)
    return forms(html)[0].fields["csrf_token"]


def start(client, session: str, method: str = "card", **extra: str):
    """Press pay on the page; returns the response (the auto-submitted window form).
    ``session``: a session id, or its checkoutUrl (see ``shopper_link``)."""
    token = page_token(client, session)
    body = {"csrf_token": token, "method": method, "agree": "yes", **extra}
    return client.post(f"/checkout/{session_id_of(session)}/pay", data=body)


def follow(client, response):
    """Follow 303s and auto-submitted forms until something else comes back."""
    for _ in range(10):
        if response.status_code in (302, 303):
            location = response.headers["Location"]
            if not urlsplit(location).path.startswith(("/checkout/", "/sandbox/")):
                return response  # left our site: returnUrl / cancelUrl
            response = client.get(path_of(location))
            continue
        html = response.get_data(as_text=True)
        if response.status_code == 200 and "data-autosubmit" in html:
            form = forms(html)[0]
            response = client.post(path_of(form.action), data=form.fields)
            continue
        return response
    raise AssertionError("redirect loop")


def open_window(client, session: str, method: str = "card", **extra: str):
    response = start(client, session, method, **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    form = forms(response.get_data(as_text=True))[0]
    window = client.post(path_of(form.action), data=form.fields)
    assert window.status_code == 200, window.get_data(as_text=True)
    return window


def submit_window(client, window, **choices: str):
    form = forms(window.get_data(as_text=True))[0]
    response = client.post(path_of(form.action), data={**form.fields, **choices})
    return follow(client, response)


def pay(client, session: str, method: str = "card", choices=None, **extra: str):
    window = open_window(client, session, method, **extra)
    return submit_window(client, window, **(choices or {"action": "approve"}))
