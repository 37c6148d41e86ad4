"""First start makes the sandbox account and prints one sk_test_ key; later starts do not."""

from __future__ import annotations

import re

from app.db import Database
from app.devserver import bootstrap_sandbox
from app.payments.api_keys import authenticate


def test_sandbox_key_is_made_once_and_works(tmp_path):
    from app import migrate

    url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrate.upgrade(url)
    database = Database(url)
    key = bootstrap_sandbox(database)
    assert key is not None
    assert re.fullmatch(r"sk_test_[0-9a-f]{64}", key)
    assert bootstrap_sandbox(database) is None
    with database.transaction() as db:
        tenant = authenticate(db, key)
    assert tenant is not None
    assert tenant.mode == "test"
    database.dispose()
