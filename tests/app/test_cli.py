"""The documented `flask --app app` commands, run as a user would in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(database_url: str, redis_namespace: str, tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "REDIS_NAMESPACE": f"{redis_namespace}:cli",
        "VAR_DIR": str(tmp_path),
    }

    def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    return _run


def test_accounts_and_keys_lifecycle(run, tmp_path: Path):
    name = f"cli-{tmp_path.name}"
    run("db", "upgrade")
    account_id = run("accounts", "create", name).stdout.strip()
    assert account_id.startswith("acct_")
    duplicate = run("accounts", "create", name, check=False)
    assert duplicate.returncode != 0
    live = run("keys", "create", "--account", name, "--mode", "live").stdout
    assert re.fullmatch(r"sk_live_[0-9a-f]{64}\n", live)
    test = run("keys", "create", "--account", name, "--mode", "test").stdout.strip()
    assert re.fullmatch(r"sk_test_[0-9a-f]{64}", test)
    listing = run("keys", "list", "--account", name).stdout
    assert test not in listing
    assert live.strip() not in listing
    assert test[:12] in listing
    assert test[-4:] in listing
    key_id = next(line.split("\t")[0] for line in listing.splitlines() if test[:12] in line)
    run("keys", "revoke", key_id)
    after = run("keys", "list", "--account", name).stdout
    assert any(key_id in line and line.endswith("revoked") for line in after.splitlines())
    missing = run("keys", "create", "--account", "no-such-account", check=False)
    assert missing.returncode != 0
    assert "no-such-account" in missing.stderr
