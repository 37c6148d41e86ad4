"""Encryption, CSRF and sandbox seals each use their own key derived from SECRET_KEY."""

from __future__ import annotations

import pytest
from flask import Flask

from app.crypto import derived_key
from app.gateways import InvalidWindowSubmission
from app.gateways.sandbox_kit import WINDOW_SEAL_FIELD, seal_window
from app.gateways.toss.sandbox import WINDOW_BOUND, WINDOW_PURPOSE
from app.keys import purpose_key
from app.settings import Settings
from tests.app.gateways.gateway_helpers import APPROVE, make_request


def test_each_purpose_has_its_own_key(app: Flask, settings: Settings):
    root = settings.resolved_secret_key()
    csrf = bytes.fromhex(app.config["SECRET_KEY"])
    sandbox = purpose_key(root, "sandbox-seals")
    encryption = derived_key(root).key
    assert csrf == purpose_key(root, "csrf")
    assert app.config["SECRET_KEY"] != root
    assert len({csrf, sandbox, encryption, root.encode()}) == 4
    assert app.extensions["kc.secret_box"].current_kid == "derived"


def test_a_seal_made_with_the_csrf_key_is_refused(app: Flask, settings: Settings):
    sandbox = app.extensions["kc.gateways"]("toss", "test")
    request = make_request()
    window = sandbox.start_payment(request)
    form = {**window.fields, "card_number": APPROVE}
    # The app's own seal passes (the control), then the same form sealed with the CSRF key.
    assert sandbox.submit_window(form).url.startswith(request.success_url)
    csrf = bytes.fromhex(app.config["SECRET_KEY"])
    forged = dict(form)
    forged[WINDOW_SEAL_FIELD] = seal_window(
        csrf, WINDOW_PURPOSE, request.method, forged, WINDOW_BOUND
    )
    with pytest.raises(InvalidWindowSubmission):
        sandbox.submit_window(forged)
    # The same with the root secret itself.
    root_sealed = dict(form)
    root_sealed[WINDOW_SEAL_FIELD] = seal_window(
        settings.resolved_secret_key().encode(), WINDOW_PURPOSE, request.method, form, WINDOW_BOUND
    )
    with pytest.raises(InvalidWindowSubmission):
        sandbox.submit_window(root_sealed)
