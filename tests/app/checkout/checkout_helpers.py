"""Drive the hosted page with Flask's test client like a browser would (no JavaScript)."""

from __future__ import annotations

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


def page_token(client, session_id: str) -> str:
    html = client.get(f"/checkout/{session_id}").get_data(as_text=True)
    return forms(html)[0].fields["csrf_token"]


def start(client, session_id: str, method: str = "card", **extra: str):
    """Press pay on the page; returns the response (the auto-submitted window form)."""
    token = page_token(client, session_id)
    body = {"csrf_token": token, "method": method, "agree": "yes", **extra}
    return client.post(f"/checkout/{session_id}/pay", data=body)


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


def open_window(client, session_id: str, method: str = "card", **extra: str):
    response = start(client, session_id, method, **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    form = forms(response.get_data(as_text=True))[0]
    window = client.post(path_of(form.action), data=form.fields)
    assert window.status_code == 200, window.get_data(as_text=True)
    return window


def submit_window(client, window, **choices: str):
    form = forms(window.get_data(as_text=True))[0]
    response = client.post(path_of(form.action), data={**form.fields, **choices})
    return follow(client, response)


def pay(client, session_id: str, method: str = "card", choices=None, **extra: str):
    window = open_window(client, session_id, method, **extra)
    return submit_window(client, window, **(choices or {"action": "approve"}))
