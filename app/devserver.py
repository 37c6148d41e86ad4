"""`flask --app app serve`: the one-command local run (migrate, sandbox key, web + worker)."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from sqlalchemy import select

from app import migrate
from app.db import Database
from app.models import Account
from app.models.base import utcnow
from app.payments import api_keys
from app.payments.tenancy import Mode
from app.processes import supervise
from app.settings import Settings

SANDBOX_ACCOUNT = "sandbox"
# gunicorn's worker timeout, as in the Procfile: gateway calls end well inside it
# (app.gateways.http.CALL_DEADLINE_SECONDS).
WEB_TIMEOUT_SECONDS = 30


def bootstrap_sandbox(database: Database) -> str | None:
    """Create the sandbox account and its first sk_test_ key; the key, or None if it exists."""
    with database.transaction() as session:
        if session.scalars(select(Account).where(Account.name == SANDBOX_ACCOUNT)).first():
            return None
        account = api_keys.create_account(session, SANDBOX_ACCOUNT, utcnow())
        return api_keys.create_key(session, account, Mode.TEST, utcnow()).secret


def _announce(key: str | None, base_url: str) -> None:
    click.echo("")
    if key:
        click.secho("  Sandbox API key (shown once, keep it):", bold=True)
        click.secho(f"    {key}", fg="green", bold=True)
    else:
        click.echo("  The sandbox account exists; its key was printed on first start.")
        click.echo("  New key: .venv/bin/flask --app app keys create --account sandbox --mode test")
    click.echo(f"  API: {base_url}/api   docs: {base_url}/docs   health: {base_url}/readyz")
    click.echo("")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--web-workers", default=2, type=int)
def serve_command(host: str, port: int, web_workers: int) -> None:
    """Migrate, create the sandbox key on first start, run gunicorn and an RQ worker."""
    settings: Settings = current_app.extensions["kc.settings"]
    migrate.upgrade(settings.resolved_database_url)
    key = bootstrap_sandbox(current_app.extensions["kc.database"])
    # Unless PUBLIC_BASE_URL says otherwise, checkout links point at where we listen.
    base_url = os.environ.get("PUBLIC_BASE_URL") or f"http://{host}:{port}"
    env = {
        **os.environ,
        "REDIS_URL": current_app.extensions["kc.redis_url"],
        "PUBLIC_BASE_URL": base_url,
    }
    worker = [sys.executable, "-m", "flask", "--app", "app", "worker"]
    _announce(key, base_url)
    sys.exit(supervise([gunicorn_command(host, port, web_workers), worker], env))


def gunicorn_command(host: str, port: int, web_workers: int) -> list[str]:
    """The web server, configured as the Procfile's (``app.gunicorn_config``)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:app.gunicorn_config",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(web_workers),
        "--timeout",
        str(WEB_TIMEOUT_SECONDS),
        "--access-logfile",
        "-",
        "app:create_app()",
    ]
