"""`flask --app app ...` commands: migrations, accounts, keys, worker and the dev runner."""

from __future__ import annotations

import sys
import threading

import click
import redis
from flask import Flask, current_app
from flask.cli import AppGroup
from rq import SimpleWorker

from app import migrate
from app.db import Database
from app.jobs import WORKER_PROCESSES, QueueName, queue_name, run_sweeps_forever
from app.models.base import utcnow
from app.payments import api_keys
from app.payments.errors import CheckoutError
from app.payments.tenancy import Mode
from app.processes import supervise
from app.settings import Settings

WORKER_SOCKET_TIMEOUT = 600
db_cli = AppGroup("db", help="Database migrations.")
accounts_cli = AppGroup("accounts", help="Accounts (tenants).")
keys_cli = AppGroup("keys", help="API keys.")


def _settings() -> Settings:
    settings: Settings = current_app.extensions["kc.settings"]
    return settings


def _database() -> Database:
    database: Database = current_app.extensions["kc.database"]
    return database


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: every head)."""
    migrate.upgrade(_settings().resolved_database_url, revision)
    click.echo(f"database at {revision}", err=True)


@accounts_cli.command("create")
@click.argument("name")
def accounts_create(name: str) -> None:
    """Create an account called NAME."""
    try:
        with _database().transaction() as session:
            account = api_keys.create_account(session, name, utcnow())
    except CheckoutError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(account.id)


@keys_cli.command("create")
@click.option("--account", "account_name", required=True, help="Account name.")
@click.option("--mode", type=click.Choice([m.value for m in Mode]), default=Mode.TEST.value)
def keys_create(account_name: str, mode: str) -> None:
    """Create a key; prints only the key, which is never shown again."""
    try:
        with _database().transaction() as session:
            account = api_keys.find_account(session, account_name)
            issued = api_keys.create_key(session, account, Mode(mode), utcnow())
    except CheckoutError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(issued.secret)
    click.echo(f"key id {issued.key_id}: store the key now, it is not shown again", err=True)


@keys_cli.command("list")
@click.option("--account", "account_name", default=None, help="Only this account's keys.")
def keys_list(account_name: str | None) -> None:
    """List keys (id, account, mode, prefix, state); never the secret."""
    with _database().transaction() as session:
        account = api_keys.find_account(session, account_name) if account_name else None
        for key in api_keys.list_keys(session, account):
            state = "revoked" if key.revoked_at else "active"
            click.echo(f"{key.id}\t{key.account_id}\t{key.mode}\t{key.display_prefix}\t{state}")


@keys_cli.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke the key KEY_ID; requests with it get 401 from now on."""
    try:
        with _database().transaction() as session:
            api_keys.revoke_key(session, key_id, utcnow())
    except CheckoutError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"revoked {key_id}", err=True)


@click.command("worker")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice([q.value for q in QueueName]),
    help="Serve only this queue (repeatable). Default: every queue, each in its own process.",
)
def worker_command(queues: tuple[str, ...]) -> None:
    """Run the RQ workers (with their schedulers) and the periodic sweeps."""
    names = [QueueName(q) for q in queues] or list(QueueName)
    if len(names) == 1:
        _serve_queue(names[0])
    else:
        # Processes of their own per queue: an RQ worker takes its queues' jobs in order,
        # one at a time, so a worker shared by two queues would leave the second behind a
        # flood of the first. Processes (not threads): RQ's stop signals need a main thread.
        argvs = [_worker_argv(name) for name in names for _ in range(WORKER_PROCESSES[name])]
        sys.exit(supervise(argvs))


def _worker_argv(name: QueueName) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "app", "worker", "--queue", name.value]


def _serve_queue(name: QueueName) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()
    # Every worker process sweeps; a Redis lease lets one of them at a time do it.
    sweeper = threading.Thread(target=_sweep_with_context, args=(app, stop), daemon=True)
    sweeper.start()
    try:
        # SimpleWorker runs jobs in this process: no fork per job (fast, and pooled
        # database connections are never shared across a fork). Jobs bound their own time.
        # The worker blocks in BLPOP for up to ~7 minutes; redis-py 8 defaults to a 5 s
        # socket timeout, which RQ reads as "quit", so the worker gets its own client.
        connection = redis.Redis.from_url(
            app.extensions["kc.redis_url"], socket_timeout=WORKER_SOCKET_TIMEOUT
        )
        worker = SimpleWorker([queue_name(_settings(), name)], connection=connection)
        worker.work(with_scheduler=True)
    finally:
        stop.set()


def _sweep_with_context(app: Flask, stop: threading.Event) -> None:
    with app.app_context():
        run_sweeps_forever(app, stop)


def register_cli(app: Flask) -> None:
    from app.cli_secrets import secrets_cli
    from app.devserver import serve_command

    app.cli.add_command(db_cli)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(secrets_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(serve_command)
